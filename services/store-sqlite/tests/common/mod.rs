//! Helpers shared by the store's integration tests.

#![allow(
    dead_code,
    clippy::unwrap_used,
    reason = "each test binary uses a different subset; setup failures fail the test"
)]

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kernel::clock::Clock;
use store_sqlite::{SqliteStore, StoreOptions};
use tempfile::TempDir;

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock {
    millis: AtomicU64,
}

impl ManualClock {
    pub fn at_millis(millis: u64) -> Arc<Self> {
        Arc::new(Self {
            millis: AtomicU64::new(millis),
        })
    }

    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap();
        self.millis.fetch_add(by, Ordering::SeqCst);
    }

    pub fn millis(&self) -> u64 {
        self.millis.load(Ordering::SeqCst)
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_millis(self.millis())
    }
}

pub const START_MS: u64 = 1_750_000_000_000;

/// A store file in a fresh temporary directory (kept alive by the returned `TempDir`).
pub struct TestStore {
    pub store: SqliteStore,
    pub clock: Arc<ManualClock>,
    pub path: PathBuf,
    pub dir: TempDir,
}

impl TestStore {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.sqlite");
        let clock = ManualClock::at_millis(START_MS);
        let store = open(&path, &clock);
        Self {
            store,
            clock,
            path,
            dir,
        }
    }

    /// Closes the store (waiting for its writer) and opens the same file again.
    pub fn reopen(self) -> Self {
        let Self {
            store,
            clock,
            path,
            dir,
        } = self;
        drop(store);
        let store = open(&path, &clock);
        Self {
            store,
            clock,
            path,
            dir,
        }
    }
}

pub fn open(path: &std::path::Path, clock: &Arc<ManualClock>) -> SqliteStore {
    SqliteStore::open_with_clock(
        path,
        StoreOptions::default(),
        Arc::clone(clock) as Arc<dyn Clock>,
    )
    .unwrap()
}
