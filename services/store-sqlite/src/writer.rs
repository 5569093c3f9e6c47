//! The single writer: one thread owns the write connection and commits requests in groups.
//!
//! Requests arrive over a channel. The writer takes everything pending (up to [`MAX_GROUP`]),
//! runs each request in its own savepoint inside one `BEGIN IMMEDIATE` transaction, commits
//! once, and only then answers. One fsync is shared by the whole group.
//!
//! Honest answers: a request is answered as written exactly when its writes are committed, and
//! as failed exactly when they are not.
//! * A request that fails (a condition, a validation, or a SQL error contained by its
//!   savepoint) is rolled back to its savepoint and answered with its failure after the commit.
//! * If the transaction itself is lost while the group runs (SQLite rolls a transaction back on
//!   its own after some I/O and disk-full errors; a savepoint cannot be released or rolled
//!   back), the writer rolls back, answers the request it was running as failed, and runs the
//!   rest of the group again in a new transaction: nothing was committed for any of them yet.
//! * If `BEGIN` or `COMMIT` fails, the writer rolls back and every request of the group is
//!   answered as failed: none of their writes are in the file.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Instant;

use kernel::clock::{Clock, epoch_millis};
use rand::rngs::StdRng;
use rusqlite::Connection;
use tokio::sync::{oneshot, watch};

use crate::effects::{Effects, QueueNotifiers};
use crate::error::FromSqlite;

/// Histogram of the time from `BEGIN` to a group's committed `COMMIT`, in seconds.
pub const COMMIT_SECONDS: &str = "ecomm_store_commit_seconds";
/// Histogram of how many write requests one commit carried.
pub const COMMIT_GROUP_SIZE: &str = "ecomm_store_commit_group_size";

/// The most requests committed together.
const MAX_GROUP: usize = 256;

/// What a request sees while it runs inside the group's transaction.
pub(crate) struct Scope<'a> {
    pub(crate) connection: &'a Connection,
    pub(crate) rng: &'a mut StdRng,
    pub(crate) now_ms: u64,
    pub(crate) effects: &'a mut Effects,
}

/// A write the writer can run. It runs on a borrowed request because a group whose transaction
/// is lost runs again: a request may be executed more than once before it is answered.
pub(crate) trait Request: Send + 'static {
    type Output: Send + 'static;
    type Error: FromSqlite + Send + 'static;

    fn execute(&self, scope: &mut Scope<'_>) -> Result<Self::Output, Self::Error>;
}

/// A request, where its answer goes, and its result until the commit is known.
pub(crate) struct Job<R: Request> {
    request: R,
    reply: oneshot::Sender<Result<R::Output, R::Error>>,
    result: Option<Result<R::Output, R::Error>>,
}

impl<R: Request> Job<R> {
    pub(crate) fn new(request: R, reply: oneshot::Sender<Result<R::Output, R::Error>>) -> Self {
        Self {
            request,
            reply,
            result: None,
        }
    }
}

/// A job with its types erased, as the writer queues it.
pub(crate) trait Pending: Send {
    /// Runs the request; `true` when it succeeded and its writes are to be kept.
    fn run(&mut self, scope: &mut Scope<'_>) -> bool;
    /// Answers once the fate of the request's writes is known.
    fn answer(self: Box<Self>, outcome: Outcome<'_>);
}

/// What became of a request's writes.
#[derive(Clone, Copy)]
pub(crate) enum Outcome<'a> {
    /// Its group committed: the request's own result stands.
    Committed,
    /// Nothing of the request is in the file, for this reason.
    NotWritten(&'a Arc<rusqlite::Error>),
    /// The transaction was lost while this request ran: its own failure if it had one (say, the
    /// disk-full error that made SQLite roll back), else this reason.
    Lost(&'a Arc<rusqlite::Error>),
}

impl<R: Request> Pending for Job<R> {
    fn run(&mut self, scope: &mut Scope<'_>) -> bool {
        let result = self.request.execute(scope);
        let succeeded = result.is_ok();
        self.result = Some(result);
        succeeded
    }

    fn answer(self: Box<Self>, outcome: Outcome<'_>) {
        let result = match (outcome, self.result) {
            (Outcome::Committed | Outcome::Lost(_), Some(Err(own))) => Err(own),
            (Outcome::Committed, Some(Ok(output))) => Ok(output),
            (Outcome::Committed, None) => Err(R::Error::from_sqlite(Arc::new(never_ran()))),
            (Outcome::NotWritten(failure) | Outcome::Lost(failure), _) => {
                Err(R::Error::from_sqlite(Arc::clone(failure)))
            }
        };
        // The caller may have stopped waiting, and then there is no one to tell.
        let _ = self.reply.send(result);
    }
}

/// Cannot happen (a committed group ran every job); answered as an aborted request.
fn never_ran() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some("the request was not run".to_owned()),
    )
}

/// The transaction disappeared under a request: SQLite rolled it back on its own.
fn transaction_lost() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some("the transaction was rolled back while the request ran".to_owned()),
    )
}

/// Where a test can make the writer fail (fault injection; a no-op outside tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FaultPoint {
    /// After the request at this position of the attempt ran, before its savepoint ends.
    AfterRequest(usize),
    /// Before `COMMIT`.
    BeforeCommit,
}

#[cfg(test)]
pub(crate) type FaultHook = Box<dyn FnMut(FaultPoint, &Connection) -> rusqlite::Result<()> + Send>;

pub(crate) struct Writer {
    pub(crate) connection: Connection,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: StdRng,
    pub(crate) stream_seq: watch::Sender<u64>,
    pub(crate) enqueued: Arc<QueueNotifiers>,
    #[cfg(test)]
    pub(crate) faults: Option<FaultHook>,
}

/// How one attempt at committing a group ended.
enum Attempt {
    Committed(Effects),
    /// `BEGIN` or `COMMIT` failed: nothing of the group is in the file.
    Failed(Arc<rusqlite::Error>),
    /// The transaction was lost while the job at `at` ran.
    Lost {
        at: usize,
        error: Arc<rusqlite::Error>,
    },
}

impl Writer {
    /// Serves requests until every sender is gone.
    pub(crate) fn run(mut self, requests: &Receiver<Box<dyn Pending>>) {
        while let Ok(first) = requests.recv() {
            let mut group = Vec::with_capacity(16);
            group.push(first);
            while group.len() < MAX_GROUP {
                match requests.try_recv() {
                    Ok(request) => group.push(request),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            self.commit_group(group);
        }
    }

    fn commit_group(&mut self, mut group: Vec<Box<dyn Pending>>) {
        while !group.is_empty() {
            let started = Instant::now();
            match self.attempt(&mut group) {
                Attempt::Committed(effects) => {
                    metrics::histogram!(COMMIT_SECONDS).record(started.elapsed().as_secs_f64());
                    #[allow(clippy::cast_precision_loss, reason = "at most MAX_GROUP")]
                    metrics::histogram!(COMMIT_GROUP_SIZE).record(group.len() as f64);
                    self.publish(&effects);
                    for job in group.drain(..) {
                        job.answer(Outcome::Committed);
                    }
                }
                Attempt::Failed(failure) => {
                    for job in group.drain(..) {
                        job.answer(Outcome::NotWritten(&failure));
                    }
                }
                Attempt::Lost { at, error } => {
                    tracing::warn!(error = %error, "the write transaction was lost; the rest of the group runs again");
                    group.remove(at).answer(Outcome::Lost(&error));
                }
            }
        }
    }

    fn attempt(&mut self, group: &mut [Box<dyn Pending>]) -> Attempt {
        let now_ms = epoch_millis(self.clock.now());
        if let Err(error) = self.connection.execute_batch("BEGIN IMMEDIATE") {
            self.roll_back();
            return Attempt::Failed(Arc::new(error));
        }
        let mut effects = Effects::default();
        for (at, job) in group.iter_mut().enumerate() {
            if let Err(error) = self.run_in_savepoint(at, job.as_mut(), now_ms, &mut effects) {
                self.roll_back();
                return Attempt::Lost {
                    at,
                    error: Arc::new(error),
                };
            }
        }
        let committed = self
            .fault(FaultPoint::BeforeCommit)
            .and_then(|()| self.connection.execute_batch("COMMIT"));
        match committed {
            Ok(()) => Attempt::Committed(effects),
            Err(error) => {
                self.roll_back();
                Attempt::Failed(Arc::new(error))
            }
        }
    }

    /// Runs one job in its own savepoint; `Err` when the group's transaction is gone.
    fn run_in_savepoint(
        &mut self,
        at: usize,
        job: &mut dyn Pending,
        now_ms: u64,
        group_effects: &mut Effects,
    ) -> rusqlite::Result<()> {
        self.connection.execute_batch("SAVEPOINT request")?;
        let mut effects = Effects::default();
        let succeeded = job.run(&mut Scope {
            connection: &self.connection,
            rng: &mut self.rng,
            now_ms,
            effects: &mut effects,
        });
        self.fault(FaultPoint::AfterRequest(at))?;
        if self.connection.is_autocommit() {
            return Err(transaction_lost());
        }
        if succeeded {
            self.connection.execute_batch("RELEASE request")?;
            group_effects.absorb(effects);
        } else {
            // A failed request writes nothing of its own.
            self.connection
                .execute_batch("ROLLBACK TO request; RELEASE request")?;
        }
        if self.connection.is_autocommit() {
            return Err(transaction_lost());
        }
        Ok(())
    }

    /// Ends whatever transaction is open; there may be none (SQLite may have rolled it back).
    fn roll_back(&self) {
        if !self.connection.is_autocommit()
            && let Err(error) = self.connection.execute_batch("ROLLBACK")
        {
            tracing::error!(%error, "cannot roll back the write transaction");
        }
    }

    #[cfg(test)]
    fn fault(&mut self, point: FaultPoint) -> rusqlite::Result<()> {
        match self.faults.as_mut() {
            Some(hook) => hook(point, &self.connection),
            None => Ok(()),
        }
    }

    #[cfg(not(test))]
    #[allow(clippy::unused_self, clippy::unnecessary_wraps)] // the test build injects faults here
    fn fault(&mut self, _point: FaultPoint) -> rusqlite::Result<()> {
        Ok(())
    }

    fn publish(&self, effects: &Effects) {
        if let Some(seq) = effects.last_seq {
            self.stream_seq.send_replace(seq);
        }
        self.enqueued.publish(&effects.enqueued);
    }
}
