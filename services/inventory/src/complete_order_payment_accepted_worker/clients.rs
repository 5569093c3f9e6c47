use std::sync::Arc;

use async_trait::async_trait;
use kernel::table::{Table, TableError};

use crate::failure::InventoryFailure;
use crate::settle_allocation::{
    SettleAllocationClient, SettleAllocationCommand, Settlement, settle_update,
};

/// Moves an allocation from `ALLOCATED` to `COMPLETED_PAYMENT_ACCEPTED`:
/// `StockCompletionConditionFailed` when the allocation is no longer the allocated one.
pub struct TableCompleteAllocationClient {
    table: Arc<dyn Table>,
}

impl TableCompleteAllocationClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl SettleAllocationClient for TableCompleteAllocationClient {
    async fn settle_allocation(
        &self,
        command: &SettleAllocationCommand,
    ) -> Result<(), InventoryFailure> {
        let update = settle_update(Settlement::Complete, command);
        let key = update.key.clone();
        match self.table.update(update).await {
            Ok(_) => Ok(()),
            Err(TableError::ConditionalCheckFailed { .. }) => {
                Err(InventoryFailure::StockCompletionConditionFailed { key })
            }
            Err(source) => Err(InventoryFailure::Storage {
                operation: "completing the allocation",
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};

    use super::*;
    use crate::test_support::{
        assert_storage_failures, expected_settle_update, order_allocation_key, settle_command,
    };

    async fn complete(table: &Arc<ScriptedTable>) -> Result<(), InventoryFailure> {
        TableCompleteAllocationClient::new(table.clone())
            .settle_allocation(&settle_command())
            .await
    }

    #[tokio::test]
    async fn completes_only_the_allocation_that_was_read() {
        let table = Arc::new(ScriptedTable::new());
        complete(&table).await.unwrap();
        assert_eq!(
            table.calls(),
            [TableCall::Update(expected_settle_update(
                "COMPLETED_PAYMENT_ACCEPTED"
            ))]
        );
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
            InventoryFailure::StockCompletionConditionFailed { key } if *key == order_allocation_key()
        ));
        assert_eq!(failure.kind(), "InvalidStockCompletionError");
        assert!(!failure.is_transient());
    }

    #[tokio::test]
    async fn other_storage_errors_are_transient() {
        let mut errors = unclassified_errors();
        errors.push(TableError::TransactionCanceled { reasons: vec![] });
        assert_storage_failures(errors, |table| async move { complete(&table).await }).await;
    }
}
