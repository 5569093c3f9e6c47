//! Bounded growth: the housekeeping sweep deletes what AWS would have dropped by now and gives
//! the space back, without waiting for the pipe to catch up.

#![allow(clippy::unwrap_used, reason = "test expectations fail the test")]

use std::sync::Arc;
use std::time::Duration;

use kernel::clock::FixedClock;
use kernel::table::{Put, Table, item, n, s};
use local::config::RetentionArgs;
use local::housekeeping::Housekeeping;
use local::routing::RoutingTable;
use store_sqlite::{OutgoingMessage, SqliteStore, StoreOptions};

const DAY: Duration = Duration::from_secs(24 * 3600);
const T0: u64 = 1_750_000_000_000;
const DAY_MS: u64 = 24 * 3600 * 1000;

fn retention() -> RetentionArgs {
    RetentionArgs {
        stream_retention: DAY,
        message_retention: 4 * DAY,
        dead_letter_retention: 14 * DAY,
        housekeeping_interval: Duration::from_secs(60),
    }
}

fn open_at(path: &std::path::Path, millis: u64) -> SqliteStore {
    SqliteStore::open_with_clock(
        path,
        StoreOptions::default(),
        Arc::new(FixedClock::at_millis(millis)),
    )
    .unwrap()
}

#[tokio::test]
async fn expired_records_messages_and_items_go_and_the_file_shrinks() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let routing = RoutingTable::load().unwrap();
    let store = open_at(&path, T0);
    let body = "m".repeat(2000);
    for index in 0..200 {
        store
            .put(Put::new(item([
                ("pk", s(format!("P{index}"))),
                ("sk", s("S")),
                ("expiresAt", n(T0 / 1000 + 3600)),
            ])))
            .await
            .unwrap();
    }
    // The pipe read nothing; the queues hold worker messages and dead letters.
    let mut messages = Vec::new();
    for queue in ["Orders-SyncOrderWorker", "Orders-SyncOrderWorker-Dlq"] {
        for _ in 0..100 {
            messages.push(OutgoingMessage {
                queue: queue.to_owned(),
                body: body.clone(),
            });
        }
    }
    store.forward("audit", 0, 1, messages).await.unwrap();
    let full = store.file_pages().await.unwrap();
    drop(store);

    // Two days on: the stream and the expired items are gone, the messages stay.
    let store = open_at(&path, T0 + 2 * DAY_MS);
    let swept = Housekeeping::new(store.clone(), &routing, retention())
        .sweep()
        .await
        .unwrap();
    assert_eq!(swept.stream_records, 200);
    assert_eq!(swept.items, 200);
    assert_eq!(swept.messages, 0);
    assert!(
        store
            .stream_after(0, 1000)
            .await
            .unwrap()
            .iter()
            .all(|r| r.kind == store_sqlite::StreamRecordKind::Remove)
    );
    drop(store);

    // Five days on: worker messages expired, dead letters kept; fifteen days: all gone.
    let store = open_at(&path, T0 + 5 * DAY_MS);
    let swept = Housekeeping::new(store.clone(), &routing, retention())
        .sweep()
        .await
        .unwrap();
    assert_eq!(swept.messages, 100);
    assert_eq!(
        swept.stream_records, 200,
        "the REMOVE records of the expired items"
    );
    assert_eq!(
        store
            .list_messages("Orders-SyncOrderWorker-Dlq", 1000)
            .await
            .unwrap()
            .len(),
        100
    );
    drop(store);
    let store = open_at(&path, T0 + 15 * DAY_MS);
    let swept = Housekeeping::new(store.clone(), &routing, retention())
        .sweep()
        .await
        .unwrap();
    assert_eq!(swept.messages, 100);
    assert_eq!(swept.stream_records, 0);

    let after = store.file_pages().await.unwrap();
    assert_eq!(after.free_pages, 0);
    assert!(
        after.page_count * 4 < full.page_count,
        "{full:?} → {after:?}"
    );
}
