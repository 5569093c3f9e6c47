//! `ecomm timeline ORDER_ID`: every hop of one order, from what the engine records.
//!
//! The event items say what was raised, when, under which correlation id and caused by what;
//! the delivery journal (`store_sqlite::Delivery`) says when the pipe forwarded each event to
//! which worker's queue, each receive, and how it ended. An event raised while a worker was
//! handling the event that caused it is attributed to that worker; one caused by a request id,
//! to the request.

use std::io::Write;

use kernel::clock::iso_millis;
use kernel::correlation::{CAUSATION_ID_ATTRIBUTE, CORRELATION_ID_ATTRIBUTE, event_id};
use kernel::table::{Item, Query, QueryTarget, Table, get_s};
use serde::Serialize;
use store_sqlite::{Delivery, SqliteStore};

use crate::inspect::InspectError;
use crate::routing::RoutingTable;

/// One order's journey.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Timeline {
    pub order_id: String,
    /// Every correlation id its events carry (one, unless raw events brought their own).
    pub correlation_ids: Vec<String>,
    /// In the order they were raised.
    pub events: Vec<EventHop>,
}

/// One event of the order and what became of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EventHop {
    pub event_name: String,
    /// `<pk>/<sk>`: what a causation id names.
    pub event_id: String,
    pub raised_at: String,
    pub raised_at_ms: u64,
    pub raised_by: RaisedBy,
    pub correlation_id: Option<String>,
    pub causation_id: Option<String>,
    /// Every receive of the event by every worker, in the order they were handled.
    pub deliveries: Vec<DeliveryHop>,
}

/// Who raised an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum RaisedBy {
    /// An API request (its id is the causation id).
    Request { request_id: String },
    /// A worker handling another event of the order.
    Worker { worker: String, handling: String },
    /// No causation id (written before correlation ids), or a cause not in the journal.
    Unknown,
}

/// One receive of an event by a worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryHop {
    pub queue: String,
    pub worker: String,
    pub message_id: String,
    pub receive_count: u32,
    /// When the pipe enqueued the message.
    pub forwarded_at_ms: u64,
    pub received_at_ms: u64,
    pub finished_at_ms: u64,
    pub outcome: String,
    pub failure_kind: Option<String>,
}

/// The subject (stream record `pk`) of an order's events.
pub fn order_subject(order_id: &str) -> String {
    format!("EVENTS#ORDER_ID#{order_id}")
}

/// Reads an order's event items and delivery journal and puts them together.
pub async fn load(
    store: &SqliteStore,
    routing: &RoutingTable,
    order_id: &str,
) -> Result<Timeline, InspectError> {
    let subject = order_subject(order_id);
    let items = store
        .query(Query {
            target: QueryTarget::Table {
                pk: subject.clone(),
                sk: None,
            },
            forward: true,
            limit: None,
            consistent: true,
            exclusive_start_key: None,
        })
        .await?
        .items;
    let deliveries = store.deliveries_of(&subject).await?;
    Ok(assemble(order_id, &items, &deliveries, routing))
}

/// The timeline of `items` (an order's event items) and `deliveries` (their journal).
pub fn assemble(
    order_id: &str,
    items: &[Item],
    deliveries: &[Delivery],
    routing: &RoutingTable,
) -> Timeline {
    let worker_of = |queue: &str| {
        routing
            .workers
            .iter()
            .find(|route| route.queue() == queue)
            .map_or_else(|| queue.to_owned(), |route| route.slice.clone())
    };
    let mut events: Vec<EventHop> = items
        .iter()
        .filter_map(|item| {
            let pk = get_s(item, "pk")?;
            let sk = get_s(item, "sk")?;
            let raised_at = get_s(item, "createdAt").unwrap_or_default().to_owned();
            let raised_at_ms = humantime::parse_rfc3339_weak(&raised_at)
                .ok()
                .map_or(0, kernel::clock::epoch_millis);
            let mut hops: Vec<DeliveryHop> = deliveries
                .iter()
                .filter(|delivery| delivery.event == sk)
                .map(|delivery| DeliveryHop {
                    queue: delivery.queue.clone(),
                    worker: worker_of(&delivery.queue),
                    message_id: delivery.message_id.clone(),
                    receive_count: delivery.receive_count,
                    forwarded_at_ms: delivery.sent_at_ms,
                    received_at_ms: delivery.received_at_ms,
                    finished_at_ms: delivery.finished_at_ms,
                    outcome: delivery.outcome.clone(),
                    failure_kind: delivery.failure_kind.clone(),
                })
                .collect();
            hops.sort_by_key(|hop| hop.received_at_ms);
            Some(EventHop {
                event_name: get_s(item, "eventName").unwrap_or_default().to_owned(),
                event_id: event_id(pk, sk),
                raised_at,
                raised_at_ms,
                raised_by: RaisedBy::Unknown,
                correlation_id: get_s(item, CORRELATION_ID_ATTRIBUTE).map(str::to_owned),
                causation_id: get_s(item, CAUSATION_ID_ATTRIBUTE).map(str::to_owned),
                deliveries: hops,
            })
        })
        .collect();
    let raised_by: Vec<RaisedBy> = events
        .iter()
        .map(|event| raised_by(event, &events))
        .collect();
    for (event, by) in events.iter_mut().zip(raised_by) {
        event.raised_by = by;
    }
    events.sort_by_key(|event| event.raised_at_ms);
    let mut correlation_ids: Vec<String> = events
        .iter()
        .filter_map(|event| event.correlation_id.clone())
        .collect();
    correlation_ids.sort();
    correlation_ids.dedup();
    Timeline {
        order_id: order_id.to_owned(),
        correlation_ids,
        events,
    }
}

/// The worker whose handling of the causing event was under way when `event` was raised, or
/// the request that caused it. When several workers were handling the cause at that moment (an
/// event routed to two queues), the one whose slice declares raising `event` is taken.
fn raised_by(event: &EventHop, events: &[EventHop]) -> RaisedBy {
    let Some(cause) = &event.causation_id else {
        return RaisedBy::Unknown;
    };
    let raised = contracts::EventName::parse(&event.event_name);
    let declares = |worker: &str| {
        crate::slices::WORKER_SLICES.iter().any(|slice| {
            slice.name == worker && raised.is_some_and(|raised| slice.raises.contains(&raised))
        })
    };
    match events.iter().find(|candidate| &candidate.event_id == cause) {
        Some(causing) => {
            let under_way: Vec<&DeliveryHop> = causing
                .deliveries
                .iter()
                .filter(|delivery| {
                    delivery.received_at_ms <= event.raised_at_ms
                        && event.raised_at_ms <= delivery.finished_at_ms
                })
                .collect();
            under_way
                .iter()
                .find(|delivery| declares(&delivery.worker))
                .or(under_way.first())
                .map_or(RaisedBy::Unknown, |delivery| RaisedBy::Worker {
                    worker: delivery.worker.clone(),
                    handling: causing.event_name.clone(),
                })
        }
        // Not an event of this order: a request id.
        None if !cause.contains('/') => RaisedBy::Request {
            request_id: cause.clone(),
        },
        None => RaisedBy::Unknown,
    }
}

/// Prints the timeline for people: times relative to the first event.
pub fn print(timeline: &Timeline, out: &mut impl Write) -> std::io::Result<()> {
    let Some(start) = timeline.events.first().map(|event| event.raised_at_ms) else {
        return writeln!(out, "order {}: no events", timeline.order_id);
    };
    let at = |ms: u64| format!("+{} ms", ms.saturating_sub(start));
    writeln!(
        out,
        "order {} (correlation id {}), first event at {}",
        timeline.order_id,
        if timeline.correlation_ids.is_empty() {
            "none".to_owned()
        } else {
            timeline.correlation_ids.join(", ")
        },
        iso_millis(std::time::UNIX_EPOCH + std::time::Duration::from_millis(start)),
    )?;
    for event in &timeline.events {
        let by = match &event.raised_by {
            RaisedBy::Request { request_id } => format!("by request {request_id}"),
            RaisedBy::Worker { worker, handling } => format!("by {worker} handling {handling}"),
            RaisedBy::Unknown => "by (unknown)".to_owned(),
        };
        writeln!(
            out,
            "{:>10}  {} raised {by}",
            at(event.raised_at_ms),
            event.event_name
        )?;
        for hop in &event.deliveries {
            let failure = hop
                .failure_kind
                .as_deref()
                .map(|kind| format!(" ({kind})"))
                .unwrap_or_default();
            writeln!(
                out,
                "{:>10}    → {} receive {}: forwarded {}, {} after {} ms{failure}",
                at(hop.received_at_ms),
                hop.worker,
                hop.receive_count,
                at(hop.forwarded_at_ms),
                hop.outcome,
                hop.finished_at_ms.saturating_sub(hop.received_at_ms),
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use kernel::table::{AttributeValue, s};

    use super::*;

    fn event(name: &str, at: &str, causation: &str) -> Item {
        let mut item = Item::from(std::collections::HashMap::<String, AttributeValue>::new());
        item.insert("pk".to_owned(), s("EVENTS#ORDER_ID#ORD1"));
        item.insert("sk".to_owned(), s(format!("EVENT#{name}")));
        item.insert("eventName".to_owned(), s(name));
        item.insert("createdAt".to_owned(), s(at));
        item.insert("correlationId".to_owned(), s("run-1"));
        item.insert("causationId".to_owned(), s(causation));
        item
    }

    fn delivery(
        queue: &str,
        name: &str,
        receive: u32,
        window: (u64, u64),
        outcome: &str,
    ) -> Delivery {
        Delivery {
            queue: queue.to_owned(),
            message_id: format!("{queue}-{name}-{receive}"),
            subject: "EVENTS#ORDER_ID#ORD1".to_owned(),
            event: format!("EVENT#{name}"),
            receive_count: receive,
            sent_at_ms: window.0 - 1,
            received_at_ms: window.0,
            finished_at_ms: window.1,
            outcome: outcome.to_owned(),
            failure_kind: (outcome != "succeeded").then(|| "SomeError".to_owned()),
        }
    }

    // 2025-01-01T00:00:00.000Z
    const T0: u64 = 1_735_689_600_000;

    #[test]
    fn events_are_attributed_to_the_request_or_the_worker_handling_their_cause() {
        let placed_id = "EVENTS#ORDER_ID#ORD1/EVENT#ORDER_PLACED_EVENT";
        let items = [
            // Stored out of order: the timeline sorts by time.
            event("ORDER_CREATED_EVENT", "2025-01-01T00:00:00.020Z", placed_id),
            event(
                "ORDER_PLACED_EVENT",
                "2025-01-01T00:00:00.000Z",
                "request-7",
            ),
        ];
        let deliveries = [
            delivery(
                "Orders-SyncOrderWorker",
                "ORDER_PLACED_EVENT",
                1,
                (T0 + 5, T0 + 8),
                "retried",
            ),
            delivery(
                "Orders-SyncOrderWorker",
                "ORDER_PLACED_EVENT",
                2,
                (T0 + 15, T0 + 25),
                "succeeded",
            ),
            delivery(
                "Orders-SyncOrderWorker",
                "ORDER_CREATED_EVENT",
                1,
                (T0 + 30, T0 + 31),
                "dropped",
            ),
        ];
        let timeline = assemble("ORD1", &items, &deliveries, &RoutingTable::load().unwrap());

        assert_eq!(timeline.correlation_ids, ["run-1"]);
        let names: Vec<_> = timeline
            .events
            .iter()
            .map(|e| e.event_name.as_str())
            .collect();
        assert_eq!(names, ["ORDER_PLACED_EVENT", "ORDER_CREATED_EVENT"]);
        assert_eq!(
            timeline.events[0].raised_by,
            RaisedBy::Request {
                request_id: "request-7".to_owned()
            }
        );
        assert_eq!(
            timeline.events[1].raised_by,
            RaisedBy::Worker {
                worker: "SyncOrderWorker".to_owned(),
                handling: "ORDER_PLACED_EVENT".to_owned()
            }
        );
        let placed = &timeline.events[0].deliveries;
        assert_eq!(placed.len(), 2);
        assert_eq!(
            (placed[0].receive_count, placed[0].outcome.as_str()),
            (1, "retried")
        );
        assert_eq!(placed[1].worker, "SyncOrderWorker");

        let mut printed = Vec::new();
        print(&timeline, &mut printed).unwrap();
        let printed = String::from_utf8(printed).unwrap();
        assert!(
            printed.contains("order ORD1 (correlation id run-1)"),
            "{printed}"
        );
        assert!(
            printed.contains(
                "+20 ms  ORDER_CREATED_EVENT raised by SyncOrderWorker handling ORDER_PLACED_EVENT"
            ),
            "{printed}"
        );
        assert!(
            printed.contains("+5 ms    → SyncOrderWorker receive 1: forwarded +4 ms, retried after 3 ms (SomeError)"),
            "{printed}"
        );
    }

    #[test]
    fn events_without_ids_are_listed_with_an_unknown_origin() {
        let mut item = event("ORDER_PLACED_EVENT", "2025-01-01T00:00:00.000Z", "x");
        item.remove("causationId");
        item.remove("correlationId");
        let timeline = assemble("ORD1", &[item], &[], &RoutingTable::load().unwrap());
        assert_eq!(timeline.events[0].raised_by, RaisedBy::Unknown);
        assert!(timeline.correlation_ids.is_empty());
    }
}
