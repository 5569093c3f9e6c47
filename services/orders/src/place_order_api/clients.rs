//! PlaceOrderApi's one capability: raising `ORDER_PLACED_EVENT` in the event store.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::{Event, OrderEventData};
use kernel::table::Table;

use crate::event_store::raise_order_event;
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
        raise_order_event(
            self.table.as_ref(),
            event,
            "the ORDER_PLACED_EVENT item cannot be built",
            "raising ORDER_PLACED_EVENT",
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use contracts::EventName;
    use kernel::Failure;
    use kernel::table::TableError;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};

    use super::*;
    use crate::test_support::{
        NOW, assert_unrecognized_and_transient, expected_event_put, order_data,
    };

    fn event() -> Event<OrderEventData> {
        Event::order(EventName::OrderPlacedEvent, order_data(), NOW.to_owned())
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
        assert_eq!(
            table.calls(),
            [TableCall::Put(expected_event_put(
                EventName::OrderPlacedEvent
            ))]
        );
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
        assert_unrecognized_and_transient(|table| async move {
            client(&table).raise_order_placed_event(&event()).await
        })
        .await;
    }
}
