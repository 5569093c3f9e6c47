//! The Payments domain (docs/contract.md §8.1, §8.2, §9).
//!
//! * [`process_order_payment_worker`]: charges an order once its stock is allocated and raises
//!   `ORDER_PAYMENT_ACCEPTED_EVENT` or `ORDER_PAYMENT_REJECTED_EVENT`.
//! * [`list_order_payments_api`]: `POST /api/v1/payments/listOrderPayments`.
//! * [`gateway`]: the payment gateway port and its fake, made idempotent per attempt.

mod event_store;
pub mod failure;
pub mod gateway;
pub mod list_order_payments_api;
pub mod order_payment;
pub mod process_order_payment_worker;

pub use failure::PaymentsFailure;
