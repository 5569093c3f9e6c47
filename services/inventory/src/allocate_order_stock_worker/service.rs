use std::sync::Arc;

use contracts::{Event, EventName, OrderEventData};
use kernel::clock::Clock;

use super::clients::{AllocateStockClient, RaiseOrderEventClient, RecordStockDepletionClient};
use super::model::AllocateOrderStockCommand;
use crate::failure::InventoryFailure;
use crate::read_allocation::ReadAllocationClient;
use crate::records::{AllocationStatus, allocation_key};

pub struct AllocateOrderStockWorkerService {
    read_allocation: Arc<dyn ReadAllocationClient>,
    allocate_stock: Arc<dyn AllocateStockClient>,
    record_stock_depletion: Arc<dyn RecordStockDepletionClient>,
    raise_event: Arc<dyn RaiseOrderEventClient>,
    clock: Arc<dyn Clock>,
}

/// The event that reports an allocation in this status.
fn outcome_event(status: AllocationStatus) -> EventName {
    match status {
        AllocationStatus::StockDepleted => EventName::OrderStockDepletedEvent,
        AllocationStatus::Allocated
        | AllocationStatus::CompletedPaymentAccepted
        | AllocationStatus::DeallocatedPaymentRejected
        | AllocationStatus::DeallocatedOrderCanceled => EventName::OrderStockAllocatedEvent,
    }
}

impl AllocateOrderStockWorkerService {
    pub fn new(
        read_allocation: Arc<dyn ReadAllocationClient>,
        allocate_stock: Arc<dyn AllocateStockClient>,
        record_stock_depletion: Arc<dyn RecordStockDepletionClient>,
        raise_event: Arc<dyn RaiseOrderEventClient>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            read_allocation,
            allocate_stock,
            record_stock_depletion,
            raise_event,
            clock,
        }
    }

    /// Allocates the order's stock once and raises the outcome. The stored allocation (including
    /// a depletion marker) decides every replay, so replays raise the same outcome.
    pub async fn allocate(&self, order: OrderEventData) -> Result<(), InventoryFailure> {
        let command = AllocateOrderStockCommand {
            order,
            now: self.clock.now_iso(),
        };
        let stored = self
            .read_allocation
            .read_allocation(&command.order.sku, &command.order.order_id)
            .await?;
        if let Some(allocation) = stored {
            // Deviation (#5): a stored depletion is reported as depleted, never re-allocated.
            return self
                .raise(outcome_event(allocation.allocation_status), command)
                .await;
        }
        match self.allocate_stock.allocate_stock(&command).await {
            Ok(()) => {
                self.raise(EventName::OrderStockAllocatedEvent, command)
                    .await
            }
            // A concurrent delivery wrote the allocation first: report what it decided.
            Err(InventoryFailure::DuplicateStockAllocation { .. }) => {
                self.raise_stored_outcome(command).await
            }
            Err(InventoryFailure::DepletedStockAllocation { .. }) => {
                // Deviation (#5): record the depletion so a replay after a restock stays depleted.
                match self
                    .record_stock_depletion
                    .record_stock_depletion(&command)
                    .await
                {
                    Ok(()) => {
                        self.raise(EventName::OrderStockDepletedEvent, command)
                            .await
                    }
                    Err(InventoryFailure::DuplicateStockAllocation { .. }) => {
                        self.raise_stored_outcome(command).await
                    }
                    Err(failure) => Err(failure),
                }
            }
            Err(failure) => Err(failure),
        }
    }

    /// Re-reads the allocation another delivery wrote and raises the outcome it records.
    async fn raise_stored_outcome(
        &self,
        command: AllocateOrderStockCommand,
    ) -> Result<(), InventoryFailure> {
        let order = &command.order;
        match self
            .read_allocation
            .read_allocation(&order.sku, &order.order_id)
            .await?
        {
            Some(allocation) => {
                self.raise(outcome_event(allocation.allocation_status), command)
                    .await
            }
            None => Err(InventoryFailure::AllocationNotFound {
                key: allocation_key(&order.sku, &order.order_id),
            }),
        }
    }

    async fn raise(
        &self,
        event_name: EventName,
        command: AllocateOrderStockCommand,
    ) -> Result<(), InventoryFailure> {
        let event = Event::order(event_name, command.order, command.now);
        self.raise_event.raise(&event).await
    }
}

#[cfg(test)]
mod tests;
