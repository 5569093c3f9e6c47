//! The event contract: what crosses domain boundaries.
//!
//! Domains never depend on each other; they agree on the event names, the event data, the event
//! item layout in the event store, and the value types those carry. All of it lives here.

pub mod events;
#[cfg(any(test, feature = "test-support"))]
pub mod fixtures;
pub mod slices;
pub mod values;

pub use events::{
    Event, EventName, IncomingEvent, IncomingEventError, OrderEventData, RaiseEventError,
    SkuRestockedEventData,
};
pub use slices::{ApiSlice, WorkerSlice};
pub use values::{EventTime, LotId, OrderId, PaymentId, Price, Sku, Units, UserId};
