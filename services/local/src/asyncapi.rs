//! The events as one AsyncAPI 3.0 document: every event, the data it carries, the slices that
//! raise it (their declarations) and the workers that consume it (`services/routing.json`).
//! Generated from the event contract types, committed as `docs/asyncapi.json` (a test keeps it
//! current).

use contracts::events::{EventDataType, OrderEventData, SkuRestockedEventData};
use contracts::{ApiSlice, EventName, WorkerSlice};
use kernel::openapi::Schemas;
use kernel::utoipa::{PartialSchema, ToSchema};
use serde_json::{Map, Value, json};

use crate::routing::RoutingTable;
use crate::slices::{API_SLICES, WORKER_SLICES};

/// Where the document is committed, relative to the workspace root.
pub const DOCUMENT_PATH: &str = "docs/asyncapi.json";

/// Who raises events and who consumes them.
pub struct Catalogue<'a> {
    pub apis: &'a [ApiSlice],
    pub workers: &'a [WorkerSlice],
    pub routing: &'a RoutingTable,
}

/// The document of this build's slices and routing table.
pub fn document() -> Result<Value, serde_json::Error> {
    let routing = RoutingTable::load()?;
    Ok(Catalogue {
        apis: &API_SLICES,
        workers: &WORKER_SLICES,
        routing: &routing,
    }
    .document())
}

/// The document as committed: pretty JSON and a final newline.
pub fn document_json() -> Result<String, serde_json::Error> {
    Ok(serde_json::to_string_pretty(&document()?)? + "\n")
}

impl Catalogue<'_> {
    /// The slices that raise `event` (`<Domain>.<Slice>`).
    pub fn raisers(&self, event: EventName) -> Vec<String> {
        let apis = self
            .apis
            .iter()
            .filter(|api| api.raises.contains(&event))
            .map(|api| format!("{}.{}", api.domain, api.name));
        let workers = self
            .workers
            .iter()
            .filter(|worker| worker.raises.contains(&event))
            .map(|worker| format!("{}.{}", worker.domain, worker.name));
        apis.chain(workers).collect()
    }

    /// The workers whose queues receive `event`, as routed (`<Domain>.<Slice>`).
    pub fn consumers(&self, event: EventName) -> Vec<String> {
        self.routing
            .routes_for(event.as_str())
            .map(|route| format!("{}.{}", route.domain, route.slice))
            .collect()
    }

    pub fn document(&self) -> Value {
        let mut schemas = Schemas::new();
        OrderEventData::schemas(&mut schemas);
        SkuRestockedEventData::schemas(&mut schemas);
        for (name, schema) in [
            (OrderEventData::name(), OrderEventData::schema()),
            (
                SkuRestockedEventData::name(),
                SkuRestockedEventData::schema(),
            ),
        ] {
            schemas.push((name.into_owned(), schema));
        }
        schemas.sort_by(|(a, _), (b, _)| a.cmp(b));
        schemas.dedup_by(|(a, _), (b, _)| a == b);
        let mut schema_map = Map::new();
        for (name, schema) in schemas {
            let schema = serde_json::to_value(schema).unwrap_or(Value::Null);
            schema_map.insert(name, schema);
        }

        let mut channels = Map::new();
        let mut operations = Map::new();
        let mut messages = Map::new();
        for event in EventName::ALL {
            let name = event.as_str();
            let raisers = self.raisers(event);
            let consumers = self.consumers(event);
            channels.insert(
                name.to_owned(),
                json!({
                    "address": name,
                    "title": name,
                    "description": channel_description(&raisers, &consumers),
                    "messages": { name: { "$ref": format!("#/components/messages/{name}") } },
                }),
            );
            for raiser in &raisers {
                operations.insert(
                    format!("{raiser}.raises.{name}"),
                    json!({
                        "action": "send",
                        "channel": { "$ref": format!("#/channels/{name}") },
                        "title": format!("{raiser} raises {name}"),
                        "description": "Written once to the event store with a conditional put \
                                        (the first writer wins); the stream, the pipe and the bus \
                                        carry it on.",
                    }),
                );
            }
            for consumer in &consumers {
                operations.insert(
                    format!("{consumer}.consumes.{name}"),
                    json!({
                        "action": "receive",
                        "channel": { "$ref": format!("#/channels/{name}") },
                        "title": format!("{consumer} consumes {name}"),
                        "description": format!(
                            "Delivered through the queue {}, at least once: the worker is idempotent.",
                            consumer.replacen('.', "-", 1)
                        ),
                    }),
                );
            }
            let data = match event.data_type() {
                EventDataType::Order => OrderEventData::name(),
                EventDataType::SkuRestocked => SkuRestockedEventData::name(),
            };
            messages.insert(
                name.to_owned(),
                json!({
                    "name": name,
                    "title": name,
                    "contentType": "application/json",
                    "payload": event_item_schema(event, &data),
                }),
            );
        }

        json!({
            "asyncapi": "3.0.0",
            "info": {
                "title": "ecomm events",
                "version": env!("CARGO_PKG_VERSION"),
                "description": format!(
                    "Every event of the event store. A slice raises an event by writing its item to \
                     the one table; the table's stream, a pipe (EventBridge Pipes on AWS) and the \
                     bus (source `{}`, detail type `{}`) route each new event item to the queue of \
                     every worker that consumes it, per services/routing.json. On AWS a worker \
                     receives the item as `detail.dynamodb.NewImage` (DynamoDB JSON) of the \
                     EventBridge event; the payloads below show the item's attributes as plain \
                     JSON. SimulateRawEventApi (Testing) can write an item of any event name, \
                     known or not.",
                    self.routing.source, self.routing.detail_type
                ),
            },
            "defaultContentType": "application/json",
            "channels": channels,
            "operations": operations,
            "components": {
                "messages": messages,
                "schemas": schema_map,
            },
        })
    }
}

fn channel_description(raisers: &[String], consumers: &[String]) -> String {
    let list = |slices: &[String]| match slices {
        [] => "nobody".to_owned(),
        _ => slices.join(", "),
    };
    format!(
        "Raised by {}; consumed by {}.",
        list(raisers),
        list(consumers)
    )
}

/// The event item (docs/contract.md §4.3): its key, name, data and bookkeeping attributes.
fn event_item_schema(event: EventName, data: &str) -> Value {
    let (pk, sk) = match event.data_type() {
        EventDataType::Order => (
            "EVENTS#ORDER_ID#<orderId>".to_owned(),
            format!("EVENT#{event}"),
        ),
        EventDataType::SkuRestocked => (
            "EVENTS#SKU#<sku>".to_owned(),
            format!("EVENT#{event}#LOT_ID#<lotId>"),
        ),
    };
    json!({
        "type": "object",
        "required": ["pk", "sk", "eventName", "eventData", "createdAt", "updatedAt", "_tn", "_sn", "gsi1pk", "gsi1sk"],
        "properties": {
            "pk": { "type": "string", "description": pk },
            "sk": { "type": "string", "description": format!("{sk}: one such event per key, ever") },
            "eventName": { "const": event.as_str() },
            "eventData": { "$ref": format!("#/components/schemas/{data}") },
            "createdAt": { "type": "string", "description": "ISO 8601, when the event was raised" },
            "updatedAt": { "type": "string", "description": "equal to createdAt" },
            "correlationId": { "type": "string", "description": "shared by everything one request set off" },
            "causationId": { "type": "string", "description": "the request id, or the id of the event whose handling raised this one" },
            "_tn": { "const": contracts::events::EVENT_TYPE_NAME },
            "_sn": { "const": contracts::events::EVENT_SERVICE_NAME },
            "gsi1pk": { "const": contracts::events::EVENT_TYPE_NAME },
            "gsi1sk": { "type": "string", "description": "CREATED_AT#<createdAt>" },
        },
    })
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    /// Regenerate with `UPDATE_ASYNCAPI=1 cargo test -p local asyncapi`.
    #[test]
    fn the_committed_document_is_current() {
        crate::committed::assert_current(
            DOCUMENT_PATH,
            &document_json().unwrap(),
            "UPDATE_ASYNCAPI",
        );
    }

    #[test]
    fn every_event_has_a_channel_its_raisers_and_its_routed_consumers() {
        let document = document().unwrap();
        let routing = RoutingTable::load().unwrap();
        for event in EventName::ALL {
            let name = event.as_str();
            assert_eq!(document["channels"][name]["address"], name);
            let payload = &document["components"]["messages"][name]["payload"];
            let data = payload["properties"]["eventData"]["$ref"].as_str().unwrap();
            let data = data.rsplit('/').next().unwrap();
            assert!(
                document["components"]["schemas"][data].is_object(),
                "{name}"
            );
            let operations = document["operations"].as_object().unwrap();
            let consumers: BTreeSet<String> = operations
                .keys()
                .filter_map(|id| id.strip_suffix(&format!(".consumes.{name}")))
                .map(str::to_owned)
                .collect();
            let routed: BTreeSet<String> = routing
                .routes_for(name)
                .map(|route| format!("{}.{}", route.domain, route.slice))
                .collect();
            assert_eq!(consumers, routed, "{name}");
        }
        // The saga's raisers, as the slices declare them.
        let raisers = |event: EventName| {
            Catalogue {
                apis: &API_SLICES,
                workers: &WORKER_SLICES,
                routing: &routing,
            }
            .raisers(event)
        };
        assert_eq!(
            raisers(EventName::OrderPlacedEvent),
            ["Orders.PlaceOrderApi"]
        );
        assert_eq!(
            raisers(EventName::OrderCreatedEvent),
            ["Orders.SyncOrderWorker"]
        );
        assert!(raisers(EventName::OrderShippedEvent).is_empty());
    }
}
