//! Raising events: the conditional put every event-producing slice of this domain performs.

use contracts::Event;
use kernel::table::{Table, TableError};
use serde::Serialize;

use crate::failure::InventoryFailure;

/// Puts the event item once (first writer wins). An existing item with the same key ⇒
/// [`InventoryFailure::DuplicateEventRaised`]; any other storage error is transient.
pub async fn raise_event<D: Serialize + Sync>(
    table: &dyn Table,
    event: &Event<D>,
) -> Result<(), InventoryFailure> {
    let put = event
        .to_put()
        .map_err(|source| InventoryFailure::UnbuildableItem {
            key: event.key.clone(),
            source,
        })?;
    match table.put(put).await {
        Ok(()) => Ok(()),
        Err(TableError::ConditionalCheckFailed { .. }) => {
            Err(InventoryFailure::DuplicateEventRaised {
                key: event.key.clone(),
            })
        }
        Err(
            source @ (TableError::TransactionCanceled { .. }
            | TableError::Throttled { .. }
            | TableError::Unavailable { .. }
            | TableError::Validation { .. }
            | TableError::Other { .. }),
        ) => Err(InventoryFailure::Storage {
            action: "raising the event",
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use contracts::EventName;
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{Condition, Key};

    use super::*;
    use crate::test_support::{NOW, order_data, single_call, storage_errors};

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
        for error in storage_errors() {
            let table = ScriptedTable::new();
            table.then(Scripted::Fail(error));
            let failure = raise_event(&table, &event()).await.unwrap_err();
            assert!(
                matches!(failure, InventoryFailure::Storage { .. }),
                "{failure:?}"
            );
            assert!(failure.is_transient());
        }
    }
}
