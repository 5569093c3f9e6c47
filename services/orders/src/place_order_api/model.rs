//! The request of PlaceOrderApi.

use contracts::{OrderEventData, OrderId, Price, Sku, Units, UserId};
use serde::{Deserialize, Serialize};

/// The body of `placeOrder`, parsed: every field required, ids trimmed, `units` an integer ≥ 1,
/// `price` a finite number ≥ 0. Unknown properties are ignored.
///
/// Serializes as the 202 echo, keys in the original's order.
// Deviation (#8): the newtypes trim, so the event and the echo carry the trimmed values (the
// original validated trimmed values but persisted and echoed the raw ones).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlaceOrderRequest {
    pub order_id: OrderId,
    pub sku: Sku,
    pub units: Units,
    pub price: Price,
    pub user_id: UserId,
}

impl From<PlaceOrderRequest> for OrderEventData {
    fn from(request: PlaceOrderRequest) -> Self {
        OrderEventData {
            order_id: request.order_id,
            sku: request.sku,
            units: request.units,
            price: request.price,
            user_id: request.user_id,
        }
    }
}
