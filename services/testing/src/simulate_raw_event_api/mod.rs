//! SimulateRawEventApi — `POST /api/v1/testing/simulateRawEvent` (docs/contract.md §8.3).

mod clients;
mod controller;
mod model;
mod service;

pub use controller::controller;

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Testing",
    name: "SimulateRawEventApi",
    path: "/api/v1/testing/simulateRawEvent",
    // Any event item at all: a raw event is whatever the request says (see the catalogue).
    raises: &[],
};

/// This slice as an OpenAPI operation (`docs/openapi.json`); its schemas go to `schemas`.
pub fn operation(
    schemas: &mut kernel::openapi::Schemas,
) -> kernel::utoipa::openapi::path::Operation {
    kernel::openapi::post_operation::<model::SimulateRawEventBody, model::SimulateRawEventRequest>(
        SLICE.path,
        SLICE.domain,
        "Write a raw event item to the event store (chaos testing; not deployed to prod by default)",
        (
            202,
            "Accepted: the request is echoed; the event item was written, or was already there",
        ),
        schemas,
    )
}
