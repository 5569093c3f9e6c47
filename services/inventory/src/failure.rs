//! The one failure type of the Inventory domain (docs/contract.md §3).

use contracts::IncomingEventError;
use contracts::events::DUPLICATE_EVENT_RAISED_ERROR;
use kernel::failure::{Classification, Failure};
use kernel::http::BodyError;
use kernel::table::{CancellationReason, IssueError, Key, PageTokenError, TableError};

use crate::records::AllocationStatus;

/// Everything that can go wrong in an Inventory slice.
///
/// Several variants may share one `failureKind` (e.g. a request body and an incoming event are
/// both `InvalidArgumentsError`); they differ by what the logs need to say.
#[derive(Debug, thiserror::Error)]
pub enum InventoryFailure {
    #[error("the request body is invalid")]
    InvalidRequest(#[source] BodyError),

    #[error("the incoming event is invalid")]
    InvalidEvent(#[source] IncomingEventError),

    #[error("the item {key} could not be built")]
    UnbuildableItem {
        key: Key,
        #[source]
        source: serde_dynamo::Error,
    },

    #[error("the stored allocation {key} is invalid")]
    InvalidStoredAllocation {
        key: Key,
        #[source]
        source: serde_dynamo::Error,
    },

    #[error("{operation} failed")]
    Storage {
        operation: &'static str,
        #[source]
        source: TableError,
    },

    #[error("a stored SKU could not be read")]
    UnreadableSku(#[source] serde_dynamo::Error),

    #[error("the listSkus nextToken was refused")]
    RefusedPageToken(#[source] PageTokenError),

    #[error("the next page's token could not be made")]
    UnissuablePageToken(#[source] IssueError),

    #[error("the event {key} was already raised")]
    DuplicateEventRaised { key: Key },

    #[error("the restock {key} was already applied")]
    DuplicateRestockOperation { key: Key },

    #[error("the allocation {key} already exists")]
    DuplicateStockAllocation { key: Key },

    #[error("the SKU has too few units (or does not exist) for the allocation {key}")]
    DepletedStockAllocation { key: Key },

    #[error("the allocation {key} cannot be completed from status {status}")]
    StockCompletionRefused { key: Key, status: AllocationStatus },

    #[error("the allocation {key} is no longer the allocated one that was read")]
    StockCompletionConditionFailed { key: Key },

    #[error("the allocation {key} cannot be deallocated from status {status}")]
    StockDeallocationRefused { key: Key, status: AllocationStatus },

    #[error("the deallocation of {key} failed its conditions: {reasons:?}")]
    StockDeallocationConditionFailed {
        key: Key,
        reasons: Vec<CancellationReason>,
    },

    #[error("the allocation {key} does not exist (yet)")]
    AllocationNotFound { key: Key },

    #[error("the SKU counter {key} the deallocated units go back to does not exist: {reasons:?}")]
    SkuMissingForDeallocation {
        key: Key,
        reasons: Vec<CancellationReason>,
    },
}

impl Failure for InventoryFailure {
    fn classify(&self) -> Classification {
        match self {
            Self::InvalidRequest(_)
            | Self::InvalidEvent(_)
            | Self::UnbuildableItem { .. }
            | Self::InvalidStoredAllocation { .. }
            | Self::RefusedPageToken(_) => Classification::INVALID_ARGUMENTS,
            Self::Storage { .. } | Self::UnreadableSku(_) | Self::UnissuablePageToken(_) => {
                Classification::UNRECOGNIZED
            }
            Self::DuplicateEventRaised { .. } => {
                Classification::permanent(DUPLICATE_EVENT_RAISED_ERROR)
            }
            Self::DuplicateRestockOperation { .. } => {
                Classification::permanent("DuplicateRestockOperationError")
            }
            Self::DuplicateStockAllocation { .. } => {
                Classification::permanent("DuplicateStockAllocationError")
            }
            Self::DepletedStockAllocation { .. } => {
                Classification::permanent("DepletedStockAllocationError")
            }
            Self::StockCompletionRefused { .. } | Self::StockCompletionConditionFailed { .. } => {
                Classification::permanent(INVALID_STOCK_COMPLETION_ERROR)
            }
            Self::StockDeallocationRefused { .. }
            | Self::StockDeallocationConditionFailed { .. } => {
                Classification::permanent(INVALID_STOCK_DEALLOCATION_ERROR)
            }
            // Deviation (#2): returned stock is never dropped, even when its SKU is missing.
            Self::SkuMissingForDeallocation { .. } => {
                Classification::transient(INVALID_STOCK_DEALLOCATION_ERROR)
            }
            // Deviation (#4): a missing allocation is retried (bounded by the queue's
            // maxReceiveCount, then the DLQ) instead of being silently consumed.
            Self::AllocationNotFound { .. } => Classification::transient("AllocationNotFoundError"),
        }
    }
}

/// Kinds more than one failure shares.
pub const INVALID_STOCK_COMPLETION_ERROR: &str = "InvalidStockCompletionError";
pub const INVALID_STOCK_DEALLOCATION_ERROR: &str = "InvalidStockDeallocationError";

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> Key {
        Key::new("pk", "sk")
    }

    #[test]
    fn only_storage_missing_allocations_and_missing_skus_are_transient() {
        let transient = [
            InventoryFailure::Storage {
                operation: "reading",
                source: TableError::Throttled { source: None },
            },
            InventoryFailure::AllocationNotFound { key: key() },
            InventoryFailure::SkuMissingForDeallocation {
                key: key(),
                reasons: vec![],
            },
        ];
        for failure in &transient {
            assert!(failure.is_transient(), "{failure}");
            assert!(!failure.is_invalid_arguments(), "{failure}");
        }
        let permanent = [
            InventoryFailure::DuplicateEventRaised { key: key() },
            InventoryFailure::DuplicateRestockOperation { key: key() },
            InventoryFailure::DuplicateStockAllocation { key: key() },
            InventoryFailure::DepletedStockAllocation { key: key() },
            InventoryFailure::StockCompletionRefused {
                key: key(),
                status: AllocationStatus::StockDepleted,
            },
            InventoryFailure::StockCompletionConditionFailed { key: key() },
            InventoryFailure::StockDeallocationRefused {
                key: key(),
                status: AllocationStatus::CompletedPaymentAccepted,
            },
            InventoryFailure::StockDeallocationConditionFailed {
                key: key(),
                reasons: vec![CancellationReason::None],
            },
            InventoryFailure::InvalidRequest(kernel::http::BodyError::Missing),
        ];
        for failure in &permanent {
            assert!(!failure.is_transient(), "{failure}");
        }
    }

    #[test]
    fn kinds_are_the_original_names() {
        assert_eq!(
            InventoryFailure::InvalidRequest(kernel::http::BodyError::NotAnObject).kind(),
            kernel::failure::INVALID_ARGUMENTS_ERROR
        );
        assert!(
            InventoryFailure::InvalidRequest(kernel::http::BodyError::Missing)
                .is_invalid_arguments()
        );
        assert_eq!(
            InventoryFailure::Storage {
                operation: "x",
                source: TableError::Validation {
                    message: "m".into()
                }
            }
            .kind(),
            kernel::failure::UNRECOGNIZED_ERROR
        );
        assert_eq!(
            InventoryFailure::StockDeallocationRefused {
                key: key(),
                status: AllocationStatus::StockDepleted
            }
            .kind(),
            "InvalidStockDeallocationError"
        );
        assert_eq!(
            InventoryFailure::StockCompletionConditionFailed { key: key() }.kind(),
            "InvalidStockCompletionError"
        );
        assert_eq!(
            InventoryFailure::DepletedStockAllocation { key: key() }.kind(),
            "DepletedStockAllocationError"
        );
    }
}
