//! The store as a whole: durability across reopen, concurrent writers, the file layout.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test setup and expectations fail the test"
)]

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{TestStore, open};
use kernel::table::{
    AttributeValue, Condition, Key, Put, ReturnValues, Table, TableError, Update, UpdateAction,
    get_n, item, n, s,
};
use store_sqlite::{
    Durability, OutgoingMessage, QueueConfig, SqliteStore, StoreError, StoreOptions,
};

fn queue() -> QueueConfig {
    QueueConfig {
        name: "Worker".to_owned(),
        dead_letter_queue: "Worker-DLQ".to_owned(),
        visibility_timeout: Duration::from_secs(30),
        max_receive_count: 3,
    }
}

#[tokio::test]
async fn everything_survives_closing_and_reopening_the_file() {
    let test = TestStore::new();
    let event = item([
        ("pk", s("EVENTS#ORDER_ID#1")),
        ("sk", s("EVENT#ORDER_PLACED_EVENT")),
        ("gsi1pk", s("EVENTS#EVENT")),
        ("gsi1sk", s("CREATED_AT#1")),
        ("price", n("33.25")),
    ]);
    test.store.put(Put::new(event.clone())).await.unwrap();
    test.store
        .forward(
            "pipe",
            0,
            1,
            vec![
                OutgoingMessage {
                    queue: "Worker".to_owned(),
                    body: "first".to_owned(),
                },
                OutgoingMessage {
                    queue: "Worker".to_owned(),
                    body: "second".to_owned(),
                },
            ],
        )
        .await
        .unwrap();
    let in_flight = test.store.receive(&queue(), 1).await.unwrap().remove(0);

    let test = test.reopen();
    let store = &test.store;
    let key = Key::new("EVENTS#ORDER_ID#1", "EVENT#ORDER_PLACED_EVENT");
    assert_eq!(store.get(&key, true).await.unwrap(), Some(event.clone()));
    let indexed = store
        .query(kernel::table::Query {
            target: kernel::table::QueryTarget::Gsi1 {
                gsi1pk: "EVENTS#EVENT".to_owned(),
            },
            forward: true,
            limit: None,
            consistent: false,
            exclusive_start_key: None,
        })
        .await
        .unwrap()
        .items;
    assert_eq!(indexed, vec![event.clone()]);
    let records = store.stream_after(0, 10).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].new_image, Some(event));
    assert_eq!(*store.stream_notifier().borrow(), 1);
    assert_eq!(store.checkpoint("pipe").await.unwrap(), 1);
    // The in-flight message is still in flight, and its receipt handle still works.
    let visible = store.receive(&queue(), 10).await.unwrap();
    assert_eq!(visible.len(), 1);
    assert_eq!(visible[0].body, "second");
    assert!(
        store
            .delete_message("Worker", &in_flight.receipt_handle)
            .await
            .unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_counter_updates_from_many_tasks_add_up_exactly() {
    let test = TestStore::new();
    let counter = Key::new("INVENTORY#SKU#1", "SKU#1");
    let tasks: Vec<_> = (0..200)
        .map(|_| {
            let store = test.store.clone();
            let counter = counter.clone();
            tokio::spawn(async move {
                let after = store
                    .update(
                        Update::new(counter.clone())
                            .action("units", UpdateAction::AddFromZero(n(1)))
                            .with_condition(Condition::not_equals(
                                "locked",
                                AttributeValue::Bool(true),
                            ))
                            .returning(ReturnValues::AllNew),
                    )
                    .await
                    .unwrap()
                    .unwrap();
                // Acknowledged means committed: a read right after sees at least this write.
                let read = store.get(&counter, true).await.unwrap().unwrap();
                let units = |item: &kernel::table::Item| {
                    get_n(item, "units").unwrap().parse::<u32>().unwrap()
                };
                assert!(units(&read) >= units(&after));
                units(&after)
            })
        })
        .collect();
    let mut seen = Vec::new();
    for task in tasks {
        seen.push(task.await.unwrap());
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=200).collect::<Vec<_>>(),
        "every update saw its own total"
    );
    let stored = test.store.get(&counter, true).await.unwrap().unwrap();
    assert_eq!(get_n(&stored, "units"), Some("200"));
    assert_eq!(test.store.stream_after(0, 1000).await.unwrap().len(), 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_conditional_puts_of_one_item_have_exactly_one_winner() {
    let test = TestStore::new();
    let tasks: Vec<_> = (0..50)
        .map(|writer| {
            let store = test.store.clone();
            tokio::spawn(async move {
                store
                    .put(
                        Put::new(item([
                            ("pk", s("EVENTS#SKU#1")),
                            ("sk", s("EVENT#SKU_RESTOCKED_EVENT#LOT_ID#1")),
                            ("writer", n(writer)),
                        ]))
                        .with_condition(Condition::item_not_exists()),
                    )
                    .await
            })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => winners += 1,
            Err(TableError::ConditionalCheckFailed { old_item: None }) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners, 1);
    assert_eq!(test.store.stream_after(0, 100).await.unwrap().len(), 1);
}

#[tokio::test]
async fn the_file_is_readable_with_plain_sql() {
    let test = TestStore::new();
    test.store
        .put(Put::new(item([
            ("pk", s("ORDERS#ORDER_ID#1")),
            ("sk", s("ORDER_ID#1")),
            ("units", n("2.50")),
        ])))
        .await
        .unwrap();
    let connection = rusqlite::Connection::open(&test.path).unwrap();
    let (text, kind): (String, String) = connection
        .query_row(
            "SELECT items.item, stream.kind FROM items JOIN stream USING (pk, sk)",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        text,
        r#"{"pk":{"S":"ORDERS#ORDER_ID#1"},"sk":{"S":"ORDER_ID#1"},"units":{"N":"2.5"}}"#
    );
    assert_eq!(kind, "INSERT");
    let version: i64 = connection
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .unwrap();
    assert_eq!(version, 4);
}

#[tokio::test]
async fn a_file_from_a_newer_schema_is_refused() {
    let test = TestStore::new();
    let path = test.path.clone();
    drop(test.store);
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    let refused = SqliteStore::open(&path, StoreOptions::default());
    assert!(
        matches!(
            refused,
            Err(StoreError::UnsupportedSchema {
                found: 99,
                supported: 4
            })
        ),
        "{refused:?}"
    );
}

#[test]
fn opening_in_a_missing_directory_fails() {
    let dir = tempfile::tempdir().unwrap();
    let refused = SqliteStore::open(
        &dir.path().join("missing").join("store.sqlite"),
        StoreOptions::default(),
    );
    assert!(
        matches!(refused, Err(StoreError::Open { .. })),
        "{refused:?}"
    );
}

#[tokio::test]
async fn full_durability_opens_and_writes() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(
        &dir.path().join("store.sqlite"),
        StoreOptions {
            durability: Durability::Full,
            read_connections: 1,
        },
    )
    .unwrap();
    let written = item([("pk", s("P")), ("sk", s("S"))]);
    store.put(Put::new(written.clone())).await.unwrap();
    assert_eq!(
        store.get(&Key::new("P", "S"), true).await.unwrap(),
        Some(written)
    );
}

#[tokio::test]
async fn clones_share_one_store() {
    let test = TestStore::new();
    let clone = test.store.clone();
    clone
        .put(Put::new(item([("pk", s("P")), ("sk", s("S"))])))
        .await
        .unwrap();
    drop(clone);
    assert!(
        test.store
            .get(&Key::new("P", "S"), true)
            .await
            .unwrap()
            .is_some()
    );
    // A second store on the same file (e.g. a CLI next to the server) sees the same data.
    let second = open(&test.path, &Arc::clone(&test.clock));
    assert!(
        second
            .get(&Key::new("P", "S"), true)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn closing_leaves_a_self_contained_file() {
    let test = TestStore::new();
    test.store
        .put(Put::new(item([("pk", s("P")), ("sk", s("S"))])))
        .await
        .unwrap();
    // A read leaves an idle read connection in the pool.
    test.store.get(&Key::new("P", "S"), true).await.unwrap();
    let path = test.path.clone();
    drop(test.store);
    let mut wal = path.clone().into_os_string();
    wal.push("-wal");
    assert!(
        !std::path::Path::new(&wal).exists(),
        "the WAL was checkpointed away"
    );
    let count: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM items", [], |row| row.get(0))
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn transactions_need_between_1_and_100_members() {
    let test = TestStore::new();
    let member = |index: usize| {
        kernel::table::TransactItem::Put(Put::new(item([
            ("pk", s(format!("P{index}"))),
            ("sk", s("S")),
        ])))
    };
    for size in [0, 101] {
        let refused = test
            .store
            .transact_write((0..size).map(member).collect())
            .await;
        assert!(
            matches!(refused, Err(TableError::Validation { .. })),
            "{refused:?}"
        );
    }
    test.store
        .transact_write((0..100).map(member).collect())
        .await
        .unwrap();
    assert_eq!(test.store.stream_after(0, 1000).await.unwrap().len(), 100);
}

#[tokio::test]
async fn items_of_an_index_partition_are_counted_by_an_attribute_value() {
    let test = TestStore::new();
    let order = |id: &str, status: Option<&str>| {
        let mut order = item([
            ("pk", s(format!("ORDERS#ORDER_ID#{id}"))),
            ("sk", s(format!("ORDER_ID#{id}"))),
            ("gsi1pk", s("ORDERS#ORDER")),
            ("gsi1sk", s(format!("CREATED_AT#{id}"))),
        ]);
        if let Some(status) = status {
            order.insert("orderStatus".to_owned(), s(status));
        }
        order
    };
    for (id, status) in [
        ("1", Some("ACCEPTED")),
        ("2", Some("REJECTED")),
        ("3", Some("ACCEPTED")),
        ("4", None),
    ] {
        test.store.put(Put::new(order(id, status))).await.unwrap();
    }
    // Another partition with the same attribute is not counted.
    let mut payment = order("5", Some("ACCEPTED"));
    payment.insert("gsi1pk".to_owned(), s("PAYMENTS#ORDER_PAYMENT"));
    test.store.put(Put::new(payment)).await.unwrap();

    let counts = test
        .store
        .count_by_attribute("ORDERS#ORDER", "orderStatus")
        .await
        .unwrap();
    assert_eq!(
        counts,
        vec![
            (None, 1),
            (Some("ACCEPTED".to_owned()), 2),
            (Some("REJECTED".to_owned()), 1)
        ]
    );
    assert!(
        test.store
            .count_by_attribute("NOTHING#HERE", "orderStatus")
            .await
            .unwrap()
            .is_empty()
    );
}
