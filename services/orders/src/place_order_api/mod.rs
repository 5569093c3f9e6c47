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
    raises: &[contracts::EventName::OrderPlacedEvent],
};

/// This slice as an OpenAPI operation (`docs/openapi.json`); its schemas go to `schemas`.
pub fn operation(
    schemas: &mut kernel::openapi::Schemas,
) -> kernel::utoipa::openapi::path::Operation {
    kernel::openapi::post_operation::<model::PlaceOrderBody, model::PlaceOrderRequest>(
        SLICE.path,
        SLICE.domain,
        "Place an order (the first placement of an order id wins)",
        (
            202,
            "Accepted: the order is echoed as parsed (trimmed) and its event raised",
        ),
        schemas,
    )
}
