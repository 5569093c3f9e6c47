//! The one place that wires every slice to its route or queue. The Lambda binaries wire the
//! same constructors, one per function.

use std::sync::Arc;

use kernel::clock::Clock;
use kernel::http::ApiHandler;
use kernel::sqs::WorkerHandler;
use kernel::table::{PageTokens, Table};
use payments::gateway::PaymentGateway;

use contracts::{ApiSlice, WorkerSlice};

use crate::http::ApiRoute;
use crate::routing::RoutingTable;

/// The six API routes (docs/contract.md §11.2).
pub fn api_routes(
    table: &Arc<dyn Table>,
    clock: &Arc<dyn Clock>,
    page_tokens: &PageTokens,
) -> Vec<ApiRoute> {
    fn api(handler: impl ApiHandler + 'static) -> Arc<dyn ApiHandler> {
        Arc::new(handler)
    }
    vec![
        (
            inventory::restock_sku_api::SLICE.path,
            api(inventory::restock_sku_api::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            inventory::list_skus_api::SLICE.path,
            api(inventory::list_skus_api::controller(
                table.clone(),
                page_tokens.clone(),
            )),
        ),
        (
            orders::place_order_api::SLICE.path,
            api(orders::place_order_api::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            orders::list_orders_api::SLICE.path,
            api(orders::list_orders_api::controller(
                table.clone(),
                page_tokens.clone(),
            )),
        ),
        (
            payments::list_order_payments_api::SLICE.path,
            api(payments::list_order_payments_api::controller(
                table.clone(),
                page_tokens.clone(),
            )),
        ),
        (
            testing::simulate_raw_event_api::SLICE.path,
            api(testing::simulate_raw_event_api::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
    ]
}

/// Every API slice's OpenAPI operation at its path (their schemas go to `schemas`).
pub fn api_operations(
    schemas: &mut kernel::openapi::Schemas,
) -> Vec<(&'static str, kernel::utoipa::openapi::path::Operation)> {
    vec![
        (
            inventory::restock_sku_api::SLICE.path,
            inventory::restock_sku_api::operation(schemas),
        ),
        (
            inventory::list_skus_api::SLICE.path,
            inventory::list_skus_api::operation(schemas),
        ),
        (
            orders::place_order_api::SLICE.path,
            orders::place_order_api::operation(schemas),
        ),
        (
            orders::list_orders_api::SLICE.path,
            orders::list_orders_api::operation(schemas),
        ),
        (
            payments::list_order_payments_api::SLICE.path,
            payments::list_order_payments_api::operation(schemas),
        ),
        (
            testing::simulate_raw_event_api::SLICE.path,
            testing::simulate_raw_event_api::operation(schemas),
        ),
    ]
}

/// Every worker slice, as each declares itself.
pub const WORKER_SLICES: [WorkerSlice; 6] = [
    inventory::restock_sku_worker::SLICE,
    inventory::allocate_order_stock_worker::SLICE,
    inventory::complete_order_payment_accepted_worker::SLICE,
    inventory::deallocate_order_payment_rejected_worker::SLICE,
    orders::sync_order_worker::SLICE,
    payments::process_order_payment_worker::SLICE,
];

/// Every API slice, as each declares itself.
pub const API_SLICES: [ApiSlice; 6] = [
    inventory::restock_sku_api::SLICE,
    inventory::list_skus_api::SLICE,
    orders::place_order_api::SLICE,
    orders::list_orders_api::SLICE,
    payments::list_order_payments_api::SLICE,
    testing::simulate_raw_event_api::SLICE,
];

/// The six worker controllers, each with its slice.
pub fn workers(
    table: &Arc<dyn Table>,
    clock: &Arc<dyn Clock>,
    gateway: &Arc<dyn PaymentGateway>,
) -> Vec<(WorkerSlice, Arc<dyn WorkerHandler>)> {
    fn worker(handler: impl WorkerHandler + 'static) -> Arc<dyn WorkerHandler> {
        Arc::new(handler)
    }
    vec![
        (
            inventory::restock_sku_worker::SLICE,
            worker(inventory::restock_sku_worker::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            inventory::allocate_order_stock_worker::SLICE,
            worker(inventory::allocate_order_stock_worker::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            inventory::complete_order_payment_accepted_worker::SLICE,
            worker(
                inventory::complete_order_payment_accepted_worker::controller(
                    table.clone(),
                    clock.clone(),
                ),
            ),
        ),
        (
            inventory::deallocate_order_payment_rejected_worker::SLICE,
            worker(
                inventory::deallocate_order_payment_rejected_worker::controller(
                    table.clone(),
                    clock.clone(),
                ),
            ),
        ),
        (
            orders::sync_order_worker::SLICE,
            worker(orders::sync_order_worker::controller(
                table.clone(),
                clock.clone(),
            )),
        ),
        (
            payments::process_order_payment_worker::SLICE,
            worker(payments::process_order_payment_worker::controller(
                table.clone(),
                clock.clone(),
                gateway.clone(),
            )),
        ),
    ]
}

/// Why the routing table and the registered workers disagree, one line per problem (empty when
/// they agree): a worker routed but not registered, registered but not routed, or routed other
/// events than it accepts.
pub fn routing_mismatches(routing: &RoutingTable, registered: &[WorkerSlice]) -> Vec<String> {
    let mut problems = Vec::new();
    for route in &routing.workers {
        match registered
            .iter()
            .find(|slice| slice.queue() == route.queue())
        {
            None => problems.push(format!(
                "{} is routed in services/routing.json but no such worker is registered",
                route.queue()
            )),
            Some(slice) => {
                let accepted: Vec<&str> = slice.events.iter().map(|name| name.as_str()).collect();
                if accepted != route.event_names {
                    problems.push(format!(
                        "{} is routed {:?} but accepts {accepted:?}",
                        route.queue(),
                        route.event_names
                    ));
                }
            }
        }
    }
    for slice in registered {
        if !routing
            .workers
            .iter()
            .any(|route| route.queue() == slice.queue())
        {
            problems.push(format!(
                "{} is registered but not routed in services/routing.json",
                slice.queue()
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use kernel::clock::SystemClock;
    use payments::gateway::{FakePaymentGateway, GatewayMode};
    use store_sqlite::{SqliteStore, StoreOptions};

    use super::*;

    fn registered() -> (Vec<WorkerSlice>, Vec<&'static str>) {
        let dir = tempfile::tempdir().unwrap();
        let store =
            SqliteStore::open(&dir.path().join("store.sqlite"), StoreOptions::default()).unwrap();
        let table: Arc<dyn Table> = Arc::new(store);
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let gateway: Arc<dyn PaymentGateway> =
            Arc::new(FakePaymentGateway::new(GatewayMode::AlwaysAccept));
        let workers = workers(&table, &clock, &gateway)
            .into_iter()
            .map(|(slice, _)| slice)
            .collect();
        let paths = api_routes(&table, &clock, &PageTokens::new(b"test"))
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        (workers, paths)
    }

    #[test]
    fn the_registry_wires_every_declared_slice_once() {
        let (workers, paths) = registered();
        assert_eq!(workers, WORKER_SLICES);
        let declared: Vec<_> = API_SLICES.iter().map(|slice| slice.path).collect();
        assert_eq!(paths, declared);
    }

    #[test]
    fn the_routing_table_routes_exactly_the_registered_workers() {
        let routing = RoutingTable::load().unwrap();
        assert_eq!(
            routing_mismatches(&routing, &WORKER_SLICES),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_disagreement_either_way_is_reported() {
        let mut routing = RoutingTable::load().unwrap();
        let unrouted = routing.workers.remove(0);
        routing.workers[0]
            .event_names
            .push("ORDER_SHIPPED_EVENT".to_owned());
        let mut stranger = routing.workers[0].clone();
        stranger.slice = "StrangerWorker".to_owned();
        routing.workers.push(stranger);
        let problems = routing_mismatches(&routing, &WORKER_SLICES);
        assert_eq!(problems.len(), 3, "{problems:#?}");
        assert!(
            problems
                .iter()
                .any(|p| p.contains(&unrouted.queue()) && p.contains("not routed"))
        );
        assert!(
            problems
                .iter()
                .any(|p| p.contains("StrangerWorker") && p.contains("no such worker"))
        );
        assert!(problems.iter().any(|p| p.contains("but accepts")));
    }

    #[test]
    fn every_slice_has_its_lambda_binary_and_the_cdk_catalogue_lists_every_api_path() {
        let bins = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../lambdas/src/bin"))
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                path.file_stem().unwrap().to_string_lossy().into_owned()
            })
            .collect::<std::collections::BTreeSet<_>>();
        let slices = WORKER_SLICES
            .iter()
            .map(WorkerSlice::binary)
            .chain(API_SLICES.iter().map(ApiSlice::binary))
            .collect::<std::collections::BTreeSet<_>>();
        assert_eq!(
            bins, slices,
            "services/lambdas/src/bin holds one binary per slice"
        );

        let catalogue = include_str!("../../../infra/lib/catalogue.ts");
        for slice in API_SLICES {
            assert!(
                catalogue.contains(&format!("path: '{}'", slice.path)),
                "infra/lib/catalogue.ts lacks {}",
                slice.path
            );
        }
        assert_eq!(catalogue.matches("path: '/").count(), API_SLICES.len());
    }
}
