//! Reading one order allocation: the capability the three allocation workers share.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::{OrderId, Sku};
use kernel::table::Table;

use crate::failure::InventoryFailure;
use crate::records::{StoredAllocation, allocation_key};

/// Reads the allocation of an order's SKU, if there is one.
#[async_trait]
pub trait ReadAllocationClient: Send + Sync {
    async fn read_allocation(
        &self,
        sku: &Sku,
        order_id: &OrderId,
    ) -> Result<Option<StoredAllocation>, InventoryFailure>;
}

pub struct TableReadAllocationClient {
    table: Arc<dyn Table>,
}

impl TableReadAllocationClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl ReadAllocationClient for TableReadAllocationClient {
    async fn read_allocation(
        &self,
        sku: &Sku,
        order_id: &OrderId,
    ) -> Result<Option<StoredAllocation>, InventoryFailure> {
        let key = allocation_key(sku, order_id);
        // Deviation (#4, #5): the read decides what happens next, so it is strongly consistent
        // (the original read eventually consistently).
        let item =
            self.table
                .get(&key, true)
                .await
                .map_err(|source| InventoryFailure::Storage {
                    operation: "reading the allocation",
                    source,
                })?;
        item.map(|item| {
            serde_dynamo::from_item(item)
                .map_err(|source| InventoryFailure::InvalidStoredAllocation { key, source })
        })
        .transpose()
    }
}

#[cfg(test)]
mod tests {
    use kernel::Failure;
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};

    use super::*;
    use crate::records::{AllocationItem, AllocationStatus};
    use crate::test_support::{NOW, assert_storage_failures, order_allocation_key, order_data};

    fn client(table: &Arc<ScriptedTable>) -> TableReadAllocationClient {
        TableReadAllocationClient::new(table.clone())
    }

    async fn read(
        table: &Arc<ScriptedTable>,
    ) -> Result<Option<StoredAllocation>, InventoryFailure> {
        let order = order_data();
        client(table)
            .read_allocation(&order.sku, &order.order_id)
            .await
    }

    #[tokio::test]
    async fn reads_the_allocation_consistently() {
        let table = Arc::new(ScriptedTable::new());
        let order = order_data();
        let stored = AllocationItem::new(&order, AllocationStatus::Allocated, NOW)
            .to_item()
            .unwrap();
        table.then(Scripted::Item(Some(stored)));
        let allocation = read(&table).await.unwrap().unwrap();
        assert_eq!(allocation.allocation_status, AllocationStatus::Allocated);
        assert_eq!(allocation.order_id, order.order_id);
        assert_eq!(allocation.units, order.units);
        assert_eq!(
            table.calls(),
            [TableCall::Get {
                key: order_allocation_key(),
                consistent: true
            }]
        );
    }

    #[tokio::test]
    async fn a_missing_allocation_is_none() {
        let table = Arc::new(ScriptedTable::new());
        assert_eq!(read(&table).await.unwrap(), None);
    }

    #[tokio::test]
    async fn an_invalid_stored_allocation_is_invalid_arguments() {
        let table = Arc::new(ScriptedTable::new());
        let order = order_data();
        let mut stored = AllocationItem::new(&order, AllocationStatus::Allocated, NOW)
            .to_item()
            .unwrap();
        stored.remove("userId");
        table.then(Scripted::Item(Some(stored)));
        let failure = read(&table).await.unwrap_err();
        assert!(
            matches!(&failure, InventoryFailure::InvalidStoredAllocation { key, .. } if *key == order_allocation_key())
        );
        assert!(!failure.is_transient());
        assert_eq!(failure.kind(), kernel::failure::INVALID_ARGUMENTS_ERROR);
    }

    #[tokio::test]
    async fn storage_errors_are_transient() {
        assert_storage_failures(
            unclassified_errors(),
            |table| async move { read(&table).await },
        )
        .await;
    }
}
