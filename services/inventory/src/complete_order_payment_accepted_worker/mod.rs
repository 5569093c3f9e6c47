//! CompleteOrderPaymentAcceptedWorker (docs/contract.md §6.5): on `ORDER_PAYMENT_ACCEPTED_EVENT`,
//! marks the order's allocation `COMPLETED_PAYMENT_ACCEPTED` (the stock stays taken).

mod clients;
mod controller;

pub use controller::controller;

/// This slice, declared once (the settlement knows its name and trigger).
pub const SLICE: contracts::WorkerSlice = crate::settle_allocation::Settlement::Complete.slice();
