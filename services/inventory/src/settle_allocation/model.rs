use contracts::{EventName, OrderId, Sku, Units, WorkerSlice};
use kernel::table::Key;

use crate::failure::InventoryFailure;
use crate::records::AllocationStatus;

/// How a decided payment settles the order's allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Settlement {
    /// Payment accepted (docs/contract.md §6.5): the allocation is completed, the stock stays taken.
    Complete,
    /// Payment rejected (docs/contract.md §6.6): the allocation is deallocated and its units return
    /// to the SKU counter.
    Deallocate,
}

impl Settlement {
    /// The worker's name, for logs.
    pub const fn slice(self) -> WorkerSlice {
        match self {
            Self::Complete => WorkerSlice {
                domain: "Inventory",
                name: "CompleteOrderPaymentAcceptedWorker",
                events: &[EventName::OrderPaymentAcceptedEvent],
                raises: &[],
            },
            Self::Deallocate => WorkerSlice {
                domain: "Inventory",
                name: "DeallocateOrderPaymentRejectedWorker",
                events: &[EventName::OrderPaymentRejectedEvent],
                raises: &[],
            },
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
