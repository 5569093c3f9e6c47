//! SyncOrderWorker — keeps the order view in step with the order events (docs/contract.md §7.3).
//!
//! `ORDER_PLACED_EVENT` creates the order and raises `ORDER_CREATED_EVENT`; every other order
//! event moves the order's status through the state machine of §7.4.

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;
pub use model::SYNC_ORDER_EVENT_NAMES;
pub use service::{ORDER_SETTLE_SECONDS, ORDERS_SETTLED};

/// This slice, declared once.
pub const SLICE: contracts::WorkerSlice = contracts::WorkerSlice {
    domain: "Orders",
    name: "SyncOrderWorker",
    events: &SYNC_ORDER_EVENT_NAMES,
    raises: &[contracts::EventName::OrderCreatedEvent],
};
