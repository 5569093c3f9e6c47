use contracts::{EventName, OrderId, Sku, Units};
use kernel::table::Key;

use crate::failure::InventoryFailure;
use crate::records::AllocationStatus;

/// How a decided payment settles the order's allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Payment accepted (BEHAVIOR.md §6.5): the allocation is completed, the stock stays taken.
    Complete,
    /// Payment rejected (BEHAVIOR.md §6.6): the allocation is deallocated and its units return
    /// to the SKU counter.
    Deallocate,
}

impl Settlement {
    /// The worker's name, for logs.
    pub fn worker_name(self) -> &'static str {
        match self {
            Self::Complete => "CompleteOrderPaymentAcceptedWorker",
            Self::Deallocate => "DeallocateOrderPaymentRejectedWorker",
        }
    }

    /// The one event that triggers the settlement.
    pub fn trigger(self) -> EventName {
        match self {
            Self::Complete => EventName::OrderPaymentAcceptedEvent,
            Self::Deallocate => EventName::OrderPaymentRejectedEvent,
        }
    }

    /// The status of a settled allocation.
    pub fn settled_status(self) -> AllocationStatus {
        match self {
            Self::Complete => AllocationStatus::CompletedPaymentAccepted,
            Self::Deallocate => AllocationStatus::DeallocatedPaymentRejected,
        }
    }

    /// Why the allocation `key`, which has `status`, cannot be settled.
    pub fn refused(self, key: Key, status: AllocationStatus) -> InventoryFailure {
        match self {
            Self::Complete => InventoryFailure::StockCompletionRefused { key, status },
            Self::Deallocate => InventoryFailure::StockDeallocationRefused { key, status },
        }
    }
}

/// Settle the `ALLOCATED` allocation of `units` (as stored) of an order's SKU, at `now`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettleAllocationCommand {
    pub order_id: OrderId,
    pub sku: Sku,
    pub units: Units,
    pub now: String,
}
