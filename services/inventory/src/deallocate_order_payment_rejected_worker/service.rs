use std::sync::Arc;

use contracts::OrderEventData;
use kernel::clock::Clock;

use super::clients::DeallocateAllocationClient;
use super::model::DeallocateAllocationCommand;
use crate::failure::InventoryFailure;
use crate::read_allocation::ReadAllocationClient;
use crate::records::{AllocationStatus, allocation_key};

pub struct DeallocateOrderPaymentRejectedService {
    read_allocation: Arc<dyn ReadAllocationClient>,
    deallocate_allocation: Arc<dyn DeallocateAllocationClient>,
    clock: Arc<dyn Clock>,
}

impl DeallocateOrderPaymentRejectedService {
    pub fn new(
        read_allocation: Arc<dyn ReadAllocationClient>,
        deallocate_allocation: Arc<dyn DeallocateAllocationClient>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            read_allocation,
            deallocate_allocation,
            clock,
        }
    }

    /// Deallocates the order's allocation once, returning its stock; a replay after the
    /// deallocation succeeds quietly.
    pub async fn deallocate(&self, order: OrderEventData) -> Result<(), InventoryFailure> {
        let now = self.clock.now_iso();
        let key = allocation_key(&order.sku, &order.order_id);
        let Some(allocation) = self
            .read_allocation
            .read_allocation(&order.sku, &order.order_id)
            .await?
        else {
            // Deviation (#4): consuming the message would leak the order's stock; retry instead
            // (bounded by the queue's maxReceiveCount, then the DLQ).
            return Err(InventoryFailure::AllocationNotFound { key });
        };
        match allocation.allocation_status {
            AllocationStatus::Allocated => {
                let command = DeallocateAllocationCommand {
                    order_id: order.order_id,
                    sku: order.sku,
                    units: allocation.units,
                    now,
                };
                self.deallocate_allocation
                    .deallocate_allocation(&command)
                    .await
            }
            AllocationStatus::DeallocatedPaymentRejected => Ok(()),
            status @ (AllocationStatus::CompletedPaymentAccepted
            | AllocationStatus::DeallocatedOrderCanceled
            | AllocationStatus::StockDepleted) => {
                Err(InventoryFailure::StockDeallocationRefused { key, status })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::Units;
    use kernel::Failure;
    use kernel::table::Key;

    use super::*;
    use crate::records::StoredAllocation;
    use crate::test_support::{
        Fake, FakeReadAllocation, NOW, clock, order_data, permanent_failure, stored_allocation,
        transient_failure,
    };

    type FakeDeallocate = Fake<DeallocateAllocationCommand, Result<(), InventoryFailure>>;

    #[async_trait]
    impl DeallocateAllocationClient for FakeDeallocate {
        async fn deallocate_allocation(
            &self,
            command: &DeallocateAllocationCommand,
        ) -> Result<(), InventoryFailure> {
            self.call(command.clone())
        }
    }

    async fn deallocate(
        read: &Arc<FakeReadAllocation>,
        client: &Arc<FakeDeallocate>,
    ) -> Result<(), InventoryFailure> {
        DeallocateOrderPaymentRejectedService::new(read.clone(), client.clone(), clock())
            .deallocate(order_data())
            .await
    }

    fn found(
        units: u64,
        status: AllocationStatus,
    ) -> Result<Option<StoredAllocation>, InventoryFailure> {
        Ok(Some(stored_allocation(units, status)))
    }

    fn order_key() -> Key {
        Key::new(
            "INVENTORY#SKU#APPLES",
            "SKU#APPLES#ORDER_ID#ORD001#ORDER_ALLOCATION",
        )
    }

    #[tokio::test]
    async fn deallocates_an_allocated_allocation_returning_its_stored_units() {
        let read = FakeReadAllocation::answering([found(7, AllocationStatus::Allocated)]);
        let client = FakeDeallocate::answering([Ok(())]);
        deallocate(&read, &client).await.unwrap();
        assert_eq!(read.calls(), [(order_data().sku, order_data().order_id)]);
        assert_eq!(
            client.calls(),
            [DeallocateAllocationCommand {
                order_id: order_data().order_id,
                sku: order_data().sku,
                units: Units::new(7).unwrap(),
                now: NOW.to_owned(),
            }]
        );
    }

    #[tokio::test]
    async fn a_deallocated_allocation_is_an_idempotent_replay() {
        let read =
            FakeReadAllocation::answering([found(3, AllocationStatus::DeallocatedPaymentRejected)]);
        deallocate(&read, &FakeDeallocate::never()).await.unwrap();
    }

    #[tokio::test]
    async fn a_missing_allocation_is_retried() {
        let read = FakeReadAllocation::answering([Ok(None)]);
        let failure = deallocate(&read, &FakeDeallocate::never())
            .await
            .unwrap_err();
        assert!(
            matches!(&failure, InventoryFailure::AllocationNotFound { key } if *key == order_key())
        );
        assert!(failure.is_transient());
    }

    #[tokio::test]
    async fn other_statuses_cannot_be_deallocated() {
        for status in [
            AllocationStatus::CompletedPaymentAccepted,
            AllocationStatus::DeallocatedOrderCanceled,
            AllocationStatus::StockDepleted,
        ] {
            let read = FakeReadAllocation::answering([found(3, status)]);
            let failure = deallocate(&read, &FakeDeallocate::never())
                .await
                .unwrap_err();
            assert!(matches!(
                &failure,
                InventoryFailure::StockDeallocationRefused { key, status: refused }
                    if *key == order_key() && *refused == status
            ));
            assert_eq!(failure.kind(), "InvalidStockDeallocationError");
            assert!(!failure.is_transient());
        }
    }

    #[tokio::test]
    async fn read_and_deallocation_failures_are_returned() {
        let read = FakeReadAllocation::answering([Err(transient_failure())]);
        assert!(
            deallocate(&read, &FakeDeallocate::never())
                .await
                .unwrap_err()
                .is_transient()
        );

        let read = FakeReadAllocation::answering([Err(permanent_failure())]);
        assert!(
            !deallocate(&read, &FakeDeallocate::never())
                .await
                .unwrap_err()
                .is_transient()
        );

        let read = FakeReadAllocation::answering([found(3, AllocationStatus::Allocated)]);
        let client = FakeDeallocate::answering([Err(transient_failure())]);
        assert!(deallocate(&read, &client).await.unwrap_err().is_transient());

        let read = FakeReadAllocation::answering([found(3, AllocationStatus::Allocated)]);
        let client =
            FakeDeallocate::answering([Err(InventoryFailure::StockDeallocationConditionFailed {
                key: order_key(),
                reasons: vec![],
            })]);
        assert!(!deallocate(&read, &client).await.unwrap_err().is_transient());
    }
}
