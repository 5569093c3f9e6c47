//! The Testing domain (docs/contract.md §8.3).
//!
//! * [`simulate_raw_event_api`]: `POST /api/v1/testing/simulateRawEvent`, the chaos tool that
//!   writes any event item (any key, any name, any data) into the event store.

pub mod failure;
pub mod js_json;
pub mod simulate_raw_event_api;

pub use failure::TestingFailure;
