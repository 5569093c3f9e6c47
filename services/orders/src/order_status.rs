//! Order statuses (docs/contract.md §7.1) and the order state machine (§7.4).

use contracts::EventName;
use serde::{Deserialize, Serialize};

/// Where an order stands. Names mirror the order event names one to one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    #[serde(rename = "ORDER_CREATED_STATUS")]
    OrderCreatedStatus,
    #[serde(rename = "ORDER_STOCK_DEPLETED_STATUS")]
    OrderStockDepletedStatus,
    #[serde(rename = "ORDER_STOCK_ALLOCATED_STATUS")]
    OrderStockAllocatedStatus,
    #[serde(rename = "ORDER_PAYMENT_REJECTED_STATUS")]
    OrderPaymentRejectedStatus,
    #[serde(rename = "ORDER_PAYMENT_ACCEPTED_STATUS")]
    OrderPaymentAcceptedStatus,
    #[serde(rename = "ORDER_SHIPPED_STATUS")]
    OrderShippedStatus,
    #[serde(rename = "ORDER_DELIVERED_STATUS")]
    OrderDeliveredStatus,
    #[serde(rename = "ORDER_CANCELED_STATUS")]
    OrderCanceledStatus,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 8] = [
        OrderStatus::OrderCreatedStatus,
        OrderStatus::OrderStockDepletedStatus,
        OrderStatus::OrderStockAllocatedStatus,
        OrderStatus::OrderPaymentRejectedStatus,
        OrderStatus::OrderPaymentAcceptedStatus,
        OrderStatus::OrderShippedStatus,
        OrderStatus::OrderDeliveredStatus,
        OrderStatus::OrderCanceledStatus,
    ];

    /// The stored `orderStatus` value.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::OrderCreatedStatus => "ORDER_CREATED_STATUS",
            OrderStatus::OrderStockDepletedStatus => "ORDER_STOCK_DEPLETED_STATUS",
            OrderStatus::OrderStockAllocatedStatus => "ORDER_STOCK_ALLOCATED_STATUS",
            OrderStatus::OrderPaymentRejectedStatus => "ORDER_PAYMENT_REJECTED_STATUS",
            OrderStatus::OrderPaymentAcceptedStatus => "ORDER_PAYMENT_ACCEPTED_STATUS",
            OrderStatus::OrderShippedStatus => "ORDER_SHIPPED_STATUS",
            OrderStatus::OrderDeliveredStatus => "ORDER_DELIVERED_STATUS",
            OrderStatus::OrderCanceledStatus => "ORDER_CANCELED_STATUS",
        }
    }
}

impl OrderStatus {
    /// Whether the saga ends here: no worker moves an order on from these statuses (shipping,
    /// delivery and cancellation exist in the state machine, but nothing raises their events).
    pub fn is_settled(self) -> bool {
        match self {
            OrderStatus::OrderStockDepletedStatus
            | OrderStatus::OrderPaymentRejectedStatus
            | OrderStatus::OrderPaymentAcceptedStatus => true,
            OrderStatus::OrderCreatedStatus
            | OrderStatus::OrderStockAllocatedStatus
            | OrderStatus::OrderShippedStatus
            | OrderStatus::OrderDeliveredStatus
            | OrderStatus::OrderCanceledStatus => false,
        }
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The nine order events SyncOrderWorker receives (the columns of the transition table).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OrderEventName {
    OrderPlacedEvent,
    OrderCreatedEvent,
    OrderStockDepletedEvent,
    OrderStockAllocatedEvent,
    OrderPaymentRejectedEvent,
    OrderPaymentAcceptedEvent,
    OrderShippedEvent,
    OrderDeliveredEvent,
    OrderCanceledEvent,
}

impl OrderEventName {
    pub const ALL: [OrderEventName; 9] = [
        OrderEventName::OrderPlacedEvent,
        OrderEventName::OrderCreatedEvent,
        OrderEventName::OrderStockDepletedEvent,
        OrderEventName::OrderStockAllocatedEvent,
        OrderEventName::OrderPaymentRejectedEvent,
        OrderEventName::OrderPaymentAcceptedEvent,
        OrderEventName::OrderShippedEvent,
        OrderEventName::OrderDeliveredEvent,
        OrderEventName::OrderCanceledEvent,
    ];

    pub fn event_name(self) -> EventName {
        match self {
            OrderEventName::OrderPlacedEvent => EventName::OrderPlacedEvent,
            OrderEventName::OrderCreatedEvent => EventName::OrderCreatedEvent,
            OrderEventName::OrderStockDepletedEvent => EventName::OrderStockDepletedEvent,
            OrderEventName::OrderStockAllocatedEvent => EventName::OrderStockAllocatedEvent,
            OrderEventName::OrderPaymentRejectedEvent => EventName::OrderPaymentRejectedEvent,
            OrderEventName::OrderPaymentAcceptedEvent => EventName::OrderPaymentAcceptedEvent,
            OrderEventName::OrderShippedEvent => EventName::OrderShippedEvent,
            OrderEventName::OrderDeliveredEvent => EventName::OrderDeliveredEvent,
            OrderEventName::OrderCanceledEvent => EventName::OrderCanceledEvent,
        }
    }
}

impl std::fmt::Display for OrderEventName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.event_name().as_str())
    }
}

/// An event name that is not an order event (e.g. `SKU_RESTOCKED_EVENT`).
#[derive(Debug, thiserror::Error)]
#[error("{0} is not an order event")]
pub struct NotAnOrderEvent(pub EventName);

impl TryFrom<EventName> for OrderEventName {
    type Error = NotAnOrderEvent;

    fn try_from(name: EventName) -> Result<Self, Self::Error> {
        match name {
            EventName::OrderPlacedEvent => Ok(OrderEventName::OrderPlacedEvent),
            EventName::OrderCreatedEvent => Ok(OrderEventName::OrderCreatedEvent),
            EventName::OrderStockDepletedEvent => Ok(OrderEventName::OrderStockDepletedEvent),
            EventName::OrderStockAllocatedEvent => Ok(OrderEventName::OrderStockAllocatedEvent),
            EventName::OrderPaymentRejectedEvent => Ok(OrderEventName::OrderPaymentRejectedEvent),
            EventName::OrderPaymentAcceptedEvent => Ok(OrderEventName::OrderPaymentAcceptedEvent),
            EventName::OrderShippedEvent => Ok(OrderEventName::OrderShippedEvent),
            EventName::OrderDeliveredEvent => Ok(OrderEventName::OrderDeliveredEvent),
            EventName::OrderCanceledEvent => Ok(OrderEventName::OrderCanceledEvent),
            EventName::SkuRestockedEvent => Err(NotAnOrderEvent(name)),
        }
    }
}

/// What an incoming event does to an order in a given status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    /// Move the order to this status.
    To(OrderStatus),
    /// The event is the current status' own event.
    Redundant,
    /// The event is older than the current status.
    Stale,
    /// The event contradicts the current status.
    Forbidden,
}

/// The order state machine of docs/contract.md §7.4, one arm per cell (rows = current status).
///
/// Forward jumps are allowed (events arrive out of order), CANCELED is reachable from every
/// status and absorbing, and no outcome asks for a retry.
pub fn transition(current: OrderStatus, event: OrderEventName) -> Transition {
    use OrderEventName as E;
    use OrderStatus as S;
    use Transition::{Forbidden, Redundant, Stale, To};

    match current {
        S::OrderCreatedStatus => match event {
            E::OrderPlacedEvent => Stale,
            E::OrderCreatedEvent => Redundant,
            E::OrderStockDepletedEvent => To(S::OrderStockDepletedStatus),
            E::OrderStockAllocatedEvent => To(S::OrderStockAllocatedStatus),
            E::OrderPaymentRejectedEvent => To(S::OrderPaymentRejectedStatus),
            E::OrderPaymentAcceptedEvent => To(S::OrderPaymentAcceptedStatus),
            E::OrderShippedEvent => To(S::OrderShippedStatus),
            E::OrderDeliveredEvent => To(S::OrderDeliveredStatus),
            E::OrderCanceledEvent => To(S::OrderCanceledStatus),
        },
        S::OrderStockDepletedStatus => match event {
            E::OrderPlacedEvent => Stale,
            E::OrderCreatedEvent => Stale,
            E::OrderStockDepletedEvent => Redundant,
            E::OrderStockAllocatedEvent => Forbidden,
            E::OrderPaymentRejectedEvent => Forbidden,
            E::OrderPaymentAcceptedEvent => Forbidden,
            E::OrderShippedEvent => Forbidden,
            E::OrderDeliveredEvent => Forbidden,
            E::OrderCanceledEvent => To(S::OrderCanceledStatus),
        },
        S::OrderStockAllocatedStatus => match event {
            E::OrderPlacedEvent => Stale,
            E::OrderCreatedEvent => Stale,
            E::OrderStockDepletedEvent => Forbidden,
            E::OrderStockAllocatedEvent => Redundant,
            E::OrderPaymentRejectedEvent => To(S::OrderPaymentRejectedStatus),
            E::OrderPaymentAcceptedEvent => To(S::OrderPaymentAcceptedStatus),
            E::OrderShippedEvent => To(S::OrderShippedStatus),
            E::OrderDeliveredEvent => To(S::OrderDeliveredStatus),
            E::OrderCanceledEvent => To(S::OrderCanceledStatus),
        },
        S::OrderPaymentRejectedStatus => match event {
            E::OrderPlacedEvent => Stale,
            E::OrderCreatedEvent => Stale,
            E::OrderStockDepletedEvent => Forbidden,
            E::OrderStockAllocatedEvent => Stale,
            E::OrderPaymentRejectedEvent => Redundant,
            E::OrderPaymentAcceptedEvent => Forbidden,
            E::OrderShippedEvent => Forbidden,
            E::OrderDeliveredEvent => Forbidden,
            E::OrderCanceledEvent => To(S::OrderCanceledStatus),
        },
        S::OrderPaymentAcceptedStatus => match event {
            E::OrderPlacedEvent => Stale,
            E::OrderCreatedEvent => Stale,
            E::OrderStockDepletedEvent => Forbidden,
            E::OrderStockAllocatedEvent => Stale,
            E::OrderPaymentRejectedEvent => Forbidden,
            E::OrderPaymentAcceptedEvent => Redundant,
            E::OrderShippedEvent => To(S::OrderShippedStatus),
            E::OrderDeliveredEvent => To(S::OrderDeliveredStatus),
            E::OrderCanceledEvent => To(S::OrderCanceledStatus),
        },
        S::OrderShippedStatus => match event {
            E::OrderPlacedEvent => Stale,
            E::OrderCreatedEvent => Stale,
            E::OrderStockDepletedEvent => Forbidden,
            E::OrderStockAllocatedEvent => Stale,
            E::OrderPaymentRejectedEvent => Forbidden,
            E::OrderPaymentAcceptedEvent => Stale,
            E::OrderShippedEvent => Redundant,
            E::OrderDeliveredEvent => To(S::OrderDeliveredStatus),
            E::OrderCanceledEvent => To(S::OrderCanceledStatus),
        },
        S::OrderDeliveredStatus => match event {
            E::OrderPlacedEvent => Stale,
            E::OrderCreatedEvent => Stale,
            E::OrderStockDepletedEvent => Forbidden,
            E::OrderStockAllocatedEvent => Stale,
            E::OrderPaymentRejectedEvent => Forbidden,
            E::OrderPaymentAcceptedEvent => Stale,
            E::OrderShippedEvent => Stale,
            E::OrderDeliveredEvent => Redundant,
            E::OrderCanceledEvent => To(S::OrderCanceledStatus),
        },
        S::OrderCanceledStatus => match event {
            E::OrderPlacedEvent => Stale,
            E::OrderCreatedEvent => Stale,
            E::OrderStockDepletedEvent => Stale,
            E::OrderStockAllocatedEvent => Stale,
            E::OrderPaymentRejectedEvent => Stale,
            E::OrderPaymentAcceptedEvent => Stale,
            E::OrderShippedEvent => Stale,
            E::OrderDeliveredEvent => Stale,
            E::OrderCanceledEvent => Redundant,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// docs/contract.md §7.4, copied verbatim (`X` = `ORDER_X_STATUS` / `ORDER_X_EVENT`).
    const SPEC_TABLE: &str = "
| current ＼ event | PLACED | CREATED | STOCK_DEPLETED | STOCK_ALLOCATED | PAYMENT_REJECTED | PAYMENT_ACCEPTED | SHIPPED | DELIVERED | CANCELED |
|---|---|---|---|---|---|---|---|---|---|
| CREATED | S | R | STOCK_DEPLETED | STOCK_ALLOCATED | PAYMENT_REJECTED | PAYMENT_ACCEPTED | SHIPPED | DELIVERED | CANCELED |
| STOCK_DEPLETED | S | S | R | F | F | F | F | F | CANCELED |
| STOCK_ALLOCATED | S | S | F | R | PAYMENT_REJECTED | PAYMENT_ACCEPTED | SHIPPED | DELIVERED | CANCELED |
| PAYMENT_REJECTED | S | S | F | S | R | F | F | F | CANCELED |
| PAYMENT_ACCEPTED | S | S | F | S | F | R | SHIPPED | DELIVERED | CANCELED |
| SHIPPED | S | S | F | S | F | S | R | DELIVERED | CANCELED |
| DELIVERED | S | S | F | S | F | S | S | R | CANCELED |
| CANCELED | S | S | S | S | S | S | S | S | R |
";

    fn cells(line: &str) -> Vec<&str> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(str::trim)
            .collect()
    }

    fn status(short: &str) -> OrderStatus {
        let long = format!("ORDER_{short}_STATUS");
        OrderStatus::ALL
            .into_iter()
            .find(|status| status.as_str() == long)
            .unwrap_or_else(|| panic!("unknown status {short}"))
    }

    fn event(short: &str) -> OrderEventName {
        let long = format!("ORDER_{short}_EVENT");
        OrderEventName::ALL
            .into_iter()
            .find(|event| event.event_name().as_str() == long)
            .unwrap_or_else(|| panic!("unknown event {short}"))
    }

    fn expected(cell: &str) -> Transition {
        match cell {
            "R" => Transition::Redundant,
            "S" => Transition::Stale,
            "F" => Transition::Forbidden,
            status_name => Transition::To(status(status_name)),
        }
    }

    #[test]
    fn every_cell_matches_the_specified_table() {
        let mut lines = SPEC_TABLE.lines().filter(|line| !line.trim().is_empty());
        let header = cells(lines.next().unwrap());
        let events: Vec<_> = header[1..].iter().map(|name| event(name)).collect();
        assert_eq!(events, OrderEventName::ALL, "the columns cover every event");
        lines.next(); // the |---| separator

        let mut rows = Vec::new();
        let mut checked = 0;
        for line in lines {
            let row = cells(line);
            let current = status(row[0]);
            rows.push(current);
            assert_eq!(row.len(), 10, "row {current}");
            for (cell, &event) in row[1..].iter().zip(&events) {
                assert_eq!(
                    transition(current, event),
                    expected(cell),
                    "{current} + {event}"
                );
                checked += 1;
            }
        }
        assert_eq!(rows, OrderStatus::ALL, "the rows cover every status");
        assert_eq!(checked, 72);
    }

    #[test]
    fn canceled_is_reachable_from_every_other_status_and_absorbing() {
        for current in OrderStatus::ALL {
            let outcome = transition(current, OrderEventName::OrderCanceledEvent);
            if current == OrderStatus::OrderCanceledStatus {
                assert_eq!(outcome, Transition::Redundant);
                for event in OrderEventName::ALL {
                    assert!(!matches!(transition(current, event), Transition::To(_)));
                }
            } else {
                assert_eq!(outcome, Transition::To(OrderStatus::OrderCanceledStatus));
            }
        }
    }

    #[test]
    fn statuses_round_trip_through_their_stored_names() {
        for status in OrderStatus::ALL {
            let json = serde_json::to_string(&status).unwrap();
            assert_eq!(json, format!("\"{}\"", status.as_str()));
            assert_eq!(serde_json::from_str::<OrderStatus>(&json).unwrap(), status);
        }
        assert!(serde_json::from_str::<OrderStatus>("\"ORDER_COMPLETED_STATUS\"").is_err());
    }

    #[test]
    fn only_order_events_convert() {
        for event in OrderEventName::ALL {
            assert_eq!(OrderEventName::try_from(event.event_name()).unwrap(), event);
        }
        assert!(OrderEventName::try_from(EventName::SkuRestockedEvent).is_err());
    }
}
