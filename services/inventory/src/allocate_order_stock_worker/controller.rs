use std::sync::Arc;

use async_trait::async_trait;
use contracts::{IncomingEvent, OrderEventData};
use kernel::clock::Clock;
use kernel::sqs::{SqsWorker, StreamEventProcessor, WorkerHandler};
use kernel::table::{Item, Table};

use super::clients::{
    TableAllocateStockClient, TableRaiseOrderEventClient, TableRecordStockDepletionClient,
};
use super::service::AllocateOrderStockWorkerService;
use crate::failure::InventoryFailure;
use crate::read_allocation::TableReadAllocationClient;

/// The AllocateOrderStockWorker controller over the single table.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl WorkerHandler + 'static {
    SqsWorker::new(AllocateOrderStockWorkerController {
        service: AllocateOrderStockWorkerService::new(
            Arc::new(TableReadAllocationClient::new(table.clone())),
            Arc::new(TableAllocateStockClient::new(table.clone())),
            Arc::new(TableRecordStockDepletionClient::new(table.clone())),
            Arc::new(TableRaiseOrderEventClient::new(table)),
            clock,
        ),
    })
}

struct AllocateOrderStockWorkerController {
    service: AllocateOrderStockWorkerService,
}

#[async_trait]
impl StreamEventProcessor for AllocateOrderStockWorkerController {
    type Failure = InventoryFailure;

    fn name(&self) -> &'static str {
        super::SLICE.name
    }

    async fn process(&self, new_image: Item) -> Result<(), InventoryFailure> {
        let event = IncomingEvent::<OrderEventData>::parse(new_image, super::SLICE.events)
            .map_err(InventoryFailure::InvalidEvent)?;
        self.service.allocate(event.event_data).await
    }
}

#[cfg(test)]
mod tests {
    use contracts::EventName;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{CancellationReason, Key, TableError, TransactItem, get_s};

    use super::*;
    use crate::records::{AllocationItem, AllocationStatus};
    use crate::test_support::{NOW, cancelled, clock, condition_failed, retried_message_ids};

    const FIXTURE: &str = include_str!("../../tests/fixtures/allocate_order_stock_worker.json");
    const ORD001: &str = "6ed7cd39-44c8-5c78-afa8-af3aab76288c";

    fn pears_order() -> OrderEventData {
        OrderEventData {
            order_id: contracts::OrderId::parse("ORD002").unwrap(),
            sku: contracts::Sku::parse("PEARS").unwrap(),
            units: contracts::Units::new(2).unwrap(),
            price: contracts::Price::new(10.0).unwrap(),
            user_id: contracts::UserId::parse("JOHN").unwrap(),
        }
    }

    /// A short description of each call: what it touched.
    fn describe(calls: Vec<TableCall>) -> Vec<String> {
        calls
            .into_iter()
            .map(|call| match call {
                TableCall::Get { key, consistent } => format!("get {} {consistent}", key.sk),
                TableCall::Put(put) => format!(
                    "put {} {}",
                    get_s(&put.item, "sk").unwrap(),
                    get_s(&put.item, "allocationStatus").unwrap_or("-")
                ),
                TableCall::TransactWrite(items) => match &items[0] {
                    TransactItem::Put(put) => {
                        format!("transact {}", get_s(&put.item, "sk").unwrap())
                    }
                    other => panic!("unexpected item {other:?}"),
                },
                other => panic!("unexpected call {other:?}"),
            })
            .collect()
    }

    #[tokio::test]
    async fn retries_only_transient_failures_and_consumes_invalid_events() {
        let table = Arc::new(ScriptedTable::new());
        let depleted = AllocationItem::new(&pears_order(), AllocationStatus::StockDepleted, NOW)
            .to_item()
            .unwrap();
        table
            // ORD001: allocated, but raising the event is throttled ⇒ retried.
            .then(Scripted::Item(None))
            .then(Scripted::Done)
            .then(Scripted::Fail(TableError::Throttled { source: None }))
            // ORD002: already depleted, and its event already raised ⇒ consumed.
            .then(Scripted::Item(Some(depleted)))
            .then(Scripted::Fail(TableError::ConditionalCheckFailed {
                old_item: None,
            }));
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert_eq!(retried, [ORD001]);
        assert_eq!(
            describe(table.calls()),
            [
                "get SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION true",
                "transact SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION",
                "put EVENT#ORDER_STOCK_ALLOCATED_EVENT -",
                "get SKU#PEARS#ORDER_ID#ORD002#ORDER_ALLOCATION true",
                "put EVENT#ORDER_STOCK_DEPLETED_EVENT -",
            ]
        );
    }

    #[tokio::test]
    async fn depletion_is_recorded_before_it_is_raised() {
        let table = Arc::new(ScriptedTable::new());
        table
            // ORD001: the SKU has too few units.
            .then(Scripted::Item(None))
            .then(Scripted::Fail(cancelled([
                CancellationReason::None,
                condition_failed(),
            ])))
            .then(Scripted::Done)
            .then(Scripted::Done)
            // ORD002: allocated.
            .then(Scripted::Item(None))
            .then(Scripted::Done)
            .then(Scripted::Done);
        let retried = retried_message_ids(&controller(table.clone(), clock()), FIXTURE).await;
        assert!(retried.is_empty(), "{retried:?}");
        assert_eq!(
            describe(table.calls()),
            [
                "get SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION true",
                "transact SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION",
                "put SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION STOCK_DEPLETED",
                "put EVENT#ORDER_STOCK_DEPLETED_EVENT -",
                "get SKU#PEARS#ORDER_ID#ORD002#ORDER_ALLOCATION true",
                "transact SKU#PEARS#ORDER_ID#ORD002#ORDER_ALLOCATION",
                "put EVENT#ORDER_STOCK_ALLOCATED_EVENT -",
            ]
        );
        let TableCall::Put(raised) = &table.calls()[6] else {
            unreachable!()
        };
        // The event as built, plus the ids of the record it was raised for: that record's
        // event has no correlation id, so its own id is both.
        let mut expected = contracts::Event::order(
            EventName::OrderStockAllocatedEvent,
            pears_order(),
            NOW.into(),
        )
        .to_item()
        .unwrap();
        for attribute in ["correlationId", "causationId"] {
            expected.insert(
                attribute.to_owned(),
                kernel::table::s("EVENTS#ORDER_ID#ORD002/EVENT#ORDER_CREATED_EVENT"),
            );
        }
        assert_eq!(raised.item, expected);
        assert_eq!(
            Key::new(
                get_s(&raised.item, "pk").unwrap(),
                get_s(&raised.item, "sk").unwrap()
            ),
            Key::new(
                "EVENTS#ORDER_ID#ORD002",
                "EVENT#ORDER_STOCK_ALLOCATED_EVENT"
            )
        );
    }
}
