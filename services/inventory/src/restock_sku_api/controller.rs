use std::sync::Arc;

use async_trait::async_trait;
use kernel::clock::Clock;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse, parse_valid_body};
use kernel::table::Table;

use super::clients::TableRaiseSkuRestockedEventClient;
use super::model::{RestockSkuBody, RestockSkuRequest};
use super::service::RestockSkuApiService;
use crate::failure::InventoryFailure;

/// The RestockSkuApi controller over the single table.
pub fn controller(table: Arc<dyn Table>, clock: Arc<dyn Clock>) -> impl ApiHandler + 'static {
    RestockSkuApiController {
        service: RestockSkuApiService::new(
            Arc::new(TableRaiseSkuRestockedEventClient::new(table)),
            clock,
        ),
    }
}

struct RestockSkuApiController {
    service: RestockSkuApiService,
}

#[async_trait]
impl ApiHandler for RestockSkuApiController {
    async fn handle(&self, request: ApiRequest) -> ApiResponse {
        let request = match parse_valid_body::<RestockSkuBody, RestockSkuRequest>(&request) {
            Ok(request) => request,
            Err(error) => {
                return ApiResponse::from_failure(&InventoryFailure::InvalidRequest(error));
            }
        };
        match self.service.restock(&request).await {
            // Deviation (#8): the echo is the trimmed request, i.e. what was recorded.
            Ok(()) => ApiResponse::accepted(&request),
            Err(failure) => ApiResponse::from_failure(&failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use contracts::{Event, LotId, Sku, SkuRestockedEventData, Units};
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{TableError, get_s};

    use super::*;
    use crate::test_support::{NOW, clock, single_call};

    async fn respond(table: &Arc<ScriptedTable>, body: Option<&str>) -> ApiResponse {
        controller(table.clone(), clock())
            .handle(ApiRequest {
                body: body.map(str::to_owned),
            })
            .await
    }

    #[tokio::test]
    async fn accepts_a_valid_request_and_echoes_it_trimmed() {
        let table = Arc::new(ScriptedTable::new());
        let response = respond(
            &table,
            Some(r#"{"lotId":"  LOT-0001 ","units":12.0,"sku":" APPLES\t","extra":true}"#),
        )
        .await;
        assert_eq!(response.status, 202);
        assert_eq!(
            response.body,
            r#"{"sku":"APPLES","units":12,"lotId":"LOT-0001"}"#
        );
        let TableCall::Put(put) = single_call(&table) else {
            panic!("expected one put");
        };
        let trimmed = SkuRestockedEventData {
            sku: Sku::parse("APPLES").unwrap(),
            units: Units::new(12).unwrap(),
            lot_id: LotId::parse("LOT-0001").unwrap(),
        };
        assert_eq!(
            put,
            Event::sku_restocked(trimmed, NOW.to_owned())
                .to_put()
                .unwrap()
        );
        assert_eq!(get_s(&put.item, "pk"), Some("EVENTS#SKU#APPLES"));
    }

    #[tokio::test]
    async fn accepts_a_duplicate_request() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
        let response = respond(&table, Some(r#"{"sku":"APPLES","units":1,"lotId":"LOT1"}"#)).await;
        assert_eq!(response.status, 202);
        assert_eq!(
            response.body,
            r#"{"sku":"APPLES","units":1,"lotId":"LOT1"}"#
        );
    }

    #[tokio::test]
    async fn a_storage_failure_is_an_internal_server_error() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::Throttled { source: None }));
        let response = respond(&table, Some(r#"{"sku":"APPLES","units":1,"lotId":"LOT1"}"#)).await;
        assert_eq!(response.status, 500);
        assert_eq!(response.body, r#"{"message":"Internal Server Error"}"#);
    }

    #[tokio::test]
    async fn rejects_every_invalid_body_without_touching_the_table() {
        let valid = serde_json::json!({ "sku": "APPLES", "units": 2, "lotId": "LOT1" });
        let mut bodies: Vec<Option<String>> = [
            None,
            Some(""),
            Some("   "),
            Some("{"),
            Some("null"),
            Some("[]"),
            Some("\"APPLES\""),
            Some("7"),
        ]
        .into_iter()
        .map(|body| body.map(str::to_owned))
        .collect();
        let invalid_strings = [
            serde_json::Value::Null,
            serde_json::json!(1234),
            serde_json::json!(""),
            serde_json::json!("    "),
            serde_json::json!("abc"),
            serde_json::json!("  abc  "),
        ];
        for field in ["sku", "lotId"] {
            let mut missing = valid.clone();
            missing.as_object_mut().unwrap().remove(field);
            bodies.push(Some(missing.to_string()));
            for value in &invalid_strings {
                let mut body = valid.clone();
                body[field] = value.clone();
                bodies.push(Some(body.to_string()));
            }
        }
        let mut missing_units = valid.clone();
        missing_units.as_object_mut().unwrap().remove("units");
        bodies.push(Some(missing_units.to_string()));
        for units in [
            serde_json::Value::Null,
            serde_json::json!("5"),
            serde_json::json!(0),
            serde_json::json!(-1),
            serde_json::json!(1.5),
            serde_json::json!(true),
        ] {
            let mut body = valid.clone();
            body["units"] = units;
            bodies.push(Some(body.to_string()));
        }
        bodies.push(Some(
            r#"{"sku":"APPLES","units":1e400,"lotId":"LOT1"}"#.to_owned(),
        ));

        for body in bodies {
            let table = Arc::new(ScriptedTable::new());
            let response = respond(&table, body.as_deref()).await;
            assert_eq!(response.status, 400, "{body:?}");
            assert_eq!(response.body, r#"{"message":"Bad Request"}"#, "{body:?}");
            assert!(table.calls().is_empty(), "{body:?}");
        }
    }
}
