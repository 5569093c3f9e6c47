//! Bounded growth: stream records, queue messages and TTL-expired items are deleted in bounded
//! batches, and the freed pages are returned to the file system.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test setup and expectations fail the test"
)]

mod common;

use std::time::Duration;

use common::{START_MS, TestStore};
use kernel::table::{Key, Put, Table, item, n, s};
use store_sqlite::{OutgoingMessage, QueueConfig, SqliteStore, StoreOptions, StreamRecordKind};

const HOUR: Duration = Duration::from_secs(3600);

fn queue() -> QueueConfig {
    QueueConfig {
        name: "Worker".to_owned(),
        dead_letter_queue: "Worker-DLQ".to_owned(),
        visibility_timeout: Duration::from_secs(30),
        max_receive_count: 3,
    }
}

async fn send(store: &SqliteStore, bodies: usize) {
    let from = store.checkpoint("pipe").await.unwrap();
    let through = from + 1;
    store
        .put(Put::new(item([
            ("pk", s("P")),
            ("sk", s(format!("S{through}"))),
        ])))
        .await
        .unwrap();
    let messages = (0..bodies)
        .map(|index| OutgoingMessage {
            queue: "Worker".to_owned(),
            body: format!("message {index}"),
        })
        .collect();
    store
        .forward("pipe", from, through, messages)
        .await
        .unwrap();
}

#[tokio::test]
async fn messages_expire_after_the_retention_in_flight_or_not() {
    let test = TestStore::new();
    let store = &test.store;
    send(store, 3).await;
    let in_flight = store.receive(&queue(), 1).await.unwrap();
    assert_eq!(in_flight.len(), 1);
    test.clock.advance(HOUR);
    send(store, 1).await;

    let retention = HOUR - Duration::from_millis(1);
    assert_eq!(
        store.expire_messages("Worker", retention, 2).await.unwrap(),
        2
    );
    assert_eq!(
        store.expire_messages("Worker", retention, 2).await.unwrap(),
        1
    );
    assert_eq!(
        store.expire_messages("Worker", retention, 2).await.unwrap(),
        0
    );
    let left = store.list_messages("Worker", 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].body, "message 0");
    // Other queues are not touched.
    assert_eq!(
        store
            .expire_messages("Other", Duration::ZERO, 10)
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn items_whose_ttl_passed_are_deleted_with_a_remove_record() {
    let test = TestStore::new();
    let store = &test.store;
    let now_s = START_MS / 1000;
    for (sk, expires) in [
        ("past", n(now_s - 1)),
        ("future", n(now_s + 60)),
        ("text", s("0")),
    ] {
        store
            .put(Put::new(item([
                ("pk", s("P")),
                ("sk", s(sk)),
                ("expiresAt", expires),
            ])))
            .await
            .unwrap();
    }
    store
        .put(Put::new(item([("pk", s("P")), ("sk", s("none"))])))
        .await
        .unwrap();

    assert_eq!(store.expire_items(10).await.unwrap(), 1);
    assert!(
        store
            .get(&Key::new("P", "past"), true)
            .await
            .unwrap()
            .is_none()
    );
    let records = store.stream_after(0, 100).await.unwrap();
    let last = records.last().unwrap();
    assert_eq!(last.kind, StreamRecordKind::Remove);
    assert_eq!(last.keys, Key::new("P", "past"));

    // A minute later the second one goes; a non-number TTL and no TTL never do.
    test.clock.advance(Duration::from_secs(61));
    assert_eq!(store.expire_items(10).await.unwrap(), 1);
    assert_eq!(store.expire_items(10).await.unwrap(), 0);
    for kept in ["text", "none"] {
        assert!(
            store
                .get(&Key::new("P", kept), true)
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn freed_pages_are_returned_to_the_file_system() {
    let test = TestStore::new();
    let store = &test.store;
    let body = "x".repeat(4000);
    for batch in 0..50 {
        let from = store.checkpoint("pipe").await.unwrap();
        store
            .put(Put::new(item([
                ("pk", s("P")),
                ("sk", s(format!("S{batch}"))),
            ])))
            .await
            .unwrap();
        let messages = (0..10)
            .map(|_| OutgoingMessage {
                queue: "Worker".to_owned(),
                body: body.clone(),
            })
            .collect();
        store
            .forward("pipe", from, from + 1, messages)
            .await
            .unwrap();
    }
    let full = store.file_pages().await.unwrap();
    test.clock.advance(Duration::from_millis(1));
    while store
        .expire_messages("Worker", Duration::ZERO, 100)
        .await
        .unwrap()
        > 0
    {}
    let emptied = store.file_pages().await.unwrap();
    assert!(emptied.free_pages > 100, "{full:?} {emptied:?}");
    store.incremental_vacuum(u32::MAX).await.unwrap();
    let vacuumed = store.file_pages().await.unwrap();
    assert_eq!(vacuumed.free_pages, 0, "{vacuumed:?}");
    assert!(
        vacuumed.page_count + 100 < full.page_count,
        "{full:?} → {vacuumed:?}"
    );
}

#[tokio::test]
async fn a_version_1_file_is_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.sqlite");
    {
        let connection = rusqlite::Connection::open(&path).unwrap();
        connection
            .execute_batch(
                "CREATE TABLE items (pk TEXT NOT NULL, sk TEXT NOT NULL, gsi1pk TEXT,
                     gsi1sk TEXT, item TEXT NOT NULL, PRIMARY KEY (pk, sk)) WITHOUT ROWID;
                 INSERT INTO items VALUES ('P', 'S', NULL, NULL,
                     '{\"expiresAt\":{\"N\":\"1\"},\"pk\":{\"S\":\"P\"},\"sk\":{\"S\":\"S\"}}');
                 PRAGMA user_version = 1;",
            )
            .unwrap();
    }
    let store = SqliteStore::open(&path, StoreOptions::default()).unwrap();
    // The old item's TTL is honoured, so its column was filled in.
    assert_eq!(store.expire_items(10).await.unwrap(), 1);
    drop(store);
    let connection = rusqlite::Connection::open(&path).unwrap();
    let auto_vacuum: i64 = connection
        .query_row("PRAGMA auto_vacuum", [], |row| row.get(0))
        .unwrap();
    assert_eq!(auto_vacuum, 2, "incremental");
}
