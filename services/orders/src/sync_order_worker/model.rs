//! What SyncOrderWorker receives and the commands it gives its clients.

use contracts::{EventName, OrderId};

use crate::order_status::OrderStatus;

/// The nine event names SyncOrderWorker accepts (its routing rule, see `services/routing.json`).
pub const SYNC_ORDER_EVENT_NAMES: [EventName; 9] = [
    EventName::OrderPlacedEvent,
    EventName::OrderCreatedEvent,
    EventName::OrderStockAllocatedEvent,
    EventName::OrderStockDepletedEvent,
    EventName::OrderPaymentAcceptedEvent,
    EventName::OrderPaymentRejectedEvent,
    EventName::OrderShippedEvent,
    EventName::OrderDeliveredEvent,
    EventName::OrderCanceledEvent,
];

/// Move an order from the status it was read with to a new one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub order_id: OrderId,
    /// The status read; the write only happens if the order still has it.
    pub from: OrderStatus,
    pub to: OrderStatus,
    pub updated_at: String,
}

/// How a guarded status update ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatusUpdate {
    Applied,
    /// The order no longer has the status read (or no longer exists): nothing was written.
    Conflicted,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_exactly_the_event_names_routed_to_the_worker() {
        let routing: serde_json::Value =
            serde_json::from_str(include_str!("../../../routing.json")).unwrap();
        let worker = routing["workers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|worker| worker["slice"] == "SyncOrderWorker")
            .unwrap();
        let routed: Vec<&str> = worker["eventNames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|name| name.as_str().unwrap())
            .collect();
        let accepted: Vec<&str> = SYNC_ORDER_EVENT_NAMES
            .iter()
            .map(|name| name.as_str())
            .collect();
        assert_eq!(accepted, routed);
    }
}
