//! DeallocateOrderPaymentRejectedWorker (docs/contract.md §6.6): on `ORDER_PAYMENT_REJECTED_EVENT`,
//! marks the order's allocation `DEALLOCATED_PAYMENT_REJECTED` and returns its units to the SKU
//! counter, in one transaction. Returned stock is never lost (fixes §14 #2 and #4).

mod clients;
mod controller;

pub use controller::controller;

/// This slice, declared once (the settlement knows its name and trigger).
pub const SLICE: contracts::WorkerSlice = crate::settle_allocation::Settlement::Deallocate.slice();
