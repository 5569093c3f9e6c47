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
    raises: &[contracts::EventName::SkuRestockedEvent],
};

/// This slice as an OpenAPI operation (`docs/openapi.json`); its schemas go to `schemas`.
pub fn operation(
    schemas: &mut kernel::openapi::Schemas,
) -> kernel::utoipa::openapi::path::Operation {
    kernel::openapi::post_operation::<model::RestockSkuBody, model::RestockSkuRequest>(
        SLICE.path,
        SLICE.domain,
        "Restock a SKU with a lot (counted once per lot id)",
        (
            202,
            "Accepted: the restock is echoed as parsed (trimmed) and its event raised",
        ),
        schemas,
    )
}
