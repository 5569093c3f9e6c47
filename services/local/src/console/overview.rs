//! The live overview: order counts by status, queue and DLQ depths, pipe lag, and throughput
//! over the last minutes, as one JSON document (`GET …/overview`) and as a Server-Sent Events
//! stream of it (`GET …/stream`).
//!
//! Throughput comes from the counters `/metrics` exposes (rendered by the same Prometheus
//! recorder), sampled once a second into a five-minute window; the rest is read from the store
//! when asked, as `/metrics` reads its gauges.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::{Stream, StreamExt};
use kernel::clock::epoch_millis;
use serde::Serialize;

use super::{Console, ConsoleError};
use crate::pipe;

/// How often the throughput is sampled and the stream sends an overview.
pub const SAMPLE_EVERY: Duration = Duration::from_secs(1);
/// How many throughput points are kept: five minutes at one a second.
pub const THROUGHPUT_WINDOW: usize = 300;
/// An overview younger than this is served again rather than read again, so that many open
/// pages cost one read of the store a second.
const FRESH_FOR: Duration = Duration::from_millis(900);

/// The whole overview.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub at_ms: u64,
    pub orders: OrderCounts,
    pub counters: Counters,
    pub queues: Vec<WorkerQueues>,
    pub pipe: PipeState,
    /// Oldest first; in the stream, only the points after the previous event's.
    pub throughput: Vec<ThroughputPoint>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderCounts {
    pub total: u64,
    pub by_status: Vec<StatusCount>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusCount {
    pub status: String,
    pub count: u64,
}

/// Counters since the process started (the `/metrics` counters, summed over their labels).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Counters {
    /// placeOrder requests answered 202 (a client's retry of one order counts again).
    pub place_order_accepted: f64,
    /// Orders that reached a settled status.
    pub orders_settled: f64,
    /// Worker messages handled, whatever their outcome.
    pub worker_messages: f64,
}

/// A worker's queue and dead-letter queue.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkerQueues {
    pub worker: String,
    pub queue: String,
    pub visible: u64,
    pub in_flight: u64,
    pub oldest_age_seconds: f64,
    pub dead_letter_queue: String,
    pub dead_letters: u64,
    pub oldest_dead_letter_age_seconds: f64,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PipeState {
    pub lag_records: u64,
    pub lag_seconds: f64,
    pub dead_letters: u64,
}

/// Rates over one sampling interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ThroughputPoint {
    pub at_ms: u64,
    pub place_order_accepted_per_second: f64,
    pub orders_settled_per_second: f64,
    pub worker_messages_per_second: f64,
}

/// The throughput window, sampled once a second.
#[derive(Default)]
pub struct Throughput {
    window: Mutex<Window>,
}

#[derive(Default)]
struct Window {
    /// The previous sample: when, and the counters then.
    last: Option<(Instant, Counters)>,
    points: VecDeque<ThroughputPoint>,
}

impl Throughput {
    /// Adds one point from the rendered Prometheus text of the process's recorder.
    pub fn sample(&self, rendered: &str) {
        let now = Instant::now();
        let counters = counters(rendered);
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((then, before)) = window.last {
            let seconds = now.duration_since(then).as_secs_f64().max(f64::EPSILON);
            let rate = |after: f64, before: f64| ((after - before) / seconds).max(0.0);
            let point = ThroughputPoint {
                at_ms: epoch_millis(SystemTime::now()),
                place_order_accepted_per_second: rate(
                    counters.place_order_accepted,
                    before.place_order_accepted,
                ),
                orders_settled_per_second: rate(counters.orders_settled, before.orders_settled),
                worker_messages_per_second: rate(counters.worker_messages, before.worker_messages),
            };
            if window.points.len() == THROUGHPUT_WINDOW {
                window.points.pop_front();
            }
            window.points.push_back(point);
        }
        window.last = Some((now, counters));
    }

    /// The latest counters and the window's points, oldest first.
    fn read(&self) -> (Counters, Vec<ThroughputPoint>) {
        let window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        let counters = window
            .last
            .map(|(_, counters)| counters)
            .unwrap_or_default();
        (counters, window.points.iter().copied().collect())
    }
}

/// The last overview read, shared by every open page: at most one read of the store per
/// [`FRESH_FOR`], however many pages are open (the lock is held while reading).
#[derive(Default)]
pub struct OverviewCache {
    last: tokio::sync::Mutex<Option<(Instant, Arc<Overview>)>>,
}

/// The `/metrics` counters the overview shows, from the recorder's rendered text.
fn counters(rendered: &str) -> Counters {
    let placed_route = orders::place_order_api::SLICE.path;
    Counters {
        place_order_accepted: sum(rendered, kernel::metrics::HTTP_REQUESTS, |labels| {
            labels.contains(&("route", placed_route)) && labels.contains(&("status", "202"))
        }),
        orders_settled: sum(rendered, orders::sync_order_worker::ORDERS_SETTLED, |_| {
            true
        }),
        worker_messages: sum(rendered, kernel::metrics::WORKER_MESSAGES, |_| true),
    }
}

/// Sums the samples of `name` whose labels `keep` accepts, in the Prometheus text format.
fn sum(rendered: &str, name: &str, keep: impl Fn(&[(&str, &str)]) -> bool) -> f64 {
    rendered
        .lines()
        .filter_map(|line| parse_sample(line))
        .filter(|(sample_name, labels, _)| *sample_name == name && keep(labels))
        .map(|(_, _, value)| value)
        .sum()
}

/// A sample's name, its labels and its value.
type Sample<'a> = (&'a str, Vec<(&'a str, &'a str)>, f64);

/// One sample line, `name{label="value",…} value`, with its labels (values as written: ours
/// hold no escapes). `None` for comments, blank lines and anything else.
fn parse_sample(line: &str) -> Option<Sample<'_>> {
    if line.starts_with('#') {
        return None;
    }
    let (series, value) = line.rsplit_once(' ')?;
    let value = value.parse().ok()?;
    let Some((name, labels)) = series.split_once('{') else {
        return Some((series, Vec::new(), value));
    };
    let labels = labels
        .strip_suffix('}')?
        .split("\",")
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (label, value) = pair.split_once("=\"")?;
            Some((label, value.trim_end_matches('"')))
        })
        .collect();
    Some((name, labels, value))
}

impl Console {
    /// The overview now (or as read less than [`FRESH_FOR`] ago).
    async fn overview(&self) -> Result<Arc<Overview>, ConsoleError> {
        let mut last = self.inner.overview.last.lock().await;
        if let Some((read_at, overview)) = last.as_ref()
            && read_at.elapsed() < FRESH_FOR
        {
            return Ok(Arc::clone(overview));
        }
        let overview = Arc::new(self.read_overview().await?);
        *last = Some((Instant::now(), Arc::clone(&overview)));
        Ok(overview)
    }

    async fn read_overview(&self) -> Result<Overview, ConsoleError> {
        let inner = &self.inner;
        let now_ms = epoch_millis(SystemTime::now());
        let age =
            |since_ms: u64| Duration::from_millis(now_ms.saturating_sub(since_ms)).as_secs_f64();
        let by_status: Vec<StatusCount> = inner
            .store
            .count_by_attribute(orders::order::ORDER_TYPE_NAME, "orderStatus")
            .await?
            .into_iter()
            .map(|(status, count)| StatusCount {
                status: status.unwrap_or_else(|| "(none)".to_owned()),
                count,
            })
            .collect();
        let stats = inner.store.queue_stats().await?;
        let depth = |queue: &str| {
            stats
                .iter()
                .find(|stat| stat.queue == queue)
                .map_or((0, 0, 0.0), |stat| {
                    (stat.visible, stat.in_flight, age(stat.oldest_sent_at_ms))
                })
        };
        let queues = inner
            .routing
            .workers
            .iter()
            .map(|route| {
                let (queue, dead_letter_queue) = (route.queue(), route.dead_letter_queue());
                let (visible, in_flight, oldest_age_seconds) = depth(&queue);
                let (dead_visible, dead_in_flight, oldest_dead_letter_age_seconds) =
                    depth(&dead_letter_queue);
                WorkerQueues {
                    worker: route.slice.clone(),
                    queue,
                    visible,
                    in_flight,
                    oldest_age_seconds,
                    dead_letter_queue,
                    dead_letters: dead_visible + dead_in_flight,
                    oldest_dead_letter_age_seconds,
                }
            })
            .collect();
        let lag = inner.store.stream_lag(pipe::CHECKPOINT).await?;
        let (pipe_dead_visible, pipe_dead_in_flight, _) = depth(pipe::DEAD_LETTER_QUEUE);
        let (counters, throughput) = inner.throughput.read();
        Ok(Overview {
            at_ms: now_ms,
            orders: OrderCounts {
                total: by_status.iter().map(|status| status.count).sum(),
                by_status,
            },
            counters,
            queues,
            pipe: PipeState {
                lag_records: lag.records,
                lag_seconds: lag.oldest_created_at_ms.map_or(0.0, age),
                dead_letters: pipe_dead_visible + pipe_dead_in_flight,
            },
            throughput,
        })
    }
}

/// `GET /console/api/overview`
pub async fn current(State(console): State<Console>) -> Result<axum::Json<Overview>, ConsoleError> {
    Ok(axum::Json(Overview::clone(&*console.overview().await?)))
}

/// `GET /console/api/stream`: an `overview` event every second (a `failure` event when the
/// store cannot be read), until the server shuts down. Each overview's `throughput` holds only
/// the points newer than the previous event's (the first, the whole window).
pub async fn stream(
    State(console): State<Console>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let mut closing = console.inner.closing.clone();
    let state = StreamState {
        console,
        sent_up_to: None,
        first: true,
        failing: false,
    };
    let events = futures_util::stream::unfold(state, |mut state| async move {
        if !state.first {
            tokio::time::sleep(SAMPLE_EVERY).await;
        }
        state.first = false;
        let event = match state.console.overview().await {
            Ok(overview) => {
                state.failing = false;
                let mut overview = Overview::clone(&overview);
                let sent_up_to = state.sent_up_to;
                overview
                    .throughput
                    .retain(|point| sent_up_to.is_none_or(|sent| point.at_ms > sent));
                if let Some(newest) = overview.throughput.last() {
                    state.sent_up_to = Some(newest.at_ms);
                }
                Event::default()
                    .event("overview")
                    .json_data(&overview)
                    .unwrap_or_else(|_| Event::default().comment("unserializable overview"))
            }
            Err(error) => {
                // Once per run of failures, not once a second per open page.
                if !state.failing {
                    tracing::warn!(error = %kernel::failure::error_chain(&error), "cannot read the console overview");
                }
                state.failing = true;
                Event::default().event("failure").data(error.to_string())
            }
        };
        Some((Ok(event), state))
    });
    // An open page must not hold up a graceful shutdown, which waits for every connection.
    let closed = async move {
        let _ = closing.wait_for(|closing| *closing).await;
    };
    Sse::new(events.take_until(closed)).keep_alive(KeepAlive::default())
}

struct StreamState {
    console: Console,
    /// The newest throughput point sent so far.
    sent_up_to: Option<u64>,
    first: bool,
    /// Whether the previous read failed (a failure is logged when it starts).
    failing: bool,
}

#[cfg(test)]
#[allow(clippy::unwrap_used, reason = "test expectations fail the test")]
mod tests {
    use super::*;

    const RENDERED: &str = "\
# TYPE ecomm_http_requests_total counter
ecomm_http_requests_total{route=\"/api/v1/orders/placeOrder\",status=\"202\"} 7
ecomm_http_requests_total{route=\"/api/v1/orders/placeOrder\",status=\"400\"} 3
ecomm_http_requests_total{route=\"/api/v1/inventory/restockSku\",status=\"202\"} 5
ecomm_orders_settled_total{status=\"ORDER_PAYMENT_ACCEPTED_STATUS\"} 4
ecomm_orders_settled_total{status=\"ORDER_STOCK_DEPLETED_STATUS\"} 2
ecomm_worker_messages_total{worker=\"SyncOrderWorker\",outcome=\"succeeded\"} 10
ecomm_worker_messages_total{worker=\"SyncOrderWorker\",outcome=\"retried\"} 1
ecomm_worker_messages_total_extra 99
ecomm_pipe_lag_records 0
";

    #[test]
    fn the_counters_are_summed_from_the_rendered_metrics() {
        assert_eq!(
            counters(RENDERED),
            Counters {
                place_order_accepted: 7.0,
                orders_settled: 6.0,
                worker_messages: 11.0,
            }
        );
        assert_eq!(counters(""), Counters::default());
    }

    #[test]
    fn sample_lines_are_parsed_and_everything_else_skipped() {
        assert_eq!(
            parse_sample("a_total{x=\"1\",y=\"two\"} 3.5"),
            Some(("a_total", vec![("x", "1"), ("y", "two")], 3.5))
        );
        assert_eq!(parse_sample("plain 2"), Some(("plain", vec![], 2.0)));
        for skipped in ["# HELP a", "", "garbage", "a{x=\"1\" 2", "a nan-ish"] {
            assert_eq!(parse_sample(skipped), None, "{skipped:?}");
        }
    }

    #[test]
    fn the_window_keeps_five_minutes_of_rates() {
        let throughput = Throughput::default();
        throughput.sample("");
        assert!(throughput.read().1.is_empty(), "one sample is no rate yet");
        for _ in 0..THROUGHPUT_WINDOW + 5 {
            throughput.sample("ecomm_worker_messages_total{worker=\"W\",outcome=\"succeeded\"} 4");
        }
        let points = throughput.read().1;
        assert_eq!(points.len(), THROUGHPUT_WINDOW);
        assert!(
            points
                .iter()
                .skip(1)
                .all(|point| point.worker_messages_per_second == 0.0)
        );
    }
}
