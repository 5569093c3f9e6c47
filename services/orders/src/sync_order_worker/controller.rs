//! SyncOrderWorker's controller: the stream record's `NewImage` → incoming event → service.
//! The SQS batch loop itself is the kernel's [`kernel::sqs::SqsWorker`].

use async_trait::async_trait;
use contracts::{IncomingEvent, OrderEventData};
use kernel::sqs::StreamEventProcessor;
use kernel::table::Item;

use std::sync::Arc;

use kernel::clock::Clock;
use kernel::sqs::{SqsWorker, WorkerHandler};
use kernel::table::Table;

use super::clients::{
    TableCreateOrderClient, TableRaiseOrderCreatedEventClient, TableReadOrderClient,
    TableUpdateOrderStatusClient,
};
use super::service::SyncOrderWorkerService;
use crate::failure::OrdersFailure;

/// The slice wired to a table and a clock.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl WorkerHandler + 'static {
    SqsWorker::new(SyncOrderWorkerController {
        service: SyncOrderWorkerService::new(
            Arc::new(TableReadOrderClient::new(table.clone())),
            Arc::new(TableCreateOrderClient::new(table.clone())),
            Arc::new(TableUpdateOrderStatusClient::new(table.clone())),
            Arc::new(TableRaiseOrderCreatedEventClient::new(table)),
            clock,
        ),
    })
}

struct SyncOrderWorkerController {
    service: SyncOrderWorkerService,
}

#[async_trait]
impl StreamEventProcessor for SyncOrderWorkerController {
    type Failure = OrdersFailure;

    fn name(&self) -> &'static str {
        super::SLICE.name
    }

    async fn process(&self, new_image: Item) -> Result<(), OrdersFailure> {
        let event = IncomingEvent::<OrderEventData>::parse(new_image, super::SLICE.events)
            .map_err(|error| {
                OrdersFailure::invalid_arguments("the incoming order event is invalid", error)
            })?;
        self.service.sync_order(event).await
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
    use kernel::clock::FixedClock;
    use kernel::sqs::WorkerHandler;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{AttributeValue, Condition, Key, TableError, get_s, item, n, s};

    use crate::sync_order_worker::controller;

    const PLACED: &str = include_str!("../../tests/fixtures/sync_order_worker_placed.json");
    const PAYMENT_ACCEPTED: &str =
        include_str!("../../tests/fixtures/sync_order_worker_payment_accepted.json");
    const MIXED_BATCH: &str =
        include_str!("../../tests/fixtures/sync_order_worker_mixed_batch.json");

    const NOW: &str = "2025-06-19T00:27:33.368Z";
    const EARLIER: &str = "2025-06-18T00:00:00.000Z";

    async fn handle(table: &Arc<ScriptedTable>, fixture: &str) -> Vec<String> {
        let event: SqsEvent = serde_json::from_str(fixture).unwrap();
        let handler = controller(
            table.clone(),
            Arc::new(FixedClock::at_millis(1_750_292_853_368)),
        );
        let SqsBatchResponse {
            batch_item_failures,
            ..
        } = handler.handle(event).await;
        batch_item_failures
            .into_iter()
            .map(|failure| failure.item_identifier)
            .collect()
    }

    fn stored_order(order_id: &str, status: &str) -> kernel::table::Item {
        item([
            ("pk", s(format!("ORDERS#ORDER_ID#{order_id}"))),
            ("sk", s(format!("ORDER_ID#{order_id}"))),
            ("orderId", s(order_id)),
            ("orderStatus", s(status)),
            ("sku", s("APPLES")),
            ("units", n(3)),
            ("price", n(15)),
            ("userId", s("MARIA")),
            ("createdAt", s(EARLIER)),
            ("updatedAt", s(EARLIER)),
        ])
    }

    fn get(order_id: &str) -> TableCall {
        TableCall::Get {
            key: Key::new(
                format!("ORDERS#ORDER_ID#{order_id}"),
                format!("ORDER_ID#{order_id}"),
            ),
            consistent: true,
        }
    }

    fn conflict() -> Scripted {
        Scripted::Fail(TableError::ConditionalCheckFailed { old_item: None })
    }

    #[tokio::test]
    async fn a_placed_order_is_created_with_trimmed_values_and_announced() {
        let table = Arc::new(ScriptedTable::new());
        let mut created = stored_order("ORDER-1", "ORDER_CREATED_STATUS");
        created.insert("createdAt".into(), s(NOW));
        table
            .then(Scripted::Item(None))
            .then(Scripted::Item(Some(created)))
            .then(Scripted::Done);
        assert!(handle(&table, PLACED).await.is_empty());

        let calls = table.calls();
        assert_eq!(calls.len(), 3);
        assert_eq!(calls[0], get("ORDER-1"));
        let TableCall::Update(create) = &calls[1] else {
            panic!("expected the create, got {:?}", calls[1]);
        };
        assert_eq!(
            create.key,
            Key::new("ORDERS#ORDER_ID#ORDER-1", "ORDER_ID#ORDER-1")
        );
        assert_eq!(create.condition, Some(Condition::item_not_exists()));
        let TableCall::Put(raise) = &calls[2] else {
            panic!("expected the raise, got {:?}", calls[2]);
        };
        assert_eq!(get_s(&raise.item, "pk"), Some("EVENTS#ORDER_ID#ORDER-1"));
        assert_eq!(get_s(&raise.item, "sk"), Some("EVENT#ORDER_CREATED_EVENT"));
        assert_eq!(get_s(&raise.item, "createdAt"), Some(NOW));
        let Some(AttributeValue::M(data)) = raise.item.get("eventData") else {
            panic!("no eventData");
        };
        assert_eq!(data.get("sku"), Some(&s("APPLES")));
        assert_eq!(data.get("userId"), Some(&s("MARIA")));
    }

    #[tokio::test]
    async fn a_placed_order_that_cannot_be_read_back_is_retried() {
        let table = Arc::new(ScriptedTable::new());
        table
            .then(Scripted::Item(None))
            .then(conflict())
            .then(Scripted::Item(None));
        assert_eq!(
            handle(&table, PLACED).await,
            ["a1b2c3d4-0001-4000-8000-000000000001"]
        );
    }

    #[tokio::test]
    async fn a_replayed_placed_order_whose_created_event_exists_is_consumed() {
        let table = Arc::new(ScriptedTable::new());
        table
            .then(Scripted::Item(Some(stored_order(
                "ORDER-1",
                "ORDER_STOCK_ALLOCATED_STATUS",
            ))))
            .then(conflict());
        assert!(handle(&table, PLACED).await.is_empty());
        assert!(matches!(table.calls()[1], TableCall::Put(_)));
    }

    #[tokio::test]
    async fn a_storage_failure_is_retried() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::Throttled { source: None }));
        assert_eq!(
            handle(&table, PAYMENT_ACCEPTED).await,
            ["a1b2c3d4-0002-4000-8000-000000000001"]
        );
    }

    #[tokio::test]
    async fn a_status_event_moves_the_order_guarded_by_the_status_read() {
        let table = Arc::new(ScriptedTable::new());
        table
            .then(Scripted::Item(Some(stored_order(
                "ORDER-1",
                "ORDER_STOCK_ALLOCATED_STATUS",
            ))))
            .then(Scripted::Done);
        assert!(handle(&table, PAYMENT_ACCEPTED).await.is_empty());
        let TableCall::Update(update) = &table.calls()[1] else {
            panic!("expected the status update");
        };
        assert_eq!(
            update.condition,
            Some(Condition::And(vec![
                Condition::item_exists(),
                Condition::equals("orderStatus", s("ORDER_STOCK_ALLOCATED_STATUS")),
            ]))
        );
    }

    #[tokio::test]
    async fn a_redundant_status_event_is_consumed_without_a_write() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Item(Some(stored_order(
            "ORDER-1",
            "ORDER_PAYMENT_ACCEPTED_STATUS",
        ))));
        assert!(handle(&table, PAYMENT_ACCEPTED).await.is_empty());
        assert_eq!(table.calls(), [get("ORDER-1")]);
    }

    #[tokio::test]
    async fn a_status_race_lost_three_times_is_retried() {
        let table = Arc::new(ScriptedTable::new());
        for _ in 0..3 {
            table
                .then(Scripted::Item(Some(stored_order(
                    "ORDER-1",
                    "ORDER_CREATED_STATUS",
                ))))
                .then(conflict());
        }
        assert_eq!(
            handle(&table, PAYMENT_ACCEPTED).await,
            ["a1b2c3d4-0002-4000-8000-000000000001"]
        );
        assert_eq!(table.calls().len(), 6);
    }

    #[tokio::test]
    async fn a_batch_reports_only_its_transient_failures() {
        let table = Arc::new(ScriptedTable::new());
        table
            // msg-1: ORDER-1 is CREATED, the update applies.
            .then(Scripted::Item(Some(stored_order(
                "ORDER-1",
                "ORDER_CREATED_STATUS",
            ))))
            .then(Scripted::Done)
            // msg-2: the read is throttled.
            .then(Scripted::Fail(TableError::Throttled { source: None }))
            // msg-7: ORDER-7 does not exist.
            .then(Scripted::Item(None));
        assert_eq!(
            handle(&table, MIXED_BATCH).await,
            ["msg-2-payment-accepted"]
        );
        // The invalid records (3 to 6, 8) never reached the table.
        let calls = table.calls();
        assert_eq!(calls.len(), 4);
        assert_eq!(calls[0], get("ORDER-1"));
        assert!(matches!(calls[1], TableCall::Update(_)));
        assert_eq!(calls[2], get("ORDER-2"));
        assert_eq!(calls[3], get("ORDER-7"));
    }
}
