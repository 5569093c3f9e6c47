//! Bounded growth, as on AWS: stream records older than the stream retention (24 h, read or
//! not), queue messages older than the message retention (4 days) and dead letters older than
//! the dead-letter retention (14 days) are deleted; so are items whose `expiresAt` TTL has
//! passed. Deletes run in small batches so they never hold the writer long, and freed pages are
//! returned to the file system (incremental vacuum), so the data directory stops growing.

use std::time::Duration;

use store_sqlite::{SqliteStore, StoreError};
use tokio::sync::watch;

use crate::config::RetentionArgs;
use crate::pipe;
use crate::routing::RoutingTable;

/// Rows deleted per write request.
const BATCH: usize = 500;
/// Pages returned to the file system per write request.
const VACUUM_PAGES: u32 = 1024;

#[derive(Debug, thiserror::Error)]
pub enum HousekeepingError {
    #[error("expired records or messages could not be deleted")]
    Store(#[from] StoreError),
    #[error("expired items could not be deleted")]
    Table(#[from] kernel::table::TableError),
}

/// What one sweep deleted.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    pub stream_records: u64,
    pub messages: u64,
    pub items: u64,
    pub pages_freed: u64,
}

pub struct Housekeeping {
    store: SqliteStore,
    retention: RetentionArgs,
    /// Every queue with its retention: worker queues, their dead-letter queues, the pipe's.
    queues: Vec<(String, Duration)>,
}

impl Housekeeping {
    pub fn new(store: SqliteStore, routing: &RoutingTable, retention: RetentionArgs) -> Self {
        let mut queues = Vec::new();
        for route in &routing.workers {
            queues.push((route.queue(), retention.message_retention));
            queues.push((route.dead_letter_queue(), retention.dead_letter_retention));
        }
        queues.push((
            pipe::DEAD_LETTER_QUEUE.to_owned(),
            retention.dead_letter_retention,
        ));
        Self {
            store,
            retention,
            queues,
        }
    }

    /// Sweeps every `housekeeping_interval` until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut interval = tokio::time::interval(self.retention.housekeeping_interval);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = interval.tick() => {}
                _ = shutdown.changed() => return,
            }
            if *shutdown.borrow() {
                return;
            }
            match self.sweep().await {
                Ok(swept) if swept != Swept::default() => tracing::info!(?swept, "housekeeping"),
                Ok(_) => {}
                Err(error) => {
                    tracing::warn!(error = %kernel::failure::error_chain(&error), "housekeeping failed; it runs again next time");
                }
            }
        }
    }

    /// Deletes everything expired now, batch by batch, then returns the freed pages.
    pub async fn sweep(&self) -> Result<Swept, HousekeepingError> {
        let stream_records = drain(|| {
            self.store
                .trim_stream(self.retention.stream_retention, BATCH)
        })
        .await?;
        // The delivery journal is kept as long as the stream it explains.
        drain(|| {
            self.store
                .trim_deliveries(self.retention.stream_retention, BATCH)
        })
        .await?;
        let mut messages = 0;
        for (queue, retention) in &self.queues {
            messages += drain(|| self.store.expire_messages(queue, *retention, BATCH)).await?;
        }
        let items = drain(|| self.store.expire_items(BATCH)).await?;
        let free = self.store.file_pages().await?.free_pages;
        for _ in 0..free.div_ceil(u64::from(VACUUM_PAGES)) {
            self.store.incremental_vacuum(VACUUM_PAGES).await?;
            tokio::task::yield_now().await;
        }
        let swept = Swept {
            stream_records,
            messages,
            items,
            pages_freed: free,
        };
        Ok(swept)
    }
}

/// Repeats a batch delete until a batch comes back short; returns the total.
async fn drain<F, Fut, E>(mut batch: F) -> Result<u64, E>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<u64, E>>,
{
    let mut total = 0;
    loop {
        let deleted = batch().await?;
        total += deleted;
        if deleted < u64::try_from(BATCH).unwrap_or(u64::MAX) {
            return Ok(total);
        }
        // Let live traffic's writes in between batches.
        tokio::task::yield_now().await;
    }
}
