//! The Orders domain's failure kinds (docs/contract.md §3) and their retry semantics.

use contracts::events::DUPLICATE_EVENT_RAISED_ERROR;
use contracts::{EventName, OrderId};
use kernel::failure::{Classification, Failure};
use kernel::table::BoxError;

use crate::order_status::{OrderEventName, OrderStatus};

/// Everything that can go wrong in the Orders domain.
#[derive(Debug, thiserror::Error)]
pub enum OrdersFailure {
    /// A request, an incoming event, a stored order or an item we tried to build is invalid.
    #[error("invalid arguments: {problem}")]
    InvalidArguments {
        problem: &'static str,
        #[source]
        source: BoxError,
    },

    /// The storage failed in a way no domain rule explains (throttling, outage, …).
    #[error("unrecognized error while {operation}")]
    Unrecognized {
        operation: &'static str,
        #[source]
        source: BoxError,
    },

    /// The event item already exists: first writer wins.
    #[error("the event {event_name} of order {order_id} was already raised")]
    DuplicateEventRaised {
        order_id: OrderId,
        event_name: EventName,
    },

    /// An order event other than `ORDER_PLACED_EVENT` arrived for an order that does not exist.
    #[error("the event {event_name} arrived for order {order_id}, which does not exist")]
    InvalidOperation {
        order_id: OrderId,
        event_name: EventName,
    },

    #[error("order {order_id} is already {current}, so {event} is redundant")]
    RedundantOrderStatusTransition {
        order_id: OrderId,
        current: OrderStatus,
        event: OrderEventName,
    },

    #[error("order {order_id} is already {current}, so {event} is stale")]
    StaleOrderStatusTransition {
        order_id: OrderId,
        current: OrderStatus,
        event: OrderEventName,
    },

    #[error("order {order_id} is {current}, which forbids {event}")]
    ForbiddenOrderStatusTransition {
        order_id: OrderId,
        current: OrderStatus,
        event: OrderEventName,
    },

    /// Deviation (#1): the status changed under us on every attempt; SQS retries the message.
    #[error("the status of order {order_id} changed concurrently on each of {attempts} attempts")]
    OrderStatusRace { order_id: OrderId, attempts: u32 },

    /// Deviation (#6): the create found the order already there, yet it cannot be read back.
    #[error("order {order_id} already exists but could not be read back")]
    OrderCreateRace { order_id: OrderId },
}

impl OrdersFailure {
    pub fn invalid_arguments(problem: &'static str, source: impl Into<BoxError>) -> OrdersFailure {
        OrdersFailure::InvalidArguments {
            problem,
            source: source.into(),
        }
    }

    pub fn unrecognized(operation: &'static str, source: impl Into<BoxError>) -> OrdersFailure {
        OrdersFailure::Unrecognized {
            operation,
            source: source.into(),
        }
    }
}

impl Failure for OrdersFailure {
    fn classify(&self) -> Classification {
        match self {
            OrdersFailure::InvalidArguments { .. } => Classification::INVALID_ARGUMENTS,
            OrdersFailure::Unrecognized { .. } => Classification::UNRECOGNIZED,
            OrdersFailure::DuplicateEventRaised { .. } => {
                Classification::permanent(DUPLICATE_EVENT_RAISED_ERROR)
            }
            OrdersFailure::InvalidOperation { .. } => {
                Classification::permanent("InvalidOperationError")
            }
            OrdersFailure::RedundantOrderStatusTransition { .. } => {
                Classification::permanent("RedundantOrderStatusTransitionError")
            }
            OrdersFailure::StaleOrderStatusTransition { .. } => {
                Classification::permanent("StaleOrderStatusTransitionError")
            }
            OrdersFailure::ForbiddenOrderStatusTransition { .. } => {
                Classification::permanent("ForbiddenOrderStatusTransitionError")
            }
            OrdersFailure::OrderStatusRace { .. } => {
                Classification::transient("OrderStatusRaceError")
            }
            OrdersFailure::OrderCreateRace { .. } => {
                Classification::transient("OrderCreateRaceError")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use kernel::table::TableError;

    use super::*;

    fn order_id() -> OrderId {
        OrderId::parse("ORDER-1").unwrap()
    }

    fn every_kind() -> Vec<OrdersFailure> {
        let current = OrderStatus::OrderCreatedStatus;
        let event = OrderEventName::OrderCreatedEvent;
        vec![
            OrdersFailure::invalid_arguments("bad", std::fmt::Error),
            OrdersFailure::unrecognized("reading", TableError::Throttled { source: None }),
            OrdersFailure::DuplicateEventRaised {
                order_id: order_id(),
                event_name: EventName::OrderCreatedEvent,
            },
            OrdersFailure::InvalidOperation {
                order_id: order_id(),
                event_name: EventName::OrderShippedEvent,
            },
            OrdersFailure::RedundantOrderStatusTransition {
                order_id: order_id(),
                current,
                event,
            },
            OrdersFailure::StaleOrderStatusTransition {
                order_id: order_id(),
                current,
                event,
            },
            OrdersFailure::ForbiddenOrderStatusTransition {
                order_id: order_id(),
                current,
                event,
            },
            OrdersFailure::OrderStatusRace {
                order_id: order_id(),
                attempts: 3,
            },
            OrdersFailure::OrderCreateRace {
                order_id: order_id(),
            },
        ]
    }

    #[test]
    fn kinds_and_transience_follow_the_original() {
        let classified: Vec<_> = every_kind()
            .iter()
            .map(|failure| {
                (
                    failure.kind(),
                    failure.is_transient(),
                    failure.is_invalid_arguments(),
                )
            })
            .collect();
        assert_eq!(
            classified,
            [
                (kernel::failure::INVALID_ARGUMENTS_ERROR, false, true),
                (kernel::failure::UNRECOGNIZED_ERROR, true, false),
                (
                    contracts::events::DUPLICATE_EVENT_RAISED_ERROR,
                    false,
                    false
                ),
                ("InvalidOperationError", false, false),
                ("RedundantOrderStatusTransitionError", false, false),
                ("StaleOrderStatusTransitionError", false, false),
                ("ForbiddenOrderStatusTransitionError", false, false),
                ("OrderStatusRaceError", true, false),
                ("OrderCreateRaceError", true, false),
            ]
        );
    }

    #[test]
    fn sources_are_kept() {
        let failure = OrdersFailure::unrecognized(
            "reading",
            TableError::Validation {
                message: "boom".into(),
            },
        );
        let source = failure.source().expect("a source");
        assert!(source.downcast_ref::<TableError>().is_some());
    }
}
