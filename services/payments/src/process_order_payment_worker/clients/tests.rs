//! Tests of `clients.rs`, kept beside it so the production module reads on its own.

use contracts::EventName;
use kernel::Failure;
use kernel::table::scripted::{Scripted, ScriptedTable, TableCall, unclassified_errors};
use kernel::table::{AttributeValue, Item, Key, Put, ReturnValues, item};

use super::*;
use crate::order_payment::PaymentRetries;

fn order_id() -> OrderId {
    OrderId::parse("ORD001").unwrap()
}

fn data() -> OrderEventData {
    contracts::fixtures::order_data("ORD001", 2, 15.0)
}

fn key() -> Key {
    Key::new("PAYMENTS#ORDER_ID#ORD001", "ORDER_ID#ORD001#ORDER_PAYMENT")
}

fn stored(status: &str, retries: u32) -> Item {
    item([
        ("pk", s("PAYMENTS#ORDER_ID#ORD001")),
        ("sk", s("ORDER_ID#ORD001#ORDER_PAYMENT")),
        ("orderId", s("ORD001")),
        ("sku", s("APPLES")),
        ("units", n(2)),
        ("price", n(15)),
        ("userId", s("MARIA")),
        ("paymentId", s("ERROR:ORDER_ID:ORD001")),
        ("paymentStatus", s(status)),
        ("paymentRetries", n(retries)),
        ("createdAt", s("2025-01-01T00:00:00.000Z")),
        ("updatedAt", s("2025-01-01T00:00:10.000Z")),
        ("_tn", s("PAYMENTS#ORDER_PAYMENT")),
        ("_sn", s("PAYMENTS")),
        ("gsi1pk", s("PAYMENTS#ORDER_PAYMENT")),
        ("gsi1sk", s("CREATED_AT#2025-01-01T00:00:00.000Z")),
    ])
}

#[tokio::test]
async fn reads_the_payment_with_a_consistent_get() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Item(Some(stored("PAYMENT_FAILED", 2))));
    let payment = TableReadOrderPaymentClient::new(table.clone())
        .read_order_payment(&order_id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(payment.payment_status, PaymentStatus::PaymentFailed);
    assert_eq!(payment.payment_retries.get(), 2);
    assert_eq!(payment.payment_id.as_str(), "ERROR:ORDER_ID:ORD001");
    assert_eq!(
        table.calls(),
        [TableCall::Get {
            key: key(),
            consistent: true
        }]
    );
}

#[tokio::test]
async fn a_missing_payment_reads_as_none() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Item(None));
    let read = TableReadOrderPaymentClient::new(table)
        .read_order_payment(&order_id())
        .await
        .unwrap();
    assert_eq!(read, None);
}

#[tokio::test]
async fn an_invalid_stored_payment_is_invalid_arguments() {
    let table = Arc::new(ScriptedTable::new());
    let mut broken = stored("PAYMENT_FAILED", 0);
    broken.insert("units".to_owned(), s("2"));
    table.then(Scripted::Item(Some(broken)));
    let failure = TableReadOrderPaymentClient::new(table)
        .read_order_payment(&order_id())
        .await
        .unwrap_err();
    assert!(matches!(
        failure,
        PaymentsFailure::InvalidStoredPayment { .. }
    ));
    assert!(failure.is_invalid_arguments());
    assert!(!failure.is_transient());
}

#[tokio::test]
async fn a_failed_read_is_a_transient_unrecognized_error() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::Unavailable {
        source: "down".into(),
    }));
    let failure = TableReadOrderPaymentClient::new(table)
        .read_order_payment(&order_id())
        .await
        .unwrap_err();
    assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
    assert!(failure.is_transient());
}

fn new_record() -> RecordOrderPaymentCommand {
    RecordOrderPaymentCommand {
        order: data(),
        payment_id: "ERROR:ORDER_ID:ORD001".into(),
        payment_status: PaymentStatus::PaymentFailed,
        payment_retries: PaymentRetries::ZERO,
        created_at: "2025-01-01T00:00:00.000Z".into(),
        updated_at: "2025-01-01T00:00:00.000Z".into(),
        precondition: RecordPrecondition::NoRecord,
    }
}

fn expected_actions(
    payment_id: &str,
    status: &str,
    retries: u32,
    created_at: &str,
    updated_at: &str,
) -> Vec<(String, UpdateAction)> {
    [
        ("orderId", UpdateAction::Set(s("ORD001"))),
        ("sku", UpdateAction::Set(s("APPLES"))),
        ("units", UpdateAction::Set(AttributeValue::N("2".into()))),
        ("price", UpdateAction::Set(AttributeValue::N("15".into()))),
        ("userId", UpdateAction::Set(s("MARIA"))),
        ("paymentId", UpdateAction::Set(s(payment_id))),
        ("paymentStatus", UpdateAction::Set(s(status))),
        ("paymentRetries", UpdateAction::Set(n(retries))),
        ("updatedAt", UpdateAction::Set(s(updated_at))),
        ("createdAt", UpdateAction::SetIfNotExists(s(created_at))),
        ("_tn", UpdateAction::Set(s("PAYMENTS#ORDER_PAYMENT"))),
        ("_sn", UpdateAction::Set(s("PAYMENTS"))),
        ("gsi1pk", UpdateAction::Set(s("PAYMENTS#ORDER_PAYMENT"))),
        (
            "gsi1sk",
            UpdateAction::Set(s(format!("CREATED_AT#{created_at}"))),
        ),
    ]
    .into_iter()
    .map(|(name, action)| (name.to_owned(), action))
    .collect()
}

#[tokio::test]
async fn records_a_new_payment_only_if_none_exists() {
    let table = Arc::new(ScriptedTable::new());
    TableRecordOrderPaymentClient::new(table.clone())
        .record_order_payment(&new_record())
        .await
        .unwrap();
    assert_eq!(
        table.calls(),
        [TableCall::Update(Update {
            key: key(),
            actions: expected_actions(
                "ERROR:ORDER_ID:ORD001",
                "PAYMENT_FAILED",
                0,
                "2025-01-01T00:00:00.000Z",
                "2025-01-01T00:00:00.000Z"
            ),
            condition: Some(Condition::item_not_exists()),
            return_values: ReturnValues::None,
            return_old_on_condition_failure: true,
        })]
    );
}

#[tokio::test]
async fn records_a_later_attempt_only_over_the_failed_attempt_it_read() {
    let table = Arc::new(ScriptedTable::new());
    let command = RecordOrderPaymentCommand {
        payment_id: "D359D1".into(),
        payment_status: PaymentStatus::PaymentAccepted,
        payment_retries: PaymentRetries::try_from(3.0).unwrap(),
        updated_at: "2025-01-01T00:00:30.000Z".into(),
        precondition: RecordPrecondition::FailedAttempt {
            payment_retries: PaymentRetries::try_from(2.0).unwrap(),
        },
        ..new_record()
    };
    TableRecordOrderPaymentClient::new(table.clone())
        .record_order_payment(&command)
        .await
        .unwrap();
    assert_eq!(
        table.calls(),
        [TableCall::Update(Update {
            key: key(),
            actions: expected_actions(
                "D359D1",
                "PAYMENT_ACCEPTED",
                3,
                "2025-01-01T00:00:00.000Z",
                "2025-01-01T00:00:30.000Z"
            ),
            condition: Some(Condition::And(vec![
                Condition::Equals("paymentStatus".into(), s("PAYMENT_FAILED")),
                Condition::Equals("paymentRetries".into(), AttributeValue::N("2".into())),
            ])),
            return_values: ReturnValues::None,
            return_old_on_condition_failure: true,
        })]
    );
}

async fn record_after_conditional_failure(old_item: Option<Item>) -> PaymentsFailure {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
        old_item,
    }));
    TableRecordOrderPaymentClient::new(table)
        .record_order_payment(&new_record())
        .await
        .unwrap_err()
}

#[tokio::test]
async fn a_conditional_failure_over_a_settled_payment_says_which_one() {
    let accepted = record_after_conditional_failure(Some(stored("PAYMENT_ACCEPTED", 1))).await;
    assert!(matches!(
        accepted,
        PaymentsFailure::PaymentAlreadyAccepted { .. }
    ));
    assert!(!accepted.is_transient());
    let rejected = record_after_conditional_failure(Some(stored("PAYMENT_REJECTED", 4))).await;
    assert!(matches!(
        rejected,
        PaymentsFailure::PaymentAlreadyRejected { .. }
    ));
    assert!(!rejected.is_transient());
}

#[tokio::test]
async fn a_conditional_failure_over_anything_else_is_a_transient_concurrent_record() {
    for (old_item, found) in [
        (
            Some(stored("PAYMENT_FAILED", 0)),
            Some(PaymentStatus::PaymentFailed),
        ),
        (Some(stored("SOMETHING_ELSE", 0)), None),
        (Some(item([("paymentStatus", n(1))])), None),
        (None, None),
    ] {
        let failure = record_after_conditional_failure(old_item).await;
        assert!(
            matches!(
                &failure,
                PaymentsFailure::ConcurrentPaymentRecord { found: actual, .. } if *actual == found
            ),
            "{failure:?}"
        );
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
        assert!(failure.is_transient());
    }
}

#[tokio::test]
async fn other_record_errors_are_transient_unrecognized_errors() {
    for error in unclassified_errors() {
        let table = Arc::new(ScriptedTable::new());
        table.then(Scripted::Fail(error));
        let failure = TableRecordOrderPaymentClient::new(table)
            .record_order_payment(&new_record())
            .await
            .unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);
        assert!(failure.is_transient());
    }
}

fn accepted_event() -> Event<OrderEventData> {
    Event::order(
        EventName::OrderPaymentAcceptedEvent,
        data(),
        "2025-01-01T00:00:00.000Z".into(),
    )
}

#[tokio::test]
async fn raises_the_event_with_a_conditional_put() {
    let table = Arc::new(ScriptedTable::new());
    TableRaiseOrderPaymentEventClient::new(table.clone())
        .raise_event(&accepted_event())
        .await
        .unwrap();
    let calls = table.calls();
    let [
        TableCall::Put(Put {
            item: raised,
            condition,
            ..
        }),
    ] = calls.as_slice()
    else {
        panic!("expected one put, got {calls:?}");
    };
    assert_eq!(*condition, Some(Condition::item_not_exists()));
    assert_eq!(*raised, accepted_event().to_item().unwrap());
    assert_eq!(get_s(raised, "pk"), Some("EVENTS#ORDER_ID#ORD001"));
    assert_eq!(
        get_s(raised, "sk"),
        Some("EVENT#ORDER_PAYMENT_ACCEPTED_EVENT")
    );
}

#[tokio::test]
async fn an_existing_event_is_a_duplicate_and_other_errors_are_unrecognized() {
    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
        old_item: None,
    }));
    let duplicate = TableRaiseOrderPaymentEventClient::new(table)
        .raise_event(&accepted_event())
        .await
        .unwrap_err();
    assert!(matches!(
        &duplicate,
        PaymentsFailure::DuplicateEventRaised { key } if *key == accepted_event().key
    ));
    assert!(!duplicate.is_transient());

    let table = Arc::new(ScriptedTable::new());
    table.then(Scripted::Fail(TableError::Throttled { source: None }));
    let throttled = TableRaiseOrderPaymentEventClient::new(table)
        .raise_event(&accepted_event())
        .await
        .unwrap_err();
    assert_eq!(throttled.kind(), kernel::failure::UNRECOGNIZED_ERROR);
    assert!(throttled.is_transient());
}
