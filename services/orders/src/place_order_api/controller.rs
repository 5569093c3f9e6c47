//! PlaceOrderApi's controller: body → request → service → 202 echo / 400 / 500.

use async_trait::async_trait;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse, parse_valid_body};

use std::sync::Arc;

use kernel::clock::Clock;
use kernel::table::Table;

use super::clients::TableRaiseOrderPlacedEventClient;
use super::model::{PlaceOrderBody, PlaceOrderRequest};
use super::service::PlaceOrderApiService;
use crate::failure::OrdersFailure;

/// The slice wired to a table and a clock.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl ApiHandler + 'static {
    PlaceOrderApiController {
        service: PlaceOrderApiService::new(
            Arc::new(TableRaiseOrderPlacedEventClient::new(table)),
            clock,
        ),
    }
}

struct PlaceOrderApiController {
    service: PlaceOrderApiService,
}

#[async_trait]
impl ApiHandler for PlaceOrderApiController {
    async fn handle(&self, request: ApiRequest) -> ApiResponse {
        let order = match parse_valid_body::<PlaceOrderBody, PlaceOrderRequest>(&request) {
            Ok(order) => order,
            Err(error) => {
                return ApiResponse::from_failure(&OrdersFailure::invalid_arguments(
                    "the placeOrder body is invalid",
                    error,
                ));
            }
        };
        match self.service.place_order(order).await {
            Ok(accepted) => ApiResponse::accepted(&accepted),
            Err(failure) => ApiResponse::from_failure(&failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use contracts::{EventName, OrderEventData};
    use kernel::clock::FixedClock;
    use kernel::http::{ApiHandler, ApiRequest};
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{TableError, get_s};
    use serde_json::{Value, json};

    use crate::place_order_api::controller;

    const VALID: &str =
        r#"{"orderId":"ORDER-1","sku":"APPLES","units":3,"price":15,"userId":"MARIA"}"#;

    async fn respond(table: &Arc<ScriptedTable>, body: Option<&str>) -> (u16, String) {
        let handler = controller(
            table.clone(),
            Arc::new(FixedClock::at_millis(1_750_292_853_368)),
        );
        let response = handler
            .handle(ApiRequest {
                body: body.map(str::to_owned),
            })
            .await;
        (response.status, response.body)
    }

    fn with(field: &str, value: Value) -> String {
        let mut body: Value = serde_json::from_str(VALID).unwrap();
        body[field] = value;
        body.to_string()
    }

    fn without(field: &str) -> String {
        let mut body: Value = serde_json::from_str(VALID).unwrap();
        body.as_object_mut().unwrap().remove(field);
        body.to_string()
    }

    #[tokio::test]
    async fn accepts_a_valid_order_and_echoes_it() {
        let table = Arc::new(ScriptedTable::new());
        assert_eq!(respond(&table, Some(VALID)).await, (202, VALID.to_owned()));
        assert_eq!(table.calls().len(), 1);
    }

    #[tokio::test]
    async fn persists_and_echoes_trimmed_values() {
        // Deviation (#8): the original persisted and echoed the raw, untrimmed values.
        let table = Arc::new(ScriptedTable::new());
        let body = r#"{"orderId":"  ORDER-1 ","sku":"\tAPPLES","units":3.0,"price":33.25,"userId":"MARIA\n","extra":true}"#;
        let (status, echo) = respond(&table, Some(body)).await;
        assert_eq!(status, 202);
        assert_eq!(
            echo,
            r#"{"orderId":"ORDER-1","sku":"APPLES","units":3,"price":33.25,"userId":"MARIA"}"#
        );
        let calls = table.calls();
        let [TableCall::Put(put)] = calls.as_slice() else {
            panic!("expected one put, got {calls:?}");
        };
        assert_eq!(get_s(&put.item, "pk"), Some("EVENTS#ORDER_ID#ORDER-1"));
        assert_eq!(get_s(&put.item, "sk"), Some("EVENT#ORDER_PLACED_EVENT"));
        let data: OrderEventData =
            serde_dynamo::from_attribute_value(put.item["eventData"].clone()).unwrap();
        assert_eq!(data.sku.as_str(), "APPLES");
        assert_eq!(data.user_id.as_str(), "MARIA");
        assert_eq!(
            get_s(&put.item, "eventName"),
            Some(EventName::OrderPlacedEvent.as_str())
        );
    }

    #[tokio::test]
    async fn a_duplicate_order_is_accepted() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        assert_eq!(respond(&table, Some(VALID)).await, (202, VALID.to_owned()));
    }

    #[tokio::test]
    async fn a_storage_failure_is_an_internal_server_error() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::Throttled { source: None }));
        assert_eq!(
            respond(&table, Some(VALID)).await,
            (500, r#"{"message":"Internal Server Error"}"#.to_owned())
        );
    }

    #[tokio::test]
    async fn every_invalid_body_is_a_bad_request_and_raises_nothing() {
        let mut bodies: Vec<(String, Option<String>)> = vec![
            ("no body".into(), None),
            ("empty body".into(), Some(String::new())),
            ("blank body".into(), Some("  ".into())),
            ("invalid JSON".into(), Some("{".into())),
            ("null body".into(), Some("null".into())),
            ("array body".into(), Some("[]".into())),
            ("string body".into(), Some("\"order\"".into())),
            ("number body".into(), Some("4".into())),
            ("empty object".into(), Some("{}".into())),
        ];
        for field in ["orderId", "sku", "userId"] {
            for (case, value) in [
                ("null", Value::Null),
                ("a number", json!(1234)),
                ("an object", json!({})),
                ("empty", json!("")),
                ("blank", json!("      ")),
                ("shorter than 4", json!("abc")),
                ("shorter than 4 once trimmed", json!("  abc  ")),
            ] {
                bodies.push((format!("{field} {case}"), Some(with(field, value))));
            }
        }
        for field in ["orderId", "sku", "units", "price", "userId"] {
            bodies.push((format!("{field} missing"), Some(without(field))));
        }
        for (case, value) in [
            ("null", Value::Null),
            ("a string", json!("3")),
            ("not an integer", json!(2.5)),
            ("zero", json!(0)),
            ("negative", json!(-1)),
            ("a boolean", json!(true)),
        ] {
            bodies.push((format!("units {case}"), Some(with("units", value))));
        }
        for (case, value) in [
            ("null", Value::Null),
            ("a string", json!("15")),
            ("negative", json!(-0.01)),
            ("an array", json!([15])),
        ] {
            bodies.push((format!("price {case}"), Some(with("price", value))));
        }
        bodies.push((
            "price too large for a double".into(),
            Some(VALID.replace("\"price\":15", "\"price\":1e400")),
        ));

        for (case, body) in bodies {
            let table = Arc::new(ScriptedTable::new());
            assert_eq!(
                respond(&table, body.as_deref()).await,
                (400, r#"{"message":"Bad Request"}"#.to_owned()),
                "{case}"
            );
            assert!(table.calls().is_empty(), "{case}");
        }
    }

    #[tokio::test]
    async fn accepts_boundary_values() {
        for (body, echo) in [
            (
                with("price", json!(0)),
                r#"{"orderId":"ORDER-1","sku":"APPLES","units":3,"price":0,"userId":"MARIA"}"#,
            ),
            (
                with("price", json!(100000)),
                r#"{"orderId":"ORDER-1","sku":"APPLES","units":3,"price":100000,"userId":"MARIA"}"#,
            ),
            (
                with("units", json!(1)),
                r#"{"orderId":"ORDER-1","sku":"APPLES","units":1,"price":15,"userId":"MARIA"}"#,
            ),
            (
                with("orderId", json!("ABCD")),
                r#"{"orderId":"ABCD","sku":"APPLES","units":3,"price":15,"userId":"MARIA"}"#,
            ),
        ] {
            let table = Arc::new(ScriptedTable::new());
            assert_eq!(
                respond(&table, Some(&body)).await,
                (202, echo.to_owned()),
                "{body}"
            );
        }
    }
}
