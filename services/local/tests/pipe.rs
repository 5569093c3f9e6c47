//! The embedded pipe never stops for one record: a record that cannot be delivered is retried,
//! then set aside in the pipe's dead-letter queue, and the records after it keep flowing.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test expectations fail the test"
)]

use std::sync::Arc;

use contracts::events::EVENT_TYPE_NAME;
use kernel::table::{Put, Table, item, s};
use local::pipe::{self, DEAD_LETTER_QUEUE, Pipe};
use local::routing::RoutingTable;
use store_sqlite::{SqliteStore, StoreOptions};

fn event(order: &str) -> Put {
    Put::new(item([
        ("pk", s(format!("EVENTS#ORDER_ID#{order}"))),
        ("sk", s("EVENT#ORDER_PLACED_EVENT")),
        ("_tn", s(EVENT_TYPE_NAME)),
        ("eventName", s("ORDER_PLACED_EVENT")),
    ]))
}

/// A stream record whose image cannot be read back, as files written before the store enforced
/// DynamoDB's nesting limit could hold (an item nested ~70 levels deep).
fn write_unreadable_record(path: &std::path::Path) {
    let deep = format!("{}\"x\"{}", "{\"M\":{\"a\":".repeat(70), "}}".repeat(70));
    let image = format!("{{\"pk\":{{\"S\":\"EVENTS#ORDER_ID#deep\"}},\"d\":{deep}}}");
    let connection = rusqlite::Connection::open(path).unwrap();
    connection
        .execute(
            "INSERT INTO stream (kind, pk, sk, new_image, created_at_ms, size_bytes)
             VALUES ('INSERT', 'EVENTS#ORDER_ID#deep', 'EVENT#X', ?1, 0, 0)",
            [image],
        )
        .unwrap();
}

async fn drain(pipe: &mut Pipe) -> Vec<String> {
    let mut failures = Vec::new();
    for _ in 0..100 {
        match pipe.forward_pending().await {
            Ok(0) => return failures,
            Ok(_) => {}
            Err(error) => failures.push(error.to_string()),
        }
    }
    panic!("the pipe did not settle: {failures:?}");
}

#[tokio::test]
async fn an_unreadable_record_is_dead_lettered_and_later_records_still_flow() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let store = SqliteStore::open(&path, StoreOptions::default()).unwrap();
    let mut routing = RoutingTable::load().unwrap();
    routing.pipe.maximum_retry_attempts = 3;
    let routing = Arc::new(routing);

    store.put(event("before")).await.unwrap();
    write_unreadable_record(&path);
    store.put(event("after")).await.unwrap();

    let mut pipe = Pipe::new(store.clone(), Arc::clone(&routing));
    let failures = drain(&mut pipe).await;
    // The first attempt and three retries fail; the fourth failure dead-letters it.
    assert_eq!(failures.len(), 3, "{failures:?}");

    let synced = store
        .list_messages("Orders-SyncOrderWorker", 10)
        .await
        .unwrap();
    assert_eq!(
        synced.len(),
        2,
        "the records before and after it were delivered"
    );
    assert!(synced[1].body.contains("EVENTS#ORDER_ID#after"));
    assert_eq!(store.checkpoint(pipe::CHECKPOINT).await.unwrap(), 3);

    let dead = store.list_messages(DEAD_LETTER_QUEUE, 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    let letter: serde_json::Value = serde_json::from_str(&dead[0].body).unwrap();
    assert_eq!(letter["record"]["seq"], 2);
    assert_eq!(letter["attempts"], 4);
    assert!(
        letter["reason"]
            .as_str()
            .unwrap()
            .contains("recursion limit"),
        "{letter}"
    );
    assert!(
        letter["record"]["newImage"].as_str().unwrap().len() > 700,
        "kept raw"
    );

    // Still unreadable: a redrive keeps it and says why.
    let redriven = pipe::redrive_dead_letters(&store, &routing).await.unwrap();
    assert_eq!(redriven.routed, 0);
    assert_eq!(redriven.kept.len(), 1);
}

#[tokio::test]
async fn a_redriven_dead_letter_that_can_now_be_read_is_routed() {
    let dir = tempfile::tempdir().unwrap();
    let store =
        SqliteStore::open(&dir.path().join("store.sqlite"), StoreOptions::default()).unwrap();
    let routing = RoutingTable::load().unwrap();
    let image = r#"{"_tn":{"S":"EVENTS#EVENT"},"eventName":{"S":"ORDER_PLACED_EVENT"},"pk":{"S":"EVENTS#ORDER_ID#o1"},"sk":{"S":"EVENT#ORDER_PLACED_EVENT"}}"#;
    let letter = serde_json::json!({
        "reason": "a bug since fixed",
        "attempts": 11,
        "record": {
            "seq": 7,
            "eventName": "INSERT",
            "keys": { "pk": "EVENTS#ORDER_ID#o1", "sk": "EVENT#ORDER_PLACED_EVENT" },
            "newImage": image,
            "createdAtMs": 1_750_000_000_000_u64,
        },
    });
    store.put(event("o1")).await.unwrap();
    store
        .forward(
            pipe::CHECKPOINT,
            0,
            1,
            vec![store_sqlite::OutgoingMessage {
                queue: DEAD_LETTER_QUEUE.to_owned(),
                body: letter.to_string(),
            }],
        )
        .await
        .unwrap();

    let redriven = pipe::redrive_dead_letters(&store, &routing).await.unwrap();
    assert_eq!(redriven.routed, 1);
    assert!(
        store
            .list_messages(DEAD_LETTER_QUEUE, 10)
            .await
            .unwrap()
            .is_empty()
    );
    let synced = store
        .list_messages("Orders-SyncOrderWorker", 10)
        .await
        .unwrap();
    assert_eq!(synced.len(), 1);
    assert!(synced[0].body.contains("EVENTS#ORDER_ID#o1"));
}
