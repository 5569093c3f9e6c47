//! SimulateRawEventApi — `POST /api/v1/testing/simulateRawEvent` (BEHAVIOR.md §8.3).

pub mod clients;
mod controller;
pub mod model;
pub mod service;

pub use controller::controller;
