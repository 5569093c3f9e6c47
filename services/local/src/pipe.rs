//! The embedded EventBridge Pipe + rules: tails the change stream from a persisted checkpoint,
//! keeps only event-item INSERTs (the AWS Pipe's filter), wraps each in the EventBridge envelope
//! and enqueues it on every queue whose rule matches. Enqueueing and advancing the checkpoint
//! happen in one SQLite transaction, so each stream record is forwarded exactly once, across
//! crashes too.

use std::sync::Arc;
use std::time::Duration;

use contracts::events::EVENT_TYPE_NAME;
use kernel::table::get_s;
use store_sqlite::{OutgoingMessage, SqliteStore, StoreError, StreamRecord, StreamRecordKind};
use tokio::sync::watch;

use crate::envelope::eventbridge_envelope;
use crate::routing::RoutingTable;

/// The pipe's checkpoint name in the store.
pub const CHECKPOINT: &str = "pipe";
/// Stream records read per forwarding step.
const PAGE: usize = 256;
/// DynamoDB Streams keeps records for 24 hours; so does the embedded stream.
const STREAM_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);
const TRIM_EVERY: Duration = Duration::from_secs(10 * 60);
/// Safety net for writes made by another process (e.g. `ecomm delete`), which do not notify.
const IDLE_RECHECK: Duration = Duration::from_secs(1);

#[derive(Debug, thiserror::Error)]
pub enum PipeError {
    #[error("the stream could not be read or forwarded")]
    Store(#[from] StoreError),
    #[error("a stream record could not be wrapped in an EventBridge envelope")]
    Envelope(#[from] serde_json::Error),
}

pub struct Pipe {
    store: SqliteStore,
    routing: Arc<RoutingTable>,
}

impl Pipe {
    pub fn new(store: SqliteStore, routing: Arc<RoutingTable>) -> Self {
        Self { store, routing }
    }

    /// Forwards until `shutdown` turns true.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let mut appended = self.store.stream_notifier();
        let mut trim = tokio::time::interval(TRIM_EVERY);
        loop {
            if *shutdown.borrow() {
                return;
            }
            match self.forward_pending().await {
                Ok(forwarded) if forwarded > 0 => continue,
                Ok(_) => {}
                Err(error) => {
                    tracing::error!(error = %kernel::failure::error_chain(&error), "pipe step failed; retrying");
                }
            }
            tokio::select! {
                _ = appended.changed() => {}
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(IDLE_RECHECK) => {}
                _ = trim.tick() => self.trim().await,
            }
        }
    }

    /// Forwards one page of pending stream records; returns how many records it consumed.
    pub async fn forward_pending(&self) -> Result<usize, PipeError> {
        let after = self.store.checkpoint(CHECKPOINT).await?;
        let records = self.store.stream_after(after, PAGE).await?;
        let Some(last) = records.last() else {
            return Ok(0);
        };
        let through = last.seq;
        let mut messages = Vec::new();
        for record in &records {
            let Some(event_name) = routable_event_name(record) else {
                continue;
            };
            let body =
                eventbridge_envelope(record, &self.routing.source, &self.routing.detail_type)?
                    .to_string();
            for queue in self.routing.queues_for(event_name) {
                messages.push(OutgoingMessage {
                    queue,
                    body: body.clone(),
                });
            }
        }
        tracing::debug!(
            records = records.len(),
            messages = messages.len(),
            through,
            "pipe forwarded"
        );
        self.store.forward(CHECKPOINT, through, messages).await?;
        Ok(records.len())
    }

    async fn trim(&self) {
        match self.store.trim_stream(STREAM_RETENTION).await {
            Ok(trimmed) => tracing::debug!(trimmed, "stream trimmed"),
            Err(error) => {
                tracing::warn!(error = %kernel::failure::error_chain(&error), "stream trim failed")
            }
        }
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
