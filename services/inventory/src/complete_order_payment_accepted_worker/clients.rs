use std::sync::Arc;

use async_trait::async_trait;
use kernel::table::{Table, TableError, Update, s};

use super::model::CompleteAllocationCommand;
use crate::failure::InventoryFailure;
use crate::records::{AllocationStatus, allocation_key, still_allocated_condition};

/// Moves an allocation from `ALLOCATED` to `COMPLETED_PAYMENT_ACCEPTED`.
#[async_trait]
pub trait CompleteAllocationClient: Send + Sync {
    /// `StockCompletionConditionFailed` when the allocation is no longer the allocated one.
    async fn complete_allocation(
        &self,
        command: &CompleteAllocationCommand,
    ) -> Result<(), InventoryFailure>;
}

pub struct TableCompleteAllocationClient {
    table: Arc<dyn Table>,
}

impl TableCompleteAllocationClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl CompleteAllocationClient for TableCompleteAllocationClient {
    async fn complete_allocation(
        &self,
        command: &CompleteAllocationCommand,
    ) -> Result<(), InventoryFailure> {
        let key = allocation_key(&command.sku, &command.order_id);
        let update = Update::new(key.clone())
            .set(
                "allocationStatus",
                s(AllocationStatus::CompletedPaymentAccepted.as_str()),
            )
            .set("updatedAt", s(&command.now))
            .with_condition(still_allocated_condition(
                &command.order_id,
                &command.sku,
                command.units,
            ));
        match self.table.update(update).await {
            Ok(_) => Ok(()),
            Err(TableError::ConditionalCheckFailed { .. }) => {
                Err(InventoryFailure::StockCompletionConditionFailed { key })
            }
            Err(
                source @ (TableError::TransactionCanceled { .. }
                | TableError::Throttled { .. }
                | TableError::Unavailable { .. }
                | TableError::Validation { .. }
                | TableError::Other { .. }),
            ) => Err(InventoryFailure::Storage {
                action: "completing the allocation",
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use contracts::Units;
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{Condition, Key, ReturnValues, UpdateAction, n};

    use super::*;
    use crate::test_support::{NOW, order_data, storage_errors};

    fn command() -> CompleteAllocationCommand {
        let order = order_data();
        CompleteAllocationCommand {
            order_id: order.order_id,
            sku: order.sku,
            units: Units::new(3).unwrap(),
            now: NOW.to_owned(),
        }
    }

    async fn complete(table: &Arc<ScriptedTable>) -> Result<(), InventoryFailure> {
        TableCompleteAllocationClient::new(table.clone())
            .complete_allocation(&command())
            .await
    }

    fn allocation_key_of_order() -> Key {
        Key::new(
            "INVENTORY#SKU#APPLES",
            "SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION",
        )
    }

    #[tokio::test]
    async fn completes_only_the_allocation_that_was_read() {
        let table = Arc::new(ScriptedTable::new());
        complete(&table).await.unwrap();
        let expected = Update {
            key: allocation_key_of_order(),
            actions: vec![
                (
                    "allocationStatus".into(),
                    UpdateAction::Set(s("COMPLETED_PAYMENT_ACCEPTED")),
                ),
                ("updatedAt".into(), UpdateAction::Set(s(NOW))),
            ],
            condition: Some(Condition::And(vec![
                Condition::And(vec![
                    Condition::AttributeExists("pk".into()),
                    Condition::AttributeExists("sk".into()),
                ]),
                Condition::Equals("orderId".into(), s("ORD001")),
                Condition::Equals("sku".into(), s("APPLES")),
                Condition::Equals("units".into(), n(3)),
                Condition::Equals("allocationStatus".into(), s("ALLOCATED")),
            ])),
            return_values: ReturnValues::None,
            return_old_on_condition_failure: false,
        };
        assert_eq!(table.calls(), [TableCall::Update(expected)]);
    }

    #[tokio::test]
    async fn a_failed_condition_is_an_invalid_completion() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let failure = complete(&table).await.unwrap_err();
        assert!(matches!(
            &failure,
            InventoryFailure::StockCompletionConditionFailed { key } if *key == allocation_key_of_order()
        ));
        assert_eq!(failure.kind(), "InvalidStockCompletionError");
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn other_storage_errors_are_transient() {
        let mut errors = storage_errors();
        errors.push(TableError::TransactionCanceled { reasons: vec![] });
        for error in errors {
            let table = Arc::new(ScriptedTable::new());
            table.then(Scripted::Fail(error));
            let failure = complete(&table).await.unwrap_err();
            assert_eq!(failure.kind(), "UnrecognizedError");
            assert!(failure.is_transient());
        }
    }
}
