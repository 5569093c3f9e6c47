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
    raises: &[],
};

/// This slice as an OpenAPI operation (`docs/openapi.json`); its schemas go to `schemas`.
pub fn operation(
    schemas: &mut kernel::openapi::Schemas,
) -> kernel::utoipa::openapi::path::Operation {
    kernel::openapi::post_operation::<model::ListSkusBody, model::ListSkusResponse>(
        SLICE.path,
        SLICE.domain,
        "List SKU counters by latest restock time, a page at a time",
        (
            200,
            "One page of SKU counters, and the token of the next page when there may be more",
        ),
        schemas,
    )
}
