//! Tests of `clients.rs`, kept beside it so the production module reads on its own.

use contracts::EventName;
use kernel::Failure;
use kernel::table::scripted::{Scripted, ScriptedTable, TableCall};
use kernel::table::{AttributeValue, Key, UpdateAction, item};

use super::*;
use crate::test_support::{NOW, assert_unrecognized_and_transient, expected_event_put, order_data};

const EARLIER: &str = "2025-06-18T00:00:00.000Z";

fn order_id() -> OrderId {
    OrderId::parse("ORDER-1").unwrap()
}

fn key() -> Key {
    Key::new("ORDERS#ORDER_ID#ORDER-1", "ORDER_ID#ORDER-1")
}

fn stored_item(status: &str) -> Item {
    item([
        ("pk", s("ORDERS#ORDER_ID#ORDER-1")),
        ("sk", s("ORDER_ID#ORDER-1")),
        ("orderId", s("ORDER-1")),
        ("orderStatus", s(status)),
        ("sku", s("APPLES")),
        ("units", n(3)),
        ("price", n(33.25)),
        ("userId", s("MARIA")),
        ("createdAt", s(EARLIER)),
        ("updatedAt", s(EARLIER)),
        ("_tn", s("ORDERS#ORDER")),
        ("_sn", s("ORDERS")),
        ("gsi1pk", s("ORDERS#ORDER")),
        ("gsi1sk", s(format!("CREATED_AT#{EARLIER}"))),
    ])
}

fn stored_order(status: OrderStatus) -> Order {
    Order::from_item(stored_item(status.as_str())).unwrap()
}

fn table() -> Arc<ScriptedTable> {
    Arc::new(ScriptedTable::new())
}

// --- ReadOrderClient ---------------------------------------------------------------------

#[tokio::test]
async fn reads_the_order_consistently() {
    let table = table();
    table.then(Scripted::Item(Some(stored_item("ORDER_SHIPPED_STATUS"))));
    let order = TableReadOrderClient::new(table.clone())
        .read_order(&order_id())
        .await
        .unwrap();
    assert_eq!(order, Some(stored_order(OrderStatus::OrderShippedStatus)));
    assert_eq!(
        table.calls(),
        [TableCall::Get {
            key: key(),
            consistent: true
        }]
    );
}

#[tokio::test]
async fn an_absent_order_reads_as_none() {
    let order = TableReadOrderClient::new(table())
        .read_order(&order_id())
        .await
        .unwrap();
    assert_eq!(order, None);
}

#[tokio::test]
async fn an_invalid_stored_order_is_invalid_arguments() {
    for invalid in [
        stored_item("ORDER_COMPLETED_STATUS"),
        item([
            ("pk", s("ORDERS#ORDER_ID#ORDER-1")),
            ("orderId", s("ORDER-1")),
        ]),
    ] {
        let table = table();
        table.then(Scripted::Item(Some(invalid)));
        let failure = TableReadOrderClient::new(table)
            .read_order(&order_id())
            .await
            .unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::INVALID_ARGUMENTS_ERROR);
        assert!(!failure.is_transient());
    }
}

#[tokio::test]
async fn read_errors_are_unrecognized_and_transient() {
    assert_unrecognized_and_transient(|table| async move {
        TableReadOrderClient::new(table)
            .read_order(&order_id())
            .await
    })
    .await;
}

// --- CreateOrderClient -------------------------------------------------------------------

#[tokio::test]
async fn creates_the_order_with_the_original_layout_unless_it_exists() {
    let table = table();
    let created = {
        let mut item = stored_item("ORDER_CREATED_STATUS");
        item.insert("createdAt".into(), s(NOW));
        item.insert("updatedAt".into(), s(NOW));
        item
    };
    table.then(Scripted::Item(Some(created.clone())));
    let order = TableCreateOrderClient::new(table.clone())
        .create_order(&order_data(), NOW)
        .await
        .unwrap();
    assert_eq!(order, Some(Order::from_item(created).unwrap()));

    let set = |value: AttributeValue| UpdateAction::Set(value);
    let expected = Update {
        key: key(),
        actions: vec![
            ("orderId".into(), set(s("ORDER-1"))),
            ("orderStatus".into(), set(s("ORDER_CREATED_STATUS"))),
            ("sku".into(), set(s("APPLES"))),
            ("units".into(), set(n(3))),
            ("price".into(), set(n(33.25))),
            ("userId".into(), set(s("MARIA"))),
            ("createdAt".into(), set(s(NOW))),
            ("updatedAt".into(), set(s(NOW))),
            ("_tn".into(), set(s("ORDERS#ORDER"))),
            ("_sn".into(), set(s("ORDERS"))),
            ("gsi1pk".into(), set(s("ORDERS#ORDER"))),
            ("gsi1sk".into(), set(s(format!("CREATED_AT#{NOW}")))),
        ],
        condition: Some(Condition::And(vec![
            Condition::AttributeNotExists("pk".into()),
            Condition::AttributeNotExists("sk".into()),
        ])),
        return_values: ReturnValues::AllNew,
        return_old_on_condition_failure: true,
    };
    assert_eq!(table.calls(), [TableCall::Update(expected)]);
}

#[tokio::test]
async fn an_existing_order_is_returned_from_the_old_item() {
    let table = table();
    table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
        old_item: Some(stored_item("ORDER_PAYMENT_ACCEPTED_STATUS")),
    }));
    let order = TableCreateOrderClient::new(table)
        .create_order(&order_data(), NOW)
        .await
        .unwrap();
    assert_eq!(
        order,
        Some(stored_order(OrderStatus::OrderPaymentAcceptedStatus))
    );
}

#[tokio::test]
async fn an_absent_or_invalid_returned_item_gives_no_order() {
    for answer in [
        Scripted::Fail(TableError::ConditionalCheckFailed { old_item: None }),
        Scripted::Fail(TableError::ConditionalCheckFailed {
            old_item: Some(stored_item("NOT_A_STATUS")),
        }),
        Scripted::Item(None),
        Scripted::Item(Some(item([("orderId", s("ORDER-1"))]))),
    ] {
        let table = table();
        table.then(answer);
        let order = TableCreateOrderClient::new(table)
            .create_order(&order_data(), NOW)
            .await
            .unwrap();
        assert_eq!(order, None);
    }
}

#[tokio::test]
async fn create_errors_are_unrecognized_and_transient() {
    assert_unrecognized_and_transient(|table| async move {
        TableCreateOrderClient::new(table)
            .create_order(&order_data(), NOW)
            .await
    })
    .await;
}

// --- UpdateOrderStatusClient -------------------------------------------------------------

fn change() -> StatusChange {
    StatusChange {
        order_id: order_id(),
        from: OrderStatus::OrderStockAllocatedStatus,
        to: OrderStatus::OrderPaymentAcceptedStatus,
        updated_at: NOW.into(),
    }
}

#[tokio::test]
async fn updates_the_status_only_if_the_order_still_has_the_status_read() {
    let table = table();
    let outcome = TableUpdateOrderStatusClient::new(table.clone())
        .update_order_status(&change())
        .await
        .unwrap();
    assert_eq!(outcome, StatusUpdate::Applied);
    let expected = Update {
        key: key(),
        actions: vec![
            (
                "orderStatus".into(),
                UpdateAction::Set(s("ORDER_PAYMENT_ACCEPTED_STATUS")),
            ),
            ("updatedAt".into(), UpdateAction::Set(s(NOW))),
        ],
        condition: Some(Condition::And(vec![
            Condition::And(vec![
                Condition::AttributeExists("pk".into()),
                Condition::AttributeExists("sk".into()),
            ]),
            Condition::Equals("orderStatus".into(), s("ORDER_STOCK_ALLOCATED_STATUS")),
        ])),
        return_values: ReturnValues::None,
        return_old_on_condition_failure: false,
    };
    assert_eq!(table.calls(), [TableCall::Update(expected)]);
}

#[tokio::test]
async fn a_conditional_check_failure_is_a_conflict() {
    let table = table();
    table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
        old_item: None,
    }));
    let outcome = TableUpdateOrderStatusClient::new(table)
        .update_order_status(&change())
        .await
        .unwrap();
    assert_eq!(outcome, StatusUpdate::Conflicted);
}

#[tokio::test]
async fn update_errors_are_unrecognized_and_transient() {
    assert_unrecognized_and_transient(|table| async move {
        TableUpdateOrderStatusClient::new(table)
            .update_order_status(&change())
            .await
    })
    .await;
}

// --- RaiseOrderCreatedEventClient --------------------------------------------------------

fn created_event() -> Event<OrderEventData> {
    Event::order(EventName::OrderCreatedEvent, order_data(), NOW.into())
}

#[tokio::test]
async fn puts_the_order_created_event_once() {
    let table = table();
    TableRaiseOrderCreatedEventClient::new(table.clone())
        .raise_order_created_event(&created_event())
        .await
        .unwrap();
    let expected = expected_event_put(EventName::OrderCreatedEvent);
    assert_eq!(table.calls(), [TableCall::Put(expected)]);
}

#[tokio::test]
async fn an_existing_order_created_event_is_a_duplicate() {
    let table = table();
    table.then(Scripted::Fail(TableError::ConditionalCheckFailed {
        old_item: None,
    }));
    let failure = TableRaiseOrderCreatedEventClient::new(table)
        .raise_order_created_event(&created_event())
        .await
        .unwrap_err();
    assert_eq!(
        failure.kind(),
        contracts::events::DUPLICATE_EVENT_RAISED_ERROR
    );
    assert!(!failure.is_transient());
}

#[tokio::test]
async fn raise_errors_are_unrecognized_and_transient() {
    assert_unrecognized_and_transient(|table| async move {
        TableRaiseOrderCreatedEventClient::new(table)
            .raise_order_created_event(&created_event())
            .await
    })
    .await;
}
