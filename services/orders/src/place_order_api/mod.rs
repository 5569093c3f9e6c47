//! PlaceOrderApi — `POST /api/v1/orders/placeOrder` (BEHAVIOR.md §7.2).
//!
//! Validates the order and raises `ORDER_PLACED_EVENT`; it never touches the order view.

mod clients;
mod controller;
mod model;
mod service;

use std::sync::Arc;

use kernel::clock::Clock;
use kernel::http::ApiHandler;
use kernel::table::Table;

pub use clients::{RaiseOrderPlacedEventClient, TableRaiseOrderPlacedEventClient};
pub use controller::PlaceOrderApiController;
pub use model::PlaceOrderRequest;
pub use service::PlaceOrderApiService;

/// The slice wired to a table and a clock.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl ApiHandler + 'static {
    PlaceOrderApiController::new(PlaceOrderApiService::new(
        TableRaiseOrderPlacedEventClient::new(table),
        clock,
    ))
}

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Orders",
    name: "PlaceOrderApi",
    path: "/api/v1/orders/placeOrder",
};
