//! ListOrderPaymentsApi — `POST /api/v1/payments/listOrderPayments` (docs/contract.md §8.2).

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Payments",
    name: "ListOrderPaymentsApi",
    path: "/api/v1/payments/listOrderPayments",
    raises: &[],
};

/// This slice as an OpenAPI operation (`docs/openapi.json`); its schemas go to `schemas`.
pub fn operation(
    schemas: &mut kernel::openapi::Schemas,
) -> kernel::utoipa::openapi::path::Operation {
    kernel::openapi::post_operation::<model::ListOrderPaymentsBody, model::ListOrderPaymentsResponse>(
        SLICE.path,
        SLICE.domain,
        "List order payments by creation time, a page at a time",
        (
            200,
            "One page of order payments, and the token of the next page when there may be more",
        ),
        schemas,
    )
}
