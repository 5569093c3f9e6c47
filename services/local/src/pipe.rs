//! The embedded EventBridge Pipe + rules: tails the change stream from a persisted checkpoint,
//! keeps only event-item INSERTs (the AWS Pipe's filter), wraps each in the EventBridge envelope
//! and enqueues it on every queue whose rule matches. Enqueueing and advancing the checkpoint
//! happen in one SQLite transaction (a compare-and-set on the position read), so each stream
//! record is forwarded exactly once, across crashes too.
//!
//! One record never stops the pipe: like an AWS Pipe with `MaximumRetryAttempts` and a
//! dead-letter target, a record that fails that many retries is set aside in the pipe's
//! dead-letter queue with its reason, logged once as an error, and the pipe moves on.

use std::sync::Arc;
use std::time::Duration;

use contracts::events::EVENT_TYPE_NAME;
use kernel::table::get_s;
use serde::{Deserialize, Serialize};
use serde_json::json;
use store_sqlite::{
    OutgoingMessage, SqliteStore, StoreError, StreamEntry, StreamRecord, StreamRecordKind,
};
use tokio::sync::watch;

use crate::envelope::eventbridge_envelope;
use crate::routing::RoutingTable;

/// The pipe's checkpoint name in the store.
pub const CHECKPOINT: &str = "pipe";
/// Where records the pipe gave up on are kept (the AWS Pipe's `DeadLetterConfig` queue).
pub const DEAD_LETTER_QUEUE: &str = "Pipe-Dlq";
/// Stream records read per forwarding step.
const PAGE: usize = 256;
/// Safety net for writes made by another process (e.g. `ecomm delete`), which do not notify.
const IDLE_RECHECK: Duration = Duration::from_secs(1);
/// Back-off before the first retry of a failing record; doubles per retry up to the cap.
const FIRST_RETRY_DELAY: Duration = Duration::from_millis(10);
const MAX_RETRY_DELAY: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum PipeError {
    #[error("the stream could not be read or forwarded")]
    Store(#[from] StoreError),
    #[error("stream record {seq} failed (attempt {attempt}); it is retried")]
    Record {
        seq: u64,
        attempt: u32,
        #[source]
        source: RecordError,
    },
}

impl PipeError {
    /// The store's writer is gone: nothing can move any more.
    pub fn is_fatal(&self) -> bool {
        matches!(self, Self::Store(StoreError::Closed))
    }
}

/// Why one stream record cannot be delivered.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("the stored record cannot be read")]
    Unreadable(#[source] StoreError),
    #[error("the record cannot be wrapped in an EventBridge envelope")]
    Envelope(#[source] serde_json::Error),
}

/// The failing record at the head of the pipe and how often it has failed.
#[derive(Debug, Default)]
struct Failing {
    seq: u64,
    failures: u32,
}

pub struct Pipe {
    store: SqliteStore,
    routing: Arc<RoutingTable>,
    failing: Option<Failing>,
}

impl Pipe {
    pub fn new(store: SqliteStore, routing: Arc<RoutingTable>) -> Self {
        Self {
            store,
            routing,
            failing: None,
        }
    }

    /// Forwards until `shutdown` turns true; `Err` only when the store is gone (fatal).
    pub async fn run(mut self, mut shutdown: watch::Receiver<bool>) -> Result<(), PipeError> {
        let mut appended = self.store.stream_notifier();
        loop {
            if *shutdown.borrow() {
                return Ok(());
            }
            let wait = match self.forward_pending().await {
                Ok(forwarded) if forwarded > 0 => continue,
                Ok(_) => IDLE_RECHECK,
                Err(error) if error.is_fatal() => return Err(error),
                Err(error) => {
                    tracing::warn!(error = %kernel::failure::error_chain(&error), "pipe step failed; retrying");
                    self.retry_delay()
                }
            };
            tokio::select! {
                _ = appended.changed(), if wait == IDLE_RECHECK => {}
                _ = shutdown.changed() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    fn retry_delay(&self) -> Duration {
        let failures = self.failing.as_ref().map_or(1, |failing| failing.failures);
        FIRST_RETRY_DELAY
            .saturating_mul(1 << failures.saturating_sub(1).min(16))
            .min(MAX_RETRY_DELAY)
    }

    /// Forwards one page of pending stream records; returns how many records it consumed.
    ///
    /// Records up to the first failing one are forwarded; the failing one is retried on the
    /// next step, and after `maximumRetryAttempts` retries it is dead-lettered in the same
    /// transaction that moves the checkpoint past it.
    pub async fn forward_pending(&mut self) -> Result<usize, PipeError> {
        let after = self.store.checkpoint(CHECKPOINT).await?;
        let entries = self.store.stream_entries_after(after, PAGE).await?;
        let mut messages = Vec::new();
        let mut through = after;
        let mut consumed = 0;
        let mut head_failure = None;
        let mut dead_lettered = 0;
        for entry in entries {
            let seq = entry_seq(&entry);
            match deliver(entry, &self.routing) {
                Ok(delivered) => messages.extend(delivered),
                Err(failed) if through == after => {
                    let failures = self.note_failure(seq);
                    if failures <= self.routing.pipe.maximum_retry_attempts {
                        head_failure = Some(PipeError::Record {
                            seq,
                            attempt: failures,
                            source: failed.error,
                        });
                        break;
                    }
                    tracing::error!(
                        seq,
                        attempts = failures,
                        dead_letter_queue = DEAD_LETTER_QUEUE,
                        error = %kernel::failure::error_chain(&failed.error),
                        "a stream record failed every retry; it is set aside in the pipe's dead-letter queue"
                    );
                    messages.push((*failed).dead_letter(failures));
                    dead_lettered += 1;
                }
                // Forward what precedes the failing record first; it is retried as the head.
                Err(_) => break,
            }
            through = seq;
            consumed += 1;
        }
        if through > after {
            self.store
                .forward(CHECKPOINT, after, through, messages)
                .await?;
            metrics::counter!(crate::metrics::PIPE_DEAD_LETTERED).increment(dead_lettered);
            tracing::debug!(records = consumed, through, "pipe forwarded");
        }
        match head_failure {
            Some(failure) if consumed == 0 => Err(failure),
            Some(_) | None => Ok(consumed),
        }
    }

    fn note_failure(&mut self, seq: u64) -> u32 {
        let failing = self.failing.get_or_insert(Failing { seq, failures: 0 });
        if failing.seq != seq {
            *failing = Failing { seq, failures: 0 };
        }
        failing.failures += 1;
        failing.failures
    }
}

/// A pipe dead-letter message: the record as stored (raw, so nothing is lost even when it
/// cannot be parsed), why it failed and how often. Written by the pipe, read by `ecomm dlq Pipe`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub reason: String,
    pub attempts: u32,
    pub record: DeadRecord,
}

/// The stream record inside a [`DeadLetter`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeadRecord {
    pub seq: u64,
    /// `INSERT`, `MODIFY` or `REMOVE` (as stored, even when unknown).
    pub event_name: String,
    pub keys: DeadKeys,
    /// The image as DynamoDB JSON text.
    pub new_image: Option<String>,
    pub created_at_ms: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadKeys {
    pub pk: String,
    pub sk: String,
}

/// A stream record that could not be delivered, and why.
struct Failed {
    error: RecordError,
    record: DeadRecord,
}

impl Failed {
    fn dead_letter(self, attempts: u32) -> OutgoingMessage {
        let letter = DeadLetter {
            reason: kernel::failure::error_chain(&self.error),
            attempts,
            record: self.record,
        };
        OutgoingMessage {
            queue: DEAD_LETTER_QUEUE.to_owned(),
            body: json!(letter).to_string(),
        }
    }
}

/// The messages one stream entry becomes (none for records the filter drops).
fn deliver(
    entry: StreamEntry,
    routing: &RoutingTable,
) -> Result<Vec<OutgoingMessage>, Box<Failed>> {
    match entry {
        Ok(record) => route(&record, routing).map_err(|error| {
            Box::new(Failed {
                error,
                record: DeadRecord {
                    seq: record.seq,
                    event_name: record.kind.event_name().to_owned(),
                    keys: DeadKeys {
                        pk: record.keys.pk.clone(),
                        sk: record.keys.sk.clone(),
                    },
                    new_image: record
                        .new_image
                        .as_ref()
                        .and_then(|image| serde_json::to_string(image).ok()),
                    created_at_ms: record.created_at_ms,
                },
            })
        }),
        Err(unreadable) => Err(Box::new(Failed {
            record: DeadRecord {
                seq: unreadable.seq,
                event_name: unreadable.kind,
                keys: DeadKeys {
                    pk: unreadable.keys.pk,
                    sk: unreadable.keys.sk,
                },
                new_image: unreadable.new_image,
                created_at_ms: unreadable.created_at_ms,
            },
            error: RecordError::Unreadable(unreadable.reason),
        })),
    }
}

/// The messages a readable record becomes under the routing table.
pub fn route(
    record: &StreamRecord,
    routing: &RoutingTable,
) -> Result<Vec<OutgoingMessage>, RecordError> {
    route_as(record, routing, None)
}

/// [`route`] for a replay: the envelope carries EventBridge's `replay-name`.
pub fn route_replay(
    record: &StreamRecord,
    routing: &RoutingTable,
    replay_name: &str,
) -> Result<Vec<OutgoingMessage>, RecordError> {
    route_as(record, routing, Some(replay_name))
}

fn route_as(
    record: &StreamRecord,
    routing: &RoutingTable,
    replay_name: Option<&str>,
) -> Result<Vec<OutgoingMessage>, RecordError> {
    let Some(event_name) = routable_event_name(record) else {
        return Ok(Vec::new());
    };
    let mut envelope = eventbridge_envelope(record, &routing.source, &routing.detail_type)
        .map_err(RecordError::Envelope)?;
    if let (Some(name), Some(fields)) = (replay_name, envelope.as_object_mut()) {
        fields.insert("replay-name".to_owned(), json!(name));
    }
    let body = envelope.to_string();
    Ok(routing
        .queues_for(event_name)
        .map(|queue| OutgoingMessage {
            queue,
            body: body.clone(),
        })
        .collect())
}

fn entry_seq(entry: &StreamEntry) -> u64 {
    match entry {
        Ok(record) => record.seq,
        Err(unreadable) => unreadable.seq,
    }
}

/// The AWS Pipe's filter: only INSERTs of event items travel; returns their `eventName`.
pub fn routable_event_name(record: &StreamRecord) -> Option<&str> {
    if record.kind != StreamRecordKind::Insert {
        return None;
    }
    let image = record.new_image.as_ref()?;
    if get_s(image, "_tn") != Some(EVENT_TYPE_NAME) {
        return None;
    }
    get_s(image, "eventName")
}

/// What `ecomm dlq Pipe --redrive` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Redriven {
    /// Records routed to their queues and removed from the dead-letter queue.
    pub routed: u64,
    /// Records that still cannot be delivered, each with its reason; they stay.
    pub kept: Vec<(String, String)>,
}

/// Delivers every record of the pipe's dead-letter queue again (after a fix, say): a record
/// that can now be read and routed is enqueued and removed from the dead-letter queue in one
/// transaction; one that still fails stays, with its reason reported.
pub async fn redrive_dead_letters(
    store: &SqliteStore,
    routing: &RoutingTable,
) -> Result<Redriven, StoreError> {
    let mut redriven = Redriven::default();
    for message in store.list_messages(DEAD_LETTER_QUEUE, usize::MAX).await? {
        let routed = record_from_dead_letter(&message.body).and_then(|record| {
            route(&record, routing).map_err(|e| kernel::failure::error_chain(&e))
        });
        match routed {
            Ok(messages) => {
                if store
                    .replace_message(DEAD_LETTER_QUEUE, &message.message_id, messages)
                    .await?
                {
                    redriven.routed += 1;
                }
            }
            Err(reason) => redriven.kept.push((message.message_id, reason)),
        }
    }
    Ok(redriven)
}

/// The stream record a pipe dead letter holds, or why it cannot be rebuilt.
pub fn record_from_dead_letter(body: &str) -> Result<StreamRecord, String> {
    let letter: DeadLetter =
        serde_json::from_str(body).map_err(|error| format!("not a pipe dead letter: {error}"))?;
    let record = letter.record;
    let kind = StreamRecordKind::from_event_name(&record.event_name)
        .ok_or_else(|| format!("unknown record kind {:?}", record.event_name))?;
    let new_image = record
        .new_image
        .map(|text| serde_json::from_str(&text))
        .transpose()
        .map_err(|error| format!("the image cannot be read: {error}"))?;
    Ok(StreamRecord {
        seq: record.seq,
        kind,
        keys: kernel::table::Key::new(record.keys.pk, record.keys.sk),
        new_image,
        created_at_ms: record.created_at_ms,
        size_bytes: 0,
    })
}
