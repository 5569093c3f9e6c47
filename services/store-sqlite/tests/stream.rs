//! The change stream: appended atomically with item writes, forwarded exactly once, trimmed.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test setup and expectations fail the test"
)]

mod common;

use std::time::Duration;

use common::{START_MS, TestStore};
use kernel::table::{
    AttributeValue, Condition, Item, Key, Put, Table, TableError, TransactItem, Update,
    UpdateAction, item, n, s,
};
use store_sqlite::{OutgoingMessage, StoreError, StreamRecord, StreamRecordKind};

fn sku(units: i64) -> Item {
    item([("pk", s("SKU#1")), ("sk", s("SKU#1")), ("units", n(units))])
}

fn sku_key() -> Key {
    Key::new("SKU#1", "SKU#1")
}

async fn all_records(store: &store_sqlite::SqliteStore) -> Vec<StreamRecord> {
    store.stream_after(0, 1000).await.unwrap()
}

fn message(queue: &str, body: &str) -> OutgoingMessage {
    OutgoingMessage {
        queue: queue.to_owned(),
        body: body.to_owned(),
    }
}

#[tokio::test]
async fn every_item_change_appends_one_record_with_its_new_image() {
    let test = TestStore::new();
    let store = &test.store;
    store.put(Put::new(sku(5))).await.unwrap();
    test.clock.advance(Duration::from_millis(10));
    store
        .update(Update::new(sku_key()).action("units", UpdateAction::Add(n(-2))))
        .await
        .unwrap();
    test.clock.advance(Duration::from_millis(10));
    store.delete(&sku_key()).await.unwrap();

    let records = all_records(store).await;
    let summary: Vec<_> = records
        .iter()
        .map(|record| {
            (
                record.seq,
                record.kind,
                record.keys.clone(),
                record.created_at_ms,
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, StreamRecordKind::Insert, sku_key(), START_MS),
            (2, StreamRecordKind::Modify, sku_key(), START_MS + 10),
            (3, StreamRecordKind::Remove, sku_key(), START_MS + 20),
        ]
    );
    assert_eq!(records[0].new_image, Some(sku(5)));
    assert_eq!(records[1].new_image, Some(sku(3)));
    assert_eq!(records[2].new_image, None);
    assert!(records.iter().all(|record| record.size_bytes > 0));
    assert_eq!(StreamRecordKind::Modify.event_name(), "MODIFY");
}

#[tokio::test]
async fn failed_requests_and_unchanged_items_append_nothing() {
    let test = TestStore::new();
    let store = &test.store;
    store.put(Put::new(sku(10))).await.unwrap();

    // A failed condition.
    let duplicate = store
        .put(Put::new(sku(1)).with_condition(Condition::item_not_exists()))
        .await;
    assert!(matches!(
        duplicate,
        Err(TableError::ConditionalCheckFailed { .. })
    ));
    // The same item again, also written in another textual form of the same number.
    store.put(Put::new(sku(10))).await.unwrap();
    store
        .put(Put::new(item([
            ("pk", s("SKU#1")),
            ("sk", s("SKU#1")),
            ("units", n("10.0")),
        ])))
        .await
        .unwrap();
    // An update that changes nothing.
    store
        .update(Update::new(sku_key()).set("units", n(10)))
        .await
        .unwrap();
    store
        .update(Update::new(sku_key()).action("units", UpdateAction::SetIfNotExists(n(99))))
        .await
        .unwrap();
    // A validation error, a delete of nothing, a cancelled transaction.
    let invalid = store
        .update(Update::new(sku_key()).action("missing", UpdateAction::Add(n(1))))
        .await;
    assert!(matches!(invalid, Err(TableError::Validation { .. })));
    assert_eq!(store.delete(&Key::new("NONE", "NONE")).await.unwrap(), None);
    let canceled = store
        .transact_write(vec![
            TransactItem::Put(Put::new(item([("pk", s("NEW")), ("sk", s("NEW"))]))),
            TransactItem::ConditionCheck {
                key: sku_key(),
                condition: Condition::greater_or_equal("units", n(11)),
            },
        ])
        .await;
    assert!(matches!(
        canceled,
        Err(TableError::TransactionCanceled { .. })
    ));

    let records = all_records(store).await;
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(*store.stream_notifier().borrow(), 1);
}

#[tokio::test]
async fn a_transaction_appends_one_record_per_changed_item_in_member_order() {
    let test = TestStore::new();
    let store = &test.store;
    store.put(Put::new(sku(5))).await.unwrap();
    let guard = Key::new("GUARD", "GUARD");
    store
        .put(Put::new(item([("pk", s("GUARD")), ("sk", s("GUARD"))])))
        .await
        .unwrap();
    let allocation = Key::new("SKU#1", "ORDER#1");
    store
        .transact_write(vec![
            TransactItem::ConditionCheck {
                key: guard,
                condition: Condition::item_exists(),
            },
            TransactItem::Put(
                Put::new(item([
                    ("pk", s("SKU#1")),
                    ("sk", s("ORDER#1")),
                    ("units", n(2)),
                ]))
                .with_condition(Condition::item_not_exists()),
            ),
            TransactItem::Update(Update::new(sku_key()).action("units", UpdateAction::Add(n(-2)))),
        ])
        .await
        .unwrap();
    let records = all_records(store).await;
    let changes: Vec<_> = records[2..]
        .iter()
        .map(|record| (record.seq, record.kind, record.keys.clone()))
        .collect();
    assert_eq!(
        changes,
        vec![
            (3, StreamRecordKind::Insert, allocation),
            (4, StreamRecordKind::Modify, sku_key()),
        ]
    );
    assert_eq!(records[3].new_image, Some(sku(3)));
    assert_eq!(*store.stream_notifier().borrow(), 4);
}

#[tokio::test]
async fn stream_after_pages_in_sequence_order() {
    let test = TestStore::new();
    let store = &test.store;
    for units in 1..=5 {
        store.put(Put::new(sku(units))).await.unwrap();
    }
    let page = store.stream_after(1, 2).await.unwrap();
    assert_eq!(page.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![2, 3]);
    let rest = store.stream_after(3, 100).await.unwrap();
    assert_eq!(rest.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![4, 5]);
    assert!(store.stream_after(5, 100).await.unwrap().is_empty());
}

#[tokio::test]
async fn the_notifier_wakes_a_waiting_consumer() {
    let test = TestStore::new();
    let store = test.store.clone();
    let mut notifier = store.stream_notifier();
    assert_eq!(*notifier.borrow_and_update(), 0);
    let writer = tokio::spawn(async move { store.put(Put::new(sku(1))).await });
    notifier.changed().await.unwrap();
    assert_eq!(*notifier.borrow(), 1);
    writer.await.unwrap().unwrap();
}

#[tokio::test]
async fn forward_enqueues_and_moves_the_checkpoint_atomically() {
    let test = TestStore::new();
    let store = &test.store;
    for units in 1..=3 {
        store.put(Put::new(sku(units))).await.unwrap();
    }
    assert_eq!(store.checkpoint("pipe").await.unwrap(), 0);
    let bumps = store.queue_notifier("Q");
    let other_queue = store.queue_notifier("Other");

    store
        .forward("pipe", 0, 2, vec![message("Q", "one"), message("Q", "two")])
        .await
        .unwrap();
    assert_eq!(store.checkpoint("pipe").await.unwrap(), 2);
    assert_eq!(*bumps.borrow(), 2);
    assert_eq!(
        *other_queue.borrow(),
        0,
        "only the queue that got messages is woken"
    );

    // Backwards, the same position again with messages, or from a position the checkpoint is
    // no longer at (another consumer moved it): refused, nothing enqueued.
    for (from, through) in [(2, 1), (2, 2), (0, 3), (1, 3)] {
        let stale = store
            .forward("pipe", from, through, vec![message("Q", "dup")])
            .await;
        assert!(
            matches!(
                stale,
                Err(StoreError::CheckpointConflict { current: 2, .. })
            ),
            "{stale:?}"
        );
    }
    // Past the end of the stream: refused.
    let ahead = store
        .forward("pipe", 2, 4, vec![message("Q", "ahead")])
        .await;
    assert!(
        matches!(ahead, Err(StoreError::InvalidRequest { .. })),
        "{ahead:?}"
    );
    // One bad message fails the whole forward: the good one is not enqueued either.
    let partly_bad = store
        .forward(
            "pipe",
            2,
            3,
            vec![message("Q", "three"), message("", "bad")],
        )
        .await;
    assert!(matches!(partly_bad, Err(StoreError::InvalidRequest { .. })));

    let bodies: Vec<_> = store
        .list_messages("Q", 10)
        .await
        .unwrap()
        .into_iter()
        .map(|stored| stored.body)
        .collect();
    assert_eq!(bodies, vec!["one", "two"]);
    assert_eq!(store.checkpoint("pipe").await.unwrap(), 2);
    assert_eq!(*bumps.borrow(), 2);

    // Records without messages (filtered out by the pipe) still move the checkpoint.
    store.forward("pipe", 2, 3, vec![]).await.unwrap();
    assert_eq!(store.checkpoint("pipe").await.unwrap(), 3);
    // Checkpoints are independent.
    assert_eq!(store.checkpoint("other").await.unwrap(), 0);
}

#[tokio::test]
async fn trim_deletes_old_records_in_batches_read_or_not() {
    let test = TestStore::new();
    let store = &test.store;
    let day = Duration::from_secs(24 * 3600);
    for units in 1..=3 {
        store.put(Put::new(sku(units))).await.unwrap();
    }
    // The pipe has read only the first record: trimming does not wait for it (DynamoDB
    // Streams drops records after 24 hours whether or not they were read).
    store.forward("pipe", 0, 1, vec![]).await.unwrap();

    // Young records stay.
    assert_eq!(store.trim_stream(day, 100).await.unwrap(), 0);

    test.clock.advance(day + Duration::from_secs(1));
    store.put(Put::new(sku(4))).await.unwrap();
    // Old enough: 1, 2 and 3 go, in bounded batches, oldest first; 4 is young.
    assert_eq!(store.trim_stream(day, 2).await.unwrap(), 2);
    let left: Vec<_> = all_records(store).await.iter().map(|r| r.seq).collect();
    assert_eq!(left, vec![3, 4]);
    assert_eq!(store.trim_stream(day, 2).await.unwrap(), 1);
    assert_eq!(store.trim_stream(day, 2).await.unwrap(), 0);
    test.clock.advance(day + Duration::from_secs(1));
    assert_eq!(store.trim_stream(day, 2).await.unwrap(), 1);
    assert!(all_records(store).await.is_empty());

    // Sequence numbers are never reused, even once the stream is empty and the file reopened.
    let test = test.reopen();
    assert_eq!(*test.store.stream_notifier().borrow(), 4);
    test.store.put(Put::new(sku(5))).await.unwrap();
    assert_eq!(all_records(&test.store).await[0].seq, 5);
}

#[tokio::test]
async fn new_images_keep_every_attribute_type() {
    let test = TestStore::new();
    let image = item([
        ("pk", s("EVENTS#ORDER_ID#1")),
        ("sk", s("EVENT#ORDER_PLACED_EVENT")),
        (
            "eventData",
            AttributeValue::M(
                [
                    ("price".to_owned(), n("33.25")),
                    (
                        "tags".to_owned(),
                        AttributeValue::L(vec![s("a"), AttributeValue::Null(true)]),
                    ),
                ]
                .into(),
            ),
        ),
        ("flag", AttributeValue::Bool(true)),
    ]);
    test.store.put(Put::new(image.clone())).await.unwrap();
    assert_eq!(all_records(&test.store).await[0].new_image, Some(image));
}
