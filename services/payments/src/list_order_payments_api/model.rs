//! ListOrderPaymentsApi's request, query and response shapes (docs/contract.md §8.2).

use contracts::OrderId;
use kernel::table::{AttributeValue, Item, ListQuery};
use kernel::validation::{PageBody, ValueError, js_id, present};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use validator::Validate;

/// The body as sent: every field optional but never `null`; the
/// `orderId` filter is a trimmed id of 4–128 characters, `limit` an integer from 1 to 1000. Unknown
/// properties are ignored.
#[derive(Debug, Default, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListOrderPaymentsBody {
    #[serde(default, deserialize_with = "present")]
    #[validate(custom(function = "js_id"))]
    /// Reads only this one item (trimmed): `sortDirection` and `limit` do not apply, and a
    /// `nextToken` with it is refused (400).
    #[schema(nullable = false, min_length = 4, max_length = 128)]
    pub order_id: Option<String>,
    #[serde(flatten)]
    #[validate(nested)]
    pub page: PageBody,
}

/// What to list: the payment of one order (direction and limit do not apply), or all payments
/// by creation time.
pub type ListOrderPaymentsQuery = ListQuery<OrderId>;

impl TryFrom<ListOrderPaymentsBody> for ListOrderPaymentsQuery {
    type Error = ValueError;
    fn try_from(body: ListOrderPaymentsBody) -> Result<Self, ValueError> {
        // Deviation (#8): the order id is trimmed, and the trimmed value is the one queried.
        let order_id = body.order_id.as_deref().map(OrderId::parse).transpose()?;
        body.page.into_query(order_id)
    }
}

/// One listed payment: the stored attributes, in the original's order, absent ones omitted.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedOrderPayment {
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub order_id: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub sku: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub units: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub price: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub user_id: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub created_at: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub updated_at: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub payment_id: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub payment_status: Option<Value>,
    /// The stored attribute as it is, whatever its type; absent when not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Value)]
    pub payment_retries: Option<Value>,
}

impl ListedOrderPayment {
    /// Projects a stored item the way the original's `JSON.stringify` of the document did:
    /// whatever is stored is shown, nothing is validated.
    pub fn from_item(item: &Item) -> Self {
        let field = |name: &str| item.get(name).map(js_value);
        Self {
            order_id: field("orderId"),
            sku: field("sku"),
            units: field("units"),
            price: field("price"),
            user_id: field("userId"),
            created_at: field("createdAt"),
            updated_at: field("updatedAt"),
            payment_id: field("paymentId"),
            payment_status: field("paymentStatus"),
            payment_retries: field("paymentRetries"),
        }
    }
}

/// The response body.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListOrderPaymentsResponse {
    pub order_payments: Vec<ListedOrderPayment>,
    /// Present when there may be more order payments.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_token: Option<String>,
}

/// An attribute as the document client hands it to `JSON.stringify`.
fn js_value(attribute: &AttributeValue) -> Value {
    match attribute {
        AttributeValue::S(text) => Value::String(text.clone()),
        AttributeValue::N(number) => js_number(number),
        AttributeValue::Bool(flag) => Value::Bool(*flag),
        AttributeValue::Null(_) => Value::Null,
        AttributeValue::M(map) => Value::Object(
            map.iter()
                .map(|(name, value)| (name.clone(), js_value(value)))
                .collect(),
        ),
        AttributeValue::L(list) => Value::Array(list.iter().map(js_value).collect()),
        AttributeValue::Ss(texts) => {
            Value::Array(texts.iter().cloned().map(Value::String).collect())
        }
        AttributeValue::Ns(numbers) => {
            Value::Array(numbers.iter().map(|number| js_number(number)).collect())
        }
        AttributeValue::B(bytes) => bytes_value(bytes),
        AttributeValue::Bs(list) => {
            Value::Array(list.iter().map(|bytes| bytes_value(bytes)).collect())
        }
    }
}

fn bytes_value(bytes: &[u8]) -> Value {
    Value::Array(bytes.iter().map(|byte| Value::from(*byte)).collect())
}

/// 2^63: integral doubles below it convert to `i64` exactly.
const I64_LIMIT: f64 = 9_223_372_036_854_775_808.0;

/// A DynamoDB number printed like a JavaScript number: integral values without a fraction.
fn js_number(number: &str) -> Value {
    match number.trim().parse::<f64>() {
        Ok(value) if value.fract() == 0.0 && value.abs() < I64_LIMIT => {
            // Integral and within i64, so the conversion is exact.
            #[allow(clippy::cast_possible_truncation)]
            Value::from(value as i64)
        }
        Ok(value) => serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number),
        Err(_) => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use kernel::http::{ApiRequest, BodyError, parse_valid_body};
    use kernel::table::{item, n, s};
    use kernel::validation::{Limit, SortDirection};

    use super::*;

    fn parse(body: &str) -> Result<ListOrderPaymentsQuery, BodyError> {
        parse_valid_body::<ListOrderPaymentsBody, _>(&ApiRequest {
            body: Some(body.to_owned()),
        })
    }

    #[test]
    fn an_order_id_selects_that_trimmed_order_and_ignores_direction_and_limit() {
        assert_eq!(
            parse(r#"{"orderId":"  ORD001 ","sortDirection":"desc","limit":5.0,"extra":1}"#)
                .unwrap(),
            ListOrderPaymentsQuery::One(OrderId::parse("ORD001").unwrap())
        );
    }

    #[test]
    fn without_an_order_id_lists_all_with_the_defaults() {
        assert_eq!(
            parse("{}").unwrap(),
            ListOrderPaymentsQuery::Page {
                direction: SortDirection::Asc,
                limit: Limit::DEFAULT,
                next_token: None,
            }
        );
    }

    #[test]
    fn listed_payments_keep_the_original_order_and_number_format() {
        let stored = item([
            ("pk", s("PAYMENTS#ORDER_ID#ORD001")),
            ("paymentRetries", n(0)),
            ("paymentStatus", s("PAYMENT_ACCEPTED")),
            ("paymentId", s("D359D1")),
            ("updatedAt", s("2025-01-01T00:00:00.000Z")),
            ("createdAt", s("2025-01-01T00:00:00.000Z")),
            ("userId", s("MARIA")),
            ("price", AttributeValue::N("15.0".into())),
            ("units", n(2)),
            ("sku", s("APPLES")),
            ("orderId", s("ORD001")),
        ]);
        assert_eq!(
            serde_json::to_string(&ListedOrderPayment::from_item(&stored)).unwrap(),
            r#"{"orderId":"ORD001","sku":"APPLES","units":2,"price":15,"userId":"MARIA","createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-01T00:00:00.000Z","paymentId":"D359D1","paymentStatus":"PAYMENT_ACCEPTED","paymentRetries":0}"#
        );
    }

    #[test]
    fn absent_attributes_are_omitted_and_other_types_shown_as_stored() {
        let stored = item([
            ("orderId", s("ORD001")),
            ("price", n(33.25)),
            ("units", s("2")),
        ]);
        assert_eq!(
            serde_json::to_string(&ListedOrderPayment::from_item(&stored)).unwrap(),
            r#"{"orderId":"ORD001","units":"2","price":33.25}"#
        );
        assert_eq!(
            js_number("9007199254740993").to_string(),
            "9007199254740992"
        );
        assert_eq!(js_number("-4"), Value::from(-4));
    }
}
