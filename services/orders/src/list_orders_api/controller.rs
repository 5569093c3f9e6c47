//! ListOrdersApi's controller: body → request → service → 200 `{"orders":[…]}` / 400 / 500.

use async_trait::async_trait;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse, parse_valid_body};

use std::sync::Arc;

use kernel::table::{PageTokens, Table};

use super::clients::TableListOrdersClient;
use super::model::{ListOrdersBody, ListOrdersQuery};
use super::service::ListOrdersApiService;
use crate::failure::OrdersFailure;

/// The slice wired to a table, its page tokens signed with the deployment's secret.
pub fn controller(table: Arc<dyn Table>, tokens: PageTokens) -> impl ApiHandler + 'static {
    ListOrdersApiController {
        service: ListOrdersApiService::new(Arc::new(TableListOrdersClient::new(table, tokens))),
    }
}

struct ListOrdersApiController {
    service: ListOrdersApiService,
}

#[async_trait]
impl ApiHandler for ListOrdersApiController {
    async fn handle(&self, request: ApiRequest) -> ApiResponse {
        let query = match parse_valid_body::<ListOrdersBody, ListOrdersQuery>(&request) {
            Ok(query) => query,
            Err(error) => {
                return ApiResponse::from_failure(&OrdersFailure::invalid_arguments(
                    "the listOrders body is invalid",
                    error,
                ));
            }
        };
        match self.service.list(query).await {
            Ok(orders) => ApiResponse::ok(&orders),
            Err(failure) => ApiResponse::from_failure(&failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use kernel::http::{ApiHandler, ApiRequest};
    use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
    use kernel::table::{PageTokens, Query, QueryTarget, TableError, item, n, s};

    use crate::list_orders_api::controller;

    async fn respond(table: &Arc<ScriptedTable>, body: Option<&str>) -> (u16, String) {
        let response = controller(table.clone(), PageTokens::new(b"test"))
            .handle(ApiRequest {
                body: body.map(str::to_owned),
            })
            .await;
        (response.status, response.body)
    }

    #[tokio::test]
    async fn lists_orders_with_keys_in_order_and_absent_attributes_omitted() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Items(vec![
            item([
                ("updatedAt", s("2025-01-02T00:00:00.000Z")),
                ("createdAt", s("2025-01-01T00:00:00.000Z")),
                ("userId", s("MARIA")),
                ("price", n(15)),
                ("units", n(3)),
                ("sku", s("APPLES")),
                ("orderStatus", s("ORDER_PAYMENT_ACCEPTED_STATUS")),
                ("orderId", s("ORDER-1")),
                ("pk", s("ORDERS#ORDER_ID#ORDER-1")),
            ]),
            item([("orderId", s("ORDER-2")), ("price", n(33.25))]),
        ]));
        let (status, body) = respond(&table, Some(r#"{"sortDirection":"desc"}"#)).await;
        assert_eq!(status, 200);
        assert_eq!(
            body,
            concat!(
                r#"{"orders":[{"orderId":"ORDER-1","orderStatus":"ORDER_PAYMENT_ACCEPTED_STATUS","#,
                r#""sku":"APPLES","units":3,"price":15,"userId":"MARIA","#,
                r#""createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-02T00:00:00.000Z"},"#,
                r#"{"orderId":"ORDER-2","price":33.25}]}"#
            )
        );
        assert_eq!(
            table.calls(),
            [TableCall::Query(Query {
                target: QueryTarget::Gsi1 {
                    gsi1pk: "ORDERS#ORDER".into()
                },
                forward: false,
                limit: Some(50),
                consistent: false,
                exclusive_start_key: None,
            })]
        );
    }

    #[tokio::test]
    async fn filters_by_the_trimmed_order_id() {
        // Deviation (#8): the original queried with the raw, untrimmed id.
        let table = Arc::new(ScriptedTable::new());
        assert_eq!(
            respond(&table, Some(r#"{"orderId":" ORDER-1  "}"#)).await,
            (200, r#"{"orders":[]}"#.to_owned())
        );
        assert_eq!(
            table.calls(),
            [TableCall::Query(Query {
                target: QueryTarget::Table {
                    pk: "ORDERS#ORDER_ID#ORDER-1".into(),
                    sk: Some("ORDER_ID#ORDER-1".into()),
                },
                forward: true,
                limit: None,
                consistent: false,
                exclusive_start_key: None,
            })]
        );
    }

    #[tokio::test]
    async fn every_invalid_body_is_a_bad_request_and_queries_nothing() {
        for body in [
            None,
            Some(""),
            Some("   "),
            Some("{"),
            Some("null"),
            Some("[]"),
            Some("\"orders\""),
            Some("7"),
            Some(r#"{"orderId":null}"#),
            Some(r#"{"orderId":1234}"#),
            Some(r#"{"orderId":""}"#),
            Some(r#"{"orderId":"   "}"#),
            Some(r#"{"orderId":" abc "}"#),
            Some(r#"{"sortDirection":null}"#),
            Some(r#"{"sortDirection":"DESC"}"#),
            Some(r#"{"sortDirection":1}"#),
            Some(r#"{"limit":null}"#),
            Some(r#"{"limit":0}"#),
            Some(r#"{"limit":1001}"#),
            Some(r#"{"limit":1.5}"#),
            Some(r#"{"limit":"10"}"#),
        ] {
            let table = Arc::new(ScriptedTable::new());
            assert_eq!(
                respond(&table, body).await,
                (400, r#"{"message":"Bad Request"}"#.to_owned()),
                "{body:?}"
            );
            assert!(table.calls().is_empty(), "{body:?}");
        }
    }

    #[tokio::test]
    async fn accepts_an_empty_object_and_ignores_unknown_properties() {
        for body in ["{}", r#"{"unknown":[1,2],"limit":1000.0}"#] {
            let table = Arc::new(ScriptedTable::new());
            assert_eq!(
                respond(&table, Some(body)).await,
                (200, r#"{"orders":[]}"#.to_owned())
            );
        }
    }

    #[tokio::test]
    async fn a_storage_failure_is_an_internal_server_error() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(TableError::Unavailable {
            source: "down".into(),
        }));
        assert_eq!(
            respond(&table, Some("{}")).await,
            (500, r#"{"message":"Internal Server Error"}"#.to_owned())
        );
    }
}
