use std::sync::Arc;

use async_trait::async_trait;
use contracts::{Event, SkuRestockedEventData};
use kernel::table::Table;

use crate::event_store::raise_event;
use crate::failure::InventoryFailure;

/// Raises a `SKU_RESTOCKED_EVENT` once per (sku, lot).
#[async_trait]
pub trait RaiseSkuRestockedEventClient: Send + Sync {
    async fn raise(&self, event: &Event<SkuRestockedEventData>) -> Result<(), InventoryFailure>;
}

pub struct TableRaiseSkuRestockedEventClient {
    table: Arc<dyn Table>,
}

impl TableRaiseSkuRestockedEventClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl RaiseSkuRestockedEventClient for TableRaiseSkuRestockedEventClient {
    async fn raise(&self, event: &Event<SkuRestockedEventData>) -> Result<(), InventoryFailure> {
        raise_event(self.table.as_ref(), event).await
    }
}

#[cfg(test)]
mod tests {
    use contracts::{LotId, Sku, Units};
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
    use kernel::table::{AttributeValue, Condition, Key, Put, TableError, item, n, s};

    use super::*;
    use crate::test_support::{NOW, assert_storage_failures};

    fn event() -> Event<SkuRestockedEventData> {
        Event::sku_restocked(
            SkuRestockedEventData {
                sku: Sku::parse("APPLES").unwrap(),
                units: Units::new(12).unwrap(),
                lot_id: LotId::parse("LOT-0001").unwrap(),
            },
            NOW.to_owned(),
        )
    }

    fn client(table: &Arc<ScriptedTable>) -> TableRaiseSkuRestockedEventClient {
        TableRaiseSkuRestockedEventClient::new(table.clone())
    }

    #[tokio::test]
    async fn puts_the_event_item_once() {
        let table = Arc::new(ScriptedTable::new());
        client(&table).raise(&event()).await.unwrap();
        let event_data = AttributeValue::M(
            item([
                ("sku", s("APPLES")),
                ("units", n(12)),
                ("lotId", s("LOT-0001")),
            ])
            .into(),
        );
        let expected = Put::new(contracts::fixtures::stored_event(
            "EVENTS#SKU#APPLES",
            "EVENT#SKU_RESTOCKED_EVENT#LOT_ID#LOT-0001",
            "SKU_RESTOCKED_EVENT",
            Some(event_data),
            NOW,
        ))
        .with_condition(Condition::item_not_exists());
        assert_eq!(table.calls(), [TableCall::Put(expected)]);
    }

    #[tokio::test]
    async fn a_conditional_failure_is_a_duplicate_event() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let failure = client(&table).raise(&event()).await.unwrap_err();
        assert!(matches!(
            &failure,
            InventoryFailure::DuplicateEventRaised { key }
                if *key == Key::new("EVENTS#SKU#APPLES", "EVENT#SKU_RESTOCKED_EVENT#LOT_ID#LOT-0001")
        ));
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn other_storage_errors_are_unrecognized() {
        assert_storage_failures(unclassified_errors(), |table| async move {
            client(&table).raise(&event()).await
        })
        .await;
    }
}
