//! The Orders domain (docs/contract.md §7): customers place orders through an API that only raises
//! `ORDER_PLACED_EVENT`; SyncOrderWorker keeps the consolidated order view in step with every
//! order event through the status state machine; ListOrdersApi reads that view.
//!
//! * [`place_order_api`]: `POST /api/v1/orders/placeOrder`.
//! * [`list_orders_api`]: `POST /api/v1/orders/listOrders`.
//! * [`sync_order_worker`]: the SyncOrderWorker queue's consumer.
//! * [`order_status`]: the order statuses and the transition table (§7.1, §7.4).
//! * [`order`]: the order record as stored in the table (§4.2, §4.3).
//! * [`failure`]: the domain's failure kinds (§3).

pub mod failure;

mod event_store;
#[cfg(test)]
mod test_support;

pub mod list_orders_api;
pub mod order;
pub mod order_status;
pub mod place_order_api;
pub mod sync_order_worker;

pub use failure::OrdersFailure;
