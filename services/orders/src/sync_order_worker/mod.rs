//! SyncOrderWorker — keeps the order view in step with the order events (BEHAVIOR.md §7.3).
//!
//! `ORDER_PLACED_EVENT` creates the order and raises `ORDER_CREATED_EVENT`; every other order
//! event moves the order's status through the state machine of §7.4.

mod clients;
mod controller;
mod model;
mod service;

use std::sync::Arc;

use kernel::clock::Clock;
use kernel::sqs::{SqsWorker, WorkerHandler};
use kernel::table::Table;

pub use clients::{
    CreateOrderClient, RaiseOrderCreatedEventClient, ReadOrderClient, TableCreateOrderClient,
    TableRaiseOrderCreatedEventClient, TableReadOrderClient, TableUpdateOrderStatusClient,
    UpdateOrderStatusClient,
};
pub use controller::SyncOrderWorkerController;
pub use model::{SYNC_ORDER_EVENT_NAMES, StatusChange, StatusUpdate};
pub use service::{MAX_STATUS_UPDATE_ATTEMPTS, SyncOrderWorkerService};

/// This slice, declared once.
pub const SLICE: contracts::WorkerSlice = contracts::WorkerSlice {
    domain: "Orders",
    name: "SyncOrderWorker",
    events: &SYNC_ORDER_EVENT_NAMES,
};

/// The slice wired to a table and a clock.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl WorkerHandler + 'static {
    SqsWorker::new(SyncOrderWorkerController::new(SyncOrderWorkerService::new(
        TableReadOrderClient::new(table.clone()),
        TableCreateOrderClient::new(table.clone()),
        TableUpdateOrderStatusClient::new(table.clone()),
        TableRaiseOrderCreatedEventClient::new(table),
        clock,
    )))
}
