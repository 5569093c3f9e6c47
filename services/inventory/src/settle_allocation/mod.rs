//! Settling an order's allocation once its payment is decided: the part that
//! [`crate::complete_order_payment_accepted_worker`] and
//! [`crate::deallocate_order_payment_rejected_worker`] share.
//!
//! Both read the order's allocation, decide by its status (settle an `ALLOCATED` one, accept a
//! replay of their own settlement, refuse any other status) and write only if the allocation is
//! still the `ALLOCATED` one they read. They differ by their [`Settlement`] (trigger event,
//! settled status, failure kinds) and by the write itself, a [`SettleAllocationClient`] each
//! slice provides.

mod clients;
mod controller;
mod model;
mod service;

pub use clients::{SettleAllocationClient, settle_update};
pub use controller::controller;
pub use model::{SettleAllocationCommand, Settlement};
