use std::sync::Arc;

use contracts::OrderEventData;
use kernel::clock::Clock;

use super::clients::SettleAllocationClient;
use super::model::{SettleAllocationCommand, Settlement};
use crate::failure::InventoryFailure;
use crate::read_allocation::ReadAllocationClient;
use crate::records::{AllocationStatus, allocation_key};

pub struct SettleAllocationService {
    settlement: Settlement,
    read_allocation: Arc<dyn ReadAllocationClient>,
    settle_allocation: Arc<dyn SettleAllocationClient>,
    clock: Arc<dyn Clock>,
}

impl SettleAllocationService {
    pub fn new(
        settlement: Settlement,
        read_allocation: Arc<dyn ReadAllocationClient>,
        settle_allocation: Arc<dyn SettleAllocationClient>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            settlement,
            read_allocation,
            settle_allocation,
            clock,
        }
    }

    /// Settles the order's allocation once; a replay after the settlement succeeds quietly.
    pub async fn settle(&self, order: OrderEventData) -> Result<(), InventoryFailure> {
        let now = self.clock.now_iso();
        let key = allocation_key(&order.sku, &order.order_id);
        let Some(allocation) = self
            .read_allocation
            .read_allocation(&order.sku, &order.order_id)
            .await?
        else {
            // Deviation (#4): the payment was decided for an allocated order, so a missing
            // allocation is retried (bounded by the queue's maxReceiveCount, then the DLQ), never
            // silently consumed: consuming a rejection would leak the order's stock.
            return Err(InventoryFailure::AllocationNotFound { key });
        };
        match allocation.allocation_status {
            AllocationStatus::Allocated => {
                let command = SettleAllocationCommand {
                    order_id: order.order_id,
                    sku: order.sku,
                    units: allocation.units,
                    now,
                };
                self.settle_allocation.settle_allocation(&command).await
            }
            status if status == self.settlement.settled_status() => Ok(()),
            status @ (AllocationStatus::CompletedPaymentAccepted
            | AllocationStatus::DeallocatedPaymentRejected
            | AllocationStatus::DeallocatedOrderCanceled
            | AllocationStatus::StockDepleted) => Err(self.settlement.refused(key, status)),
        }
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::Units;
    use kernel::Failure;

    use super::*;
    use crate::records::StoredAllocation;
    use crate::test_support::{
        Fake, FakeReadAllocation, NOW, clock, order_allocation_key, order_data, permanent_failure,
        stored_allocation, transient_failure,
    };

    const SETTLEMENTS: [Settlement; 2] = [Settlement::Complete, Settlement::Deallocate];

    type FakeSettle = Fake<SettleAllocationCommand, Result<(), InventoryFailure>>;

    #[async_trait]
    impl SettleAllocationClient for FakeSettle {
        async fn settle_allocation(
            &self,
            command: &SettleAllocationCommand,
        ) -> Result<(), InventoryFailure> {
            self.call(command.clone())
        }
    }

    async fn settle(
        settlement: Settlement,
        read: &Arc<FakeReadAllocation>,
        client: &Arc<FakeSettle>,
    ) -> Result<(), InventoryFailure> {
        SettleAllocationService::new(settlement, read.clone(), client.clone(), clock())
            .settle(order_data())
            .await
    }

    fn found(
        units: u64,
        status: AllocationStatus,
    ) -> Result<Option<StoredAllocation>, InventoryFailure> {
        Ok(Some(stored_allocation(units, status)))
    }

    #[tokio::test]
    async fn settles_an_allocated_allocation_with_its_stored_units() {
        for settlement in SETTLEMENTS {
            let read = FakeReadAllocation::answering([found(7, AllocationStatus::Allocated)]);
            let client = FakeSettle::answering([Ok(())]);
            settle(settlement, &read, &client).await.unwrap();
            assert_eq!(read.calls(), [(order_data().sku, order_data().order_id)]);
            assert_eq!(
                client.calls(),
                [SettleAllocationCommand {
                    order_id: order_data().order_id,
                    sku: order_data().sku,
                    units: Units::new(7).unwrap(),
                    now: NOW.to_owned(),
                }]
            );
        }
    }

    #[tokio::test]
    async fn a_settled_allocation_is_an_idempotent_replay() {
        for (settlement, settled) in [
            (
                Settlement::Complete,
                AllocationStatus::CompletedPaymentAccepted,
            ),
            (
                Settlement::Deallocate,
                AllocationStatus::DeallocatedPaymentRejected,
            ),
        ] {
            let read = FakeReadAllocation::answering([found(3, settled)]);
            settle(settlement, &read, &FakeSettle::never())
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn a_missing_allocation_is_retried() {
        for settlement in SETTLEMENTS {
            let read = FakeReadAllocation::answering([Ok(None)]);
            let failure = settle(settlement, &read, &FakeSettle::never())
                .await
                .unwrap_err();
            assert!(
                matches!(&failure, InventoryFailure::AllocationNotFound { key } if *key == order_allocation_key())
            );
            assert_eq!(failure.kind(), "AllocationNotFoundError");
            assert!(failure.is_transient());
        }
    }

    #[tokio::test]
    async fn other_statuses_cannot_be_completed() {
        for status in [
            AllocationStatus::DeallocatedPaymentRejected,
            AllocationStatus::DeallocatedOrderCanceled,
            AllocationStatus::StockDepleted,
        ] {
            let read = FakeReadAllocation::answering([found(3, status)]);
            let failure = settle(Settlement::Complete, &read, &FakeSettle::never())
                .await
                .unwrap_err();
            assert!(matches!(
                &failure,
                InventoryFailure::StockCompletionRefused { key, status: refused }
                    if *key == order_allocation_key() && *refused == status
            ));
            assert_eq!(failure.kind(), "InvalidStockCompletionError");
            assert!(!failure.is_transient());
        }
    }

    #[tokio::test]
    async fn other_statuses_cannot_be_deallocated() {
        for status in [
            AllocationStatus::CompletedPaymentAccepted,
            AllocationStatus::DeallocatedOrderCanceled,
            AllocationStatus::StockDepleted,
        ] {
            let read = FakeReadAllocation::answering([found(3, status)]);
            let failure = settle(Settlement::Deallocate, &read, &FakeSettle::never())
                .await
                .unwrap_err();
            assert!(matches!(
                &failure,
                InventoryFailure::StockDeallocationRefused { key, status: refused }
                    if *key == order_allocation_key() && *refused == status
            ));
            assert_eq!(failure.kind(), "InvalidStockDeallocationError");
            assert!(!failure.is_transient());
        }
    }

    /// The failure a settlement's client reports when its condition failed.
    fn condition_failure(settlement: Settlement) -> InventoryFailure {
        match settlement {
            Settlement::Complete => InventoryFailure::StockCompletionConditionFailed {
                key: order_allocation_key(),
            },
            Settlement::Deallocate => InventoryFailure::StockDeallocationConditionFailed {
                key: order_allocation_key(),
                reasons: vec![],
            },
        }
    }

    #[tokio::test]
    async fn read_and_settlement_failures_are_returned() {
        for settlement in SETTLEMENTS {
            let read = FakeReadAllocation::answering([Err(transient_failure())]);
            assert!(
                settle(settlement, &read, &FakeSettle::never())
                    .await
                    .unwrap_err()
                    .is_transient()
            );

            let read = FakeReadAllocation::answering([Err(permanent_failure())]);
            assert!(
                !settle(settlement, &read, &FakeSettle::never())
                    .await
                    .unwrap_err()
                    .is_transient()
            );

            let read = FakeReadAllocation::answering([found(3, AllocationStatus::Allocated)]);
            let client = FakeSettle::answering([Err(transient_failure())]);
            assert!(
                settle(settlement, &read, &client)
                    .await
                    .unwrap_err()
                    .is_transient()
            );

            let read = FakeReadAllocation::answering([found(3, AllocationStatus::Allocated)]);
            let client = FakeSettle::answering([Err(condition_failure(settlement))]);
            assert!(
                !settle(settlement, &read, &client)
                    .await
                    .unwrap_err()
                    .is_transient()
            );
        }
    }
}
