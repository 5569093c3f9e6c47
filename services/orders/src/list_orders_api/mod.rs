//! ListOrdersApi — `POST /api/v1/orders/listOrders` (BEHAVIOR.md §7.5).
//!
//! Reads the order view: one order by id, or one page of all orders by creation time.

mod clients;
mod controller;
mod model;
mod service;

use std::sync::Arc;

use kernel::http::ApiHandler;
use kernel::table::Table;

pub use clients::{QueryOrdersClient, TableQueryOrdersClient};
pub use controller::ListOrdersApiController;
pub use model::{ListOrdersQuery, ListOrdersRequest, ListOrdersResponse, ListedOrder};
pub use service::ListOrdersApiService;

/// The slice wired to a table.
pub fn controller(table: Arc<dyn Table>) -> impl ApiHandler + 'static {
    ListOrdersApiController::new(ListOrdersApiService::new(TableQueryOrdersClient::new(
        table,
    )))
}

/// This slice, declared once.
pub const SLICE: contracts::ApiSlice = contracts::ApiSlice {
    domain: "Orders",
    name: "ListOrdersApi",
    path: "/api/v1/orders/listOrders",
};
