//! RestockSkuWorker (docs/contract.md §6.2): applies a `SKU_RESTOCKED_EVENT` once per lot — records
//! the lot and adds its units to the SKU counter in one transaction.

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::WorkerSlice = contracts::WorkerSlice {
    domain: "Inventory",
    name: "RestockSkuWorker",
    events: &[contracts::EventName::SkuRestockedEvent],
    raises: &[],
};
