//! ProcessOrderPaymentWorker (queue of the same name; rule `ORDER_STOCK_ALLOCATED_EVENT`).

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::WorkerSlice = contracts::WorkerSlice {
    domain: "Payments",
    name: "ProcessOrderPaymentWorker",
    events: &[contracts::EventName::OrderStockAllocatedEvent],
    raises: &[
        contracts::EventName::OrderPaymentAcceptedEvent,
        contracts::EventName::OrderPaymentRejectedEvent,
    ],
};
