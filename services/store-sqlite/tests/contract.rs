//! The shared Table contract suite against a SqliteStore in a fresh temporary directory.

#![allow(
    clippy::unwrap_used,
    reason = "fixture setup failing must fail the test"
)]

use std::ops::Deref;

use store_sqlite::{SqliteStore, StoreOptions};
use tempfile::TempDir;

/// The store and the directory holding its file (removed after the store is closed).
struct Fixture {
    store: SqliteStore,
    _dir: TempDir,
}

impl Deref for Fixture {
    type Target = SqliteStore;

    fn deref(&self) -> &SqliteStore {
        &self.store
    }
}

async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store =
        SqliteStore::open(&dir.path().join("store.sqlite"), StoreOptions::default()).unwrap();
    Fixture { store, _dir: dir }
}

table_contract::table_contract_tests!(fixture);
