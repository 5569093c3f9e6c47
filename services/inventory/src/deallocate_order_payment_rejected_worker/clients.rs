use std::sync::Arc;

use async_trait::async_trait;
use kernel::table::{
    CancellationReason, Condition, Table, TableError, TransactItem, Update, UpdateAction, n, s,
};

use crate::failure::InventoryFailure;
use crate::records::{allocation_key, sku_key};
use crate::settle_allocation::{
    SettleAllocationClient, SettleAllocationCommand, Settlement, settle_update,
};

/// Moves an allocation from `ALLOCATED` to `DEALLOCATED_PAYMENT_REJECTED` and gives its units
/// back to the SKU, all or nothing: `StockDeallocationConditionFailed` when the allocation is no
/// longer the allocated one or the SKU counter is gone.
pub struct TableDeallocateAllocationClient {
    table: Arc<dyn Table>,
}

impl TableDeallocateAllocationClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

fn deallocation_transaction(command: &SettleAllocationCommand) -> Vec<TransactItem> {
    let return_units = Update::new(sku_key(&command.sku))
        .action("units", UpdateAction::Add(n(command.units.get())))
        .set("updatedAt", s(&command.now))
        .with_condition(Condition::item_exists());
    vec![
        TransactItem::Update(settle_update(Settlement::Deallocate, command)),
        TransactItem::Update(return_units),
    ]
}

fn is_condition_failure(reason: Option<&CancellationReason>) -> bool {
    matches!(
        reason,
        Some(CancellationReason::ConditionalCheckFailed { .. })
    )
}

#[async_trait]
impl SettleAllocationClient for TableDeallocateAllocationClient {
    async fn settle_allocation(
        &self,
        command: &SettleAllocationCommand,
    ) -> Result<(), InventoryFailure> {
        let transaction = deallocation_transaction(command);
        match self.table.transact_write(transaction).await {
            Ok(()) => Ok(()),
            // Deviation (#2): only a failed condition is permanent. The original dropped every
            // cancelled transaction (conflicts and throttling included), losing the stock.
            Err(TableError::TransactionCanceled { reasons })
                if is_condition_failure(reasons.first()) =>
            {
                Err(InventoryFailure::StockDeallocationConditionFailed {
                    key: allocation_key(&command.sku, &command.order_id),
                    reasons,
                })
            }
            // The allocation is still allocated but its SKU counter is gone: retried (and, if it
            // never comes back, kept in the DLQ), so returned stock is never dropped.
            Err(TableError::TransactionCanceled { reasons })
                if is_condition_failure(reasons.get(1)) =>
            {
                Err(InventoryFailure::SkuMissingForDeallocation {
                    key: sku_key(&command.sku),
                    reasons,
                })
            }
            Err(source) => Err(InventoryFailure::Storage {
                operation: "deallocating the stock",
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
    use kernel::table::{Key, ReturnValues};

    use super::*;
    use crate::test_support::{
        NOW, assert_storage_failures, cancelled, condition_failed, expected_settle_update,
        order_allocation_key, settle_command,
    };

    async fn deallocate(table: &Arc<ScriptedTable>) -> Result<(), InventoryFailure> {
        TableDeallocateAllocationClient::new(table.clone())
            .settle_allocation(&settle_command())
            .await
    }

    #[tokio::test]
    async fn deallocates_and_returns_the_units_in_one_transaction() {
        let table = Arc::new(ScriptedTable::new());
        deallocate(&table).await.unwrap();
        let return_units = Update {
            key: Key::new("INVENTORY#SKU#APPLES", "SKU#APPLES"),
            actions: vec![
                ("units".into(), UpdateAction::Add(n(3))),
                ("updatedAt".into(), UpdateAction::Set(s(NOW))),
            ],
            condition: Some(Condition::And(vec![
                Condition::AttributeExists("pk".into()),
                Condition::AttributeExists("sk".into()),
            ])),
            return_values: ReturnValues::None,
            return_old_on_condition_failure: false,
        };
        assert_eq!(
            table.calls(),
            [TableCall::TransactWrite(vec![
                TransactItem::Update(expected_settle_update("DEALLOCATED_PAYMENT_REJECTED")),
                TransactItem::Update(return_units),
            ])]
        );
    }

    #[tokio::test]
    async fn a_missing_sku_counter_is_retried_so_the_units_are_never_dropped() {
        let table = Arc::new(ScriptedTable::new());
        let reasons = [CancellationReason::None, condition_failed()];
        table.then(Scripted::Fail(cancelled(reasons.clone())));
        let failure = deallocate(&table).await.unwrap_err();
        assert!(matches!(
            &failure,
            InventoryFailure::SkuMissingForDeallocation { key, .. }
                if *key == Key::new("INVENTORY#SKU#APPLES", "SKU#APPLES")
        ));
        assert!(failure.is_transient());
    }

    #[tokio::test]
    async fn a_failed_allocation_condition_is_an_invalid_deallocation() {
        for reasons in [
            [condition_failed(), CancellationReason::None],
            [condition_failed(), CancellationReason::TransactionConflict],
        ] {
            let table = Arc::new(ScriptedTable::new());
            table.then(Scripted::Fail(cancelled(reasons.clone())));
            let failure = deallocate(&table).await.unwrap_err();
            assert!(matches!(
                &failure,
                InventoryFailure::StockDeallocationConditionFailed { key, reasons: reported }
                    if *key == order_allocation_key() && *reported == reasons.to_vec()
            ));
            assert_eq!(failure.kind(), "InvalidStockDeallocationError");
            assert!(!failure.is_transient());
        }
    }

    #[tokio::test]
    async fn conflicts_throttling_and_other_errors_are_transient() {
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
            cancelled([CancellationReason::Throttled, CancellationReason::Throttled]),
            cancelled([
                CancellationReason::Other {
                    code: "ValidationError".into(),
                },
                CancellationReason::None,
            ]),
            TableError::TransactionCanceled { reasons: vec![] },
            TableError::ConditionalCheckFailed { old_item: None },
        ]);
        assert_storage_failures(errors, |table| async move { deallocate(&table).await }).await;
    }
}
