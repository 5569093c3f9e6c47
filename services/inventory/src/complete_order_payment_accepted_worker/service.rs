use std::sync::Arc;

use contracts::OrderEventData;
use kernel::clock::Clock;

use super::clients::CompleteAllocationClient;
use super::model::CompleteAllocationCommand;
use crate::failure::InventoryFailure;
use crate::read_allocation::ReadAllocationClient;
use crate::records::{AllocationStatus, allocation_key};

pub struct CompleteOrderPaymentAcceptedService {
    read_allocation: Arc<dyn ReadAllocationClient>,
    complete_allocation: Arc<dyn CompleteAllocationClient>,
    clock: Arc<dyn Clock>,
}

impl CompleteOrderPaymentAcceptedService {
    pub fn new(
        read_allocation: Arc<dyn ReadAllocationClient>,
        complete_allocation: Arc<dyn CompleteAllocationClient>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            read_allocation,
            complete_allocation,
            clock,
        }
    }

    /// Completes the order's allocation once; a replay after completion succeeds quietly.
    pub async fn complete(&self, order: OrderEventData) -> Result<(), InventoryFailure> {
        let now = self.clock.now_iso();
        let key = allocation_key(&order.sku, &order.order_id);
        let Some(allocation) = self
            .read_allocation
            .read_allocation(&order.sku, &order.order_id)
            .await?
        else {
            // Deviation (#4): the payment was accepted for an allocated order, so a missing
            // allocation is retried (then dead-lettered), never silently consumed.
            return Err(InventoryFailure::AllocationNotFound { key });
        };
        match allocation.allocation_status {
            AllocationStatus::Allocated => {
                let command = CompleteAllocationCommand {
                    order_id: order.order_id,
                    sku: order.sku,
                    units: allocation.units,
                    now,
                };
                self.complete_allocation.complete_allocation(&command).await
            }
            AllocationStatus::CompletedPaymentAccepted => Ok(()),
            status @ (AllocationStatus::DeallocatedPaymentRejected
            | AllocationStatus::DeallocatedOrderCanceled
            | AllocationStatus::StockDepleted) => {
                Err(InventoryFailure::StockCompletionRefused { key, status })
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

    type FakeComplete = Fake<CompleteAllocationCommand, Result<(), InventoryFailure>>;

    #[async_trait]
    impl CompleteAllocationClient for FakeComplete {
        async fn complete_allocation(
            &self,
            command: &CompleteAllocationCommand,
        ) -> Result<(), InventoryFailure> {
            self.call(command.clone())
        }
    }

    async fn complete(
        read: &Arc<FakeReadAllocation>,
        complete: &Arc<FakeComplete>,
    ) -> Result<(), InventoryFailure> {
        CompleteOrderPaymentAcceptedService::new(read.clone(), complete.clone(), clock())
            .complete(order_data())
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
    async fn completes_an_allocated_allocation_with_its_stored_units() {
        let read = FakeReadAllocation::answering([found(7, AllocationStatus::Allocated)]);
        let client = FakeComplete::answering([Ok(())]);
        complete(&read, &client).await.unwrap();
        assert_eq!(read.calls(), [(order_data().sku, order_data().order_id)]);
        assert_eq!(
            client.calls(),
            [CompleteAllocationCommand {
                order_id: order_data().order_id,
                sku: order_data().sku,
                units: Units::new(7).unwrap(),
                now: NOW.to_owned(),
            }]
        );
    }

    #[tokio::test]
    async fn a_completed_allocation_is_an_idempotent_replay() {
        let read =
            FakeReadAllocation::answering([found(3, AllocationStatus::CompletedPaymentAccepted)]);
        complete(&read, &FakeComplete::never()).await.unwrap();
    }

    #[tokio::test]
    async fn a_missing_allocation_is_retried() {
        let read = FakeReadAllocation::answering([Ok(None)]);
        let failure = complete(&read, &FakeComplete::never()).await.unwrap_err();
        assert!(
            matches!(&failure, InventoryFailure::AllocationNotFound { key } if *key == order_key())
        );
        assert_eq!(failure.kind(), "AllocationNotFoundError");
        assert!(failure.is_transient());
    }

    #[tokio::test]
    async fn other_statuses_cannot_be_completed() {
        for status in [
            AllocationStatus::DeallocatedPaymentRejected,
            AllocationStatus::DeallocatedOrderCanceled,
            AllocationStatus::StockDepleted,
        ] {
            let read = FakeReadAllocation::answering([found(3, status)]);
            let failure = complete(&read, &FakeComplete::never()).await.unwrap_err();
            assert!(matches!(
                &failure,
                InventoryFailure::StockCompletionRefused { key, status: refused }
                    if *key == order_key() && *refused == status
            ));
            assert_eq!(failure.kind(), "InvalidStockCompletionError");
            assert!(!failure.is_transient());
        }
    }

    #[tokio::test]
    async fn read_and_completion_failures_are_returned() {
        let read = FakeReadAllocation::answering([Err(transient_failure())]);
        assert!(
            complete(&read, &FakeComplete::never())
                .await
                .unwrap_err()
                .is_transient()
        );

        let read = FakeReadAllocation::answering([Err(permanent_failure())]);
        assert!(
            !complete(&read, &FakeComplete::never())
                .await
                .unwrap_err()
                .is_transient()
        );

        let read = FakeReadAllocation::answering([found(3, AllocationStatus::Allocated)]);
        let client = FakeComplete::answering([Err(transient_failure())]);
        assert!(complete(&read, &client).await.unwrap_err().is_transient());

        let read = FakeReadAllocation::answering([found(3, AllocationStatus::Allocated)]);
        let client =
            FakeComplete::answering([Err(InventoryFailure::StockCompletionConditionFailed {
                key: order_key(),
            })]);
        assert!(!complete(&read, &client).await.unwrap_err().is_transient());
    }
}
