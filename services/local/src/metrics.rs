//! `GET /metrics`: the engine's metrics in the Prometheus text format.
//!
//! Counters and histograms are recorded where things happen, through the `metrics` facade
//! (requests and worker outcomes in `kernel`, commits in `store-sqlite`, settled orders in
//! `orders`, dead letters here and in the pipe), into one Prometheus recorder per process. Queue
//! depths and pipe lag are state, not events: they are read from the store at each scrape.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use kernel::clock::epoch_millis;
use metrics_exporter_prometheus::{BuildError, Matcher, PrometheusBuilder, PrometheusHandle};
use store_sqlite::{COMMIT_GROUP_SIZE, SqliteStore};

use crate::pipe;

/// Gauge of messages in a queue; labels `queue`, `state` (`visible` or `in_flight`).
pub const QUEUE_MESSAGES: &str = "ecomm_queue_messages";
/// Gauge of the age of a queue's oldest message in seconds (0 when empty); label `queue`.
pub const QUEUE_OLDEST_MESSAGE_AGE: &str = "ecomm_queue_oldest_message_age_seconds";
/// Gauge of stream records the pipe has not forwarded yet.
pub const PIPE_LAG_RECORDS: &str = "ecomm_pipe_lag_records";
/// Gauge of the age of the oldest stream record the pipe has not forwarded yet, in seconds.
pub const PIPE_LAG_SECONDS: &str = "ecomm_pipe_lag_seconds";
/// Counter of stream records the pipe set aside in its dead-letter queue.
pub const PIPE_DEAD_LETTERED: &str = "ecomm_pipe_dead_lettered_total";
/// Counter of messages whose last allowed receive failed (they move to the DLQ); label `queue`.
pub const WORKER_DEAD_LETTERED: &str = "ecomm_worker_messages_dead_lettered_total";

/// Latency buckets (seconds) for every duration histogram.
const SECONDS_BUCKETS: [f64; 14] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0, 60.0,
];
/// Buckets for the requests per commit.
const GROUP_SIZE_BUCKETS: [f64; 9] = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

/// The process-wide recorder: installed once, shared by every engine this process runs.
static RECORDER: Mutex<Option<PrometheusHandle>> = Mutex::new(None);

/// The Prometheus recorder, installed as the process's `metrics` recorder on first use.
pub fn recorder() -> Result<PrometheusHandle, BuildError> {
    let mut installed = RECORDER.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(handle) = installed.as_ref() {
        return Ok(handle.clone());
    }
    let handle = PrometheusBuilder::new()
        .set_buckets(&SECONDS_BUCKETS)?
        .set_buckets_for_metric(
            Matcher::Full(COMMIT_GROUP_SIZE.to_owned()),
            &GROUP_SIZE_BUCKETS,
        )?
        .install_recorder()?;
    *installed = Some(handle.clone());
    Ok(handle)
}

/// What `GET /metrics` reads.
#[derive(Clone)]
pub struct MetricsEndpoint {
    handle: PrometheusHandle,
    store: SqliteStore,
    /// Every queue the engine has, so an empty one reads 0 rather than disappearing.
    queues: Arc<[String]>,
}

impl MetricsEndpoint {
    pub fn new(handle: PrometheusHandle, store: SqliteStore, queues: Vec<String>) -> Self {
        Self {
            handle,
            store,
            queues: queues.into(),
        }
    }

    /// The `/metrics` route.
    pub fn router(self) -> Router {
        Router::new()
            .route("/metrics", get(scrape))
            .with_state(self)
    }

    /// Reads the queue and pipe gauges from the store, then renders everything.
    pub async fn render(&self) -> String {
        if let Err(error) = self.refresh_gauges().await {
            // The counters are still worth answering with; the gauges keep their last values.
            tracing::warn!(error = %kernel::failure::error_chain(&error), "cannot read the queue and pipe gauges");
        }
        self.handle.render()
    }

    async fn refresh_gauges(&self) -> Result<(), store_sqlite::StoreError> {
        let now_ms = epoch_millis(SystemTime::now());
        let age = |since_ms: u64| Duration::from_millis(now_ms.saturating_sub(since_ms));
        let stats = self.store.queue_stats().await?;
        for queue in self.queues.iter() {
            let stat = stats.iter().find(|stat| &stat.queue == queue);
            let (visible, in_flight, oldest) = stat.map_or((0, 0, Duration::ZERO), |stat| {
                (stat.visible, stat.in_flight, age(stat.oldest_sent_at_ms))
            });
            #[allow(clippy::cast_precision_loss, reason = "message counts fit f64 exactly")]
            {
                metrics::gauge!(QUEUE_MESSAGES, "queue" => queue.clone(), "state" => "visible")
                    .set(visible as f64);
                metrics::gauge!(QUEUE_MESSAGES, "queue" => queue.clone(), "state" => "in_flight")
                    .set(in_flight as f64);
            }
            metrics::gauge!(QUEUE_OLDEST_MESSAGE_AGE, "queue" => queue.clone())
                .set(oldest.as_secs_f64());
        }
        let lag = self.store.stream_lag(pipe::CHECKPOINT).await?;
        #[allow(clippy::cast_precision_loss, reason = "record counts fit f64 exactly")]
        metrics::gauge!(PIPE_LAG_RECORDS).set(lag.records as f64);
        metrics::gauge!(PIPE_LAG_SECONDS).set(
            lag.oldest_created_at_ms
                .map_or(Duration::ZERO, age)
                .as_secs_f64(),
        );
        Ok(())
    }
}

async fn scrape(State(endpoint): State<MetricsEndpoint>) -> Response {
    let body = endpoint.render().await;
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    /// The CDK dashboard graphs these metrics by name and exact dimension set (its `SEARCH`
    /// schemas): renaming one here or adding a label must be done there too.
    #[test]
    fn the_cdk_dashboard_searches_the_metrics_the_code_emits() {
        let dashboard = include_str!("../../../infra/lib/constructs/stage-dashboard.ts");
        for (name, dimensions) in [
            (kernel::metrics::WORKER_MESSAGES, "['worker', 'outcome']"),
            (
                kernel::metrics::WORKER_FAILURES,
                "['worker', 'outcome', 'failure_kind']",
            ),
            (orders::sync_order_worker::ORDERS_SETTLED, "['status']"),
            (orders::sync_order_worker::ORDER_SETTLE_SECONDS, "[]"),
        ] {
            let declared = format!("{{ name: '{name}', dimensions: {dimensions} }}");
            assert!(
                dashboard.contains(&declared),
                "infra/lib/constructs/stage-dashboard.ts lacks {declared}"
            );
        }
    }
}
