//! The one failure type of the Payments domain (docs/contract.md §3).

use contracts::events::DUPLICATE_EVENT_RAISED_ERROR;
use contracts::{IncomingEventError, OrderId};
use kernel::failure::Classification;
use kernel::http::BodyError;
use kernel::table::{IssueError, Key, PageTokenError, TableError};

use crate::gateway::GatewayError;
use crate::order_payment::PaymentStatus;

/// Everything that can go wrong in a Payments slice.
#[derive(Debug, thiserror::Error)]
pub enum PaymentsFailure {
    #[error("the incoming event is invalid")]
    InvalidIncomingEvent(#[source] IncomingEventError),

    #[error("the request body is invalid")]
    InvalidRequest(#[source] BodyError),

    #[error("the stored payment of order {order_id} is invalid")]
    InvalidStoredPayment {
        order_id: OrderId,
        #[source]
        source: serde_dynamo::Error,
    },

    #[error("the event item could not be built")]
    InvalidEventItem(#[source] serde_dynamo::Error),

    #[error("the listOrderPayments nextToken was refused")]
    RefusedPageToken(#[source] PageTokenError),

    #[error("the next page's token could not be made")]
    UnissuablePageToken(#[source] IssueError),

    #[error("the table failed to {operation}")]
    Storage {
        operation: &'static str,
        #[source]
        source: TableError,
    },

    /// The payment record changed between our read and our write, and not into a final state:
    /// another attempt recorded first. Re-reading (a retry) resolves it.
    #[error("the payment of order {order_id} was recorded concurrently (found {found:?})")]
    ConcurrentPaymentRecord {
        order_id: OrderId,
        found: Option<PaymentStatus>,
    },

    #[error("the event {key} was already raised")]
    DuplicateEventRaised { key: Key },

    #[error("the payment of order {order_id} failed")]
    PaymentFailed {
        order_id: OrderId,
        #[source]
        source: GatewayError,
    },

    #[error("the payment of order {order_id} was already accepted")]
    PaymentAlreadyAccepted { order_id: OrderId },

    #[error("the payment of order {order_id} was already rejected")]
    PaymentAlreadyRejected { order_id: OrderId },
}

impl kernel::Failure for PaymentsFailure {
    fn classify(&self) -> Classification {
        match self {
            Self::InvalidIncomingEvent(_)
            | Self::InvalidRequest(_)
            | Self::InvalidStoredPayment { .. }
            | Self::InvalidEventItem(_)
            | Self::RefusedPageToken(_) => Classification::INVALID_ARGUMENTS,
            Self::Storage { .. }
            | Self::ConcurrentPaymentRecord { .. }
            | Self::UnissuablePageToken(_) => Classification::UNRECOGNIZED,
            Self::DuplicateEventRaised { .. } => {
                Classification::permanent(DUPLICATE_EVENT_RAISED_ERROR)
            }
            Self::PaymentFailed { .. } => Classification::transient("PaymentFailedError"),
            Self::PaymentAlreadyAccepted { .. } => {
                Classification::permanent("PaymentAlreadyAcceptedError")
            }
            Self::PaymentAlreadyRejected { .. } => {
                Classification::permanent("PaymentAlreadyRejectedError")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::Failure;

    use super::*;

    fn order_id() -> OrderId {
        OrderId::parse("ORD001").unwrap()
    }

    #[test]
    fn only_storage_concurrency_and_payment_failures_are_transient() {
        let transient = [
            PaymentsFailure::Storage {
                operation: "read",
                source: TableError::Throttled { source: None },
            },
            PaymentsFailure::ConcurrentPaymentRecord {
                order_id: order_id(),
                found: Some(PaymentStatus::PaymentFailed),
            },
            PaymentsFailure::PaymentFailed {
                order_id: order_id(),
                source: GatewayError::Unavailable,
            },
        ];
        for failure in &transient {
            assert!(failure.is_transient(), "{failure:?}");
            assert!(!failure.is_invalid_arguments(), "{failure:?}");
        }
        let permanent = [
            PaymentsFailure::DuplicateEventRaised {
                key: Key::new("p", "s"),
            },
            PaymentsFailure::PaymentAlreadyAccepted {
                order_id: order_id(),
            },
            PaymentsFailure::PaymentAlreadyRejected {
                order_id: order_id(),
            },
            PaymentsFailure::InvalidRequest(BodyError::Missing),
        ];
        for failure in &permanent {
            assert!(!failure.is_transient(), "{failure:?}");
        }
        assert_eq!(transient[2].kind(), "PaymentFailedError");
        assert_eq!(
            permanent[0].kind(),
            contracts::events::DUPLICATE_EVENT_RAISED_ERROR
        );
        assert_eq!(permanent[1].kind(), "PaymentAlreadyAcceptedError");
        assert_eq!(permanent[2].kind(), "PaymentAlreadyRejectedError");
        assert!(permanent[3].is_invalid_arguments());
        assert_eq!(transient[0].kind(), kernel::failure::UNRECOGNIZED_ERROR);
    }
}
