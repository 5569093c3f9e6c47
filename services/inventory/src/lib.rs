//! The Inventory domain (docs/contract.md §6): SKU stock counters, restock lots and order allocations.
//!
//! One module per slice, each `controller → service → clients`:
//! * APIs: [`restock_sku_api`], [`list_skus_api`];
//! * workers: [`restock_sku_worker`], [`allocate_order_stock_worker`],
//!   [`complete_order_payment_accepted_worker`], [`deallocate_order_payment_rejected_worker`].
//!
//! Every slice exposes `controller(..)`, the only thing the hosts (local engine, Lambda) call.

pub mod failure;
pub mod records;

mod event_store;
mod read_allocation;
mod settle_allocation;

pub mod allocate_order_stock_worker;
pub mod complete_order_payment_accepted_worker;
pub mod deallocate_order_payment_rejected_worker;
pub mod list_skus_api;
pub mod restock_sku_api;
pub mod restock_sku_worker;

#[cfg(test)]
mod test_support;

pub use failure::InventoryFailure;
