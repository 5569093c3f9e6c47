//! SimulateRawEventApi through its controller, against a scripted table.

use std::sync::Arc;

use kernel::clock::FixedClock;
use kernel::http::{ApiHandler, ApiRequest, ApiResponse};
use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
use kernel::table::{AttributeValue, Condition, Put, TableError, get_s, s};

const NOW: &str = "2025-06-19T00:27:33.368Z";

async fn call(table: &Arc<ScriptedTable>, body: Option<&str>) -> ApiResponse {
    let api = crate::simulate_raw_event_api::controller(
        table.clone(),
        Arc::new(FixedClock::at_millis(1_750_292_853_368)),
    );
    api.handle(ApiRequest {
        body: body.map(str::to_owned),
    })
    .await
}

#[tokio::test]
async fn responds_400_to_every_invalid_body_without_touching_the_table() {
    let invalid = [
        None,
        Some(""),
        Some("  "),
        Some("not json"),
        Some("null"),
        Some("[]"),
        Some(r#""text""#),
        Some("42"),
        Some(r#"{"sk":"s","eventName":"E"}"#),
        Some(r#"{"pk":"p","eventName":"E"}"#),
        Some(r#"{"pk":"p","sk":"s"}"#),
        Some(r#"{"pk":null,"sk":"s","eventName":"E"}"#),
        Some(r#"{"pk":1234,"sk":"s","eventName":"E"}"#),
        Some(r#"{"pk":"","sk":"s","eventName":"E"}"#),
        Some(r#"{"pk":"  ","sk":"s","eventName":"E"}"#),
        Some(r#"{"pk":"p","sk":null,"eventName":"E"}"#),
        Some(r#"{"pk":"p","sk":"\t","eventName":"E"}"#),
        Some(r#"{"pk":"p","sk":["s"],"eventName":"E"}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":null}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":" "}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":{}}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":"E","createdAt":null}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":"E","createdAt":123}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":"E","updatedAt":null}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":"E","updatedAt":false}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":"E","extra":1}"#),
        Some(r#"{"pk":"p","sk":"s","eventName":"E","eventdata":{}}"#),
    ];
    for body in invalid {
        let table = Arc::new(ScriptedTable::new());
        let response = call(&table, body).await;
        assert_eq!(response, ApiResponse::bad_request(), "{body:?}");
        assert!(table.calls().is_empty(), "{body:?}");
    }
}

#[tokio::test]
async fn responds_202_with_the_exact_echo_and_stores_the_untrimmed_keys() {
    let table = Arc::new(ScriptedTable::new());
    let body = r#"{"eventData":{"orderId":"ORD001","sku":"ORANGES","units":2,"price":22.99,"userId":"123456"},"pk":" EVENTS#ORDER_ID#ORD001","sk":"EVENT#ORDER_SHIPPED_EVENT","eventName":"ORDER_SHIPPED_EVENT","createdAt":" 2025-01-01T00:00:00.000Z ","updatedAt":""}"#;
    let response = call(&table, Some(body)).await;
    assert_eq!(response.status, 202);
    assert_eq!(
        response.body,
        r#"{"pk":" EVENTS#ORDER_ID#ORD001","sk":"EVENT#ORDER_SHIPPED_EVENT","eventName":"ORDER_SHIPPED_EVENT","eventData":{"orderId":"ORD001","sku":"ORANGES","units":2,"price":22.99,"userId":"123456"},"createdAt":" 2025-01-01T00:00:00.000Z ","updatedAt":""}"#
    );
    let calls = table.calls();
    let [TableCall::Put(put)] = calls.as_slice() else {
        panic!("expected one put, got {calls:?}");
    };
    assert_eq!(put.condition, Some(Condition::item_not_exists()));
    assert_eq!(get_s(&put.item, "pk"), Some(" EVENTS#ORDER_ID#ORD001"));
    assert_eq!(
        get_s(&put.item, "createdAt"),
        Some("2025-01-01T00:00:00.000Z")
    );
    assert_eq!(get_s(&put.item, "updatedAt"), Some(NOW));
    assert_eq!(
        get_s(&put.item, "gsi1sk"),
        Some("CREATED_AT#2025-01-01T00:00:00.000Z")
    );
    let Some(AttributeValue::M(event_data)) = put.item.get("eventData") else {
        panic!("eventData is not a map: {:?}", put.item.get("eventData"));
    };
    assert_eq!(
        event_data.get("price"),
        Some(&AttributeValue::N("22.99".into()))
    );
}

#[tokio::test]
async fn a_minimal_body_stores_no_event_data_and_defaults_the_timestamps() {
    let table = Arc::new(ScriptedTable::new());
    let response = call(&table, Some(r#"{"pk":"p","sk":"s","eventName":"E"}"#)).await;
    assert_eq!(response.status, 202);
    assert_eq!(response.body, r#"{"pk":"p","sk":"s","eventName":"E"}"#);
    assert_eq!(
        table.calls(),
        [TableCall::Put(Put {
            item: contracts::fixtures::stored_event("p", "s", "E", None, NOW),
            condition: Some(Condition::item_not_exists()),
            return_old_on_condition_failure: false,
        })]
    );
}

#[tokio::test]
async fn any_json_value_is_accepted_as_event_data() {
    for (event_data, stored) in [
        ("null", AttributeValue::Null(true)),
        (
            "[1,\"a\"]",
            AttributeValue::L(vec![AttributeValue::N("1".into()), s("a")]),
        ),
        ("\"text\"", s("text")),
        ("7.5", AttributeValue::N("7.5".into())),
        ("true", AttributeValue::Bool(true)),
    ] {
        let table = Arc::new(ScriptedTable::new());
        let body = format!(r#"{{"pk":"p","sk":"s","eventName":"E","eventData":{event_data}}}"#);
        let response = call(&table, Some(&body)).await;
        assert_eq!(response.status, 202, "{event_data}");
        assert_eq!(
            response.body,
            format!(r#"{{"pk":"p","sk":"s","eventName":"E","eventData":{event_data}}}"#)
        );
        let calls = table.calls();
        let [TableCall::Put(put)] = calls.as_slice() else {
            panic!("expected one put, got {calls:?}");
        };
        assert_eq!(put.item.get("eventData"), Some(&stored), "{event_data}");
    }
}

#[tokio::test]
async fn a_duplicate_is_accepted_and_echoes_the_new_request() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
        old_item: None,
    }));
    let response = call(
        &table,
        Some(r#"{"pk":"p","sk":"s","eventName":"E","eventData":{"v":2}}"#),
    )
    .await;
    assert_eq!(response.status, 202);
    assert_eq!(
        response.body,
        r#"{"pk":"p","sk":"s","eventName":"E","eventData":{"v":2}}"#
    );
}

#[tokio::test]
async fn an_item_the_table_refuses_answers_400() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::Validation {
        message: "Item size has exceeded the maximum allowed size".into(),
    }));
    let response = call(&table, Some(r#"{"pk":"p","sk":"s","eventName":"E"}"#)).await;
    assert_eq!(response, ApiResponse::bad_request());
}

#[tokio::test]
async fn other_table_errors_answer_500() {
    let unclassified = unclassified_errors()
        .into_iter()
        .filter(|error| !matches!(error, TableError::Validation { .. }));
    for error in unclassified {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(error));
        let response = call(&table, Some(r#"{"pk":"p","sk":"s","eventName":"E"}"#)).await;
        assert_eq!(response, ApiResponse::internal_server_error());
    }
}
