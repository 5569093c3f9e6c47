//! The routing table (services/routing.json), shared with the CDK app: which event names each
//! worker's queue receives. Evaluated here in process, as EventBridge rules are on AWS.

use serde::Deserialize;

/// The routing table compiled into the binary, so the engine and the CDK app cannot disagree.
pub const ROUTING_JSON: &str = include_str!("../../routing.json");

/// One worker's route.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Route {
    pub domain: String,
    pub slice: String,
    pub event_names: Vec<String>,
}

impl Route {
    /// The worker's queue name, as on AWS: `<Domain>-<Slice>` (e.g. `Orders-SyncOrderWorker`).
    pub fn queue(&self) -> String {
        format!("{}-{}", self.domain, self.slice)
    }

    /// The worker's dead-letter queue name.
    pub fn dead_letter_queue(&self) -> String {
        format!("{}-Dlq", self.queue())
    }
}

/// How the pipe treats a record it cannot deliver (the CDK app's Pipe reads the same).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PipeSettings {
    /// Retries before a record goes to the pipe's dead-letter queue.
    pub maximum_retry_attempts: u32,
}

/// The whole table.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct RoutingTable {
    pub source: String,
    pub detail_type: String,
    pub pipe: PipeSettings,
    pub workers: Vec<Route>,
}

impl RoutingTable {
    /// Parses the compiled-in table.
    pub fn load() -> Result<Self, serde_json::Error> {
        serde_json::from_str(ROUTING_JSON)
    }

    /// The workers an event of this name is routed to (one per matching rule).
    pub fn routes_for<'a>(&'a self, event_name: &'a str) -> impl Iterator<Item = &'a Route> + 'a {
        self.workers
            .iter()
            .filter(move |route| route.event_names.iter().any(|name| name == event_name))
    }

    /// The queues an event of this name is delivered to (one per matching rule).
    pub fn queues_for<'a>(&'a self, event_name: &'a str) -> impl Iterator<Item = String> + 'a {
        self.routes_for(event_name).map(Route::queue)
    }
}

#[cfg(test)]
mod tests {
    use contracts::EventName;

    use super::*;

    #[test]
    fn the_compiled_table_routes_every_system_event() {
        let table = RoutingTable::load().unwrap();
        assert_eq!(table.source, "event-store.dynamodb.stream");
        assert_eq!(table.detail_type, "DynamoDBStreamRecord");
        let queues = |name: EventName| table.queues_for(name.as_str()).collect::<Vec<_>>();
        assert_eq!(
            queues(EventName::SkuRestockedEvent),
            ["Inventory-RestockSkuWorker"]
        );
        assert_eq!(
            queues(EventName::OrderPlacedEvent),
            ["Orders-SyncOrderWorker"]
        );
        assert_eq!(
            queues(EventName::OrderCreatedEvent),
            [
                "Orders-SyncOrderWorker",
                "Inventory-AllocateOrderStockWorker"
            ]
        );
        assert_eq!(
            queues(EventName::OrderStockAllocatedEvent),
            [
                "Orders-SyncOrderWorker",
                "Payments-ProcessOrderPaymentWorker"
            ]
        );
        assert_eq!(
            queues(EventName::OrderPaymentRejectedEvent),
            [
                "Orders-SyncOrderWorker",
                "Inventory-DeallocateOrderPaymentRejectedWorker"
            ]
        );
        assert!(table.queues_for("ORDER_CANCELLED_EVENT").next().is_none());
        // Every event name in the table is one the system knows (catches typos).
        for route in &table.workers {
            for name in &route.event_names {
                assert!(
                    EventName::parse(name).is_some(),
                    "unknown event name {name}"
                );
            }
        }
    }
}
