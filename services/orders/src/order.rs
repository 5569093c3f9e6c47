//! The order record: the consolidated order view SyncOrderWorker maintains and ListOrdersApi
//! reads (docs/contract.md §4.2, §4.3).

use contracts::{EventTime, OrderEventData, OrderId, Price, Sku, Units, UserId};
use kernel::table::{Item, Key};
use serde::Deserialize;

use crate::order_status::OrderStatus;

/// `_tn` and `gsi1pk` of every order item.
pub const ORDER_TYPE_NAME: &str = "ORDERS#ORDER";
/// `_sn` of every order item.
pub const ORDER_SERVICE_NAME: &str = "ORDERS";

/// The key of an order item.
pub fn order_key(order_id: &OrderId) -> Key {
    Key::new(
        format!("ORDERS#ORDER_ID#{order_id}"),
        format!("ORDER_ID#{order_id}"),
    )
}

/// `gsi1sk` of an order item: orders list by creation time.
pub fn order_gsi1sk(created_at: &str) -> String {
    format!("CREATED_AT#{created_at}")
}

/// A stored order, fully validated (every field present and valid, a known status).
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    pub order_id: OrderId,
    pub order_status: OrderStatus,
    pub sku: Sku,
    pub units: Units,
    pub price: Price,
    pub user_id: UserId,
    pub created_at: EventTime,
    pub updated_at: EventTime,
}

impl Order {
    /// Parses a stored order item; key and bookkeeping attributes are ignored.
    pub fn from_item(item: Item) -> Result<Order, serde_dynamo::Error> {
        serde_dynamo::from_item(item)
    }

    /// The data every order event carries, taken from this order.
    pub fn event_data(&self) -> OrderEventData {
        OrderEventData {
            order_id: self.order_id.clone(),
            sku: self.sku.clone(),
            units: self.units,
            price: self.price,
            user_id: self.user_id.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::table::{AttributeValue, item, n, s};

    use super::*;

    fn stored(price: &str, status: &str) -> Item {
        item([
            ("pk", s("ORDERS#ORDER_ID#ORDER-1")),
            ("sk", s("ORDER_ID#ORDER-1")),
            ("orderId", s("ORDER-1")),
            ("orderStatus", s(status)),
            ("sku", s("APPLES")),
            ("units", n(3)),
            ("price", AttributeValue::N(price.to_owned())),
            ("userId", s("MARIA")),
            ("createdAt", s("2025-01-01T00:00:00.000Z")),
            ("updatedAt", s("2025-01-01T00:00:00.000Z")),
            ("_tn", s(ORDER_TYPE_NAME)),
        ])
    }

    #[test]
    fn keys_follow_the_original_layout() {
        let key = order_key(&OrderId::parse("ORDER-1").unwrap());
        assert_eq!(key, Key::new("ORDERS#ORDER_ID#ORDER-1", "ORDER_ID#ORDER-1"));
        assert_eq!(order_gsi1sk("T"), "CREATED_AT#T");
    }

    #[test]
    fn parses_a_valid_stored_order() {
        let order = Order::from_item(stored("15.5", "ORDER_SHIPPED_STATUS")).unwrap();
        assert_eq!(order.order_status, OrderStatus::OrderShippedStatus);
        assert_eq!(order.price.get(), 15.5);
        assert_eq!(order.units.get(), 3);
        assert_eq!(order.event_data().order_id.as_str(), "ORDER-1");
    }

    #[test]
    fn rejects_invalid_stored_orders() {
        assert!(Order::from_item(stored("15", "ORDER_COMPLETED_STATUS")).is_err());
        assert!(Order::from_item(stored("-1", "ORDER_CREATED_STATUS")).is_err());
        let mut missing_sku = stored("15", "ORDER_CREATED_STATUS");
        missing_sku.remove("sku");
        assert!(Order::from_item(missing_sku).is_err());
        let mut numeric_user = stored("15", "ORDER_CREATED_STATUS");
        numeric_user.insert("userId".into(), n(1234));
        assert!(Order::from_item(numeric_user).is_err());
    }
}
