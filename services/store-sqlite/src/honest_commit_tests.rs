//! Group commit under injected failures: every request is answered as written exactly when its
//! writes are in the file, and as failed exactly when they are not.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test expectations fail the test"
)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kernel::clock::SystemClock;
use kernel::table::{Key, Put, Table, TableError, item, s};

use crate::writer::{FaultHook, FaultPoint};
use crate::{SqliteStore, StoreOptions};

/// What the hook does at a fault point of a given group (groups counted from 0).
type Script =
    dyn Fn(usize, FaultPoint, &rusqlite::Connection) -> rusqlite::Result<()> + Send + Sync;

struct Harness {
    store: SqliteStore,
    _dir: tempfile::TempDir,
}

/// Opens a store whose writer calls `script` at every fault point. The first group (a single
/// "gate" put) is held for a moment, so that the requests sent meanwhile form the next group.
fn open(script: Arc<Script>) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let groups = Arc::new(AtomicUsize::new(0));
    let hook: FaultHook = Box::new(move |point, connection| {
        let group = groups.load(Ordering::SeqCst);
        if group == 0 && point == FaultPoint::AfterRequest(0) {
            std::thread::sleep(Duration::from_millis(300));
        }
        let result = script(group, point, connection);
        if point == FaultPoint::BeforeCommit {
            groups.fetch_add(1, Ordering::SeqCst);
        }
        result
    });
    let store = SqliteStore::open_writer(
        &dir.path().join("store.sqlite"),
        StoreOptions::default(),
        Arc::new(SystemClock),
        Some(hook),
    )
    .unwrap();
    Harness { store, _dir: dir }
}

fn put(name: &str, bytes: usize) -> Put {
    Put::new(item([
        ("pk", s("P")),
        ("sk", s(name)),
        ("payload", s("x".repeat(bytes))),
    ]))
}

/// Sends the gate, then `puts` while the gate's group is held; returns each put's answer.
async fn run_group(store: &SqliteStore, puts: Vec<Put>) -> Vec<(String, Result<(), TableError>)> {
    let gate = {
        let store = store.clone();
        tokio::spawn(async move { store.put(put("gate", 1)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut answers = Vec::new();
    for put in puts {
        let store = store.clone();
        let name = kernel::table::get_s(&put.item, "sk").unwrap().to_owned();
        answers.push((name, tokio::spawn(async move { store.put(put).await })));
    }
    gate.await.unwrap().unwrap();
    let mut results = Vec::new();
    for (name, answer) in answers {
        results.push((name, answer.await.unwrap()));
    }
    results
}

/// Every answered-written put is in the table and has its stream record; every failed one is
/// absent and has none.
async fn assert_honest(store: &SqliteStore, answers: &[(String, Result<(), TableError>)]) {
    let records = store.stream_after(0, 10_000).await.unwrap();
    for (name, answer) in answers {
        let stored = store.get(&Key::new("P", name), true).await.unwrap();
        let recorded = records.iter().filter(|r| r.keys.sk == *name).count();
        match answer {
            Ok(()) => {
                assert!(stored.is_some(), "{name} answered written but is missing");
                assert_eq!(recorded, 1, "{name}: one stream record");
            }
            Err(_) => {
                assert!(stored.is_none(), "{name} answered failed but was written");
                assert_eq!(recorded, 0, "{name}: no stream record");
            }
        }
    }
}

fn names(count: usize) -> Vec<Put> {
    (0..count)
        .map(|index| put(&format!("r{index}"), 10))
        .collect()
}

#[tokio::test]
async fn a_transaction_lost_mid_group_fails_only_the_request_it_was_running() {
    let rolled_back = Arc::new(Mutex::new(false));
    let once = Arc::clone(&rolled_back);
    // SQLite rolls a transaction back by itself after some I/O errors: do exactly that.
    let harness = open(Arc::new(move |group, point, connection| {
        let mut done = once.lock().unwrap();
        if group == 1 && point == FaultPoint::AfterRequest(2) && !*done {
            *done = true;
            connection.execute_batch("ROLLBACK")?;
        }
        Ok(())
    }));
    let answers = run_group(&harness.store, names(6)).await;
    let failed: Vec<_> = answers.iter().filter(|(_, a)| a.is_err()).collect();
    assert_eq!(failed.len(), 1, "{answers:?}");
    assert!(matches!(failed[0].1, Err(TableError::Other { .. })));
    assert_honest(&harness.store, &answers).await;
}

#[tokio::test]
async fn a_failed_commit_fails_every_request_of_the_group_and_writes_none() {
    let harness = open(Arc::new(|group, point, _connection| {
        if group == 1 && point == FaultPoint::BeforeCommit {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_IOERR),
                Some("injected".to_owned()),
            ));
        }
        Ok(())
    }));
    let answers = run_group(&harness.store, names(5)).await;
    assert!(
        answers.iter().all(|(_, answer)| answer.is_err()),
        "{answers:?}"
    );
    assert!(
        answers
            .iter()
            .all(|(_, answer)| matches!(answer, Err(TableError::Unavailable { .. }))),
        "an I/O failure is unavailability (transient)"
    );
    assert_honest(&harness.store, &answers).await;
    // The store goes on: the next write is committed.
    harness.store.put(put("after", 1)).await.unwrap();
}

#[tokio::test]
async fn a_full_disk_fails_the_request_that_does_not_fit_and_keeps_the_rest() {
    // A real SQLITE_FULL: the file may not grow past a few more pages than it has.
    let harness = open(Arc::new(|group, point, connection| {
        if group == 1 && point == FaultPoint::AfterRequest(0) {
            let pages: i64 = connection.query_row("PRAGMA page_count", [], |row| row.get(0))?;
            connection.execute_batch(&format!("PRAGMA max_page_count = {}", pages + 20))?;
        }
        Ok(())
    }));
    let mut puts = names(4);
    puts.insert(2, put("huge", 300 * 1024));
    let answers = run_group(&harness.store, puts).await;
    let huge = answers.iter().find(|(name, _)| name == "huge").unwrap();
    assert!(
        matches!(huge.1, Err(TableError::Unavailable { .. })),
        "{:?}",
        huge.1
    );
    assert_eq!(
        answers.iter().filter(|(_, a)| a.is_ok()).count(),
        4,
        "{answers:?}"
    );
    assert_honest(&harness.store, &answers).await;
}
