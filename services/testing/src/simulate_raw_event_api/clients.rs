//! SimulateRawEventApi's client: one conditional PutItem into the event store.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::events::{RaiseEventError, raise_item};
use kernel::table::{Table, TableError};

use super::model::RawEvent;
use crate::failure::TestingFailure;

/// Writes a raw event item once (`DuplicateEventRaised` when its key exists).
#[async_trait]
pub trait RaiseRawEventClient: Send + Sync {
    async fn raise_raw_event(&self, event: &RawEvent) -> Result<(), TestingFailure>;
}

/// [`RaiseRawEventClient`] over the table.
pub struct TableRaiseRawEventClient {
    table: Arc<dyn Table>,
}

impl TableRaiseRawEventClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl RaiseRawEventClient for TableRaiseRawEventClient {
    async fn raise_raw_event(&self, event: &RawEvent) -> Result<(), TestingFailure> {
        let item = event.to_item().map_err(TestingFailure::InvalidEventData)?;
        raise_item(self.table.as_ref(), item)
            .await
            .map_err(|error| match error {
                RaiseEventError::Duplicate => {
                    TestingFailure::DuplicateEventRaised { key: event.key() }
                }
                RaiseEventError::Storage(source @ TableError::Validation { .. }) => {
                    TestingFailure::UnstorableEvent {
                        key: event.key(),
                        source,
                    }
                }
                RaiseEventError::Storage(source) => TestingFailure::Storage {
                    operation: "raise the raw event",
                    source,
                },
                RaiseEventError::Unrepresentable(source) => {
                    TestingFailure::InvalidEventData(source)
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
    use kernel::table::{Condition, Key, Put, TableError, item, s};

    use super::*;

    fn event() -> RawEvent {
        RawEvent {
            pk: "EVENTS#ORDER_ID#ORD001".into(),
            sk: "EVENT#ORDER_SHIPPED_EVENT".into(),
            event_name: "ORDER_SHIPPED_EVENT".into(),
            event_data: None,
            created_at: "2025-01-01T00:00:00.000Z".into(),
            updated_at: "2025-01-01T00:00:01.000Z".into(),
        }
    }

    #[tokio::test]
    async fn puts_the_item_if_its_key_is_new() {
        let table = Arc::new(ScriptedTable::new());
        TableRaiseRawEventClient::new(table.clone())
            .raise_raw_event(&event())
            .await
            .unwrap();
        assert_eq!(
            table.calls(),
            [TableCall::Put(Put {
                item: item([
                    ("pk", s("EVENTS#ORDER_ID#ORD001")),
                    ("sk", s("EVENT#ORDER_SHIPPED_EVENT")),
                    ("eventName", s("ORDER_SHIPPED_EVENT")),
                    ("createdAt", s("2025-01-01T00:00:00.000Z")),
                    ("updatedAt", s("2025-01-01T00:00:01.000Z")),
                    ("_tn", s("EVENTS#EVENT")),
                    ("_sn", s("EVENTS")),
                    ("gsi1pk", s("EVENTS#EVENT")),
                    ("gsi1sk", s("CREATED_AT#2025-01-01T00:00:00.000Z")),
                ]),
                condition: Some(Condition::item_not_exists()),
                return_old_on_condition_failure: false,
            })]
        );
    }

    #[tokio::test]
    async fn an_existing_key_is_a_duplicate() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let failure = TableRaiseRawEventClient::new(table)
            .raise_raw_event(&event())
            .await
            .unwrap_err();
        assert!(matches!(
            &failure,
            TestingFailure::DuplicateEventRaised { key }
                if *key == Key::new("EVENTS#ORDER_ID#ORD001", "EVENT#ORDER_SHIPPED_EVENT")
        ));
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn an_item_the_table_refuses_is_invalid_input() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::Validation {
            message: "Item size has exceeded the maximum allowed size".into(),
        }));
        let failure = TableRaiseRawEventClient::new(table)
            .raise_raw_event(&event())
            .await
            .unwrap_err();
        assert!(matches!(failure, TestingFailure::UnstorableEvent { .. }));
        assert!(failure.is_invalid_arguments());
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn other_table_errors_are_unrecognized() {
        let unclassified = unclassified_errors()
            .into_iter()
            .filter(|error| !matches!(error, TableError::Validation { .. }));
        for error in unclassified {
            let table = Arc::new(ScriptedTable::new());
            table.then(Scripted::Fail(error));
            let failure = TableRaiseRawEventClient::new(table)
                .raise_raw_event(&event())
                .await
                .unwrap_err();
            assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
            assert!(failure.is_transient());
        }
    }
}
