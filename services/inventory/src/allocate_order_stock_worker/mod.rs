//! AllocateOrderStockWorker (docs/contract.md §6.4): on `ORDER_CREATED_EVENT`, takes the order's
//! units from the SKU counter and raises `ORDER_STOCK_ALLOCATED_EVENT`, or records that the stock
//! is depleted and raises `ORDER_STOCK_DEPLETED_EVENT`. Replays always raise the same outcome.

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::WorkerSlice = contracts::WorkerSlice {
    domain: "Inventory",
    name: "AllocateOrderStockWorker",
    events: &[contracts::EventName::OrderCreatedEvent],
    raises: &[
        contracts::EventName::OrderStockAllocatedEvent,
        contracts::EventName::OrderStockDepletedEvent,
    ],
};
