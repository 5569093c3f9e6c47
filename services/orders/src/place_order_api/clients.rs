//! PlaceOrderApi's one capability: raising `ORDER_PLACED_EVENT` in the event store.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::{Event, OrderEventData};
use kernel::table::{Table, TableError};

use crate::failure::OrdersFailure;

/// Raises an order event exactly once (first writer wins).
#[async_trait]
pub trait RaiseOrderPlacedEventClient: Send + Sync {
    /// `DuplicateEventRaised` when the event already exists.
    async fn raise_order_placed_event(
        &self,
        event: &Event<OrderEventData>,
    ) -> Result<(), OrdersFailure>;
}

/// Writes the event item with a conditional put.
pub struct TableRaiseOrderPlacedEventClient {
    table: Arc<dyn Table>,
}

impl TableRaiseOrderPlacedEventClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl RaiseOrderPlacedEventClient for TableRaiseOrderPlacedEventClient {
    async fn raise_order_placed_event(
        &self,
        event: &Event<OrderEventData>,
    ) -> Result<(), OrdersFailure> {
        let put = event.to_put().map_err(|error| {
            OrdersFailure::invalid_arguments("the ORDER_PLACED_EVENT item cannot be built", error)
        })?;
        match self.table.put(put).await {
            Ok(()) => Ok(()),
            Err(TableError::ConditionalCheckFailed { .. }) => {
                Err(OrdersFailure::DuplicateEventRaised {
                    order_id: event.event_data.order_id.clone(),
                    event_name: event.event_name,
                })
            }
            Err(
                error @ (TableError::TransactionCanceled { .. }
                | TableError::Throttled { .. }
                | TableError::Unavailable { .. }
                | TableError::Validation { .. }
                | TableError::Other { .. }),
            ) => Err(OrdersFailure::unrecognized(
                "raising ORDER_PLACED_EVENT",
                error,
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use contracts::{EventName, OrderId, Price, Sku, Units, UserId};
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{AttributeValue, Condition, Put, item, n, s};

    use super::*;

    const NOW: &str = "2025-06-19T00:27:33.368Z";

    fn event() -> Event<OrderEventData> {
        Event::order(
            EventName::OrderPlacedEvent,
            OrderEventData {
                order_id: OrderId::parse("ORDER-1").unwrap(),
                sku: Sku::parse("APPLES").unwrap(),
                units: Units::new(3).unwrap(),
                price: Price::new(33.25).unwrap(),
                user_id: UserId::parse("MARIA").unwrap(),
            },
            NOW.to_owned(),
        )
    }

    fn client(table: &Arc<ScriptedTable>) -> TableRaiseOrderPlacedEventClient {
        TableRaiseOrderPlacedEventClient::new(table.clone())
    }

    #[tokio::test]
    async fn puts_the_event_item_once_with_the_not_exists_condition() {
        let table = Arc::new(ScriptedTable::new());
        client(&table)
            .raise_order_placed_event(&event())
            .await
            .unwrap();
        let expected = Put::new(item([
            ("pk", s("EVENTS#ORDER_ID#ORDER-1")),
            ("sk", s("EVENT#ORDER_PLACED_EVENT")),
            ("eventName", s("ORDER_PLACED_EVENT")),
            (
                "eventData",
                AttributeValue::M(
                    item([
                        ("orderId", s("ORDER-1")),
                        ("sku", s("APPLES")),
                        ("units", n(3)),
                        ("price", n(33.25)),
                        ("userId", s("MARIA")),
                    ])
                    .into(),
                ),
            ),
            ("createdAt", s(NOW)),
            ("updatedAt", s(NOW)),
            ("_tn", s("EVENTS#EVENT")),
            ("_sn", s("EVENTS")),
            ("gsi1pk", s("EVENTS#EVENT")),
            ("gsi1sk", s(format!("CREATED_AT#{NOW}"))),
        ]))
        .with_condition(Condition::item_not_exists());
        assert_eq!(table.calls(), [TableCall::Put(expected)]);
    }

    #[tokio::test]
    async fn a_conditional_check_failure_is_a_duplicate_event() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let failure = client(&table)
            .raise_order_placed_event(&event())
            .await
            .unwrap_err();
        assert!(matches!(
            failure,
            OrdersFailure::DuplicateEventRaised {
                event_name: EventName::OrderPlacedEvent,
                ..
            }
        ));
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn every_other_table_error_is_unrecognized_and_transient() {
        for error in [
            TableError::Throttled { source: None },
            TableError::Unavailable {
                source: "down".into(),
            },
            TableError::Validation {
                message: "bad".into(),
            },
            TableError::Other {
                source: "boom".into(),
            },
            TableError::TransactionCanceled {
                reasons: Vec::new(),
            },
        ] {
            let table = Arc::new(ScriptedTable::new());
            table.then(Scripted::Fail(error));
            let failure = client(&table)
                .raise_order_placed_event(&event())
                .await
                .unwrap_err();
            assert_eq!(failure.kind(), "UnrecognizedError");
            assert!(failure.is_transient());
        }
    }
}
