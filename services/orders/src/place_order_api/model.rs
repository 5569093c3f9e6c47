//! The request of PlaceOrderApi.

use contracts::{OrderEventData, OrderId, Price, Sku, Units, UserId};
use kernel::validation::{ValueError, js_count, js_id, storable};
use serde::{Deserialize, Serialize};
use validator::Validate;

/// The body of `placeOrder` as sent, checked field by field with `validator` (the original's
/// JavaScript rules: trimmed ids of 4–128 characters, `units` an integer ≥ 1, `price` a number
/// ≥ 0 that DynamoDB can store). Unknown properties are ignored; wrong JSON types fail to parse.
#[derive(Debug, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PlaceOrderBody {
    /// The order's idempotency key: placing it again is accepted, the first placement wins.
    #[validate(custom(function = "js_id"))]
    #[schema(min_length = 4, max_length = 128)]
    pub order_id: String,
    #[validate(custom(function = "js_id"))]
    #[schema(min_length = 4, max_length = 128)]
    pub sku: String,
    #[validate(custom(function = "js_count"))]
    #[schema(value_type = u64, minimum = 1, maximum = 9007199254740991_u64)]
    pub units: f64,
    /// 0, or from 1e-130 to below 1e126 (what DynamoDB stores).
    #[validate(range(min = 0.0), custom(function = "storable"))]
    #[schema(minimum = 0, exclusive_maximum = 1e126)]
    pub price: f64,
    #[validate(custom(function = "js_id"))]
    #[schema(min_length = 4, max_length = 128)]
    pub user_id: String,
}

impl TryFrom<PlaceOrderBody> for PlaceOrderRequest {
    type Error = ValueError;
    fn try_from(body: PlaceOrderBody) -> Result<Self, ValueError> {
        Ok(Self {
            order_id: OrderId::parse(&body.order_id)?,
            sku: Sku::parse(&body.sku)?,
            units: Units::try_from(body.units)?,
            price: Price::new(body.price)?,
            user_id: UserId::parse(&body.user_id)?,
        })
    }
}

/// The body of `placeOrder`, parsed: every field required, ids trimmed, `units` an integer ≥ 1,
/// `price` a finite number ≥ 0. Unknown properties are ignored.
///
/// Serializes as the 202 echo, keys in the original's order.
// Deviation (#8): the newtypes trim, so the event and the echo carry the trimmed values (the
// original validated trimmed values but persisted and echoed the raw ones).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
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
