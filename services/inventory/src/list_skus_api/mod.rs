//! ListSkusApi — `POST /api/v1/inventory/listSkus` (docs/contract.md §6.3): one SKU by name, or a
//! single page of SKUs ordered by their latest restock.

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Inventory",
    name: "ListSkusApi",
    path: "/api/v1/inventory/listSkus",
};
