//! CompleteOrderPaymentAcceptedWorker (BEHAVIOR.md §6.5): on `ORDER_PAYMENT_ACCEPTED_EVENT`,
//! marks the order's allocation `COMPLETED_PAYMENT_ACCEPTED` (the stock stays taken).

mod clients;
mod controller;

pub use controller::controller;
