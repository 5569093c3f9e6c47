//! The console: a live web page onto the embedded engine, served by `ecomm` at `/`.
//!
//! The page (`services/local/console/assets`, embedded in the binary) calls the six APIs for
//! its lists and forms, like any client, and this module's JSON endpoints — all under
//! [`API_PREFIX`] — for what the APIs do not show: the live overview (the same metrics as
//! `/metrics`, the same queue and stream reads), an order's timeline (the data of `ecomm
//! timeline`), the dead-letter queues and their redrive (as `ecomm dlq`), and the chaos recipes.
//! Only redrive and chaos change anything.

mod assets;
mod chaos;
mod dead_letters;
mod overview;

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use kernel::clock::Clock;
use kernel::http::ApiHandler;
use kernel::table::Table;
use metrics_exporter_prometheus::PrometheusHandle;
use serde::Serialize;
use store_sqlite::SqliteStore;
use tokio::sync::watch;

use crate::inspect::{InspectError, plain_json};
use crate::routing::RoutingTable;
use crate::timeline::{self, Timeline};

pub use chaos::{RECIPES, Recipe};
pub use overview::{Overview, THROUGHPUT_WINDOW, ThroughputPoint};

/// Where the console's JSON endpoints live; everything else under `/console` is a static asset.
pub const API_PREFIX: &str = "/console/api";

/// A failure of a console endpoint.
#[derive(Debug, thiserror::Error)]
pub enum ConsoleError {
    #[error("the store failed")]
    Store(#[from] store_sqlite::StoreError),
    #[error("the store failed")]
    Table(#[from] kernel::table::TableError),
    #[error("the store could not be read")]
    Inspect(#[from] InspectError),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    BadRequest(String),
}

impl ConsoleError {
    /// The answer for this failure: the caller's mistakes are explained, ours are logged.
    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Store(_) | Self::Table(_) | Self::Inspect(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for ConsoleError {
    fn into_response(self) -> Response {
        let status = self.status();
        let message = if status.is_server_error() {
            tracing::error!(error = %kernel::failure::error_chain(&self), "console request failed");
            "Internal Server Error".to_owned()
        } else {
            self.to_string()
        };
        (status, axum::Json(Message { message })).into_response()
    }
}

/// The APIs' error body, `{"message": …}`.
#[derive(Serialize)]
struct Message {
    message: String,
}

/// What the console reads and acts on.
#[derive(Clone)]
pub struct Console {
    inner: Arc<Inner>,
}

struct Inner {
    store: SqliteStore,
    routing: Arc<RoutingTable>,
    metrics: PrometheusHandle,
    /// The chaos recipes raise events through the SimulateRawEvent controller itself.
    simulate_raw_event: Arc<dyn ApiHandler>,
    throughput: overview::Throughput,
    overview: overview::OverviewCache,
    /// Turns true when the server starts shutting down: the event streams end then.
    closing: watch::Receiver<bool>,
}

impl Console {
    /// The console over `store` (also as `table`, for the chaos recipes' raw events), reading
    /// the counters of `metrics`; its event streams end when `closing` turns true.
    pub fn new(
        store: SqliteStore,
        routing: Arc<RoutingTable>,
        metrics: PrometheusHandle,
        table: Arc<dyn Table>,
        clock: Arc<dyn Clock>,
        closing: watch::Receiver<bool>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                routing,
                metrics,
                simulate_raw_event: Arc::new(testing::simulate_raw_event_api::controller(
                    table, clock,
                )),
                throughput: overview::Throughput::default(),
                overview: overview::OverviewCache::default(),
                closing,
            }),
        }
    }

    /// The page, its assets and its JSON endpoints.
    pub fn router(&self) -> Router {
        let api = Router::new()
            .route("/overview", get(overview::current))
            .route("/stream", get(overview::stream))
            .route("/orders/{order_id}", get(order))
            .route("/dead-letters", get(dead_letters::list))
            .route(
                "/dead-letters/{source}/redrive",
                post(dead_letters::redrive),
            )
            .route("/chaos", get(chaos::list))
            .route("/chaos/{recipe}", post(chaos::run));
        Router::new()
            .route("/", get(assets::index))
            .route("/console/assets/{*path}", get(assets::asset))
            .nest(API_PREFIX, api.fallback(not_found))
            .with_state(self.clone())
    }

    /// Samples the throughput counters once a second until `stopped` turns true.
    pub async fn sample(self, mut stopped: watch::Receiver<bool>) {
        let mut tick = tokio::time::interval(overview::SAMPLE_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        loop {
            tokio::select! {
                _ = tick.tick() => self.inner.throughput.sample(&self.inner.metrics.render()),
                _ = stopped.changed() => {
                    if *stopped.borrow() {
                        return;
                    }
                }
            }
        }
    }
}

async fn not_found() -> ConsoleError {
    ConsoleError::NotFound("Not Found".to_owned())
}

/// One order as the console shows it: its records and its timeline.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderView {
    order_id: String,
    order: Option<serde_json::Value>,
    payment: Option<serde_json::Value>,
    timeline: Timeline,
}

/// `GET /console/api/orders/{order_id}`
async fn order(
    State(console): State<Console>,
    Path(order_id): Path<String>,
) -> Result<axum::Json<OrderView>, ConsoleError> {
    let inner = &console.inner;
    let id = contracts::OrderId::parse(&order_id).map_err(|_| {
        ConsoleError::BadRequest(format!(
            "{order_id:?} is not an order id (4 to 128 characters)"
        ))
    })?;
    let timeline = timeline::load(&inner.store, &inner.routing, id.as_str()).await?;
    let order = inner
        .store
        .get(&orders::order::order_key(&id), true)
        .await?;
    let payment = inner
        .store
        .get(&payments::order_payment::order_payment_key(&id), true)
        .await?;
    if timeline.events.is_empty() && order.is_none() && payment.is_none() {
        return Err(ConsoleError::NotFound(format!(
            "No order {id}: no event, order or payment record"
        )));
    }
    Ok(axum::Json(OrderView {
        order_id: id.to_string(),
        order: order.as_ref().map(plain_json),
        payment: payment.as_ref().map(plain_json),
        timeline,
    }))
}
