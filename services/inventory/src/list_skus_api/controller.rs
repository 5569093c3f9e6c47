use std::sync::Arc;

use async_trait::async_trait;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse, parse_valid_body};
use kernel::table::{PageTokens, Table};

use super::clients::TableListSkusClient;
use super::model::{ListSkusBody, ListSkusQuery};
use super::service::ListSkusApiService;
use crate::failure::InventoryFailure;

/// The ListSkusApi controller over the single table.
pub fn controller(table: Arc<dyn Table>, tokens: PageTokens) -> impl ApiHandler + 'static {
    ListSkusApiController {
        service: ListSkusApiService::new(Arc::new(TableListSkusClient::new(table, tokens))),
    }
}

struct ListSkusApiController {
    service: ListSkusApiService,
}

#[async_trait]
impl ApiHandler for ListSkusApiController {
    async fn handle(&self, request: ApiRequest) -> ApiResponse {
        let query = match parse_valid_body::<ListSkusBody, ListSkusQuery>(&request) {
            Ok(query) => query,
            Err(error) => {
                return ApiResponse::from_failure(&InventoryFailure::InvalidRequest(error));
            }
        };
        match self.service.list(query).await {
            Ok(response) => ApiResponse::ok(&response),
            Err(failure) => ApiResponse::from_failure(&failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{Query, QueryTarget, TableError, item, n, s};

    use super::*;
    use crate::test_support::single_call;

    async fn respond(table: &Arc<ScriptedTable>, body: Option<&str>) -> ApiResponse {
        controller(table.clone(), PageTokens::new(b"test"))
            .handle(ApiRequest {
                body: body.map(str::to_owned),
            })
            .await
    }

    fn the_query(table: &ScriptedTable) -> Query {
        let TableCall::Query(query) = single_call(table) else {
            panic!("expected one query");
        };
        query
    }

    #[tokio::test]
    async fn lists_skus_with_exactly_the_summary_attributes() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Items(vec![
            item([
                ("pk", s("INVENTORY#SKU#APPLES")),
                ("sk", s("SKU#APPLES")),
                ("updatedAt", s("2025-01-02T00:00:00.000Z")),
                ("units", n(40)),
                ("gsi1sk", s("CREATED_AT#2025-01-02T00:00:00.000Z")),
                ("sku", s("APPLES")),
                ("createdAt", s("2025-01-01T00:00:00.000Z")),
            ]),
            item([("sku", s("PEARS")), ("units", n("0"))]),
        ]));
        let response = respond(&table, Some("{}")).await;
        assert_eq!(response.status, 200);
        assert_eq!(
            response.body,
            concat!(
                r#"{"skus":[{"sku":"APPLES","units":40,"createdAt":"2025-01-01T00:00:00.000Z","#,
                r#""updatedAt":"2025-01-02T00:00:00.000Z"},{"sku":"PEARS","units":0}]}"#
            )
        );
        assert_eq!(
            the_query(&table),
            Query {
                target: QueryTarget::Gsi1 {
                    gsi1pk: "INVENTORY#SKU".into()
                },
                forward: true,
                limit: Some(50),
                consistent: false,
                exclusive_start_key: None,
            }
        );
    }

    #[tokio::test]
    async fn an_unknown_sku_lists_nothing() {
        let table = Arc::new(ScriptedTable::new());
        let response = respond(&table, Some(r#"{"sku":"  NOPE  ","limit":3,"x":null}"#)).await;
        assert_eq!(response.status, 200);
        assert_eq!(response.body, r#"{"skus":[]}"#);
        assert_eq!(
            the_query(&table).target,
            QueryTarget::Table {
                pk: "INVENTORY#SKU#NOPE".into(),
                sk: Some("SKU#NOPE".into()),
            }
        );
    }

    #[tokio::test]
    async fn descending_with_a_limit() {
        let table = Arc::new(ScriptedTable::new());
        let response = respond(&table, Some(r#"{"sortDirection":"desc","limit":1000.0}"#)).await;
        assert_eq!(response.status, 200);
        let query = the_query(&table);
        assert!(!query.forward);
        assert_eq!(query.limit, Some(1000));
    }

    #[tokio::test]
    async fn a_storage_failure_is_an_internal_server_error() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::Throttled { source: None }));
        let response = respond(&table, Some("{}")).await;
        assert_eq!(response.status, 500);
        assert_eq!(response.body, r#"{"message":"Internal Server Error"}"#);
    }

    #[tokio::test]
    async fn rejects_every_invalid_body_without_touching_the_table() {
        let bodies = [
            None,
            Some(""),
            Some(" \n "),
            Some("{"),
            Some("null"),
            Some("[]"),
            Some("\"APPLES\""),
            Some("5"),
            Some(r#"{"sku":null}"#),
            Some(r#"{"sku":1234}"#),
            Some(r#"{"sku":""}"#),
            Some(r#"{"sku":"    "}"#),
            Some(r#"{"sku":"abc"}"#),
            Some(r#"{"sku":" abc "}"#),
            Some(r#"{"sortDirection":null}"#),
            Some(r#"{"sortDirection":"DESC"}"#),
            Some(r#"{"sortDirection":"up"}"#),
            Some(r#"{"sortDirection":1}"#),
            Some(r#"{"limit":null}"#),
            Some(r#"{"limit":"5"}"#),
            Some(r#"{"limit":0}"#),
            Some(r#"{"limit":1001}"#),
            Some(r#"{"limit":2.5}"#),
            Some(r#"{"limit":-1}"#),
            Some(r#"{"sku":"APPLES","limit":0}"#),
        ];
        for body in bodies {
            let table = Arc::new(ScriptedTable::new());
            let response = respond(&table, body).await;
            assert_eq!(response.status, 400, "{body:?}");
            assert_eq!(response.body, r#"{"message":"Bad Request"}"#, "{body:?}");
            assert!(table.calls().is_empty(), "{body:?}");
        }
    }
}
