//! The API adapter, driven by API Gateway HTTP API (payload 2.0) events exactly as Lambda
//! delivers them (`lambda_http::request::from_str` is the production conversion).

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse};
use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
use kernel::table::{item, n, s};
use lambda_http::http::header::CONTENT_TYPE;
use lambda_http::{Body, Request};
use lambdas::api::handle_api;

const FIXTURE: &str = include_str!("fixtures/apigw-v2-request.json");

/// The fixture with its body replaced (`None` removes it).
fn request(body: Option<&str>, base64: bool) -> Request {
    let mut event: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    match body {
        Some(body) => event["body"] = body.into(),
        None => {
            event.as_object_mut().unwrap().remove("body");
        }
    }
    event["isBase64Encoded"] = base64.into();
    lambda_http::request::from_str(&event.to_string()).unwrap()
}

/// Records the request it got and echoes its body with 202.
#[derive(Default)]
struct EchoHandler {
    seen: Mutex<Vec<ApiRequest>>,
}

#[async_trait]
impl ApiHandler for EchoHandler {
    async fn handle(&self, request: ApiRequest) -> ApiResponse {
        self.seen.lock().unwrap().push(request.clone());
        ApiResponse {
            status: 202,
            body: request.body.unwrap_or_default(),
        }
    }
}

fn text(body: &Body) -> &str {
    match body {
        Body::Text(text) => text,
        other => panic!("expected a text body, got {other:?}"),
    }
}

async fn body_seen(request: Request) -> Option<String> {
    let handler = EchoHandler::default();
    handle_api(&handler, request).await;
    let mut seen = handler.seen.into_inner().unwrap();
    assert_eq!(seen.len(), 1);
    seen.remove(0).body
}

#[tokio::test]
async fn passes_a_plain_body_through() {
    assert_eq!(
        body_seen(request(Some(r#"{"limit":2}"#), false))
            .await
            .as_deref(),
        Some(r#"{"limit":2}"#)
    );
}

#[tokio::test]
async fn decodes_a_base64_body() {
    // `{"limit":2}` as API Gateway sends it for a non-text content type.
    assert_eq!(
        body_seen(request(Some("eyJsaW1pdCI6Mn0="), true))
            .await
            .as_deref(),
        Some(r#"{"limit":2}"#)
    );
}

#[tokio::test]
async fn a_missing_body_is_none_and_a_non_utf8_body_counts_as_missing() {
    assert_eq!(body_seen(request(None, false)).await, None);
    // 0xff 0xfe is not UTF-8.
    assert_eq!(body_seen(request(Some("//4="), true)).await, None);
}

#[tokio::test]
async fn answers_the_status_and_body_as_json() {
    let response = handle_api(&EchoHandler::default(), request(Some("{}"), false)).await;
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(text(response.body()), "{}");
}

fn sku_item() -> kernel::table::Item {
    item([
        ("pk", s("INVENTORY#SKU#APPLES")),
        ("sk", s("SKU#APPLES")),
        ("sku", s("APPLES")),
        ("units", n(40)),
        ("createdAt", s("2025-01-01T00:00:00.000Z")),
        ("updatedAt", s("2025-01-02T00:00:00.000Z")),
    ])
}

#[tokio::test]
async fn a_real_controller_answers_200_with_its_json() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Items(vec![sku_item()]));
    let controller = inventory::list_skus_api::controller(
        table.clone(),
        kernel::table::PageTokens::new(b"test"),
    );
    let response = handle_api(&controller, request(Some(r#"{"limit":2}"#), false)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()[CONTENT_TYPE], "application/json");
    assert_eq!(
        text(response.body()),
        r#"{"skus":[{"sku":"APPLES","units":40,"createdAt":"2025-01-01T00:00:00.000Z","updatedAt":"2025-01-02T00:00:00.000Z"}]}"#
    );
    let calls = table.calls();
    assert!(
        matches!(calls.as_slice(), [TableCall::Query(query)] if query.limit == Some(2)),
        "{calls:?}"
    );
}

#[tokio::test]
async fn a_real_controller_accepts_a_base64_body() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Items(Vec::new()));
    let controller = inventory::list_skus_api::controller(
        table.clone(),
        kernel::table::PageTokens::new(b"test"),
    );
    let response = handle_api(&controller, request(Some("eyJsaW1pdCI6Mn0="), true)).await;
    assert_eq!(response.status(), 200);
    assert_eq!(text(response.body()), r#"{"skus":[]}"#);
}

#[tokio::test]
async fn a_real_controller_answers_400_without_a_body_and_touches_nothing() {
    let table = Arc::new(ScriptedTable::new());
    let controller = inventory::list_skus_api::controller(
        table.clone(),
        kernel::table::PageTokens::new(b"test"),
    );
    let response = handle_api(&controller, request(None, false)).await;
    assert_eq!(response.status(), 400);
    assert_eq!(text(response.body()), r#"{"message":"Bad Request"}"#);
    assert!(table.calls().is_empty());
}

/// Answers with the correlation it ran under.
struct CorrelationEcho;

#[async_trait]
impl ApiHandler for CorrelationEcho {
    async fn handle(&self, _request: ApiRequest) -> ApiResponse {
        let seen = kernel::correlation::current().map(|c| (c.correlation_id, c.causation_id));
        ApiResponse::ok(&seen)
    }
}

#[tokio::test]
async fn a_request_runs_under_its_correlation_id_caused_by_api_gateways_request_id() {
    let mut event: serde_json::Value = serde_json::from_str(FIXTURE).unwrap();
    event["headers"]["x-correlation-id"] = "client-run-1".into();
    let request = lambda_http::request::from_str(&event.to_string()).unwrap();
    let response = handle_api(&CorrelationEcho, request).await;
    assert_eq!(response.headers()["x-correlation-id"], "client-run-1");
    let request_id = event["requestContext"]["requestId"].as_str().unwrap();
    assert_eq!(
        text(response.body()),
        format!(r#"["client-run-1","{request_id}"]"#)
    );

    // Without the header, a new id, returned in the response.
    let response = handle_api(&CorrelationEcho, request_with_body("{}")).await;
    let returned = response.headers()["x-correlation-id"].to_str().unwrap();
    assert_eq!(returned.len(), 36, "{returned}");
}

fn request_with_body(body: &str) -> Request {
    request(Some(body), false)
}
