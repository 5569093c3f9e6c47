//! RestockSkuApi — `POST /api/v1/inventory/restockSku` (docs/contract.md §6.1): records a
//! `SKU_RESTOCKED_EVENT`; the RestockSkuWorker applies it.

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Inventory",
    name: "RestockSkuApi",
    path: "/api/v1/inventory/restockSku",
};
