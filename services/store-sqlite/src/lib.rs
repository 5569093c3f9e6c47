//! The embedded storage: ONE SQLite file (WAL) holding the single table and its GSI, the change
//! stream and the durable queues. See README.md for the file layout.
//!
//! * [`SqliteStore`] implements [`kernel::table::Table`] with DynamoDB's semantics (pinned by the
//!   `table-contract` suite): typed conditions evaluated in Rust inside the write transaction,
//!   exact decimal numbers, sparse GSI, `ValidationException`s where DynamoDB raises them.
//! * Every item change appends a stream record in the same transaction (DynamoDB Streams,
//!   `NEW_IMAGE`); [`SqliteStore::forward`] moves records into queues exactly once.
//! * Queues follow SQS standard-queue semantics (visibility timeout, receipt handles, receive
//!   count, dead-letter redrive).
//!
//! Writes go through one writer thread that group-commits (see `writer`); reads use a small
//! pool of read-only connections. Every read is strongly consistent.

mod attribute;
mod codec;
mod deliveries;
mod effects;
mod error;
mod expression;
mod number;
mod queue;
mod read;
mod replay;
mod request;
mod schema;
mod stream;
mod table_read;
mod table_write;
mod writer;

use std::path::Path;
use std::sync::{Arc, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

use async_trait::async_trait;
use kernel::clock::{Clock, SystemClock, epoch_millis};
use kernel::table::{
    Item, Key, Put, Query, QueryPage, QueryTarget, Table, TableError, TransactItem, Update,
};
use rand::rngs::{OsRng, StdRng};
use rand::{SeedableRng, TryRngCore};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::{oneshot, watch};

pub use deliveries::Delivery;
pub use error::StoreError;
pub use queue::{OutgoingMessage, QueueConfig, QueueStats, ReceivedMessage, StoredMessage};
pub use replay::{IndexPosition, ReplayProgress};
pub use stream::{StreamEntry, StreamLag, StreamRecord, StreamRecordKind, UnreadableRecord};
pub use writer::{COMMIT_GROUP_SIZE, COMMIT_SECONDS};

use crate::effects::QueueNotifiers;
use crate::error::validation;
use crate::read::ReadPool;
use crate::request::{
    AdvanceReplay, DeleteItem, DeleteMessages, ExpireItems, ExpireMessages, ForgetReplay, Forward,
    IncrementalVacuum, PutItem, Receive, Redrive, ReplaceMessage, TransactWrite, TrimDeliveries,
    TrimStream, UpdateItem,
};
use crate::writer::{Job, Pending, Request, Writer};

/// The size of the store's main file, in pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilePages {
    pub page_size: u64,
    pub page_count: u64,
    /// Pages that hold nothing (reused before the file grows; returned by incremental vacuum).
    pub free_pages: u64,
}

/// How hard a commit waits for the disk (`PRAGMA synchronous`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Durability {
    /// `NORMAL`: in WAL mode a commit survives a crash of the process (kill -9); the last
    /// commits can be lost on power failure or an OS crash.
    #[default]
    Normal,
    /// `FULL`: every commit is fsynced before it is acknowledged.
    Full,
}

/// How the store is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    pub durability: Durability,
    /// Read-only connections used concurrently (at least 1).
    pub read_connections: usize,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            durability: Durability::Normal,
            read_connections: 4,
        }
    }
}

/// The store. Cheap to clone; the last clone dropped stops the writer thread (after it has
/// committed and answered everything it received).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    commands: Option<mpsc::Sender<Box<dyn Pending>>>,
    writer: Option<JoinHandle<()>>,
    reads: Arc<ReadPool>,
    clock: Arc<dyn Clock>,
    stream_seq: watch::Receiver<u64>,
    enqueued: Arc<QueueNotifiers>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        // Readers first, so that the writer's connection is the last one: closing it
        // checkpoints the WAL into the main file and removes the -wal file.
        self.reads.close_idle();
        // Closing the channel ends the writer loop; waiting for it releases the file cleanly.
        drop(self.commands.take());
        if let Some(writer) = self.writer.take() {
            // A panicked writer has nothing left to release.
            let _ = writer.join();
        }
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (or creates) the store file. The parent directory must exist. Creates the schema
    /// if needed and starts the writer thread.
    pub fn open(path: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        Self::open_with_clock(path, options, Arc::new(SystemClock))
    }

    /// [`open`](Self::open) with an injected clock: stream timestamps, visibility timeouts and
    /// retention are measured with it.
    pub fn open_with_clock(
        path: &Path,
        options: StoreOptions,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, StoreError> {
        Self::open_writer(
            path,
            options,
            clock,
            #[cfg(test)]
            None,
        )
    }

    fn open_writer(
        path: &Path,
        options: StoreOptions,
        clock: Arc<dyn Clock>,
        #[cfg(test)] faults: Option<writer::FaultHook>,
    ) -> Result<Self, StoreError> {
        let mut connection = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        schema::prepare_writer(&mut connection, options.durability)?;
        let last_seq = stream::last_seq(&connection)?;
        let mut seed = [0u8; 32];
        OsRng
            .try_fill_bytes(&mut seed)
            .map_err(|source| StoreError::Random { source })?;
        let (stream_seq_sender, stream_seq) = watch::channel(last_seq);
        let enqueued = Arc::new(QueueNotifiers::default());
        let writer = Writer {
            connection,
            clock: Arc::clone(&clock),
            rng: StdRng::from_seed(seed),
            stream_seq: stream_seq_sender,
            enqueued: Arc::clone(&enqueued),
            #[cfg(test)]
            faults,
        };
        let (commands, received) = mpsc::channel();
        let writer = std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || writer.run(&received))
            .map_err(|source| StoreError::SpawnWriter { source })?;
        Ok(Self {
            inner: Arc::new(Inner {
                commands: Some(commands),
                writer: Some(writer),
                reads: Arc::new(ReadPool::new(path.to_path_buf(), options.read_connections)),
                clock,
                stream_seq,
                enqueued,
            }),
        })
    }

    /// Hands a request to the writer and waits for its answer (sent once the commit is known).
    async fn submit<R>(&self, request: R) -> Result<R::Output, R::Error>
    where
        R: Request,
        R::Error: From<StoreError>,
    {
        let (reply, answer) = oneshot::channel();
        let commands = self.inner.commands.as_ref().ok_or(StoreError::Closed)?;
        commands
            .send(Box::new(Job::new(request, reply)))
            .map_err(|_stopped| StoreError::Closed)?;
        answer.await.map_err(|_stopped| StoreError::Closed)?
    }

    /// Whether the writer thread is still serving (it stops only if it panicked).
    pub fn writer_alive(&self) -> bool {
        self.inner
            .writer
            .as_ref()
            .is_some_and(|writer| !writer.is_finished())
    }

    fn now_ms(&self) -> u64 {
        epoch_millis(self.inner.clock.now())
    }

    // ---- stream ----

    /// Up to `limit` stream records with `seq > after_seq`, in order; fails if one of them
    /// cannot be read (see [`stream_entries_after`](Self::stream_entries_after)).
    pub async fn stream_after(
        &self,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<StreamRecord>, StoreError> {
        self.stream_entries_after(after_seq, limit)
            .await?
            .into_iter()
            .map(|entry| entry.map_err(|unreadable| unreadable.reason))
            .collect()
    }

    /// Up to `limit` stream positions with `seq > after_seq`, in order, each a record or an
    /// [`UnreadableRecord`], so that one bad record cannot stop a consumer.
    pub async fn stream_entries_after(
        &self,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<StreamEntry>, StoreError> {
        self.inner
            .reads
            .run(move |connection| stream::entries_after(connection, after_seq, limit))
            .await
    }

    /// How far the consumer whose checkpoint is `name` is behind the stream.
    pub async fn stream_lag(&self, name: &str) -> Result<StreamLag, StoreError> {
        let after = self.checkpoint(name).await?;
        self.inner
            .reads
            .run(move |connection| stream::lag_after(connection, after))
            .await
    }

    /// Watches the sequence number of the latest committed stream record.
    pub fn stream_notifier(&self) -> watch::Receiver<u64> {
        self.inner.stream_seq.clone()
    }

    /// The position of checkpoint `name` (0 when it was never set).
    pub async fn checkpoint(&self, name: &str) -> Result<u64, StoreError> {
        let name = name.to_owned();
        self.inner
            .reads
            .run(move |connection| stream::checkpoint(connection, &name))
            .await
    }

    /// Atomically: enqueue `messages` and move checkpoint `name` from `from_seq` (where the
    /// caller read it) to `through_seq` (exactly-once forwarding). Fails with
    /// [`StoreError::CheckpointConflict`] (and changes nothing) when the checkpoint is not at
    /// `from_seq`, or the move would go backwards or forward the same position twice.
    pub async fn forward(
        &self,
        name: &str,
        from_seq: u64,
        through_seq: u64,
        messages: Vec<OutgoingMessage>,
    ) -> Result<(), StoreError> {
        self.submit(Forward {
            name: name.to_owned(),
            from_seq,
            through_seq,
            messages,
        })
        .await
    }

    /// Deletes up to `batch` of the oldest stream records older than `retention`, whether a
    /// consumer has read them or not (DynamoDB Streams keeps records 24 h). Returns how many
    /// were deleted.
    pub async fn trim_stream(&self, retention: Duration, batch: usize) -> Result<u64, StoreError> {
        self.submit(TrimStream { retention, batch }).await
    }

    /// Deletes up to `batch` messages of `queue` sent longer than `retention` ago (SQS
    /// `MessageRetentionPeriod`). Returns how many were deleted.
    pub async fn expire_messages(
        &self,
        queue: &str,
        retention: Duration,
        batch: usize,
    ) -> Result<u64, StoreError> {
        self.submit(ExpireMessages {
            queue: queue.to_owned(),
            retention,
            batch,
        })
        .await
    }

    /// Deletes up to `batch` items whose `expiresAt` epoch second has passed (DynamoDB TTL),
    /// each with its `REMOVE` stream record. Returns how many were deleted.
    pub async fn expire_items(&self, batch: usize) -> Result<u64, TableError> {
        self.submit(ExpireItems { batch }).await
    }

    /// Returns up to `pages` free pages to the file system (the file shrinks).
    pub async fn incremental_vacuum(&self, pages: u32) -> Result<(), StoreError> {
        self.submit(IncrementalVacuum { pages }).await
    }

    /// The file's size in bytes (main file only) and how many of its pages are free.
    pub async fn file_pages(&self) -> Result<FilePages, StoreError> {
        self.inner
            .reads
            .run(|connection| {
                let pragma = |name: &str| {
                    connection
                        .query_row(&format!("PRAGMA {name}"), [], |row| row.get::<_, i64>(0))
                        .map(schema::uint)
                };
                Ok(FilePages {
                    page_size: pragma("page_size")?,
                    page_count: pragma("page_count")?,
                    free_pages: pragma("freelist_count")?,
                })
            })
            .await
    }

    // ---- queues ----

    /// Receives up to `max_messages` (1..=10) visible messages of the queue (SQS semantics,
    /// see [`QueueConfig`]).
    pub async fn receive(
        &self,
        queue: &QueueConfig,
        max_messages: usize,
    ) -> Result<Vec<ReceivedMessage>, StoreError> {
        self.submit(Receive {
            queue: queue.clone(),
            max_messages,
        })
        .await
    }

    /// Deletes the message if `receipt_handle` is its current one; `false` otherwise (stale
    /// handle, already deleted).
    pub async fn delete_message(
        &self,
        queue: &str,
        receipt_handle: &str,
    ) -> Result<bool, StoreError> {
        let deleted = self
            .delete_messages(queue, vec![receipt_handle.to_owned()])
            .await?;
        Ok(deleted.first().copied().unwrap_or(false))
    }

    /// Deletes several messages in one write request (SQS `DeleteMessageBatch`): for each
    /// receipt handle, in order, whether its message was deleted.
    pub async fn delete_messages(
        &self,
        queue: &str,
        receipt_handles: Vec<String>,
    ) -> Result<Vec<bool>, StoreError> {
        self.settle_batch(queue, receipt_handles, Vec::new()).await
    }

    /// [`delete_messages`](Self::delete_messages), journaling in the same write how every
    /// message of the batch ended (consumed or not), for `ecomm timeline`.
    pub async fn settle_batch(
        &self,
        queue: &str,
        receipt_handles: Vec<String>,
        deliveries: Vec<Delivery>,
    ) -> Result<Vec<bool>, StoreError> {
        if receipt_handles.is_empty() && deliveries.is_empty() {
            return Ok(Vec::new());
        }
        self.submit(DeleteMessages {
            queue: queue.to_owned(),
            receipt_handles,
            deliveries,
        })
        .await
    }

    /// Every journaled delivery of events about `subject` (a stream record `pk`), oldest first.
    pub async fn deliveries_of(&self, subject: &str) -> Result<Vec<Delivery>, StoreError> {
        let subject = subject.to_owned();
        self.inner
            .reads
            .run(move |connection| deliveries::of_subject(connection, &subject))
            .await
    }

    /// Deletes up to `batch` journaled deliveries older than `retention`; how many went.
    pub async fn trim_deliveries(
        &self,
        retention: Duration,
        batch: usize,
    ) -> Result<u64, StoreError> {
        self.submit(TrimDeliveries { retention, batch }).await
    }

    /// How long until a message of the queue is visible (zero if one is); `None` if the queue
    /// is empty.
    pub async fn next_visible_in(&self, queue: &str) -> Result<Option<Duration>, StoreError> {
        let queue = queue.to_owned();
        let now_ms = self.now_ms();
        self.inner
            .reads
            .run(move |connection| queue::next_visible_in(connection, &queue, now_ms))
            .await
    }

    /// Watches a counter of `queue`, bumped whenever messages become available in it by
    /// enqueue, redrive or dead-lettering.
    pub fn queue_notifier(&self, queue: &str) -> watch::Receiver<u64> {
        self.inner.enqueued.subscribe(queue)
    }

    /// Counts of every queue that holds at least one message, sorted by queue name.
    pub async fn queue_stats(&self) -> Result<Vec<QueueStats>, StoreError> {
        let now_ms = self.now_ms();
        self.inner
            .reads
            .run(move |connection| queue::stats(connection, now_ms))
            .await
    }

    /// Up to `limit` messages of the queue in arrival order (visible or not), for inspection.
    pub async fn list_messages(
        &self,
        queue: &str,
        limit: usize,
    ) -> Result<Vec<StoredMessage>, StoreError> {
        let queue = queue.to_owned();
        self.inner
            .reads
            .run(move |connection| queue::list(connection, &queue, limit))
            .await
    }

    /// Atomically deletes message `message_id` of `queue` and enqueues `messages` in its place
    /// (a dead letter handled by hand). `false`, and nothing enqueued, if it is not there.
    pub async fn replace_message(
        &self,
        queue: &str,
        message_id: &str,
        messages: Vec<OutgoingMessage>,
    ) -> Result<bool, StoreError> {
        self.submit(ReplaceMessage {
            queue: queue.to_owned(),
            message_id: message_id.to_owned(),
            messages,
        })
        .await
    }

    // ---- replays ----

    /// How many items of the GSI partition `gsi1pk` hold each string value of `attribute`
    /// (`None`: items without it), sorted by value. One index scan of the partition: meant for
    /// inspection (the console's orders by status), not for a request path.
    pub async fn count_by_attribute(
        &self,
        gsi1pk: &str,
        attribute: &str,
    ) -> Result<Vec<(Option<String>, u64)>, StoreError> {
        let (gsi1pk, attribute) = (gsi1pk.to_owned(), attribute.to_owned());
        self.inner
            .reads
            .run(move |connection| table_read::count_by_attribute(connection, &gsi1pk, &attribute))
            .await
    }

    /// Up to `limit` items of the GSI partition `gsi1pk` after `after`, in index order, each
    /// with its position (a paginated index query).
    pub async fn index_page(
        &self,
        gsi1pk: &str,
        after: Option<IndexPosition>,
        limit: usize,
    ) -> Result<Vec<(IndexPosition, Item)>, StoreError> {
        let gsi1pk = gsi1pk.to_owned();
        self.inner
            .reads
            .run(move |connection| replay::index_page(connection, &gsi1pk, after.as_ref(), limit))
            .await
    }

    /// How far the replay `name` has come (`None`: never started, or forgotten).
    pub async fn replay_progress(&self, name: &str) -> Result<Option<ReplayProgress>, StoreError> {
        let name = name.to_owned();
        self.inner
            .reads
            .run(move |connection| replay::progress(connection, &name))
            .await
    }

    /// Atomically: enqueue `messages` and move replay `name` from `from` (where the caller read
    /// it; `None` for a new replay) to `to`, adding `delivered` events and marking it `done`.
    /// Fails with [`StoreError::ReplayConflict`] (and changes nothing) if it is not at `from`.
    #[allow(clippy::too_many_arguments)] // one atomic step, each part named
    pub async fn advance_replay(
        &self,
        name: &str,
        filter: &str,
        from: Option<IndexPosition>,
        to: Option<IndexPosition>,
        delivered: u64,
        done: bool,
        messages: Vec<OutgoingMessage>,
    ) -> Result<(), StoreError> {
        self.submit(AdvanceReplay(replay::Advance {
            name: name.to_owned(),
            filter: filter.to_owned(),
            from,
            to,
            delivered,
            done,
            messages,
        }))
        .await
    }

    /// Forgets replay `name`, so that it can start again from the beginning.
    pub async fn forget_replay(&self, name: &str) -> Result<bool, StoreError> {
        self.submit(ForgetReplay(name.to_owned())).await
    }

    /// Moves every message of `from_queue` to `to_queue`, visible, receive count reset (SQS
    /// dead-letter redrive). Returns how many moved.
    pub async fn redrive(&self, from_queue: &str, to_queue: &str) -> Result<u64, StoreError> {
        self.submit(Redrive {
            from_queue: from_queue.to_owned(),
            to_queue: to_queue.to_owned(),
        })
        .await
    }
}

#[async_trait]
impl Table for SqliteStore {
    async fn get(&self, key: &Key, _consistent: bool) -> Result<Option<Item>, TableError> {
        attribute::validate_key(key).map_err(validation)?;
        let key = key.clone();
        Ok(self
            .inner
            .reads
            .run(move |connection| table_read::fetch_item(connection, &key))
            .await?)
    }

    async fn put(&self, put: Put) -> Result<(), TableError> {
        self.submit(PutItem(put)).await
    }

    async fn update(&self, update: Update) -> Result<Option<Item>, TableError> {
        self.submit(UpdateItem(update)).await
    }

    async fn delete(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.submit(DeleteItem(key.clone())).await
    }

    async fn transact_write(&self, items: Vec<TransactItem>) -> Result<(), TableError> {
        self.submit(TransactWrite(items)).await
    }

    async fn query(&self, query: Query) -> Result<QueryPage, TableError> {
        validate_query(&query)?;
        Ok(self
            .inner
            .reads
            .run(move |connection| table_read::query(connection, &query))
            .await?)
    }
}

#[cfg(test)]
mod honest_commit_tests;

/// The checks DynamoDB makes before running a query.
fn validate_query(query: &Query) -> Result<(), TableError> {
    if query.limit == Some(0) {
        return Err(validation(
            "1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: \
             Member must have value greater than or equal to 1",
        ));
    }
    let partition = match &query.target {
        QueryTarget::Table { pk, sk } => {
            if sk.as_deref() == Some("") {
                return Err(empty_key_value());
            }
            pk
        }
        QueryTarget::Gsi1 { gsi1pk } => {
            if query.consistent {
                return Err(validation(
                    "Consistent reads are not supported on global secondary indexes",
                ));
            }
            gsi1pk
        }
    };
    if partition.is_empty() {
        return Err(empty_key_value());
    }
    if let Some(start) = &query.exclusive_start_key {
        // The start key must be a key of what the query reads: the table's key for the table,
        // plus the index's key (in the queried partition) for the index.
        let fits = match (&query.target, &start.index) {
            (QueryTarget::Table { pk, .. }, None) => start.key.pk == *pk,
            (QueryTarget::Gsi1 { gsi1pk }, Some(index)) => index.gsi1pk == *gsi1pk,
            (QueryTarget::Table { .. }, Some(_)) | (QueryTarget::Gsi1 { .. }, None) => false,
        };
        if !fits {
            return Err(validation(
                "The provided starting key is invalid: it does not belong to the queried key space",
            ));
        }
    }
    Ok(())
}

fn empty_key_value() -> TableError {
    validation(
        "One or more parameter values are not valid. The AttributeValue for a key attribute \
         cannot contain an empty string value.",
    )
}
