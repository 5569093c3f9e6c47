//! ListOrdersApi — `POST /api/v1/orders/listOrders` (docs/contract.md §7.5).
//!
//! Reads the order view: one order by id, or one page of all orders by creation time.

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Orders",
    name: "ListOrdersApi",
    path: "/api/v1/orders/listOrders",
};
