//! ProcessOrderPaymentWorker (queue of the same name; rule `ORDER_STOCK_ALLOCATED_EVENT`).

pub mod clients;
mod controller;
pub mod model;
pub mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::WorkerSlice = contracts::WorkerSlice {
    domain: "Payments",
    name: "ProcessOrderPaymentWorker",
    events: &[contracts::EventName::OrderStockAllocatedEvent],
};
