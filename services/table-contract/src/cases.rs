//! The contract cases, one per request shape the domain clients use, each with DynamoDB's
//! real semantics.

use std::collections::HashMap;

use kernel::table::{
    AttributeValue, CancellationReason, Condition, IndexKey, Key, Put, Query, QueryTarget,
    ReturnValues, StartKey, Table, TransactItem, Update, UpdateAction, get_s, n, s,
};

use crate::support::{
    at, canceled, condition_failed, get_eventually, invalid, key, keys_of, number, pages,
    query_gsi, query_table, same_number, settled_gsi, stored,
};

// ---------------------------------------------------------------- put and get

/// Every attribute type the domains write comes back exactly as written.
pub async fn put_and_get_round_trip_every_attribute_type(table: &dyn Table, ns: &str) {
    let key = key(ns, "all-types");
    let nested = AttributeValue::M(HashMap::from([
        ("orderId".to_owned(), s("order-1")),
        ("units".to_owned(), n(3)),
        ("price".to_owned(), n("33.25")),
        (
            "tags".to_owned(),
            AttributeValue::L(vec![s("a"), n("0.1"), AttributeValue::Bool(false)]),
        ),
        ("nothing".to_owned(), AttributeValue::Null(true)),
        (
            "inner".to_owned(),
            AttributeValue::M(HashMap::from([("deep".to_owned(), s("value"))])),
        ),
    ]));
    let item = at(
        &key,
        [
            ("text", s("hello wörld")),
            ("integer", n(100000)),
            ("negative", n(-7)),
            ("zero", n(0)),
            ("decimal", n("33.25")),
            ("tenth", n("0.1")),
            ("yes", AttributeValue::Bool(true)),
            ("no", AttributeValue::Bool(false)),
            ("null", AttributeValue::Null(true)),
            ("map", nested),
            ("emptyMap", AttributeValue::M(HashMap::new())),
            (
                "list",
                AttributeValue::L(vec![s("x"), n(1), AttributeValue::Null(true)]),
            ),
            ("emptyList", AttributeValue::L(vec![])),
        ],
    );
    table.put(Put::new(item.clone())).await.unwrap();
    assert_eq!(stored(table, &key).await, Some(item));
}

/// An eventually consistent read shows a write (after propagation).
pub async fn eventually_consistent_get_sees_the_item(table: &dyn Table, ns: &str) {
    let key = key(ns, "eventual");
    let item = at(&key, [("units", n(4))]);
    table.put(Put::new(item.clone())).await.unwrap();
    assert_eq!(get_eventually(table, &key, &item).await, Some(item));
}

pub async fn get_of_a_missing_item_returns_none(table: &dyn Table, ns: &str) {
    let key = key(ns, "missing");
    assert_eq!(table.get(&key, true).await.unwrap(), None);
    assert_eq!(table.get(&key, false).await.unwrap(), None);
}

/// A put replaces the item: attributes missing from the new item are gone.
pub async fn put_replaces_the_whole_item(table: &dyn Table, ns: &str) {
    let key = key(ns, "replaced");
    let first = at(&key, [("a", s("1")), ("b", s("2"))]);
    let second = at(&key, [("a", s("one")), ("c", s("3"))]);
    table.put(Put::new(first)).await.unwrap();
    table.put(Put::new(second.clone())).await.unwrap();
    assert_eq!(stored(table, &key).await, Some(second));
}

/// The event store's write: `attribute_not_exists(pk) AND attribute_not_exists(sk)`.
pub async fn conditional_put_creates_an_absent_item(table: &dyn Table, ns: &str) {
    let key = key(ns, "event");
    let event = at(&key, [("eventName", s("ORDER_PLACED_EVENT"))]);
    table
        .put(Put::new(event.clone()).with_condition(Condition::item_not_exists()))
        .await
        .unwrap();
    assert_eq!(stored(table, &key).await, Some(event));
}

/// A duplicate event fails; the old item comes back only with `ALL_OLD` on failure, and the
/// stored item is untouched.
pub async fn conditional_put_on_an_existing_item_fails_and_returns_the_old_item_only_when_asked(
    table: &dyn Table,
    ns: &str,
) {
    let key = key(ns, "duplicate");
    let first = at(&key, [("units", n(1))]);
    let second = at(&key, [("units", n(2))]);
    table
        .put(Put::new(first.clone()).with_condition(Condition::item_not_exists()))
        .await
        .unwrap();

    let plain = table
        .put(Put::new(second.clone()).with_condition(Condition::item_not_exists()))
        .await;
    assert_eq!(condition_failed(plain), None);

    let asking = table
        .put(
            Put::new(second)
                .with_condition(Condition::item_not_exists())
                .returning_old_on_condition_failure(),
        )
        .await;
    assert_eq!(condition_failed(asking), Some(first.clone()));
    assert_eq!(stored(table, &key).await, Some(first));
}

/// A condition on a missing item sees no attributes: `item_exists` fails, and there is no old
/// item to return even when asked.
pub async fn conditional_put_with_item_exists_fails_on_a_missing_item(table: &dyn Table, ns: &str) {
    let key = key(ns, "absent");
    let result = table
        .put(
            Put::new(at(&key, [("units", n(1))]))
                .with_condition(Condition::item_exists())
                .returning_old_on_condition_failure(),
        )
        .await;
    assert_eq!(condition_failed(result), None);
    assert_eq!(stored(table, &key).await, None);
}

/// Keys must be present and be non-empty strings (`ValidationException`).
pub async fn put_without_a_valid_key_is_invalid(table: &dyn Table, ns: &str) {
    let partition = format!("{ns}#no-sort-key");
    let mut without_sort_key = kernel::table::Item::default();
    without_sort_key.insert("pk".to_owned(), s(partition.clone()));
    invalid(table.put(Put::new(without_sort_key)).await);

    let mut numeric_sort_key = kernel::table::Item::default();
    numeric_sort_key.insert("pk".to_owned(), s(partition.clone()));
    numeric_sort_key.insert("sk".to_owned(), n(1));
    invalid(table.put(Put::new(numeric_sort_key)).await);

    let mut empty_sort_key = kernel::table::Item::default();
    empty_sort_key.insert("pk".to_owned(), s(partition.clone()));
    empty_sort_key.insert("sk".to_owned(), s(""));
    invalid(table.put(Put::new(empty_sort_key)).await);

    assert!(
        query_table(table, &partition, None, true, None)
            .await
            .is_empty()
    );
}

// ---------------------------------------------------------------- update

/// UpdateItem on a missing key creates the item (keys + assigned attributes); `ALL_NEW`
/// returns the whole item.
pub async fn update_upserts_a_missing_item_and_returns_all_new(table: &dyn Table, ns: &str) {
    let key = key(ns, "upserted");
    let returned = table
        .update(
            Update::new(key.clone())
                .set("orderStatus", s("ORDER_CREATED_STATUS"))
                .set("units", n(2))
                .returning(ReturnValues::AllNew),
        )
        .await
        .unwrap();
    let expected = at(
        &key,
        [("orderStatus", s("ORDER_CREATED_STATUS")), ("units", n(2))],
    );
    assert_eq!(returned, Some(expected.clone()));
    assert_eq!(stored(table, &key).await, Some(expected));
}

pub async fn update_without_return_values_returns_nothing(table: &dyn Table, ns: &str) {
    let key = key(ns, "quiet");
    let returned = table
        .update(Update::new(key.clone()).set("status", s("DONE")))
        .await
        .unwrap();
    assert_eq!(returned, None);
    assert_eq!(
        stored(table, &key).await,
        Some(at(&key, [("status", s("DONE"))]))
    );
}

pub async fn update_leaves_other_attributes_untouched(table: &dyn Table, ns: &str) {
    let key = key(ns, "partial");
    table
        .put(Put::new(at(&key, [("a", s("1")), ("b", n(2))])))
        .await
        .unwrap();
    let returned = table
        .update(
            Update::new(key.clone())
                .set("a", s("one"))
                .set("c", AttributeValue::Bool(true))
                .returning(ReturnValues::AllNew),
        )
        .await
        .unwrap();
    let expected = at(
        &key,
        [
            ("a", s("one")),
            ("b", n(2)),
            ("c", AttributeValue::Bool(true)),
        ],
    );
    assert_eq!(returned, Some(expected.clone()));
    assert_eq!(stored(table, &key).await, Some(expected));
}

/// `createdAt = if_not_exists(createdAt, :now)` keeps the first value.
pub async fn update_set_if_not_exists_keeps_existing_values(table: &dyn Table, ns: &str) {
    let key = key(ns, "payment");
    let write = |now: &str| {
        Update::new(key.clone())
            .action("createdAt", UpdateAction::SetIfNotExists(s(now)))
            .set("updatedAt", s(now))
            .returning(ReturnValues::AllNew)
    };
    let first = table.update(write("t1")).await.unwrap().unwrap();
    assert_eq!(get_s(&first, "createdAt"), Some("t1"));
    let second = table.update(write("t2")).await.unwrap().unwrap();
    assert_eq!(get_s(&second, "createdAt"), Some("t1"));
    assert_eq!(get_s(&second, "updatedAt"), Some("t2"));
}

/// `units = units + :delta` with positive and negative deltas, exact on decimals.
pub async fn update_add_adds_and_subtracts_exact_decimals(table: &dyn Table, ns: &str) {
    let key = key(ns, "sku");
    table
        .put(Put::new(at(
            &key,
            [("units", n(10)), ("price", n("33.25"))],
        )))
        .await
        .unwrap();
    let add = |name: &str, delta: AttributeValue| {
        Update::new(key.clone())
            .action(name, UpdateAction::Add(delta))
            .returning(ReturnValues::AllNew)
    };
    let after_restock = table.update(add("units", n(5))).await.unwrap().unwrap();
    assert_eq!(number(&after_restock, "units"), "15");
    let after_allocation = table.update(add("units", n(-3))).await.unwrap().unwrap();
    assert_eq!(number(&after_allocation, "units"), "12");
    let repriced = table.update(add("price", n("0.1"))).await.unwrap().unwrap();
    assert_eq!(number(&repriced, "price"), "33.35");
    let stored = stored(table, &key).await.unwrap();
    assert_eq!(number(&stored, "units"), "12");
    assert_eq!(number(&stored, "price"), "33.35");
}

/// `units = if_not_exists(units, 0) + :delta` on a missing item creates it.
pub async fn update_add_from_zero_starts_a_missing_counter(table: &dyn Table, ns: &str) {
    let key = key(ns, "counter");
    let add = |name: &str, delta: i64| {
        Update::new(key.clone())
            .action(name, UpdateAction::AddFromZero(n(delta)))
            .returning(ReturnValues::AllNew)
    };
    let created = table.update(add("units", 4)).await.unwrap().unwrap();
    assert_eq!(created, at(&key, [("units", n(4))]));
    let grown = table.update(add("units", 3)).await.unwrap().unwrap();
    assert_eq!(number(&grown, "units"), "7");
    let other = table.update(add("returned", -2)).await.unwrap().unwrap();
    assert_eq!(number(&other, "returned"), "-2");
    assert_eq!(number(&other, "units"), "7");
}

/// `units = units + :delta` where `units` does not exist is a `ValidationException` ("The
/// provided expression refers to an attribute that does not exist in the item"); nothing is
/// written, not even the item.
pub async fn update_add_to_a_missing_attribute_is_invalid_and_writes_nothing(
    table: &dyn Table,
    ns: &str,
) {
    let missing = key(ns, "no-item");
    invalid(
        table
            .update(
                Update::new(missing.clone())
                    .set("other", s("x"))
                    .action("units", UpdateAction::Add(n(1))),
            )
            .await,
    );
    assert_eq!(stored(table, &missing).await, None);

    let existing = key(ns, "no-units");
    let item = at(&existing, [("name", s("sku"))]);
    table.put(Put::new(item.clone())).await.unwrap();
    invalid(
        table
            .update(
                Update::new(existing.clone())
                    .set("name", s("renamed"))
                    .action("units", UpdateAction::Add(n(1))),
            )
            .await,
    );
    assert_eq!(stored(table, &existing).await, Some(item));
}

pub async fn update_add_to_a_non_number_is_invalid(table: &dyn Table, ns: &str) {
    let key = key(ns, "text-units");
    let item = at(&key, [("units", s("ten"))]);
    table.put(Put::new(item.clone())).await.unwrap();
    invalid(
        table
            .update(Update::new(key.clone()).action("units", UpdateAction::Add(n(1))))
            .await,
    );
    invalid(
        table
            .update(Update::new(key.clone()).action("units", UpdateAction::AddFromZero(n(1))))
            .await,
    );
    assert_eq!(stored(table, &key).await, Some(item));
}

/// Key attributes cannot be assigned by an update.
pub async fn update_of_a_key_attribute_is_invalid(table: &dyn Table, ns: &str) {
    let key = key(ns, "rekey");
    invalid(
        table
            .update(Update::new(key.clone()).set("sk", s("other")))
            .await,
    );
    assert_eq!(stored(table, &key).await, None);
}

/// A failed update condition leaves the item untouched; the old item comes back only when asked.
pub async fn update_condition_failure_returns_the_old_item_only_when_asked(
    table: &dyn Table,
    ns: &str,
) {
    let key = key(ns, "allocation");
    let item = at(
        &key,
        [("allocationStatus", s("ALLOCATED")), ("units", n(2))],
    );
    table.put(Put::new(item.clone())).await.unwrap();
    let complete = || {
        Update::new(key.clone())
            .set("allocationStatus", s("COMPLETED_PAYMENT_ACCEPTED"))
            .with_condition(Condition::And(vec![
                Condition::item_exists(),
                Condition::equals("allocationStatus", s("DEALLOCATED_PAYMENT_REJECTED")),
            ]))
            .returning(ReturnValues::AllNew)
    };
    assert_eq!(condition_failed(table.update(complete()).await), None);
    let asking = table
        .update(complete().returning_old_on_condition_failure())
        .await;
    assert_eq!(condition_failed(asking), Some(item.clone()));
    assert_eq!(stored(table, &key).await, Some(item));
}

/// `attribute_exists(pk) AND attribute_exists(sk)` on a missing item fails without creating it.
pub async fn update_with_item_exists_does_not_create_a_missing_item(table: &dyn Table, ns: &str) {
    let key = key(ns, "ghost");
    let result = table
        .update(
            Update::new(key.clone())
                .action("units", UpdateAction::AddFromZero(n(1)))
                .with_condition(Condition::item_exists())
                .returning_old_on_condition_failure(),
        )
        .await;
    assert_eq!(condition_failed(result), None);
    assert_eq!(stored(table, &key).await, None);
}

/// The order view's create: succeeds once with `ALL_NEW`, then fails carrying `ALL_OLD`.
pub async fn update_with_item_not_exists_creates_once(table: &dyn Table, ns: &str) {
    let key = key(ns, "order");
    let create = |status: &str| {
        Update::new(key.clone())
            .set("orderStatus", s(status))
            .with_condition(Condition::item_not_exists())
            .returning(ReturnValues::AllNew)
            .returning_old_on_condition_failure()
    };
    let created = table
        .update(create("ORDER_CREATED_STATUS"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        created,
        at(&key, [("orderStatus", s("ORDER_CREATED_STATUS"))])
    );
    let again = table.update(create("OTHER")).await;
    assert_eq!(condition_failed(again), Some(created.clone()));
    assert_eq!(stored(table, &key).await, Some(created));
}

// ---------------------------------------------------------------- conditions

/// `units = :units` compares numbers as numbers (`10` = `10.0`) and never across types.
pub async fn condition_equals_compares_numbers_by_value_and_type(table: &dyn Table, ns: &str) {
    let key = key(ns, "equals");
    table
        .put(Put::new(at(&key, [("units", n(10)), ("sku", s("sku-1"))])))
        .await
        .unwrap();
    let guarded = |condition: Condition| {
        Update::new(key.clone())
            .set("touched", AttributeValue::Bool(true))
            .with_condition(condition)
    };
    table
        .update(guarded(Condition::equals("units", n("10.0"))))
        .await
        .unwrap();
    table
        .update(guarded(Condition::equals("sku", s("sku-1"))))
        .await
        .unwrap();
    condition_failed(
        table
            .update(guarded(Condition::equals("units", s("10"))))
            .await,
    );
    condition_failed(
        table
            .update(guarded(Condition::equals("units", n(11))))
            .await,
    );
    condition_failed(
        table
            .update(guarded(Condition::equals("missing", s("x"))))
            .await,
    );
}

/// The payment record's guard: `paymentStatus <> :accepted AND paymentStatus <> :rejected` is
/// true for an item that does not exist yet.
pub async fn condition_not_equals_holds_for_an_absent_attribute(table: &dyn Table, ns: &str) {
    let key = key(ns, "payment");
    let record = |status: &str| {
        Update::new(key.clone())
            .set("paymentStatus", s(status))
            .with_condition(Condition::And(vec![
                Condition::not_equals("paymentStatus", s("PAYMENT_ACCEPTED")),
                Condition::not_equals("paymentStatus", s("PAYMENT_REJECTED")),
            ]))
            .returning_old_on_condition_failure()
    };
    table.update(record("PAYMENT_FAILED")).await.unwrap();
    table.update(record("PAYMENT_ACCEPTED")).await.unwrap();
    let old = condition_failed(table.update(record("PAYMENT_FAILED")).await)
        .expect("ALL_OLD was asked for");
    assert_eq!(get_s(&old, "paymentStatus"), Some("PAYMENT_ACCEPTED"));
    // A different type is "not equal" too.
    table
        .update(
            Update::new(key.clone())
                .set("flag", s("x"))
                .with_condition(Condition::not_equals("paymentStatus", n(1))),
        )
        .await
        .unwrap();
}

/// `units >= :units` compares numbers by value whatever their textual form; a missing
/// attribute or another type makes it false.
pub async fn condition_greater_or_equal_compares_numbers_by_value(table: &dyn Table, ns: &str) {
    let key = key(ns, "stock");
    table
        .put(Put::new(at(&key, [("units", n(10)), ("sku", s("m"))])))
        .await
        .unwrap();
    let guarded = |condition: Condition| {
        Update::new(key.clone())
            .set("checked", AttributeValue::Bool(true))
            .with_condition(condition)
    };
    for bound in [n("10.0"), n("10"), n("9.5"), n(-1), n("0.001")] {
        table
            .update(guarded(Condition::greater_or_equal("units", bound)))
            .await
            .unwrap();
    }
    for bound in [n("10.5"), n(11), n(100)] {
        condition_failed(
            table
                .update(guarded(Condition::greater_or_equal("units", bound)))
                .await,
        );
    }
    condition_failed(
        table
            .update(guarded(Condition::greater_or_equal("units", s("1"))))
            .await,
    );
    condition_failed(
        table
            .update(guarded(Condition::greater_or_equal("missing", n(0))))
            .await,
    );
    // Strings compare by their bytes.
    table
        .update(guarded(Condition::greater_or_equal("sku", s("a"))))
        .await
        .unwrap();
    condition_failed(
        table
            .update(guarded(Condition::greater_or_equal("sku", s("z"))))
            .await,
    );
}

pub async fn condition_attribute_exists_and_and(table: &dyn Table, ns: &str) {
    let key = key(ns, "exists");
    let item = at(&key, [("status", s("A"))]);
    table.put(Put::new(item.clone())).await.unwrap();
    let guarded = |condition: Condition| {
        Update::new(key.clone())
            .set("status", s("B"))
            .with_condition(condition)
            .returning_old_on_condition_failure()
    };
    let old = condition_failed(table.update(guarded(Condition::exists("missing"))).await);
    assert_eq!(old, Some(item.clone()));
    condition_failed(
        table
            .update(guarded(Condition::And(vec![
                Condition::exists("status"),
                Condition::equals("status", s("other")),
            ])))
            .await,
    );
    assert_eq!(stored(table, &key).await, Some(item));
    table
        .update(guarded(Condition::And(vec![
            Condition::item_exists(),
            Condition::exists("status"),
            Condition::not_exists("missing"),
            Condition::equals("status", s("A")),
        ])))
        .await
        .unwrap();
    assert_eq!(
        stored(table, &key).await,
        Some(at(&key, [("status", s("B"))]))
    );
}

// ---------------------------------------------------------------- transactions

/// Put + Update + ConditionCheck all pass: every write is applied.
pub async fn transact_write_applies_every_member(table: &dyn Table, ns: &str) {
    let restock = key(ns, "restock");
    let sku = key(ns, "sku");
    let guard = key(ns, "guard");
    table
        .put(Put::new(at(&guard, [("open", AttributeValue::Bool(true))])))
        .await
        .unwrap();
    table
        .transact_write(vec![
            TransactItem::Put(
                Put::new(at(&restock, [("units", n(5))]))
                    .with_condition(Condition::not_exists("pk")),
            ),
            TransactItem::Update(
                Update::new(sku.clone())
                    .action("units", UpdateAction::AddFromZero(n(5)))
                    .action("createdAt", UpdateAction::SetIfNotExists(s("t1"))),
            ),
            TransactItem::ConditionCheck {
                key: guard.clone(),
                condition: Condition::equals("open", AttributeValue::Bool(true)),
            },
        ])
        .await
        .unwrap();
    assert_eq!(
        stored(table, &restock).await,
        Some(at(&restock, [("units", n(5))]))
    );
    assert_eq!(
        stored(table, &sku).await,
        Some(at(&sku, [("units", n(5)), ("createdAt", s("t1"))]))
    );
}

/// One failing member cancels the transaction: reasons are aligned with the members (`None`
/// for the passing ones) and nothing at all is written.
pub async fn transact_write_cancellation_reports_aligned_reasons_and_writes_nothing(
    table: &dyn Table,
    ns: &str,
) {
    let new_item = key(ns, "new");
    let counter = key(ns, "counter");
    let other = key(ns, "other");
    table
        .put(Put::new(at(&counter, [("units", n(1))])))
        .await
        .unwrap();
    let result = table
        .transact_write(vec![
            TransactItem::Put(
                Put::new(at(&new_item, [("a", s("1"))]))
                    .with_condition(Condition::item_not_exists()),
            ),
            TransactItem::Update(
                Update::new(counter.clone())
                    .action("units", UpdateAction::Add(n(-2)))
                    .with_condition(Condition::greater_or_equal("units", n(2))),
            ),
            TransactItem::Update(Update::new(other.clone()).set("b", s("2"))),
        ])
        .await;
    assert_eq!(
        canceled(result),
        vec![
            CancellationReason::None,
            CancellationReason::ConditionalCheckFailed { old_item: None },
            CancellationReason::None,
        ]
    );
    assert_eq!(stored(table, &new_item).await, None);
    assert_eq!(stored(table, &other).await, None);
    assert_eq!(
        stored(table, &counter).await,
        Some(at(&counter, [("units", n(1))]))
    );
}

/// Every member whose condition fails is reported, not only the first.
pub async fn transact_write_reports_every_failing_member(table: &dyn Table, ns: &str) {
    let first = key(ns, "first");
    let second = key(ns, "second");
    let third = key(ns, "third");
    table.put(Put::new(at(&first, []))).await.unwrap();
    table.put(Put::new(at(&third, []))).await.unwrap();
    let result = table
        .transact_write(vec![
            TransactItem::Put(
                Put::new(at(&first, [])).with_condition(Condition::item_not_exists()),
            ),
            TransactItem::Put(
                Put::new(at(&second, [])).with_condition(Condition::item_not_exists()),
            ),
            TransactItem::Put(
                Put::new(at(&third, [])).with_condition(Condition::item_not_exists()),
            ),
        ])
        .await;
    assert_eq!(
        canceled(result),
        vec![
            CancellationReason::ConditionalCheckFailed { old_item: None },
            CancellationReason::None,
            CancellationReason::ConditionalCheckFailed { old_item: None },
        ]
    );
    assert_eq!(stored(table, &second).await, None);
}

/// `ReturnValuesOnConditionCheckFailure = ALL_OLD` puts the old item into the reason.
pub async fn transact_write_returns_old_items_when_asked(table: &dyn Table, ns: &str) {
    let allocation = key(ns, "allocation");
    let sku = key(ns, "sku");
    let allocation_item = at(&allocation, [("allocationStatus", s("ALLOCATED"))]);
    let sku_item = at(&sku, [("units", n(1))]);
    table.put(Put::new(allocation_item.clone())).await.unwrap();
    table.put(Put::new(sku_item.clone())).await.unwrap();
    let result = table
        .transact_write(vec![
            TransactItem::Put(
                Put::new(at(&allocation, []))
                    .with_condition(Condition::item_not_exists())
                    .returning_old_on_condition_failure(),
            ),
            TransactItem::Update(
                Update::new(sku.clone())
                    .action("units", UpdateAction::Add(n(-3)))
                    .with_condition(Condition::greater_or_equal("units", n(3)))
                    .returning_old_on_condition_failure(),
            ),
        ])
        .await;
    assert_eq!(
        canceled(result),
        vec![
            CancellationReason::ConditionalCheckFailed {
                old_item: Some(allocation_item),
            },
            CancellationReason::ConditionalCheckFailed {
                old_item: Some(sku_item),
            },
        ]
    );
}

/// A failing ConditionCheck cancels the transaction like any other member.
pub async fn transact_write_condition_check_failure_cancels(table: &dyn Table, ns: &str) {
    let missing = key(ns, "missing");
    let written = key(ns, "written");
    let result = table
        .transact_write(vec![
            TransactItem::ConditionCheck {
                key: missing,
                condition: Condition::item_exists(),
            },
            TransactItem::Put(Put::new(at(&written, [("a", s("1"))]))),
        ])
        .await;
    assert_eq!(
        canceled(result),
        vec![
            CancellationReason::ConditionalCheckFailed { old_item: None },
            CancellationReason::None,
        ]
    );
    assert_eq!(stored(table, &written).await, None);
}

/// DynamoDB refuses a transaction with two operations on one item (`ValidationException`).
pub async fn transact_write_touching_one_item_twice_is_invalid(table: &dyn Table, ns: &str) {
    let key = key(ns, "twice");
    let result = table
        .transact_write(vec![
            TransactItem::Put(Put::new(at(&key, [("units", n(1))]))),
            TransactItem::Update(Update::new(key.clone()).set("other", s("x"))),
        ])
        .await;
    invalid(result);
    assert_eq!(stored(table, &key).await, None);
}

/// The inventory allocation transaction of every outcome: allocated, duplicate (both members
/// fail), depleted, and unknown SKU.
pub async fn transact_write_stock_allocation(table: &dyn Table, ns: &str) {
    let sku = key(ns, "sku");
    table
        .put(Put::new(at(&sku, [("units", n(5))])))
        .await
        .unwrap();
    let allocate = |sku: &Key, order: &str, units: i64| {
        vec![
            TransactItem::Put(
                Put::new(at(
                    &Key::new(sku.pk.clone(), format!("ORDER#{order}")),
                    [("units", n(units))],
                ))
                .with_condition(Condition::item_not_exists()),
            ),
            TransactItem::Update(
                Update::new(sku.clone())
                    .action("units", UpdateAction::Add(n(-units)))
                    .set("updatedAt", s(order))
                    .with_condition(Condition::And(vec![
                        Condition::item_exists(),
                        Condition::greater_or_equal("units", n(units)),
                    ])),
            ),
        ]
    };
    let ccf = || CancellationReason::ConditionalCheckFailed { old_item: None };

    table.transact_write(allocate(&sku, "o1", 3)).await.unwrap();
    assert_eq!(number(&stored(table, &sku).await.unwrap(), "units"), "2");

    let duplicate = table.transact_write(allocate(&sku, "o1", 3)).await;
    assert_eq!(canceled(duplicate), vec![ccf(), ccf()]);

    let depleted = table.transact_write(allocate(&sku, "o2", 3)).await;
    assert_eq!(canceled(depleted), vec![CancellationReason::None, ccf()]);
    assert_eq!(
        stored(table, &Key::new(sku.pk.clone(), "ORDER#o2")).await,
        None
    );

    let unknown = key(ns, "unknown-sku");
    let missing = table.transact_write(allocate(&unknown, "o3", 1)).await;
    assert_eq!(canceled(missing), vec![CancellationReason::None, ccf()]);
    assert_eq!(stored(table, &unknown).await, None);

    table.transact_write(allocate(&sku, "o4", 2)).await.unwrap();
    assert_eq!(number(&stored(table, &sku).await.unwrap(), "units"), "0");
}

// ---------------------------------------------------------------- delete

pub async fn delete_returns_the_old_item(table: &dyn Table, ns: &str) {
    let key = key(ns, "deleted");
    let item = at(&key, [("a", s("1"))]);
    table.put(Put::new(item.clone())).await.unwrap();
    assert_eq!(table.delete(&key).await.unwrap(), Some(item));
    assert_eq!(stored(table, &key).await, None);
    assert_eq!(table.delete(&key).await.unwrap(), None);
}

// ---------------------------------------------------------------- queries

/// A table query reads one partition in sort key order (or the one item of pk + sk).
pub async fn query_table_partition_in_sort_key_order(table: &dyn Table, ns: &str) {
    let pk = format!("{ns}#partition");
    let member = |sk: &str| Key::new(pk.clone(), sk);
    for sk in ["B", "C", "A"] {
        table
            .put(Put::new(at(&member(sk), [("name", s(sk))])))
            .await
            .unwrap();
    }
    table
        .put(Put::new(at(&key(ns, "elsewhere"), [])))
        .await
        .unwrap();
    let (a, b, c) = (member("A"), member("B"), member("C"));

    let ascending = query_table(table, &pk, None, true, None).await;
    assert_eq!(keys_of(&ascending), vec![a.clone(), b.clone(), c.clone()]);
    assert_eq!(ascending[0], at(&a, [("name", s("A"))]));
    let descending = query_table(table, &pk, None, false, None).await;
    assert_eq!(keys_of(&descending), vec![c.clone(), b.clone(), a.clone()]);
    let first_two = query_table(table, &pk, None, true, Some(2)).await;
    assert_eq!(keys_of(&first_two), vec![a, b.clone()]);
    let last_one = query_table(table, &pk, None, false, Some(1)).await;
    assert_eq!(keys_of(&last_one), vec![c]);

    let exact = query_table(table, &pk, Some("B"), true, None).await;
    assert_eq!(exact, vec![at(&b, [("name", s("B"))])]);
    assert!(
        query_table(table, &pk, Some("Z"), true, None)
            .await
            .is_empty()
    );
    assert!(
        query_table(table, &format!("{ns}#nothing"), None, true, None)
            .await
            .is_empty()
    );
}

/// The GSI holds only items with both `gsi1pk` and `gsi1sk`, ordered by `gsi1sk` either way,
/// with projection ALL.
pub async fn query_gsi_orders_by_gsi1sk_and_skips_items_without_index_keys(
    table: &dyn Table,
    ns: &str,
) {
    let index = format!("{ns}#KIND");
    let indexed = |name: &str, created: &str| {
        at(
            &key(ns, name),
            [
                ("gsi1pk", s(index.clone())),
                ("gsi1sk", s(format!("CREATED_AT#{created}"))),
                ("name", s(name)),
            ],
        )
    };
    let (first, second, third) = (
        indexed("oldest", "2025-01-01T00:00:01.000Z"),
        indexed("middle", "2025-01-01T00:00:02.000Z"),
        indexed("newest", "2025-01-01T00:00:03.000Z"),
    );
    // Written out of index order: the index orders by gsi1sk, not by write time or table key.
    for item in [&second, &third, &first] {
        table.put(Put::new(item.clone())).await.unwrap();
    }
    let no_sort = at(&key(ns, "no-gsi1sk"), [("gsi1pk", s(index.clone()))]);
    let no_partition = at(&key(ns, "no-gsi1pk"), [("gsi1sk", s("CREATED_AT#0"))]);
    let other_index = at(
        &key(ns, "other-kind"),
        [
            ("gsi1pk", s(format!("{ns}#OTHER"))),
            ("gsi1sk", s("CREATED_AT#0")),
        ],
    );
    for item in [no_sort, no_partition, other_index] {
        table.put(Put::new(item)).await.unwrap();
    }
    let keys = |items: &[&kernel::table::Item]| {
        items
            .iter()
            .map(|item| kernel::table::key_of(item).unwrap())
            .collect::<Vec<_>>()
    };
    let ascending = keys(&[&first, &second, &third]);
    let settled = settled_gsi(table, &index, &ascending.iter().collect::<Vec<_>>()).await;
    assert_eq!(settled, ascending);

    let all = query_gsi(table, &index, true, None).await;
    assert_eq!(all, vec![first.clone(), second.clone(), third.clone()]);
    let backward = query_gsi(table, &index, false, None).await;
    assert_eq!(keys_of(&backward), keys(&[&third, &second, &first]));
    let oldest_two = query_gsi(table, &index, true, Some(2)).await;
    assert_eq!(keys_of(&oldest_two), keys(&[&first, &second]));
    let newest_two = query_gsi(table, &index, false, Some(2)).await;
    assert_eq!(keys_of(&newest_two), keys(&[&third, &second]));
    assert!(
        query_gsi(table, &format!("{ns}#NONE"), true, None)
            .await
            .is_empty()
    );
}

/// Rewriting `gsi1sk` (the SKU item on every restock) moves the item in the index order.
pub async fn query_gsi_follows_updates_of_the_index_keys(table: &dyn Table, ns: &str) {
    let index = format!("{ns}#SKUS");
    let (a, b) = (key(ns, "sku-a"), key(ns, "sku-b"));
    let restock = |key: &Key, at: &str| {
        Update::new(key.clone())
            .action("units", UpdateAction::AddFromZero(n(1)))
            .set("gsi1pk", s(index.clone()))
            .set("gsi1sk", s(format!("CREATED_AT#{at}")))
    };
    table.update(restock(&a, "1")).await.unwrap();
    table.update(restock(&b, "2")).await.unwrap();
    assert_eq!(
        settled_gsi(table, &index, &[&a, &b]).await,
        vec![a.clone(), b.clone()]
    );
    table.update(restock(&a, "3")).await.unwrap();
    assert_eq!(
        settled_gsi(table, &index, &[&b, &a]).await,
        vec![b.clone(), a.clone()]
    );
    let newest = query_gsi(table, &index, false, Some(1)).await;
    assert_eq!(number(&newest[0], "units"), "2");
}

/// A page that reaches its limit reports its last item's key; the next page starts right after
/// it. A page that ends exactly at the last item still reports one, and the page after it is
/// empty.
pub async fn query_table_pages_resume_after_the_last_evaluated_key(table: &dyn Table, ns: &str) {
    let pk = format!("{ns}#partition");
    let member = |sk: &str| Key::new(pk.clone(), sk);
    for sk in ["A", "B", "C", "D", "E"] {
        table.put(Put::new(at(&member(sk), []))).await.unwrap();
    }
    let query = |forward: bool, limit: u32| Query {
        target: QueryTarget::Table {
            pk: pk.clone(),
            sk: None,
        },
        forward,
        limit: Some(limit),
        consistent: true,
        exclusive_start_key: None,
    };
    let keys = |sks: &[&str]| sks.iter().map(|sk| member(sk)).collect::<Vec<_>>();
    assert_eq!(
        pages(table, query(true, 2)).await,
        vec![
            (keys(&["A", "B"]), true),
            (keys(&["C", "D"]), true),
            (keys(&["E"]), false),
        ]
    );
    assert_eq!(
        pages(table, query(false, 5)).await,
        vec![(keys(&["E", "D", "C", "B", "A"]), true), (vec![], false)]
    );
    let first = table.query(query(true, 1)).await.unwrap();
    assert_eq!(
        first.last_evaluated_key,
        Some(StartKey {
            key: member("A"),
            index: None,
        })
    );
}

/// Paging the index reports the index key too, and returns every item once, in the order of
/// one unlimited query, even through items that share a `gsi1sk`.
pub async fn query_gsi_pages_through_equal_sort_keys_once(table: &dyn Table, ns: &str) {
    let index = format!("{ns}#KIND");
    let mut expected = Vec::new();
    for (name, created) in [
        ("a", "1"),
        ("b", "2"),
        ("c", "2"),
        ("d", "2"),
        ("e", "3"),
        ("f", "2"),
        ("g", "4"),
    ] {
        let item = at(
            &key(ns, name),
            [
                ("gsi1pk", s(index.clone())),
                ("gsi1sk", s(format!("CREATED_AT#{created}"))),
            ],
        );
        table.put(Put::new(item)).await.unwrap();
        expected.push(key(ns, name));
    }
    // Settle on whatever order the index gives equal sort keys; paging must reproduce it.
    let mut settled = Vec::new();
    for _ in 0..40 {
        settled = keys_of(&query_gsi(table, &index, true, None).await);
        if settled.len() == expected.len() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let mut sorted = settled.clone();
    sorted.sort();
    assert_eq!(sorted, expected);
    for forward in [true, false] {
        let whole = keys_of(&query_gsi(table, &index, forward, None).await);
        for limit in [1, 2, 3, 7] {
            let query = Query {
                target: QueryTarget::Gsi1 {
                    gsi1pk: index.clone(),
                },
                forward,
                limit: Some(limit),
                consistent: false,
                exclusive_start_key: None,
            };
            let paged: Vec<Key> = pages(table, query)
                .await
                .into_iter()
                .flat_map(|(keys, _)| keys)
                .collect();
            assert_eq!(paged, whole, "forward {forward}, limit {limit}");
        }
    }
    let first = table
        .query(Query {
            target: QueryTarget::Gsi1 {
                gsi1pk: index.clone(),
            },
            forward: true,
            limit: Some(1),
            consistent: false,
            exclusive_start_key: None,
        })
        .await
        .unwrap();
    assert_eq!(
        first.last_evaluated_key,
        Some(StartKey {
            key: key(ns, "a"),
            index: Some(IndexKey {
                gsi1pk: index,
                gsi1sk: "CREATED_AT#1".to_owned(),
            }),
        })
    );
}

/// A start key outside the queried partition is refused, never read from.
pub async fn query_with_a_start_key_of_another_partition_is_invalid(table: &dyn Table, ns: &str) {
    let elsewhere = StartKey {
        key: key(ns, "x"),
        index: Some(IndexKey {
            gsi1pk: format!("{ns}#OTHER"),
            gsi1sk: "CREATED_AT#1".to_owned(),
        }),
    };
    invalid(
        table
            .query(Query {
                target: QueryTarget::Gsi1 {
                    gsi1pk: format!("{ns}#KIND"),
                },
                forward: true,
                limit: Some(2),
                consistent: false,
                exclusive_start_key: Some(elsewhere),
            })
            .await,
    );
}

pub async fn query_gsi_rejects_consistent_reads(table: &dyn Table, ns: &str) {
    invalid(
        table
            .query(kernel::table::Query {
                target: kernel::table::QueryTarget::Gsi1 {
                    gsi1pk: format!("{ns}#KIND"),
                },
                forward: true,
                limit: None,
                consistent: true,
                exclusive_start_key: None,
            })
            .await,
    );
}

pub async fn query_rejects_a_zero_limit(table: &dyn Table, ns: &str) {
    invalid(
        table
            .query(kernel::table::Query {
                target: kernel::table::QueryTarget::Table {
                    pk: format!("{ns}#partition"),
                    sk: None,
                },
                forward: true,
                limit: Some(0),
                consistent: true,
                exclusive_start_key: None,
            })
            .await,
    );
}

// ---------------------------------------------------------------- numbers

/// Numbers are exact decimals: canonical texts come back unchanged, other forms of the same
/// number come back as that number.
pub async fn numbers_keep_their_exact_decimal_values(table: &dyn Table, ns: &str) {
    let key = key(ns, "numbers");
    let exact = [
        ("price", "33.25"),
        ("tenth", "0.1"),
        ("large", "100000"),
        ("negative", "-0.5"),
        ("precise", "1234567890.123456789"),
        ("big", "12345678901234567890123456789012345678"),
    ];
    let mut item = at(&key, [("trailing", n("10.0")), ("leading", n("007"))]);
    for (name, value) in exact {
        item.insert(name.to_owned(), n(value));
    }
    table.put(Put::new(item)).await.unwrap();
    let stored = stored(table, &key).await.unwrap();
    for (name, value) in exact {
        assert_eq!(number(&stored, name), value, "{name}");
    }
    assert!(same_number(number(&stored, "trailing"), "10"));
    assert!(same_number(number(&stored, "leading"), "7"));
}

// ---------------------------------------------------------------- DynamoDB's limits

/// A map or list nested inside 32 levels of maps and lists.
fn nested(depth: usize) -> AttributeValue {
    (0..depth).fold(s("leaf"), |inner, level| {
        if level % 2 == 0 {
            AttributeValue::M([("x".to_owned(), inner)].into())
        } else {
            AttributeValue::L(vec![inner])
        }
    })
}

/// Items nest 32 levels deep, the item itself being the first: an attribute may hold 31 maps
/// or lists inside one another, no more; a refused item is not written.
pub async fn values_nest_at_most_32_levels(table: &dyn Table, ns: &str) {
    let deepest = key(ns, "deepest");
    table
        .put(Put::new(at(&deepest, [("deep", nested(31))])))
        .await
        .expect("31 nested maps and lists are allowed");
    let kept = stored(table, &deepest)
        .await
        .expect("the deep item is stored");
    assert_eq!(kept.get("deep"), Some(&nested(31)));

    let too_deep = key(ns, "too-deep");
    invalid(
        table
            .put(Put::new(at(&too_deep, [("deep", nested(32))])))
            .await,
    );
    invalid(
        table
            .update(Update::new(too_deep.clone()).set("deep", nested(32)))
            .await,
    );
    assert!(table.get(&too_deep, true).await.expect("get").is_none());
}

/// Partition keys hold at most 2048 bytes and sort keys 1024, in the table and in the GSI.
pub async fn key_attributes_have_size_limits(table: &dyn Table, ns: &str) {
    let pad = |target: usize, base: &str| format!("{base}{}", "k".repeat(target - base.len()));
    let partition = pad(2048, &format!("{ns}#p"));
    let sort = pad(1024, "s");
    table
        .put(Put::new(at(&Key::new(partition.clone(), sort.clone()), [])))
        .await
        .expect("keys at their limits are allowed");
    invalid(
        table
            .put(Put::new(at(
                &Key::new(format!("{partition}k"), sort.clone()),
                [],
            )))
            .await,
    );
    invalid(
        table
            .put(Put::new(at(
                &Key::new(partition.clone(), format!("{sort}k")),
                [],
            )))
            .await,
    );
    let indexed = key(ns, "indexed");
    table
        .put(Put::new(at(
            &indexed,
            [("gsi1pk", s(pad(2048, ns))), ("gsi1sk", s(pad(1024, "s")))],
        )))
        .await
        .expect("index keys at their limits are allowed");
    for (name, bytes) in [("gsi1pk", 2049), ("gsi1sk", 1025)] {
        invalid(
            table
                .put(Put::new(at(&key(ns, name), [(name, s(pad(bytes, "i")))])))
                .await,
        );
    }
}

/// An item holds at most 400 KB, counted as DynamoDB counts it (names + values).
pub async fn items_hold_at_most_400_kb(table: &dyn Table, ns: &str) {
    let fits = key(ns, "fits");
    let overhead = fits.pk.len() + fits.sk.len() + "pk".len() + "sk".len() + "blob".len();
    let limit = 400 * 1024;
    table
        .put(Put::new(at(
            &fits,
            [("blob", s("b".repeat(limit - overhead)))],
        )))
        .await
        .expect("an item of exactly 400 KB fits");
    let over = key(ns, "over");
    let overhead = over.pk.len() + over.sk.len() + "pk".len() + "sk".len() + "blob".len();
    invalid(
        table
            .put(Put::new(at(
                &over,
                [("blob", s("b".repeat(limit - overhead + 1)))],
            )))
            .await,
    );
}

/// The items one transaction writes may add up to 4 MB, no more; a refused transaction writes
/// nothing.
pub async fn transact_write_holds_at_most_4_mb(table: &dyn Table, ns: &str) {
    let members: Vec<_> = (0..11)
        .map(|index| {
            TransactItem::Put(Put::new(at(
                &key(ns, &format!("m{index}")),
                [("blob", s("b".repeat(390 * 1024)))],
            )))
        })
        .collect();
    invalid(table.transact_write(members).await);
    assert!(
        table
            .get(&key(ns, "m0"), true)
            .await
            .expect("get")
            .is_none()
    );
}

/// Numbers hold 38 significant digits and magnitudes from 1e-130 to under 1e126.
pub async fn numbers_outside_dynamodb_range_are_invalid(table: &dyn Table, ns: &str) {
    for (index, number) in [
        "1e126",
        "1e-131",
        "1e308",
        "123456789012345678901234567890123456789",
    ]
    .iter()
    .enumerate()
    {
        invalid(
            table
                .put(Put::new(at(
                    &key(ns, &format!("n{index}")),
                    [("n", n(*number))],
                )))
                .await,
        );
    }
    let edge = key(ns, "edge");
    table
        .put(Put::new(at(
            &edge,
            [
                ("big", n("9.9999999999999999999999999999999999999e125")),
                ("small", n("1e-130")),
            ],
        )))
        .await
        .expect("the extremes are allowed");
}
