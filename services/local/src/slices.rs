//! The one place that wires every slice to its route or queue. The Lambda binaries wire the
//! same constructors, one per function.

use std::collections::HashMap;
use std::sync::Arc;

use kernel::clock::Clock;
use kernel::http::ApiHandler;
use kernel::sqs::WorkerHandler;
use kernel::table::Table;
use payments::gateway::PaymentGateway;

use crate::http::ApiRoute;

/// The six API routes (BEHAVIOR.md §11.2).
pub fn api_routes(table: &Arc<dyn Table>, clock: &Arc<dyn Clock>) -> Vec<ApiRoute> {
    fn api(handler: impl ApiHandler + 'static) -> Arc<dyn ApiHandler> {
        Arc::new(handler)
    }
    vec![
        (
            "/api/v1/inventory/restockSku",
            api(inventory::restock_sku_api::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            "/api/v1/inventory/listSkus",
            api(inventory::list_skus_api::controller(table.clone())),
        ),
        (
            "/api/v1/orders/placeOrder",
            api(orders::place_order_api::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            "/api/v1/orders/listOrders",
            api(orders::list_orders_api::controller(table.clone())),
        ),
        (
            "/api/v1/payments/listOrderPayments",
            api(payments::list_order_payments_api::controller(table.clone())),
        ),
        (
            "/api/v1/testing/simulateRawEvent",
            api(testing::simulate_raw_event_api::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
    ]
}

/// The six worker controllers, keyed by their queue name (`<Domain>-<Slice>` of routing.json).
pub fn workers(
    table: &Arc<dyn Table>,
    clock: &Arc<dyn Clock>,
    gateway: &Arc<dyn PaymentGateway>,
) -> HashMap<String, Arc<dyn WorkerHandler>> {
    fn worker(handler: impl WorkerHandler + 'static) -> Arc<dyn WorkerHandler> {
        Arc::new(handler)
    }
    HashMap::from([
        (
            "Inventory-RestockSkuWorker".to_owned(),
            worker(inventory::restock_sku_worker::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            "Inventory-AllocateOrderStockWorker".to_owned(),
            worker(inventory::allocate_order_stock_worker::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            "Inventory-CompleteOrderPaymentAcceptedWorker".to_owned(),
            worker(
                inventory::complete_order_payment_accepted_worker::controller(
                    table.clone(),
                    clock.clone(),
                ),
            ),
        ),
        (
            "Inventory-DeallocateOrderPaymentRejectedWorker".to_owned(),
            worker(
                inventory::deallocate_order_payment_rejected_worker::controller(
                    table.clone(),
                    clock.clone(),
                ),
            ),
        ),
        (
            "Orders-SyncOrderWorker".to_owned(),
            worker(orders::sync_order_worker::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            "Payments-ProcessOrderPaymentWorker".to_owned(),
            worker(payments::process_order_payment_worker::controller(
                table.clone(),
                clock.clone(),
                gateway.clone(),
            )),
        ),
    ])
}
