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
};
