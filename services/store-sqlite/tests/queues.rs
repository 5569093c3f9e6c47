//! The durable queues: SQS standard-queue semantics.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test setup and expectations fail the test"
)]

mod common;

use std::time::Duration;

use common::{START_MS, TestStore};
use kernel::table::{Put, Table, item, s};
use store_sqlite::{Delivery, OutgoingMessage, QueueConfig, QueueStats, SqliteStore, StoreError};

const TIMEOUT: Duration = Duration::from_secs(30);

fn worker_queue(max_receive_count: u32) -> QueueConfig {
    QueueConfig {
        name: "Worker".to_owned(),
        dead_letter_queue: "Worker-DLQ".to_owned(),
        visibility_timeout: TIMEOUT,
        max_receive_count,
    }
}

/// Sends messages the only way the store offers: forwarding stream records.
async fn send(store: &SqliteStore, bodies: &[&str]) {
    let position = store.checkpoint("test").await.unwrap() + 1;
    store
        .put(Put::new(item([
            ("pk", s("P")),
            ("sk", s(format!("S{position}"))),
        ])))
        .await
        .unwrap();
    let messages = bodies
        .iter()
        .map(|body| OutgoingMessage {
            queue: "Worker".to_owned(),
            body: (*body).to_owned(),
        })
        .collect();
    store
        .forward("test", position - 1, position, messages)
        .await
        .unwrap();
}

fn bodies(messages: &[store_sqlite::ReceivedMessage]) -> Vec<&str> {
    messages
        .iter()
        .map(|message| message.body.as_str())
        .collect()
}

#[tokio::test]
async fn received_messages_stay_hidden_for_the_visibility_timeout() {
    let test = TestStore::new();
    let store = &test.store;
    send(store, &["a", "b"]).await;
    test.clock.advance(Duration::from_secs(1));

    let first = store.receive(&worker_queue(5), 10).await.unwrap();
    assert_eq!(bodies(&first), vec!["a", "b"]);
    assert!(first.iter().all(|message| message.receive_count == 1
        && message.sent_at_ms == START_MS
        && message.first_received_at_ms == START_MS + 1000));
    assert_ne!(first[0].message_id, first[1].message_id);

    assert!(
        store
            .receive(&worker_queue(5), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.next_visible_in("Worker").await.unwrap(),
        Some(TIMEOUT)
    );

    test.clock.advance(TIMEOUT);
    assert_eq!(
        store.next_visible_in("Worker").await.unwrap(),
        Some(Duration::ZERO)
    );
    let second = store.receive(&worker_queue(5), 10).await.unwrap();
    assert_eq!(bodies(&second), vec!["a", "b"]);
    assert!(second.iter().all(
        |message| message.receive_count == 2 && message.first_received_at_ms == START_MS + 1000
    ));
    assert_eq!(second[0].message_id, first[0].message_id);
    assert_ne!(second[0].receipt_handle, first[0].receipt_handle);
}

#[tokio::test]
async fn receive_returns_at_most_the_batch_size_oldest_first() {
    let test = TestStore::new();
    let store = &test.store;
    let sent: Vec<String> = (0..12).map(|index| format!("m{index:02}")).collect();
    for body in &sent {
        send(store, &[body]).await;
        test.clock.advance(Duration::from_millis(1));
    }
    let batch = store.receive(&worker_queue(5), 10).await.unwrap();
    assert_eq!(
        bodies(&batch),
        sent[..10].iter().map(String::as_str).collect::<Vec<_>>()
    );
    let rest = store.receive(&worker_queue(5), 10).await.unwrap();
    assert_eq!(bodies(&rest), vec!["m10", "m11"]);

    for size in [0, 11] {
        let refused = store.receive(&worker_queue(5), size).await;
        assert!(
            matches!(refused, Err(StoreError::InvalidRequest { .. })),
            "{refused:?}"
        );
    }
}

#[tokio::test]
async fn delete_needs_the_current_receipt_handle() {
    let test = TestStore::new();
    let store = &test.store;
    send(store, &["a"]).await;
    let first = store.receive(&worker_queue(5), 1).await.unwrap().remove(0);
    test.clock.advance(TIMEOUT);
    let second = store.receive(&worker_queue(5), 1).await.unwrap().remove(0);

    assert!(
        !store
            .delete_message("Worker", &first.receipt_handle)
            .await
            .unwrap()
    );
    assert_eq!(store.list_messages("Worker", 10).await.unwrap().len(), 1);
    assert!(
        !store
            .delete_message("Other", &second.receipt_handle)
            .await
            .unwrap()
    );
    assert!(
        store
            .delete_message("Worker", &second.receipt_handle)
            .await
            .unwrap()
    );
    assert!(store.list_messages("Worker", 10).await.unwrap().is_empty());
    assert!(
        !store
            .delete_message("Worker", &second.receipt_handle)
            .await
            .unwrap()
    );
    assert_eq!(store.next_visible_in("Worker").await.unwrap(), None);
}

#[tokio::test]
async fn a_batch_delete_answers_each_handle_in_order() {
    let test = TestStore::new();
    let store = &test.store;
    send(store, &["a", "b", "c"]).await;
    let received = store.receive(&worker_queue(5), 10).await.unwrap();
    let handles: Vec<String> = received
        .iter()
        .map(|message| message.receipt_handle.clone())
        .collect();
    let deleted = store
        .delete_messages(
            "Worker",
            vec![handles[0].clone(), "stale".to_owned(), handles[2].clone()],
        )
        .await
        .unwrap();
    assert_eq!(deleted, [true, false, true]);
    let left = store.list_messages("Worker", 10).await.unwrap();
    assert_eq!(
        left.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["b"]
    );
    assert!(
        store
            .delete_messages("Worker", Vec::new())
            .await
            .unwrap()
            .is_empty()
    );
}

#[tokio::test]
async fn a_message_received_max_receive_count_times_moves_to_the_dead_letter_queue() {
    let test = TestStore::new();
    let store = &test.store;
    send(store, &["poison"]).await;
    send(store, &["fresh"]).await;
    let queue = worker_queue(2);
    for expected_count in 1..=2 {
        let received = store.receive(&queue, 1).await.unwrap();
        assert_eq!(bodies(&received), vec!["poison"]);
        assert_eq!(received[0].receive_count, expected_count);
        test.clock.advance(TIMEOUT);
    }
    let bumps_before = *store.queue_notifier("Worker-DLQ").borrow();

    // The third receive moves the poison message instead of returning it, and still fills the
    // batch with the next visible message.
    let received = store.receive(&queue, 1).await.unwrap();
    assert_eq!(bodies(&received), vec!["fresh"]);
    assert_eq!(
        *store.queue_notifier("Worker-DLQ").borrow(),
        bumps_before + 1
    );

    let dead = store.list_messages("Worker-DLQ", 10).await.unwrap();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].body, "poison");
    assert_eq!(dead[0].receive_count, 0);
    assert_eq!(dead[0].sent_at_ms, START_MS);
    assert_eq!(
        store.queue_stats().await.unwrap(),
        vec![
            QueueStats {
                queue: "Worker".to_owned(),
                visible: 0,
                in_flight: 1,
                oldest_sent_at_ms: START_MS,
            },
            QueueStats {
                queue: "Worker-DLQ".to_owned(),
                visible: 1,
                in_flight: 0,
                oldest_sent_at_ms: START_MS,
            },
        ]
    );
}

#[tokio::test]
async fn redrive_moves_every_message_back_as_fresh() {
    let test = TestStore::new();
    let store = &test.store;
    send(store, &["x", "y"]).await;
    let queue = worker_queue(1);
    store.receive(&queue, 10).await.unwrap();
    test.clock.advance(TIMEOUT);
    assert!(store.receive(&queue, 10).await.unwrap().is_empty());
    assert_eq!(
        store.list_messages("Worker-DLQ", 10).await.unwrap().len(),
        2
    );

    let bumps_before = *store.queue_notifier("Worker").borrow();
    assert_eq!(store.redrive("Worker-DLQ", "Worker").await.unwrap(), 2);
    assert_eq!(*store.queue_notifier("Worker").borrow(), bumps_before + 2);
    assert!(
        store
            .list_messages("Worker-DLQ", 10)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.receive(&queue, 10).await.unwrap();
    assert_eq!(bodies(&again), vec!["x", "y"]);
    assert!(again.iter().all(|message| message.receive_count == 1));
    assert_eq!(store.redrive("Worker-DLQ", "Worker").await.unwrap(), 0);
}

#[tokio::test]
async fn stats_and_next_visibility_of_queues() {
    let test = TestStore::new();
    let store = &test.store;
    assert_eq!(store.next_visible_in("Worker").await.unwrap(), None);
    assert!(store.queue_stats().await.unwrap().is_empty());
    send(store, &["a", "b", "c"]).await;
    store.receive(&worker_queue(5), 1).await.unwrap();
    assert_eq!(
        store.queue_stats().await.unwrap(),
        vec![QueueStats {
            queue: "Worker".to_owned(),
            visible: 2,
            in_flight: 1,
            oldest_sent_at_ms: START_MS,
        }]
    );
    assert_eq!(
        store.next_visible_in("Worker").await.unwrap(),
        Some(Duration::ZERO)
    );
}

#[tokio::test]
async fn misconfigured_queues_are_refused() {
    let test = TestStore::new();
    let mut own_dlq = worker_queue(5);
    own_dlq.dead_letter_queue = own_dlq.name.clone();
    let mut no_receives = worker_queue(0);
    no_receives.name = "Other".to_owned();
    for config in [own_dlq, no_receives] {
        let refused = test.store.receive(&config, 1).await;
        assert!(
            matches!(refused, Err(StoreError::InvalidRequest { .. })),
            "{refused:?}"
        );
    }
}

fn delivery(message: &store_sqlite::ReceivedMessage, subject: &str, outcome: &str) -> Delivery {
    Delivery {
        queue: "Worker".to_owned(),
        message_id: message.message_id.clone(),
        subject: subject.to_owned(),
        event: "EVENT#X".to_owned(),
        receive_count: message.receive_count,
        sent_at_ms: message.sent_at_ms,
        received_at_ms: START_MS,
        finished_at_ms: START_MS + 5,
        outcome: outcome.to_owned(),
        failure_kind: (outcome == "retried").then(|| "SomeError".to_owned()),
    }
}

#[tokio::test]
async fn a_settled_batch_deletes_its_consumed_messages_and_journals_every_delivery() {
    let test = TestStore::new();
    let store = &test.store;
    send(store, &["a", "b"]).await;
    let received = store.receive(&worker_queue(5), 10).await.unwrap();
    let journal = vec![
        delivery(&received[0], "EVENTS#ORDER_ID#1", "succeeded"),
        delivery(&received[1], "EVENTS#ORDER_ID#2", "retried"),
    ];
    let deleted = store
        .settle_batch(
            "Worker",
            vec![received[0].receipt_handle.clone()],
            journal.clone(),
        )
        .await
        .unwrap();
    assert_eq!(deleted, [true]);
    let left = store.list_messages("Worker", 10).await.unwrap();
    assert_eq!(
        left.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(),
        ["b"]
    );
    assert_eq!(
        store.deliveries_of("EVENTS#ORDER_ID#2").await.unwrap(),
        [journal[1].clone()]
    );

    // The journal is trimmed with the stream's retention, oldest first.
    let retention = Duration::from_secs(60);
    assert_eq!(store.trim_deliveries(retention, 10).await.unwrap(), 0);
    test.clock.advance(retention + Duration::from_secs(1));
    assert_eq!(store.trim_deliveries(retention, 1).await.unwrap(), 1);
    assert_eq!(store.trim_deliveries(retention, 10).await.unwrap(), 1);
    assert!(
        store
            .deliveries_of("EVENTS#ORDER_ID#1")
            .await
            .unwrap()
            .is_empty()
    );
}
