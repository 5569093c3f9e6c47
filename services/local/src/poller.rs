//! The embedded Lambda SQS event source: per worker, `concurrency` pollers receive batches of up
//! to 10 messages, hand them to the worker controller as an `SqsEvent`, and delete the messages
//! that were not reported in `batchItemFailures`. Reported ones reappear after the visibility
//! timeout; past `maxReceiveCount` receives the store moves them to the worker's DLQ.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_lambda_events::sqs::SqsEvent;
use kernel::clock::epoch_millis;
use kernel::sqs::WorkerHandler;
use md5::{Digest, Md5};
use serde_json::json;
use store_sqlite::{Delivery, QueueConfig, ReceivedMessage, SqliteStore};
use tokio::sync::watch;

use crate::envelope::{LOCAL_ACCOUNT, LOCAL_REGION};

/// SQS's and Lambda's largest batch.
pub const BATCH_SIZE: usize = 10;
/// Upper bound on an idle wait, a safety net for messages enqueued by another process.
const IDLE_RECHECK: Duration = Duration::from_secs(1);

pub struct Poller {
    pub store: SqliteStore,
    pub queue: QueueConfig,
    pub handler: Arc<dyn WorkerHandler>,
}

impl Poller {
    /// Polls until `shutdown` turns true; an in-flight batch is finished first.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let mut enqueued = self.store.queue_notifier(&self.queue.name);
        loop {
            if *shutdown.borrow() {
                return;
            }
            let idle_for = match self.poll_once().await {
                Ok(true) => continue,
                Ok(false) => self.idle_wait().await,
                // The store's writer is gone: end, so that the engine stops loudly.
                Err(store_sqlite::StoreError::Closed) => return,
                Err(error) => {
                    tracing::error!(queue = %self.queue.name, error = %kernel::failure::error_chain(&error), "poll failed; retrying");
                    IDLE_RECHECK
                }
            };
            tokio::select! {
                _ = enqueued.changed() => {}
                _ = shutdown.changed() => {}
                _ = tokio::time::sleep(idle_for) => {}
            }
        }
    }

    /// Receives and processes one batch; `false` when there was nothing to receive.
    pub async fn poll_once(&self) -> Result<bool, store_sqlite::StoreError> {
        let messages = self.store.receive(&self.queue, BATCH_SIZE).await?;
        if messages.is_empty() {
            return Ok(false);
        }
        let event = match sqs_event(&self.queue.name, &messages) {
            Ok(event) => event,
            Err(error) => {
                // Cannot happen for store-produced messages; they stay and are retried.
                tracing::error!(queue = %self.queue.name, error = %error, "could not build the SQS event");
                return Ok(true);
            }
        };
        let received_at_ms = epoch_millis(SystemTime::now());
        let (response, reports) = kernel::sqs::reporting(self.handler.handle(event)).await;
        let failed: HashSet<&str> = response
            .batch_item_failures
            .iter()
            .map(|failure| failure.item_identifier.as_str())
            .collect();
        // Lambda's rule: an unknown identifier in batchItemFailures fails the whole batch.
        let all_known = failed
            .iter()
            .all(|id| messages.iter().any(|m| m.message_id == *id));
        if !all_known {
            tracing::error!(queue = %self.queue.name, "batchItemFailures names an unknown message; the whole batch will be retried");
            return Ok(true);
        }
        // Like Lambda's event source: the consumed messages go in one DeleteMessageBatch.
        let consumed = messages
            .iter()
            .filter(|message| !failed.contains(message.message_id.as_str()))
            .map(|message| message.receipt_handle.clone())
            .collect();
        let deliveries = reports
            .into_iter()
            .filter_map(|report| {
                let message = messages
                    .iter()
                    .find(|m| m.message_id == report.message_id)?;
                Some(Delivery {
                    queue: self.queue.name.clone(),
                    message_id: report.message_id,
                    subject: report.subject,
                    event: report.event,
                    receive_count: message.receive_count,
                    sent_at_ms: message.sent_at_ms,
                    received_at_ms,
                    finished_at_ms: epoch_millis(report.finished_at),
                    outcome: report.outcome.as_str().to_owned(),
                    failure_kind: report.failure_kind.map(str::to_owned),
                })
            })
            .collect();
        self.store
            .settle_batch(&self.queue.name, consumed, deliveries)
            .await?;
        for message in &messages {
            if failed.contains(message.message_id.as_str())
                && message.receive_count >= self.queue.max_receive_count
            {
                // The local stand-in for the DLQ alarm: say so once, when it happens.
                tracing::error!(
                    queue = %self.queue.name,
                    dead_letter_queue = %self.queue.dead_letter_queue,
                    message_id = %message.message_id,
                    receives = message.receive_count,
                    "the last allowed receive failed; the message moves to the dead-letter queue"
                );
                metrics::counter!(crate::metrics::WORKER_DEAD_LETTERED, "queue" => self.queue.name.clone())
                    .increment(1);
            }
        }
        Ok(true)
    }

    async fn idle_wait(&self) -> Duration {
        match self.store.next_visible_in(&self.queue.name).await {
            Ok(Some(wait)) => wait.clamp(Duration::from_millis(1), IDLE_RECHECK),
            Ok(None) | Err(_) => IDLE_RECHECK,
        }
    }
}

/// The `SqsEvent` Lambda would deliver for these messages.
pub fn sqs_event(queue: &str, messages: &[ReceivedMessage]) -> Result<SqsEvent, serde_json::Error> {
    let records: Vec<_> = messages
        .iter()
        .map(|message| {
            json!({
                "messageId": message.message_id,
                "receiptHandle": message.receipt_handle,
                "body": message.body,
                "attributes": {
                    "ApproximateReceiveCount": message.receive_count.to_string(),
                    "SentTimestamp": message.sent_at_ms.to_string(),
                    "SenderId": "ecomm-local-pipe",
                    "ApproximateFirstReceiveTimestamp": message.first_received_at_ms.to_string(),
                },
                "messageAttributes": {},
                "md5OfBody": format!("{:x}", Md5::digest(message.body.as_bytes())),
                "eventSource": "aws:sqs",
                "eventSourceARN": format!("arn:aws:sqs:{LOCAL_REGION}:{LOCAL_ACCOUNT}:{queue}"),
                "awsRegion": LOCAL_REGION,
            })
        })
        .collect();
    serde_json::from_value(json!({ "Records": records }))
}
