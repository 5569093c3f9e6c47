//! Raising events: the conditional put every event-producing slice of this domain performs,
//! classified with this domain's failure kinds.

use contracts::Event;
use contracts::events::{RaiseEventError, raise};
use kernel::table::Table;
use serde::Serialize;

use crate::failure::InventoryFailure;

/// Puts the event item once (first writer wins). An existing item with the same key ⇒
/// [`InventoryFailure::DuplicateEventRaised`]; any other storage error is transient.
pub async fn raise_event<D: Serialize + Sync>(
    table: &dyn Table,
    event: &Event<D>,
) -> Result<(), InventoryFailure> {
    raise(table, event).await.map_err(|error| match error {
        RaiseEventError::Duplicate => InventoryFailure::DuplicateEventRaised {
            key: event.key.clone(),
        },
        RaiseEventError::Storage(source) => InventoryFailure::Storage {
            operation: "raising the event",
            source,
        },
        RaiseEventError::Unrepresentable(source) => InventoryFailure::UnbuildableItem {
            key: event.key.clone(),
            source,
        },
    })
}

#[cfg(test)]
mod tests {
    use contracts::EventName;
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
    use kernel::table::{Condition, Key, TableError};

    use super::*;
    use crate::test_support::{NOW, assert_storage_failures, order_data, single_call};

    fn event() -> Event<contracts::OrderEventData> {
        Event::order(
            EventName::OrderStockAllocatedEvent,
            order_data(),
            NOW.to_owned(),
        )
    }

    #[tokio::test]
    async fn puts_the_event_item_on_condition_it_does_not_exist() {
        let table = ScriptedTable::new();
        raise_event(&table, &event()).await.unwrap();
        let TableCall::Put(put) = single_call(&table) else {
            panic!("expected one put")
        };
        assert_eq!(put, event().to_put().unwrap());
        assert_eq!(put.condition, Some(Condition::item_not_exists()));
    }

    #[tokio::test]
    async fn an_existing_event_is_a_duplicate() {
        let table = ScriptedTable::new();
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let failure = raise_event(&table, &event()).await.unwrap_err();
        assert!(matches!(
            &failure,
            InventoryFailure::DuplicateEventRaised { key }
                if *key == Key::new("EVENTS#ORDER_ID#ORD001", "EVENT#ORDER_STOCK_ALLOCATED_EVENT")
        ));
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn every_other_storage_error_is_transient() {
        assert_storage_failures(unclassified_errors(), |table| async move {
            raise_event(table.as_ref(), &event()).await
        })
        .await;
    }
}
