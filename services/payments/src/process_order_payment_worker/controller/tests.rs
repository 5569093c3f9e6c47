//! ProcessOrderPaymentWorker through its controller: real SQS events wrapping the
//! EventBridge envelope of a DynamoDB stream record (docs/contract.md §2.5), a scripted table.

use std::sync::Arc;

use crate::gateway::{FakePaymentGateway, GatewayMode, uniform_draw};
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use kernel::clock::FixedClock;
use kernel::sqs::WorkerHandler;
use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
use kernel::table::{
    AttributeValue, Condition, Item, Key, Put, TableError, UpdateAction, get_s, item, n, s,
};

const NOW: &str = "2025-06-19T00:27:43.368Z";
const NOW_MILLIS: u64 = 1_750_292_863_368;

const ALLOCATED: &str = include_str!("../../../tests/fixtures/process_order_payment_worker.json");
const FORCED_REJECTION: &str =
    include_str!("../../../tests/fixtures/process_order_payment_worker_forced_rejection.json");
const MIXED_BATCH: &str =
    include_str!("../../../tests/fixtures/process_order_payment_worker_mixed_batch.json");

async fn run(table: &Arc<ScriptedTable>, mode: GatewayMode, fixture: &str) -> Vec<String> {
    let worker = crate::process_order_payment_worker::controller(
        table.clone(),
        Arc::new(FixedClock::at_millis(NOW_MILLIS)),
        Arc::new(FakePaymentGateway::new(mode)),
    );
    let event: SqsEvent = serde_json::from_str(fixture).expect("a valid SQS event fixture");
    let response: SqsBatchResponse = worker.handle(event).await;
    response
        .batch_item_failures
        .into_iter()
        .map(|failure| failure.item_identifier)
        .collect()
}

/// A seed under which the first attempt of `order_id` gets the given random outcome.
fn seed_where_first_attempt(order_id: &str, accepted: bool) -> u64 {
    (0..)
        .find(|seed| (uniform_draw(*seed, &format!("{order_id}#0")) < 0.3) == accepted)
        .expect("some seed")
}

fn payment_key(order_id: &str) -> Key {
    Key::new(
        format!("PAYMENTS#ORDER_ID#{order_id}"),
        format!("ORDER_ID#{order_id}#ORDER_PAYMENT"),
    )
}

fn order_data(order_id: &str, price: &str) -> AttributeValue {
    let data = item([
        ("orderId", s(order_id)),
        ("sku", s("APPLES")),
        ("units", n(2)),
        ("price", AttributeValue::N(price.into())),
        ("userId", s("MARIA")),
    ]);
    AttributeValue::M(data.into_inner())
}

fn action<'a>(actions: &'a [(String, UpdateAction)], name: &str) -> Option<&'a UpdateAction> {
    actions
        .iter()
        .find(|(attribute, _)| attribute == name)
        .map(|(_, action)| action)
}

fn stored_payment(status: &str, retries: u32) -> Item {
    item([
        ("pk", s("PAYMENTS#ORDER_ID#ORD001")),
        ("sk", s("ORDER_ID#ORD001#ORDER_PAYMENT")),
        ("orderId", s("ORD001")),
        ("sku", s("APPLES")),
        ("units", n(2)),
        ("price", n(33.25)),
        ("userId", s("MARIA")),
        ("paymentId", s("D359D1")),
        ("paymentStatus", s(status)),
        ("paymentRetries", n(retries)),
        ("createdAt", s("2025-06-19T00:27:00.000Z")),
        ("updatedAt", s("2025-06-19T00:27:10.000Z")),
    ])
}

fn assert_raised(call: &TableCall, order_id: &str, event_name: &str, price: &str) {
    let TableCall::Put(Put {
        item: raised,
        condition,
        ..
    }) = call
    else {
        panic!("expected the event put, got {call:?}");
    };
    assert_eq!(*condition, Some(Condition::item_not_exists()));
    assert_eq!(
        get_s(raised, "pk"),
        Some(format!("EVENTS#ORDER_ID#{order_id}").as_str())
    );
    assert_eq!(
        get_s(raised, "sk"),
        Some(format!("EVENT#{event_name}").as_str())
    );
    assert_eq!(get_s(raised, "eventName"), Some(event_name));
    assert_eq!(raised.get("eventData"), Some(&order_data(order_id, price)));
    assert_eq!(get_s(raised, "createdAt"), Some(NOW));
    assert_eq!(get_s(raised, "updatedAt"), Some(NOW));
    assert_eq!(get_s(raised, "_tn"), Some("EVENTS#EVENT"));
}

#[tokio::test]
async fn an_accepted_payment_is_recorded_and_announced() {
    let table = Arc::new(ScriptedTable::new());
    let failures = run(&table, GatewayMode::AlwaysAccept, ALLOCATED).await;
    assert!(failures.is_empty(), "{failures:?}");

    let calls = table.calls();
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert_eq!(
        calls[0],
        TableCall::Get {
            key: payment_key("ORD001"),
            consistent: true
        }
    );
    let TableCall::Update(update) = &calls[1] else {
        panic!("expected the record update, got {:?}", calls[1]);
    };
    assert_eq!(update.key, payment_key("ORD001"));
    assert_eq!(update.condition, Some(Condition::item_not_exists()));
    assert_eq!(
        action(&update.actions, "paymentStatus"),
        Some(&UpdateAction::Set(s("PAYMENT_ACCEPTED")))
    );
    assert_eq!(
        action(&update.actions, "paymentId"),
        Some(&UpdateAction::Set(s("D359D1")))
    );
    assert_eq!(
        action(&update.actions, "paymentRetries"),
        Some(&UpdateAction::Set(n(0)))
    );
    assert_eq!(
        action(&update.actions, "price"),
        Some(&UpdateAction::Set(AttributeValue::N("33.25".into())))
    );
    assert_eq!(
        action(&update.actions, "createdAt"),
        Some(&UpdateAction::SetIfNotExists(s(NOW)))
    );
    assert_raised(&calls[2], "ORD001", "ORDER_PAYMENT_ACCEPTED_EVENT", "33.25");
}

#[tokio::test]
async fn a_forced_rejection_is_recorded_and_announced_in_random_mode() {
    let table = Arc::new(ScriptedTable::new());
    let failures = run(&table, GatewayMode::Random { seed: 7 }, FORCED_REJECTION).await;
    assert!(failures.is_empty(), "{failures:?}");

    let calls = table.calls();
    assert_eq!(calls.len(), 3, "{calls:#?}");
    let TableCall::Update(update) = &calls[1] else {
        panic!("expected the record update, got {:?}", calls[1]);
    };
    assert_eq!(
        action(&update.actions, "paymentStatus"),
        Some(&UpdateAction::Set(s("PAYMENT_REJECTED")))
    );
    assert_raised(
        &calls[2],
        "ORD011",
        "ORDER_PAYMENT_REJECTED_EVENT",
        "120000.99",
    );
}

#[tokio::test]
async fn a_shaky_gateway_records_the_failure_and_reports_the_message_for_retry() {
    let table = Arc::new(ScriptedTable::new());
    let seed = seed_where_first_attempt("ORD001", false);
    let failures = run(&table, GatewayMode::Random { seed }, ALLOCATED).await;
    assert_eq!(failures, ["0d8f6a3c-1b2e-4f5a-9c7d-000000000001"]);

    let calls = table.calls();
    assert_eq!(calls.len(), 2, "no event is raised: {calls:#?}");
    let TableCall::Update(update) = &calls[1] else {
        panic!("expected the record update, got {:?}", calls[1]);
    };
    assert_eq!(
        action(&update.actions, "paymentStatus"),
        Some(&UpdateAction::Set(s("PAYMENT_FAILED")))
    );
    assert_eq!(
        action(&update.actions, "paymentId"),
        Some(&UpdateAction::Set(s("ERROR:ORDER_ID:ORD001")))
    );
}

#[tokio::test]
async fn a_random_acceptance_on_the_first_attempt_is_announced() {
    let table = Arc::new(ScriptedTable::new());
    let seed = seed_where_first_attempt("ORD001", true);
    let failures = run(&table, GatewayMode::Random { seed }, ALLOCATED).await;
    assert!(failures.is_empty(), "{failures:?}");
    assert_raised(
        &table.calls()[2],
        "ORD001",
        "ORDER_PAYMENT_ACCEPTED_EVENT",
        "33.25",
    );
}

#[tokio::test]
async fn a_throttled_read_reports_the_message_for_retry() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::Throttled { source: None }));
    let failures = run(&table, GatewayMode::AlwaysAccept, ALLOCATED).await;
    assert_eq!(failures, ["0d8f6a3c-1b2e-4f5a-9c7d-000000000001"]);
    assert_eq!(table.calls().len(), 1);
}

#[tokio::test]
async fn an_already_raised_event_consumes_the_message() {
    let table = Arc::new(ScriptedTable::new());
    table
        .then(Scripted::Item(Some(stored_payment("PAYMENT_ACCEPTED", 0))))
        .then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: None,
        }));
    let failures = run(&table, GatewayMode::AlwaysAccept, ALLOCATED).await;
    assert!(failures.is_empty(), "{failures:?}");
    let calls = table.calls();
    assert_eq!(calls.len(), 2, "no record is written: {calls:#?}");
    assert_raised(&calls[1], "ORD001", "ORDER_PAYMENT_ACCEPTED_EVENT", "33.25");
}

#[tokio::test]
async fn an_exhausted_payment_is_rejected_without_calling_the_gateway() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Item(Some(stored_payment("PAYMENT_FAILED", 3))));
    // AlwaysAccept would accept if it were asked.
    let failures = run(&table, GatewayMode::AlwaysAccept, ALLOCATED).await;
    assert!(failures.is_empty(), "{failures:?}");
    let calls = table.calls();
    let TableCall::Update(update) = &calls[1] else {
        panic!("expected the record update, got {:?}", calls[1]);
    };
    assert_eq!(
        action(&update.actions, "paymentStatus"),
        Some(&UpdateAction::Set(s("PAYMENT_REJECTED")))
    );
    assert_eq!(
        action(&update.actions, "paymentRetries"),
        Some(&UpdateAction::Set(n(4)))
    );
    assert_eq!(
        update.condition,
        Some(Condition::And(vec![
            Condition::equals("paymentStatus", s("PAYMENT_FAILED")),
            Condition::equals("paymentRetries", n(3)),
        ]))
    );
    assert_raised(&calls[2], "ORD001", "ORDER_PAYMENT_REJECTED_EVENT", "33.25");
}

#[tokio::test]
async fn a_payment_settled_concurrently_is_announced_from_the_typed_old_item() {
    for (status, event_name) in [
        ("PAYMENT_ACCEPTED", "ORDER_PAYMENT_ACCEPTED_EVENT"),
        ("PAYMENT_REJECTED", "ORDER_PAYMENT_REJECTED_EVENT"),
    ] {
        let table = Arc::new(ScriptedTable::new());
        table
            .then(Scripted::Item(None))
            .then(Scripted::Fail(TableError::ConditionalCheckFailed {
                old_item: Some(stored_payment(status, 0)),
            }));
        let failures = run(&table, GatewayMode::AlwaysAccept, ALLOCATED).await;
        assert!(failures.is_empty(), "{status}: {failures:?}");
        let calls = table.calls();
        assert_eq!(calls.len(), 3, "{calls:#?}");
        assert_raised(&calls[2], "ORD001", event_name, "33.25");
    }
}

#[tokio::test]
async fn a_failed_attempt_recorded_concurrently_reports_the_message_for_retry() {
    let table = Arc::new(ScriptedTable::new());
    table
        .then(Scripted::Item(None))
        .then(Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: Some(stored_payment("PAYMENT_FAILED", 0)),
        }));
    let failures = run(&table, GatewayMode::AlwaysAccept, ALLOCATED).await;
    assert_eq!(failures, ["0d8f6a3c-1b2e-4f5a-9c7d-000000000001"]);
    assert_eq!(table.calls().len(), 2);
}

#[tokio::test]
async fn a_mixed_batch_processes_the_valid_record_and_consumes_the_malformed_ones() {
    let table = Arc::new(ScriptedTable::new());
    let failures = run(&table, GatewayMode::AlwaysAccept, MIXED_BATCH).await;
    assert!(failures.is_empty(), "{failures:?}");

    // Only the valid record reaches the table, with its orderId trimmed.
    let calls = table.calls();
    assert_eq!(calls.len(), 3, "{calls:#?}");
    assert_eq!(
        calls[0],
        TableCall::Get {
            key: payment_key("ORD002"),
            consistent: true
        }
    );
    let TableCall::Update(update) = &calls[1] else {
        panic!("expected the record update, got {:?}", calls[1]);
    };
    assert_eq!(
        action(&update.actions, "orderId"),
        Some(&UpdateAction::Set(s("ORD002")))
    );
    // The extra eventData property of the incoming event is not carried over.
    assert_raised(&calls[2], "ORD002", "ORDER_PAYMENT_ACCEPTED_EVENT", "15");
}

#[tokio::test]
async fn in_a_mixed_batch_only_the_transient_failure_is_reported() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::Unavailable {
        source: "connection reset".into(),
    }));
    let failures = run(&table, GatewayMode::AlwaysAccept, MIXED_BATCH).await;
    assert_eq!(failures, ["msg-valid"]);
}
