//! Event names, event data, the event item layout in the event store, raising events once, and
//! incoming-event parsing.

use kernel::correlation::{self, CAUSATION_ID_ATTRIBUTE, CORRELATION_ID_ATTRIBUTE};
use kernel::table::{AttributeValue, Condition, Item, Key, Put, Table, TableError, s};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::values::{EventTime, LotId, OrderId, Price, Sku, Units, UserId};

/// `_tn` of every event item.
pub const EVENT_TYPE_NAME: &str = "EVENTS#EVENT";
/// `_sn` of every event item.
pub const EVENT_SERVICE_NAME: &str = "EVENTS";

/// Every event name the system knows (docs/contract.md §5.2). `ORDER_CANCELED_EVENT` has one L.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EventName {
    SkuRestockedEvent,
    OrderPlacedEvent,
    OrderCreatedEvent,
    OrderStockAllocatedEvent,
    OrderStockDepletedEvent,
    OrderPaymentAcceptedEvent,
    OrderPaymentRejectedEvent,
    OrderShippedEvent,
    OrderDeliveredEvent,
    OrderCanceledEvent,
}

impl EventName {
    pub const ALL: [EventName; 10] = [
        Self::SkuRestockedEvent,
        Self::OrderPlacedEvent,
        Self::OrderCreatedEvent,
        Self::OrderStockAllocatedEvent,
        Self::OrderStockDepletedEvent,
        Self::OrderPaymentAcceptedEvent,
        Self::OrderPaymentRejectedEvent,
        Self::OrderShippedEvent,
        Self::OrderDeliveredEvent,
        Self::OrderCanceledEvent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::SkuRestockedEvent => "SKU_RESTOCKED_EVENT",
            Self::OrderPlacedEvent => "ORDER_PLACED_EVENT",
            Self::OrderCreatedEvent => "ORDER_CREATED_EVENT",
            Self::OrderStockAllocatedEvent => "ORDER_STOCK_ALLOCATED_EVENT",
            Self::OrderStockDepletedEvent => "ORDER_STOCK_DEPLETED_EVENT",
            Self::OrderPaymentAcceptedEvent => "ORDER_PAYMENT_ACCEPTED_EVENT",
            Self::OrderPaymentRejectedEvent => "ORDER_PAYMENT_REJECTED_EVENT",
            Self::OrderShippedEvent => "ORDER_SHIPPED_EVENT",
            Self::OrderDeliveredEvent => "ORDER_DELIVERED_EVENT",
            Self::OrderCanceledEvent => "ORDER_CANCELED_EVENT",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|candidate| candidate.as_str() == name)
    }
}

impl std::fmt::Display for EventName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which data an event carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventDataType {
    /// [`OrderEventData`]
    Order,
    /// [`SkuRestockedEventData`]
    SkuRestocked,
}

impl EventName {
    /// The data an event of this name carries.
    pub fn data_type(self) -> EventDataType {
        match self {
            Self::SkuRestockedEvent => EventDataType::SkuRestocked,
            Self::OrderPlacedEvent
            | Self::OrderCreatedEvent
            | Self::OrderStockAllocatedEvent
            | Self::OrderStockDepletedEvent
            | Self::OrderPaymentAcceptedEvent
            | Self::OrderPaymentRejectedEvent
            | Self::OrderShippedEvent
            | Self::OrderDeliveredEvent
            | Self::OrderCanceledEvent => EventDataType::Order,
        }
    }
}

/// The data of every `ORDER_*` event, in the original's field order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrderEventData {
    pub order_id: OrderId,
    pub sku: Sku,
    pub units: Units,
    pub price: Price,
    pub user_id: UserId,
}

/// The data of `SKU_RESTOCKED_EVENT`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SkuRestockedEventData {
    pub sku: Sku,
    pub units: Units,
    pub lot_id: LotId,
}

/// The key of an order event: one event of each name per order.
pub fn order_event_key(order_id: &OrderId, event_name: EventName) -> Key {
    Key::new(
        format!("EVENTS#ORDER_ID#{order_id}"),
        format!("EVENT#{event_name}"),
    )
}

/// The key of a restock event: one per (sku, lot).
pub fn sku_restocked_event_key(sku: &Sku, lot_id: &LotId) -> Key {
    Key::new(
        format!("EVENTS#SKU#{sku}"),
        format!("EVENT#{}#LOT_ID#{lot_id}", EventName::SkuRestockedEvent),
    )
}

/// Adds the bookkeeping attributes every event item carries (`_tn`, `_sn`, `gsi1pk`, `gsi1sk`).
pub fn add_event_bookkeeping(item: &mut Item, created_at: &str) {
    item.insert("_tn".to_owned(), s(EVENT_TYPE_NAME));
    item.insert("_sn".to_owned(), s(EVENT_SERVICE_NAME));
    item.insert("gsi1pk".to_owned(), s(EVENT_TYPE_NAME));
    item.insert("gsi1sk".to_owned(), s(format!("CREATED_AT#{created_at}")));
}

/// An event as the system writes it: `createdAt = updatedAt =` the instant it was built.
#[derive(Clone, Debug, PartialEq)]
pub struct Event<D> {
    pub key: Key,
    pub event_name: EventName,
    pub event_data: D,
    pub created_at: String,
}

impl Event<OrderEventData> {
    pub fn order(event_name: EventName, event_data: OrderEventData, now: String) -> Self {
        Self {
            key: order_event_key(&event_data.order_id, event_name),
            event_name,
            event_data,
            created_at: now,
        }
    }
}

impl Event<SkuRestockedEventData> {
    pub fn sku_restocked(event_data: SkuRestockedEventData, now: String) -> Self {
        Self {
            key: sku_restocked_event_key(&event_data.sku, &event_data.lot_id),
            event_name: EventName::SkuRestockedEvent,
            event_data,
            created_at: now,
        }
    }
}

impl<D: Serialize> Event<D> {
    /// The event item (docs/contract.md §4.3).
    pub fn to_item(&self) -> Result<Item, serde_dynamo::Error> {
        let mut item = Item::from(std::collections::HashMap::<String, AttributeValue>::new());
        item.insert("pk".to_owned(), s(&self.key.pk));
        item.insert("sk".to_owned(), s(&self.key.sk));
        item.insert("eventName".to_owned(), s(self.event_name.as_str()));
        item.insert(
            "eventData".to_owned(),
            serde_dynamo::to_attribute_value(&self.event_data)?,
        );
        item.insert("createdAt".to_owned(), s(&self.created_at));
        item.insert("updatedAt".to_owned(), s(&self.created_at));
        add_event_bookkeeping(&mut item, &self.created_at);
        Ok(item)
    }

    /// The conditional put that raises this event exactly once (first writer wins).
    pub fn to_put(&self) -> Result<Put, serde_dynamo::Error> {
        Ok(raise_once(self.to_item()?))
    }
}

/// The put of an event item that succeeds only if no event with its key exists, stamped with
/// the correlation it is raised under.
fn raise_once(mut item: Item) -> Put {
    stamp_correlation(&mut item);
    Put::new(item).with_condition(Condition::item_not_exists())
}

/// Adds `correlationId` and `causationId` from the work in progress (none outside a
/// [`correlation::scope`]). An item that names its own (a raw event sent through
/// `simulateRawEvent`) keeps them.
fn stamp_correlation(item: &mut Item) {
    let Some(current) = correlation::current() else {
        return;
    };
    for (attribute, id) in [
        (CORRELATION_ID_ATTRIBUTE, current.correlation_id),
        (CAUSATION_ID_ATTRIBUTE, current.causation_id),
    ] {
        if !item.contains_key(attribute) {
            item.insert(attribute.to_owned(), s(id));
        }
    }
}

/// Why an event could not be raised. Each domain maps this into its own failure kinds.
/// The `failureKind` of raising an event whose key exists (one event per name per order, one
/// restock per lot), in every domain.
pub const DUPLICATE_EVENT_RAISED_ERROR: &str = "DuplicateEventRaisedError";

#[derive(Debug, thiserror::Error)]

pub enum RaiseEventError {
    /// An event with the same key exists: the first writer won.
    #[error("the event was already raised")]
    Duplicate,
    /// Any other storage error (a cancelled transaction included): no domain rule explains it.
    #[error("the event store failed")]
    Storage(#[source] TableError),
    /// The event data cannot be represented as an item.
    #[error("the event item cannot be built")]
    Unrepresentable(#[source] serde_dynamo::Error),
}

/// Raises `event` exactly once: one conditional put of its item (docs/contract.md §4.3).
pub async fn raise<D: Serialize + Sync>(
    table: &dyn Table,
    event: &Event<D>,
) -> Result<(), RaiseEventError> {
    let item = event.to_item().map_err(RaiseEventError::Unrepresentable)?;
    raise_item(table, item).await
}

/// Raises an already built event item exactly once (for writers of raw event items).
pub async fn raise_item(table: &dyn Table, item: Item) -> Result<(), RaiseEventError> {
    match table.put(raise_once(item)).await {
        Ok(()) => Ok(()),
        Err(TableError::ConditionalCheckFailed { .. }) => Err(RaiseEventError::Duplicate),
        Err(error) => Err(RaiseEventError::Storage(error)),
    }
}

/// An event as a worker receives it: validated, other attributes dropped, values trimmed.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IncomingEvent<D> {
    pub event_name: EventName,
    pub event_data: D,
    pub created_at: EventTime,
    pub updated_at: EventTime,
}

/// Why an incoming event item was rejected (always non-transient).
#[derive(Debug, thiserror::Error)]
pub enum IncomingEventError {
    #[error("the event item does not match the expected event")]
    Invalid(#[source] serde_dynamo::Error),
    #[error("the event {actual} is not one this worker accepts")]
    UnexpectedName { actual: EventName },
}

impl<D: DeserializeOwned> IncomingEvent<D> {
    /// Parses a stream record's `NewImage`, accepting only the listed event names.
    pub fn parse(new_image: Item, accepted: &[EventName]) -> Result<Self, IncomingEventError> {
        let event: Self =
            serde_dynamo::from_item(new_image).map_err(IncomingEventError::Invalid)?;
        if !accepted.contains(&event.event_name) {
            return Err(IncomingEventError::UnexpectedName {
                actual: event.event_name,
            });
        }
        Ok(event)
    }
}

#[cfg(test)]
mod tests {
    use kernel::correlation::Correlation;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
    use kernel::table::{get_n, get_s};

    use super::*;

    fn data() -> OrderEventData {
        crate::fixtures::order_data("ORD001", 3, 15.0)
    }

    #[test]
    fn order_event_items_have_the_original_layout() {
        let event = Event::order(
            EventName::OrderPlacedEvent,
            data(),
            "2025-01-01T00:00:00.000Z".into(),
        );
        let item = event.to_item().unwrap();
        assert_eq!(get_s(&item, "pk"), Some("EVENTS#ORDER_ID#ORD001"));
        assert_eq!(get_s(&item, "sk"), Some("EVENT#ORDER_PLACED_EVENT"));
        assert_eq!(
            get_s(&item, "gsi1sk"),
            Some("CREATED_AT#2025-01-01T00:00:00.000Z")
        );
        assert_eq!(get_s(&item, "_tn"), Some("EVENTS#EVENT"));
        let Some(AttributeValue::M(event_data)) = item.get("eventData") else {
            panic!("no map")
        };
        assert_eq!(
            event_data.get("price"),
            Some(&AttributeValue::N("15".into()))
        );
        assert!(get_n(&item, "units").is_none());
    }

    #[test]
    fn incoming_events_round_trip_and_check_the_name() {
        let event = Event::order(
            EventName::OrderCreatedEvent,
            data(),
            "2025-01-01T00:00:00.000Z".into(),
        );
        let parsed = IncomingEvent::<OrderEventData>::parse(
            event.to_item().unwrap(),
            &[EventName::OrderCreatedEvent],
        )
        .unwrap();
        assert_eq!(parsed.event_data, data());
        assert!(matches!(
            IncomingEvent::<OrderEventData>::parse(
                event.to_item().unwrap(),
                &[EventName::OrderPlacedEvent]
            ),
            Err(IncomingEventError::UnexpectedName { .. })
        ));
    }

    fn placed_event() -> Event<OrderEventData> {
        Event::order(
            EventName::OrderPlacedEvent,
            data(),
            "2025-01-01T00:00:00.000Z".into(),
        )
    }

    #[tokio::test]
    async fn raising_puts_the_event_item_on_condition_it_does_not_exist() {
        let table = ScriptedTable::new();
        raise(&table, &placed_event()).await.unwrap();
        let expected = Put::new(placed_event().to_item().unwrap())
            .with_condition(Condition::item_not_exists());
        assert_eq!(placed_event().to_put().unwrap(), expected);
        assert_eq!(table.calls(), [TableCall::Put(expected)]);
    }

    #[tokio::test]
    async fn events_raised_under_a_correlation_carry_it_and_raw_items_keep_their_own() {
        let correlation = Correlation {
            correlation_id: "run-1".to_owned(),
            causation_id: "EVENTS#ORDER_ID#ORD001/EVENT#ORDER_PLACED_EVENT".to_owned(),
        };
        let table = ScriptedTable::new();
        let mut raw = placed_event().to_item().unwrap();
        raw.insert("correlationId".to_owned(), s("chosen-by-the-sender"));
        correlation::scope(correlation, async {
            raise(&table, &placed_event()).await.unwrap();
            raise_item(&table, raw).await.unwrap();
        })
        .await;
        let ids = |call: &TableCall| match call {
            TableCall::Put(put) => (
                get_s(&put.item, "correlationId").map(str::to_owned),
                get_s(&put.item, "causationId").map(str::to_owned),
            ),
            other => panic!("unexpected {other:?}"),
        };
        let calls = table.calls();
        let caused_by_placed = Some("EVENTS#ORDER_ID#ORD001/EVENT#ORDER_PLACED_EVENT".to_owned());
        assert_eq!(
            ids(&calls[0]),
            (Some("run-1".to_owned()), caused_by_placed.clone())
        );
        assert_eq!(
            ids(&calls[1]),
            (Some("chosen-by-the-sender".to_owned()), caused_by_placed)
        );
        // Outside a correlation nothing is added.
        assert_eq!(
            get_s(&placed_event().to_put().unwrap().item, "correlationId"),
            None
        );
    }

    #[tokio::test]
    async fn raising_an_existing_event_is_a_duplicate() {
        let table = ScriptedTable::new();
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let error = raise(&table, &placed_event()).await.unwrap_err();
        assert!(matches!(error, RaiseEventError::Duplicate), "{error:?}");
    }

    #[tokio::test]
    async fn every_other_storage_error_is_a_storage_error() {
        let mut errors = unclassified_errors();
        errors.push(TableError::TransactionCanceled {
            reasons: Vec::new(),
        });
        for failure in errors {
            let table = ScriptedTable::new();
            table.then(Scripted::Fail(failure));
            let error = raise(&table, &placed_event()).await.unwrap_err();
            assert!(matches!(error, RaiseEventError::Storage(_)), "{error:?}");
        }
    }

    #[tokio::test]
    async fn raw_items_are_raised_once_too() {
        let table = ScriptedTable::new();
        let raw = kernel::table::item([("pk", s("EVENTS#X")), ("sk", s("EVENT#Y"))]);
        raise_item(&table, raw.clone()).await.unwrap();
        assert_eq!(
            table.calls(),
            [TableCall::Put(
                Put::new(raw).with_condition(Condition::item_not_exists())
            )]
        );
    }

    #[tokio::test]
    async fn unrepresentable_event_data_touches_nothing() {
        struct Unrepresentable;
        impl Serialize for Unrepresentable {
            fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
                Err(serde::ser::Error::custom("no"))
            }
        }
        let event = Event {
            key: Key::new("EVENTS#X", "EVENT#Y"),
            event_name: EventName::OrderPlacedEvent,
            event_data: Unrepresentable,
            created_at: "2025-01-01T00:00:00.000Z".into(),
        };
        let table = ScriptedTable::new();
        let error = raise(&table, &event).await.unwrap_err();
        assert!(
            matches!(error, RaiseEventError::Unrepresentable(_)),
            "{error:?}"
        );
        assert!(table.calls().is_empty());
    }

    #[test]
    fn event_names_round_trip() {
        for name in EventName::ALL {
            assert_eq!(EventName::parse(name.as_str()), Some(name));
        }
        assert_eq!(EventName::parse("ORDER_CANCELLED_EVENT"), None);
    }
}
