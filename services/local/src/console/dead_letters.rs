//! The dead-letter queues: every message with its body, and redrive (as `ecomm dlq`).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use kernel::table::{Item, get_s};
use serde::{Deserialize, Serialize};
use store_sqlite::StoredMessage;

use super::{Console, ConsoleError};
use crate::inspect::PIPE;
use crate::pipe;

/// How many messages of one dead-letter queue the page lists.
const LISTED: usize = 200;

#[derive(Serialize)]
pub struct DeadLetterQueues {
    queues: Vec<DeadLetterQueue>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeadLetterQueue {
    /// What redrive names: the worker's queue, or `Pipe`.
    source: String,
    worker: String,
    queue: String,
    /// How many messages the queue holds; `messages` lists the first [`LISTED`].
    depth: u64,
    messages: Vec<DeadLetter>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DeadLetter {
    message_id: String,
    receive_count: u32,
    sent_at_ms: u64,
    event_name: Option<String>,
    /// The event's `pk` (whose event it is).
    subject: Option<String>,
    /// The body as JSON, or as the text it is when it is not JSON.
    body: serde_json::Value,
}

impl DeadLetter {
    fn of_worker(message: StoredMessage) -> Self {
        let image = kernel::sqs::stream_new_image(&message.body).ok();
        let attribute = |name| {
            image
                .as_ref()
                .and_then(|image| get_s(image, name))
                .map(str::to_owned)
        };
        Self {
            event_name: attribute("eventName"),
            subject: attribute("pk"),
            ..Self::of(message)
        }
    }

    fn of_pipe(message: StoredMessage) -> Self {
        let letter = serde_json::from_str::<pipe::DeadLetter>(&message.body).ok();
        let image = letter
            .as_ref()
            .and_then(|letter| letter.record.new_image.as_deref())
            .and_then(|image| serde_json::from_str::<Item>(image).ok());
        Self {
            event_name: image
                .as_ref()
                .and_then(|image| get_s(image, "eventName"))
                .map(str::to_owned),
            subject: letter.map(|letter| letter.record.keys.pk),
            ..Self::of(message)
        }
    }

    fn of(message: StoredMessage) -> Self {
        let body = serde_json::from_str(&message.body)
            .unwrap_or_else(|_| serde_json::Value::String(message.body.clone()));
        Self {
            message_id: message.message_id,
            receive_count: message.receive_count,
            sent_at_ms: message.sent_at_ms,
            event_name: None,
            subject: None,
            body,
        }
    }
}

/// `GET /console/api/dead-letters`
pub async fn list(State(console): State<Console>) -> Result<Json<DeadLetterQueues>, ConsoleError> {
    let inner = &console.inner;
    let stats = inner.store.queue_stats().await?;
    let depth = |queue: &str| {
        stats
            .iter()
            .find(|stat| stat.queue == queue)
            .map_or(0, |stat| stat.visible + stat.in_flight)
    };
    let mut queues = Vec::new();
    for route in &inner.routing.workers {
        let queue = route.dead_letter_queue();
        let messages = inner.store.list_messages(&queue, LISTED).await?;
        queues.push(DeadLetterQueue {
            source: route.queue(),
            worker: route.slice.clone(),
            depth: depth(&queue),
            queue,
            messages: messages.into_iter().map(DeadLetter::of_worker).collect(),
        });
    }
    let messages = inner
        .store
        .list_messages(pipe::DEAD_LETTER_QUEUE, LISTED)
        .await?;
    queues.push(DeadLetterQueue {
        source: PIPE.to_owned(),
        worker: PIPE.to_owned(),
        queue: pipe::DEAD_LETTER_QUEUE.to_owned(),
        depth: depth(pipe::DEAD_LETTER_QUEUE),
        messages: messages.into_iter().map(DeadLetter::of_pipe).collect(),
    });
    Ok(Json(DeadLetterQueues { queues }))
}

#[derive(Serialize)]
pub struct Redriven {
    moved: u64,
    /// `<message id>: <reason>` for each pipe record that still cannot be routed.
    kept: Vec<String>,
}

/// The body `POST …/redrive` requires: `{}`. Requiring a JSON body is what keeps other web
/// sites from redriving: a cross-site form or `no-cors` fetch cannot send
/// `content-type: application/json`, and a CORS preflight gets no approval here.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedriveRequest {}

/// `POST /console/api/dead-letters/{source}/redrive` with `{}`
pub async fn redrive(
    State(console): State<Console>,
    Path(source): Path<String>,
    body: Result<Json<RedriveRequest>, JsonRejection>,
) -> Result<Json<Redriven>, ConsoleError> {
    let Json(RedriveRequest {}) =
        body.map_err(|rejection| ConsoleError::BadRequest(rejection.body_text()))?;
    let inner = &console.inner;
    if source == PIPE {
        let redriven = pipe::redrive_dead_letters(&inner.store, &inner.routing).await?;
        return Ok(Json(Redriven {
            moved: redriven.routed,
            kept: redriven
                .kept
                .into_iter()
                .map(|(message_id, reason)| format!("{message_id}: {reason}"))
                .collect(),
        }));
    }
    let route = inner
        .routing
        .workers
        .iter()
        .find(|route| route.queue() == source)
        .ok_or_else(|| ConsoleError::NotFound(format!("No queue named {source}")))?;
    let moved = inner
        .store
        .redrive(&route.dead_letter_queue(), &route.queue())
        .await?;
    tracing::info!(queue = %source, moved, "redrove a dead-letter queue from the console");
    Ok(Json(Redriven {
        moved,
        kept: Vec::new(),
    }))
}
