use std::sync::Arc;

use async_trait::async_trait;
use contracts::{Event, OrderEventData};
use kernel::table::{
    AttributeValue, CancellationReason, Condition, Put, Table, TableError, TransactItem, Update,
    UpdateAction, n, s,
};

use super::model::AllocateOrderStockCommand;
use crate::event_store::raise_event;
use crate::failure::InventoryFailure;
use crate::records::{AllocationItem, AllocationStatus, allocation_key, sku_key};

/// Creates the order's `ALLOCATED` allocation and takes its units from the SKU counter.
#[async_trait]
pub trait AllocateStockClient: Send + Sync {
    /// `DuplicateStockAllocation` when the allocation exists, `DepletedStockAllocation` when the
    /// SKU is missing or has too few units; nothing is written in either case.
    async fn allocate_stock(
        &self,
        command: &AllocateOrderStockCommand,
    ) -> Result<(), InventoryFailure>;
}

/// Records that the order found too little stock (a `STOCK_DEPLETED` allocation).
#[async_trait]
pub trait RecordStockDepletionClient: Send + Sync {
    /// `DuplicateStockAllocation` when an allocation (of any status) already exists.
    async fn record_stock_depletion(
        &self,
        command: &AllocateOrderStockCommand,
    ) -> Result<(), InventoryFailure>;
}

/// Raises an order event (allocated or depleted) once per order.
#[async_trait]
pub trait RaiseOrderEventClient: Send + Sync {
    async fn raise(&self, event: &Event<OrderEventData>) -> Result<(), InventoryFailure>;
}

fn allocation_put(
    command: &AllocateOrderStockCommand,
    status: AllocationStatus,
) -> Result<Put, InventoryFailure> {
    let item = AllocationItem::new(&command.order, status, &command.now)
        .to_item()
        .map_err(|source| InventoryFailure::UnbuildableItem {
            key: allocation_key(&command.order.sku, &command.order.order_id),
            source,
        })?;
    Ok(Put::new(item).with_condition(Condition::item_not_exists()))
}

fn storage_failure(operation: &'static str, source: TableError) -> InventoryFailure {
    InventoryFailure::Storage { operation, source }
}

pub struct TableAllocateStockClient {
    table: Arc<dyn Table>,
}

impl TableAllocateStockClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl AllocateStockClient for TableAllocateStockClient {
    async fn allocate_stock(
        &self,
        command: &AllocateOrderStockCommand,
    ) -> Result<(), InventoryFailure> {
        let order = &command.order;
        let units = order.units.get();
        let take_units = Update::new(sku_key(&order.sku))
            .action(
                "units",
                UpdateAction::Add(AttributeValue::N(format!("-{units}"))),
            )
            .set("updatedAt", s(&command.now))
            .with_condition(Condition::And(vec![
                Condition::exists("pk"),
                Condition::exists("sk"),
                Condition::greater_or_equal("units", n(units)),
            ]));
        let transaction = vec![
            TransactItem::Put(allocation_put(command, AllocationStatus::Allocated)?),
            TransactItem::Update(take_units),
        ];
        let key = allocation_key(&order.sku, &order.order_id);
        match self.table.transact_write(transaction).await {
            Ok(()) => Ok(()),
            Err(TableError::TransactionCanceled { reasons }) => match reasons.as_slice() {
                // Checked first: an existing allocation decides, whatever the stock.
                [CancellationReason::ConditionalCheckFailed { .. }, ..] => {
                    Err(InventoryFailure::DuplicateStockAllocation { key })
                }
                [_, CancellationReason::ConditionalCheckFailed { .. }, ..] => {
                    Err(InventoryFailure::DepletedStockAllocation { key })
                }
                _ => Err(storage_failure(
                    "allocating the stock",
                    TableError::TransactionCanceled { reasons },
                )),
            },
            Err(source) => Err(storage_failure("allocating the stock", source)),
        }
    }
}

pub struct TableRecordStockDepletionClient {
    table: Arc<dyn Table>,
}

impl TableRecordStockDepletionClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl RecordStockDepletionClient for TableRecordStockDepletionClient {
    async fn record_stock_depletion(
        &self,
        command: &AllocateOrderStockCommand,
    ) -> Result<(), InventoryFailure> {
        // Deviation (#5): the depletion is recorded (the original stored nothing), with the
        // ordered units as they were requested; no stock is taken.
        let put = allocation_put(command, AllocationStatus::StockDepleted)?;
        match self.table.put(put).await {
            Ok(()) => Ok(()),
            Err(TableError::ConditionalCheckFailed { .. }) => {
                Err(InventoryFailure::DuplicateStockAllocation {
                    key: allocation_key(&command.order.sku, &command.order.order_id),
                })
            }
            Err(source) => Err(storage_failure("recording the stock depletion", source)),
        }
    }
}

pub struct TableRaiseOrderEventClient {
    table: Arc<dyn Table>,
}

impl TableRaiseOrderEventClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl RaiseOrderEventClient for TableRaiseOrderEventClient {
    async fn raise(&self, event: &Event<OrderEventData>) -> Result<(), InventoryFailure> {
        raise_event(self.table.as_ref(), event).await
    }
}

#[cfg(test)]
mod tests {
    use contracts::EventName;
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
    use kernel::table::{Key, get_s};

    use super::*;
    use crate::test_support::{
        NOW, assert_storage_failures, cancelled, condition_failed, order_allocation_key, order_data,
    };

    fn command() -> AllocateOrderStockCommand {
        AllocateOrderStockCommand {
            order: order_data(),
            now: NOW.to_owned(),
        }
    }

    fn expected_allocation_put(status: AllocationStatus) -> Put {
        let order = order_data();
        Put::new(AllocationItem::new(&order, status, NOW).to_item().unwrap())
            .with_condition(Condition::item_not_exists())
    }

    async fn allocate(table: &Arc<ScriptedTable>) -> Result<(), InventoryFailure> {
        TableAllocateStockClient::new(table.clone())
            .allocate_stock(&command())
            .await
    }

    async fn record_depletion(table: &Arc<ScriptedTable>) -> Result<(), InventoryFailure> {
        TableRecordStockDepletionClient::new(table.clone())
            .record_stock_depletion(&command())
            .await
    }

    #[tokio::test]
    async fn allocates_and_takes_the_units_in_one_transaction() {
        let table = Arc::new(ScriptedTable::new());
        allocate(&table).await.unwrap();
        let take_units = Update {
            key: Key::new("INVENTORY#SKU#APPLES", "SKU#APPLES"),
            actions: vec![
                (
                    "units".into(),
                    UpdateAction::Add(AttributeValue::N("-3".into())),
                ),
                ("updatedAt".into(), UpdateAction::Set(s(NOW))),
            ],
            condition: Some(Condition::And(vec![
                Condition::AttributeExists("pk".into()),
                Condition::AttributeExists("sk".into()),
                Condition::GreaterOrEqual("units".into(), AttributeValue::N("3".into())),
            ])),
            return_values: kernel::table::ReturnValues::None,
            return_old_on_condition_failure: false,
        };
        assert_eq!(
            table.calls(),
            [TableCall::TransactWrite(vec![
                TransactItem::Put(expected_allocation_put(AllocationStatus::Allocated)),
                TransactItem::Update(take_units),
            ])]
        );
        let TableCall::TransactWrite(items) = &table.calls()[0] else {
            unreachable!()
        };
        let TransactItem::Put(put) = &items[0] else {
            unreachable!()
        };
        assert_eq!(get_s(&put.item, "allocationStatus"), Some("ALLOCATED"));
    }

    #[tokio::test]
    async fn an_existing_allocation_is_a_duplicate_even_when_stock_is_short() {
        for reasons in [
            [condition_failed(), CancellationReason::None],
            [condition_failed(), condition_failed()],
        ] {
            let table = Arc::new(ScriptedTable::new());
            table.then(Scripted::Fail(cancelled(reasons)));
            let failure = allocate(&table).await.unwrap_err();
            assert!(matches!(
                &failure,
                InventoryFailure::DuplicateStockAllocation { key } if *key == order_allocation_key()
            ));
            assert!(!failure.is_transient());
        }
    }

    #[tokio::test]
    async fn a_missing_or_short_sku_is_depleted_stock() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(cancelled([
            CancellationReason::None,
            condition_failed(),
        ])));
        let failure = allocate(&table).await.unwrap_err();
        assert!(matches!(
            &failure,
            InventoryFailure::DepletedStockAllocation { key } if *key == order_allocation_key()
        ));
        assert_eq!(failure.kind(), "DepletedStockAllocationError");
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn other_cancellations_and_errors_are_transient() {
        let mut errors = unclassified_errors();
        errors.extend([
            cancelled([
                CancellationReason::TransactionConflict,
                CancellationReason::None,
            ]),
            cancelled([
                CancellationReason::None,
                CancellationReason::TransactionConflict,
            ]),
            cancelled([CancellationReason::Throttled, CancellationReason::None]),
            cancelled([
                CancellationReason::None,
                CancellationReason::Other {
                    code: "ValidationError".into(),
                },
            ]),
            TableError::TransactionCanceled { reasons: vec![] },
            TableError::ConditionalCheckFailed { old_item: None },
        ]);
        assert_storage_failures(errors, |table| async move { allocate(&table).await }).await;
    }

    #[tokio::test]
    async fn records_the_depletion_as_a_new_allocation_marker() {
        let table = Arc::new(ScriptedTable::new());
        record_depletion(&table).await.unwrap();
        assert_eq!(
            table.calls(),
            [TableCall::Put(expected_allocation_put(
                AllocationStatus::StockDepleted
            ))]
        );
        let TableCall::Put(put) = &table.calls()[0] else {
            unreachable!()
        };
        assert_eq!(get_s(&put.item, "allocationStatus"), Some("STOCK_DEPLETED"));
        assert_eq!(kernel::table::get_n(&put.item, "units"), Some("3"));
    }

    #[tokio::test]
    async fn an_existing_allocation_prevents_the_depletion_marker() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let failure = record_depletion(&table).await.unwrap_err();
        assert!(matches!(
            &failure,
            InventoryFailure::DuplicateStockAllocation { key } if *key == order_allocation_key()
        ));
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn depletion_storage_errors_are_transient() {
        assert_storage_failures(unclassified_errors(), |table| async move {
            record_depletion(&table).await
        })
        .await;
    }

    #[tokio::test]
    async fn raises_order_events_once() {
        let table = Arc::new(ScriptedTable::new());
        let event = Event::order(EventName::OrderStockDepletedEvent, order_data(), NOW.into());
        let client = TableRaiseOrderEventClient::new(table.clone());
        client.raise(&event).await.unwrap();
        assert_eq!(table.calls(), [TableCall::Put(event.to_put().unwrap())]);

        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let failure = client.raise(&event).await.unwrap_err();
        assert!(matches!(
            failure,
            InventoryFailure::DuplicateEventRaised { .. }
        ));
    }
}
