//! PlaceOrderApi — `POST /api/v1/orders/placeOrder` (docs/contract.md §7.2).
//!
//! Validates the order and raises `ORDER_PLACED_EVENT`; it never touches the order view.

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Orders",
    name: "PlaceOrderApi",
    path: "/api/v1/orders/placeOrder",
};
