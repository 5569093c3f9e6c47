//! The request, query and response of ListOrdersApi.

use contracts::OrderId;
use kernel::table::ListQuery;
use kernel::validation::{JsNumber, PageBody, ValueError, js_id, present};
use serde::{Deserialize, Serialize};
use validator::Validate;

/// The body as sent: every field optional but never `null`; the
/// `orderId` filter is a trimmed id of 4–128 characters, `limit` an integer from 1 to 1000. Unknown
/// properties are ignored.
#[derive(Debug, Default, Deserialize, Validate, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListOrdersBody {
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

/// What to read: the one order with an id (`sortDirection` and `limit` do not apply), or one
/// page of all orders by creation time.
pub type ListOrdersQuery = ListQuery<OrderId>;

impl TryFrom<ListOrdersBody> for ListOrdersQuery {
    type Error = ValueError;
    fn try_from(body: ListOrdersBody) -> Result<Self, ValueError> {
        // Deviation (#8): `OrderId` trims, so the filter uses the trimmed id (the original
        // queried with the raw value).
        let order_id = body.order_id.as_deref().map(OrderId::parse).transpose()?;
        body.page.into_query(order_id)
    }
}

/// One order as listed: the stored attributes as they are, absent ones omitted, keys in the
/// original's order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListedOrder {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub order_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub order_status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub sku: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub units: Option<JsNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub price: Option<JsNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub user_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub updated_at: Option<String>,
}

/// The 200 body: `{"orders":[…]}`, plus `nextToken` when there may be more orders.
#[derive(Clone, Debug, Default, PartialEq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ListOrdersResponse {
    pub orders: Vec<ListedOrder>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub next_token: Option<String>,
}

#[cfg(test)]
mod tests {
    use kernel::http::{ApiRequest, BodyError, parse_valid_body};
    use kernel::validation::{Limit, SortDirection};

    use super::*;

    fn parse(body: &str) -> Result<ListOrdersQuery, BodyError> {
        parse_valid_body::<ListOrdersBody, _>(&ApiRequest {
            body: Some(body.to_owned()),
        })
    }

    #[test]
    fn every_field_is_optional_but_never_null() {
        assert_eq!(
            parse("{}").unwrap(),
            ListOrdersQuery::new(None, None, None, None).unwrap()
        );
        for body in [
            r#"{"orderId":null}"#,
            r#"{"sortDirection":null}"#,
            r#"{"limit":null}"#,
        ] {
            assert!(parse(body).is_err(), "{body}");
        }
    }

    #[test]
    fn an_order_id_selects_one_order_by_its_trimmed_id() {
        let query = parse(r#"{"orderId":"  ORDER-1 ","sortDirection":"desc","limit":5}"#).unwrap();
        assert_eq!(
            query,
            ListOrdersQuery::One(OrderId::parse("ORDER-1").unwrap())
        );
    }

    #[test]
    fn without_an_order_id_lists_ascending_50_by_default() {
        assert_eq!(
            parse(r#"{"unknown":1}"#).unwrap(),
            ListOrdersQuery::Page {
                direction: SortDirection::Asc,
                limit: Limit::DEFAULT,
                next_token: None,
            }
        );
        let ListOrdersQuery::Page {
            direction, limit, ..
        } = parse(r#"{"sortDirection":"desc","limit":1000}"#).unwrap()
        else {
            panic!("expected a listing");
        };
        assert_eq!((direction, limit.get()), (SortDirection::Desc, 1000));
    }

    #[test]
    fn invalid_values_are_rejected() {
        for body in [
            r#"{"orderId":"abc"}"#,
            r#"{"orderId":"   "}"#,
            r#"{"orderId":1234}"#,
            r#"{"sortDirection":"DESC"}"#,
            r#"{"sortDirection":"up"}"#,
            r#"{"limit":0}"#,
            r#"{"limit":1001}"#,
            r#"{"limit":2.5}"#,
            r#"{"limit":"5"}"#,
        ] {
            assert!(parse(body).is_err(), "{body}");
        }
    }

    #[test]
    fn listed_orders_omit_absent_attributes_and_print_numbers_like_javascript() {
        let order = ListedOrder {
            order_id: Some("ORDER-1".into()),
            units: Some(JsNumber(3.0)),
            price: Some(JsNumber(33.25)),
            ..ListedOrder::default()
        };
        assert_eq!(
            serde_json::to_string(&ListOrdersResponse {
                orders: vec![order],
                next_token: None,
            })
            .unwrap(),
            r#"{"orders":[{"orderId":"ORDER-1","units":3,"price":33.25}]}"#
        );
    }
}
