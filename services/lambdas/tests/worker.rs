//! The worker adapter, driven by SQS events as Lambda delivers them.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use kernel::sqs::WorkerHandler;
use kernel::table::TableError;
use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
use lambdas::worker::{handle_sqs, sqs_event};

const FIXTURE: &str = include_str!("fixtures/sqs-event.json");
const FIRST: &str = "059f36b4-87a3-44ab-83d2-661975830a7d";
const SECOND: &str = "2e1424d4-f796-459a-8184-9c92662be6da";
const RESTOCK: &str = "9a1f2c3d-1111-4e5f-8a9b-0c1d2e3f4a5b";

fn fixture() -> serde_json::Value {
    serde_json::from_str(FIXTURE).unwrap()
}

fn failed_ids(response: &SqsBatchResponse) -> Vec<&str> {
    response
        .batch_item_failures
        .iter()
        .map(|failure| failure.item_identifier.as_str())
        .collect()
}

/// Records the message ids it got and asks to retry the ones listed.
#[derive(Default)]
struct RecordingHandler {
    seen: Mutex<Vec<String>>,
    retry: Vec<String>,
}

#[async_trait]
impl WorkerHandler for RecordingHandler {
    async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        let mut response = SqsBatchResponse::default();
        for record in event.records {
            let id = record.message_id.unwrap_or_default();
            self.seen.lock().unwrap().push(id.clone());
            if self.retry.contains(&id) {
                response.add_failure(id);
            }
        }
        response
    }
}

#[tokio::test]
async fn hands_every_record_to_the_handler_and_returns_its_failures() {
    let handler = RecordingHandler {
        retry: vec![SECOND.to_owned()],
        ..RecordingHandler::default()
    };
    let response = handle_sqs(&handler, fixture()).await;
    assert_eq!(*handler.seen.lock().unwrap(), [FIRST, SECOND, RESTOCK]);
    assert_eq!(failed_ids(&response), [SECOND]);
    assert_eq!(
        serde_json::to_value(&response).unwrap(),
        serde_json::json!({ "batchItemFailures": [{ "itemIdentifier": SECOND }] })
    );
}

#[test]
fn a_missing_event_or_records_is_an_empty_batch() {
    for payload in [
        serde_json::Value::Null,
        serde_json::json!({}),
        serde_json::json!({ "Records": null }),
        serde_json::json!("x"),
    ] {
        assert!(sqs_event(payload.clone()).records.is_empty(), "{payload}");
    }
}

#[test]
fn a_record_that_is_not_an_sqs_message_is_dropped_alone() {
    let mut payload = fixture();
    payload["Records"]
        .as_array_mut()
        .unwrap()
        .insert(1, serde_json::json!({ "messageId": 42 }));
    let ids: Vec<_> = sqs_event(payload)
        .records
        .into_iter()
        .map(|record| record.message_id.unwrap())
        .collect();
    assert_eq!(ids, [FIRST, SECOND, RESTOCK]);
}

#[tokio::test]
async fn a_real_worker_consumes_malformed_records_and_retries_a_throttled_one() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::Throttled { source: None }));
    let clock = Arc::new(kernel::clock::FixedClock::at_millis(1_750_292_853_368));
    let worker = inventory::restock_sku_worker::controller(table.clone(), clock);
    let response = handle_sqs(&worker, fixture()).await;
    // The first record's image is not an event and the second body is not JSON: both consumed.
    assert_eq!(failed_ids(&response), [RESTOCK]);
    let calls = table.calls();
    assert!(
        matches!(calls.as_slice(), [TableCall::TransactWrite(items)] if items.len() == 2),
        "{calls:?}"
    );
}
