use std::sync::Arc;

use async_trait::async_trait;
use contracts::{IncomingEvent, SkuRestockedEventData};
use kernel::clock::Clock;
use kernel::sqs::{SqsWorker, StreamEventProcessor, WorkerHandler};
use kernel::table::{Item, Table};

use super::clients::TableRestockSkuClient;
use super::service::RestockSkuWorkerService;
use crate::failure::InventoryFailure;

/// The RestockSkuWorker controller over the single table.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl WorkerHandler + 'static {
    SqsWorker::new(RestockSkuWorkerController {
        service: RestockSkuWorkerService::new(Arc::new(TableRestockSkuClient::new(table)), clock),
    })
}

struct RestockSkuWorkerController {
    service: RestockSkuWorkerService,
}

#[async_trait]
impl StreamEventProcessor for RestockSkuWorkerController {
    type Failure = InventoryFailure;

    fn name(&self) -> &'static str {
        super::SLICE.name
    }

    async fn process(&self, new_image: Item) -> Result<(), InventoryFailure> {
        let event = IncomingEvent::<SkuRestockedEventData>::parse(new_image, super::SLICE.events)
            .map_err(InventoryFailure::InvalidEvent)?;
        self.service.restock(event.event_data).await
    }
}

#[cfg(test)]
mod tests {
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{CancellationReason, TableError, TransactItem, get_s};

    use super::*;
    use crate::test_support::{cancelled, clock, condition_failed, retried_message_ids};

    const FIXTURE: &str = include_str!("../../tests/fixtures/restock_sku_worker.json");
    const APPLES_LOT_1: &str = "6521f364-65bd-5dc8-936d-1314f8e9468d";

    fn restocked_record_keys(table: &ScriptedTable) -> Vec<String> {
        table
            .calls()
            .into_iter()
            .map(|call| match call {
                TableCall::TransactWrite(items) => match &items[0] {
                    TransactItem::Put(put) => format!(
                        "{} {}",
                        get_s(&put.item, "pk").unwrap(),
                        get_s(&put.item, "sk").unwrap()
                    ),
                    other => panic!("unexpected item {other:?}"),
                },
                other => panic!("unexpected call {other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn restocks_valid_events_and_consumes_invalid_ones() {
        let table = Arc::new(ScriptedTable::new());
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert!(retried.is_empty(), "{retried:?}");
        // The invalid-units and wrong-name records never reach the table; values are trimmed.
        assert_eq!(
            restocked_record_keys(&table),
            [
                "INVENTORY#SKU#APPLES LOT_ID#LOT-0001",
                "INVENTORY#SKU#PEARS LOT_ID#LOT-0002"
            ]
        );
    }

    #[tokio::test]
    async fn retries_only_transient_failures() {
        let table = Arc::new(ScriptedTable::new());
        table
            .then(Scripted::Fail(cancelled([
                CancellationReason::TransactionConflict,
                CancellationReason::None,
            ])))
            .then(Scripted::Fail(cancelled([
                condition_failed(),
                CancellationReason::None,
            ])));
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert_eq!(retried, [APPLES_LOT_1]);
    }

    #[tokio::test]
    async fn a_throttled_table_retries_every_valid_record() {
        let table = Arc::new(ScriptedTable::new());
        table
            .then(Scripted::Fail(TableError::Throttled { source: None }))
            .then(Scripted::Fail(TableError::Throttled { source: None }));
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert_eq!(
            retried,
            [APPLES_LOT_1, "e99738f3-cf2a-5b91-82f7-af563368d94c"]
        );
    }
}
