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
    raises: &[],
};

/// This slice as an OpenAPI operation (`docs/openapi.json`); its schemas go to `schemas`.
pub fn operation(
    schemas: &mut kernel::openapi::Schemas,
) -> kernel::utoipa::openapi::path::Operation {
    kernel::openapi::post_operation::<model::ListOrdersBody, model::ListOrdersResponse>(
        SLICE.path,
        SLICE.domain,
        "List orders by creation time, a page at a time",
        (
            200,
            "One page of orders, and the token of the next page when there may be more",
        ),
        schemas,
    )
}
