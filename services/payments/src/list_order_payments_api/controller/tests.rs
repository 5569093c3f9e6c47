//! ListOrderPaymentsApi through its controller, against a scripted table.

use std::sync::Arc;

use kernel::http::{ApiHandler, ApiRequest, ApiResponse};
use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
use kernel::table::{AttributeValue, Item, Query, QueryTarget, TableError, item, n, s};

async fn call(table: &Arc<ScriptedTable>, body: Option<&str>) -> ApiResponse {
    crate::list_order_payments_api::controller(
        table.clone(),
        kernel::table::PageTokens::new(b"test"),
    )
    .handle(ApiRequest {
        body: body.map(str::to_owned),
    })
    .await
}

fn stored(order_id: &str, status: &str, retries: u32, payment_id: &str) -> Item {
    item([
        ("pk", s(format!("PAYMENTS#ORDER_ID#{order_id}"))),
        ("sk", s(format!("ORDER_ID#{order_id}#ORDER_PAYMENT"))),
        ("orderId", s(order_id)),
        ("sku", s("APPLES")),
        ("units", n(2)),
        ("price", AttributeValue::N("15".into())),
        ("userId", s("MARIA")),
        ("paymentId", s(payment_id)),
        ("paymentStatus", s(status)),
        ("paymentRetries", n(retries)),
        ("createdAt", s("2025-06-19T00:27:33.368Z")),
        ("updatedAt", s("2025-06-19T00:27:43.368Z")),
        ("_tn", s("PAYMENTS#ORDER_PAYMENT")),
        ("_sn", s("PAYMENTS")),
        ("gsi1pk", s("PAYMENTS#ORDER_PAYMENT")),
        ("gsi1sk", s("CREATED_AT#2025-06-19T00:27:33.368Z")),
    ])
}

#[tokio::test]
async fn responds_400_to_every_invalid_body_without_querying() {
    let invalid = [
        None,
        Some(""),
        Some(" "),
        Some("{"),
        Some("null"),
        Some("[]"),
        Some("7"),
        Some(r#"{"orderId":null}"#),
        Some(r#"{"orderId":1234}"#),
        Some(r#"{"orderId":""}"#),
        Some(r#"{"orderId":"abc"}"#),
        Some(r#"{"orderId":"  abc  "}"#),
        Some(r#"{"sortDirection":null}"#),
        Some(r#"{"sortDirection":"DESC"}"#),
        Some(r#"{"sortDirection":"up"}"#),
        Some(r#"{"sortDirection":1}"#),
        Some(r#"{"limit":null}"#),
        Some(r#"{"limit":0}"#),
        Some(r#"{"limit":1001}"#),
        Some(r#"{"limit":1.5}"#),
        Some(r#"{"limit":-1}"#),
        Some(r#"{"limit":"5"}"#),
    ];
    for body in invalid {
        let table = Arc::new(ScriptedTable::new());
        assert_eq!(
            call(&table, body).await,
            ApiResponse::bad_request(),
            "{body:?}"
        );
        assert!(table.calls().is_empty(), "{body:?}");
    }
}

#[tokio::test]
async fn lists_all_payments_by_creation_time_with_the_defaults() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Items(vec![
        stored("ORD001", "PAYMENT_ACCEPTED", 1, "D359D1"),
        stored("ORD002", "PAYMENT_FAILED", 0, "ERROR:ORDER_ID:ORD002"),
    ]));
    let response = call(&table, Some("{}")).await;
    assert_eq!(response.status, 200);
    assert_eq!(
        response.body,
        concat!(
            r#"{"orderPayments":["#,
            r#"{"orderId":"ORD001","sku":"APPLES","units":2,"price":15,"userId":"MARIA","createdAt":"2025-06-19T00:27:33.368Z","updatedAt":"2025-06-19T00:27:43.368Z","paymentId":"D359D1","paymentStatus":"PAYMENT_ACCEPTED","paymentRetries":1},"#,
            r#"{"orderId":"ORD002","sku":"APPLES","units":2,"price":15,"userId":"MARIA","createdAt":"2025-06-19T00:27:33.368Z","updatedAt":"2025-06-19T00:27:43.368Z","paymentId":"ERROR:ORDER_ID:ORD002","paymentStatus":"PAYMENT_FAILED","paymentRetries":0}"#,
            "]}"
        )
    );
    assert_eq!(
        table.calls(),
        [TableCall::Query(Query {
            target: QueryTarget::Gsi1 {
                gsi1pk: "PAYMENTS#ORDER_PAYMENT".into()
            },
            forward: true,
            limit: Some(50),
            consistent: false,
            exclusive_start_key: None,
        })]
    );
}

#[tokio::test]
async fn honours_direction_and_limit_and_ignores_unknown_fields() {
    let table = Arc::new(ScriptedTable::new());
    let response = call(
        &table,
        Some(r#"{"limit":1000.0,"sortDirection":"desc","unknown":true}"#),
    )
    .await;
    assert_eq!(response.status, 200);
    assert_eq!(response.body, r#"{"orderPayments":[]}"#);
    assert_eq!(
        table.calls(),
        [TableCall::Query(Query {
            target: QueryTarget::Gsi1 {
                gsi1pk: "PAYMENTS#ORDER_PAYMENT".into()
            },
            forward: false,
            limit: Some(1000),
            consistent: false,
            exclusive_start_key: None,
        })]
    );
}

#[tokio::test]
async fn an_order_id_is_trimmed_and_queries_that_order_only() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Items(vec![item([
        ("orderId", s("ORD001")),
        ("paymentStatus", s("PAYMENT_FAILED")),
        ("price", n(33.25)),
    ])]));
    let response = call(
        &table,
        Some(r#"{"orderId":"  ORD001 ","limit":3,"sortDirection":"desc"}"#),
    )
    .await;
    assert_eq!(response.status, 200);
    // Absent attributes are omitted.
    assert_eq!(
        response.body,
        r#"{"orderPayments":[{"orderId":"ORD001","price":33.25,"paymentStatus":"PAYMENT_FAILED"}]}"#
    );
    assert_eq!(
        table.calls(),
        [TableCall::Query(Query {
            target: QueryTarget::Table {
                pk: "PAYMENTS#ORDER_ID#ORD001".into(),
                sk: Some("ORDER_ID#ORD001#ORDER_PAYMENT".into()),
            },
            forward: true,
            limit: None,
            consistent: false,
            exclusive_start_key: None,
        })]
    );
}

#[tokio::test]
async fn a_failed_query_answers_500() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::Throttled { source: None }));
    assert_eq!(
        call(&table, Some("{}")).await,
        ApiResponse::internal_server_error()
    );
}
