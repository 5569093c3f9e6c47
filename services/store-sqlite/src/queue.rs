//! Durable queues with SQS standard-queue semantics: visibility timeout, receive count, receipt
//! handles, and redrive to a dead-letter queue after `max_receive_count` receives.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, RngCore};
use rusqlite::{Connection, params};

use crate::StoreError;
use crate::effects::Effects;
use crate::schema::{count, cutoff_ms, int, uint};
use crate::writer::Scope;

/// SQS's limit on one `ReceiveMessage`.
const MAX_RECEIVE_BATCH: usize = 10;

/// A message to enqueue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    pub queue: String,
    pub body: String,
}

/// How a queue is consumed (the SQS queue attributes and redrive policy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueConfig {
    pub name: String,
    pub dead_letter_queue: String,
    pub visibility_timeout: Duration,
    /// A message received this many times moves to the dead-letter queue on its next receive.
    pub max_receive_count: u32,
}

/// A message handed to a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    pub message_id: String,
    /// Valid until the message is received again; needed to delete it.
    pub receipt_handle: String,
    pub body: String,
    /// Including this receive (SQS `ApproximateReceiveCount`).
    pub receive_count: u32,
    pub sent_at_ms: u64,
    pub first_received_at_ms: u64,
}

/// Message counts of one queue (SQS `ApproximateNumberOfMessages` / `…NotVisible`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueStats {
    pub queue: String,
    pub visible: u64,
    pub in_flight: u64,
    /// When the oldest message still in the queue was sent (SQS `ApproximateAgeOfOldestMessage`).
    pub oldest_sent_at_ms: u64,
}

/// A message as stored, for inspecting queues (typically dead-letter queues).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredMessage {
    pub message_id: String,
    pub body: String,
    pub receive_count: u32,
    pub sent_at_ms: u64,
}

pub(crate) fn enqueue(
    connection: &Connection,
    rng: &mut StdRng,
    queue: &str,
    body: &str,
    now_ms: u64,
) -> Result<(), StoreError> {
    if queue.is_empty() {
        return Err(StoreError::InvalidRequest {
            message: "a message needs a queue name".to_owned(),
        });
    }
    connection
        .prepare_cached(
            "INSERT INTO messages (queue, message_id, body, sent_at_ms, visible_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?4)",
        )?
        .execute(params![queue, message_id(rng), body, int(now_ms)])?;
    Ok(())
}

/// Enqueues every message in the caller's transaction and counts them for the notifier.
pub(crate) fn enqueue_all(
    scope: &mut Scope<'_>,
    messages: &[OutgoingMessage],
) -> Result<(), StoreError> {
    for message in messages {
        enqueue(
            scope.connection,
            scope.rng,
            &message.queue,
            &message.body,
            scope.now_ms,
        )?;
        scope.effects.enqueued_to(&message.queue, 1);
    }
    Ok(())
}

/// A random UUID (version 4 layout), like SQS message ids.
fn message_id(rng: &mut StdRng) -> String {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

fn receipt_handle(rng: &mut StdRng) -> String {
    format!("{:016x}{:016x}", rng.random::<u64>(), rng.random::<u64>())
}

struct Candidate {
    id: i64,
    message_id: String,
    body: String,
    receive_count: u32,
    sent_at_ms: u64,
    first_received_at_ms: Option<u64>,
}

pub(crate) fn receive(
    connection: &Connection,
    rng: &mut StdRng,
    queue: &QueueConfig,
    max_messages: usize,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<Vec<ReceivedMessage>, StoreError> {
    validate_config(queue, max_messages)?;
    let visible_at = now_ms
        .saturating_add(u64::try_from(queue.visibility_timeout.as_millis()).unwrap_or(u64::MAX));
    let mut received = Vec::with_capacity(max_messages);
    // Each round either returns messages or moves poison ones to the dead-letter queue, so the
    // loop ends when the batch is full or nothing visible is left.
    loop {
        let wanted = max_messages - received.len();
        let candidates = visible_candidates(connection, &queue.name, now_ms, wanted)?;
        if candidates.is_empty() {
            break;
        }
        for candidate in candidates {
            if candidate.receive_count >= queue.max_receive_count {
                connection
                    .prepare_cached(
                        "UPDATE messages SET queue = ?2, receive_count = 0, visible_at_ms = ?3,
                             receipt_handle = NULL, first_received_at_ms = NULL
                         WHERE id = ?1",
                    )?
                    .execute(params![candidate.id, queue.dead_letter_queue, int(now_ms)])?;
                effects.enqueued_to(&queue.dead_letter_queue, 1);
                continue;
            }
            let handle = receipt_handle(rng);
            let first_received_at_ms = candidate.first_received_at_ms.unwrap_or(now_ms);
            connection
                .prepare_cached(
                    "UPDATE messages SET visible_at_ms = ?2, receive_count = receive_count + 1,
                         receipt_handle = ?3, first_received_at_ms = ?4
                     WHERE id = ?1",
                )?
                .execute(params![
                    candidate.id,
                    int(visible_at),
                    handle,
                    int(first_received_at_ms)
                ])?;
            received.push(ReceivedMessage {
                message_id: candidate.message_id,
                receipt_handle: handle,
                body: candidate.body,
                receive_count: candidate.receive_count.saturating_add(1),
                sent_at_ms: candidate.sent_at_ms,
                first_received_at_ms,
            });
        }
        if received.len() == max_messages {
            break;
        }
    }
    Ok(received)
}

fn validate_config(queue: &QueueConfig, max_messages: usize) -> Result<(), StoreError> {
    let problem = if !(1..=MAX_RECEIVE_BATCH).contains(&max_messages) {
        Some(format!(
            "max_messages must be between 1 and {MAX_RECEIVE_BATCH}, got {max_messages}"
        ))
    } else if queue.name.is_empty() || queue.dead_letter_queue.is_empty() {
        Some("a queue and its dead-letter queue need names".to_owned())
    } else if queue.name == queue.dead_letter_queue {
        Some(format!(
            "queue {} cannot be its own dead-letter queue",
            queue.name
        ))
    } else if queue.max_receive_count == 0 {
        Some("max_receive_count must be at least 1".to_owned())
    } else {
        None
    };
    match problem {
        Some(message) => Err(StoreError::InvalidRequest { message }),
        None => Ok(()),
    }
}

/// Visible messages, oldest (first sent) first. The walk follows the arrival index and skips the
/// messages in flight, which are few compared to a backlog.
fn visible_candidates(
    connection: &Connection,
    queue: &str,
    now_ms: u64,
    limit: usize,
) -> Result<Vec<Candidate>, StoreError> {
    let mut statement = connection.prepare_cached(
        // `+visible_at_ms`: the time is a filter on the arrival walk, not an index range. As a
        // range on a bound parameter it made SQLite re-prepare the statement on every receive.
        "SELECT id, message_id, body, receive_count, sent_at_ms, first_received_at_ms
         FROM messages INDEXED BY messages_arrival
         WHERE queue = ?1 AND +visible_at_ms <= ?2
         ORDER BY id LIMIT ?3",
    )?;
    let rows = statement.query_map(
        params![queue, int(now_ms), int(u64::try_from(limit).unwrap_or(0))],
        |row| {
            Ok(Candidate {
                id: row.get(0)?,
                message_id: row.get(1)?,
                body: row.get(2)?,
                receive_count: row.get(3)?,
                sent_at_ms: uint(row.get(4)?),
                first_received_at_ms: row.get::<_, Option<i64>>(5)?.map(uint),
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn delete_message(
    connection: &Connection,
    queue: &str,
    receipt_handle: &str,
) -> Result<bool, StoreError> {
    let deleted = connection
        .prepare_cached("DELETE FROM messages WHERE queue = ?1 AND receipt_handle = ?2")?
        .execute(params![queue, receipt_handle])?;
    Ok(deleted > 0)
}

/// Deletes a message by its id (not its receipt handle: for operators, not consumers).
pub(crate) fn remove(
    connection: &Connection,
    queue: &str,
    message_id: &str,
) -> Result<bool, StoreError> {
    let deleted = connection
        .prepare_cached("DELETE FROM messages WHERE queue = ?1 AND message_id = ?2")?
        .execute(params![queue, message_id])?;
    Ok(deleted > 0)
}

/// Moves every message of `from_queue` to `to_queue` as a fresh, visible message.
pub(crate) fn redrive(
    connection: &Connection,
    from_queue: &str,
    to_queue: &str,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<u64, StoreError> {
    if to_queue.is_empty() {
        return Err(StoreError::InvalidRequest {
            message: "redrive needs a destination queue".to_owned(),
        });
    }
    let moved = connection
        .prepare_cached(
            "UPDATE messages SET queue = ?2, receive_count = 0, visible_at_ms = ?3,
                 receipt_handle = NULL, first_received_at_ms = NULL
             WHERE queue = ?1",
        )?
        .execute(params![from_queue, to_queue, int(now_ms)])?;
    let moved = u64::try_from(moved).unwrap_or(u64::MAX);
    effects.enqueued_to(to_queue, moved);
    Ok(moved)
}

/// Deletes up to `batch` of the queue's messages sent longer than `retention` ago, in flight or
/// not (SQS `MessageRetentionPeriod`, measured from the original enqueue, as SQS does for
/// messages moved to a dead-letter queue). Returns how many were deleted.
pub(crate) fn expire(
    connection: &Connection,
    queue: &str,
    retention: Duration,
    batch: usize,
    now_ms: u64,
) -> Result<u64, StoreError> {
    let deleted = connection
        .prepare_cached(
            "DELETE FROM messages WHERE id IN (
                 SELECT id FROM messages INDEXED BY messages_age
                 WHERE queue = ?1 AND sent_at_ms < ?2 LIMIT ?3)",
        )?
        .execute(params![queue, cutoff_ms(now_ms, retention), count(batch)])?;
    Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
}

/// How long until the next message of the queue is visible (zero if one is visible now).
pub(crate) fn next_visible_in(
    connection: &Connection,
    queue: &str,
    now_ms: u64,
) -> Result<Option<Duration>, StoreError> {
    let earliest: Option<i64> = connection
        .prepare_cached("SELECT MIN(visible_at_ms) FROM messages WHERE queue = ?1")?
        .query_row(params![queue], |row| row.get(0))?;
    Ok(earliest.map(|at| Duration::from_millis(uint(at).saturating_sub(now_ms))))
}

/// Counts of every queue holding at least one message, by queue name.
pub(crate) fn stats(connection: &Connection, now_ms: u64) -> Result<Vec<QueueStats>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT queue, SUM(visible_at_ms <= ?1), SUM(visible_at_ms > ?1), MIN(sent_at_ms)
         FROM messages GROUP BY queue ORDER BY queue",
    )?;
    let rows = statement.query_map(params![int(now_ms)], |row| {
        Ok(QueueStats {
            queue: row.get(0)?,
            visible: uint(row.get(1)?),
            in_flight: uint(row.get(2)?),
            oldest_sent_at_ms: uint(row.get(3)?),
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The queue's messages in arrival order.
pub(crate) fn list(
    connection: &Connection,
    queue: &str,
    limit: usize,
) -> Result<Vec<StoredMessage>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT message_id, body, receive_count, sent_at_ms
         FROM messages WHERE queue = ?1 ORDER BY id LIMIT ?2",
    )?;
    let rows = statement.query_map(
        params![queue, int(u64::try_from(limit).unwrap_or(u64::MAX))],
        |row| {
            Ok(StoredMessage {
                message_id: row.get(0)?,
                body: row.get(1)?,
                receive_count: row.get(2)?,
                sent_at_ms: uint(row.get(3)?),
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn message_ids_look_like_uuids() {
        let mut rng = StdRng::seed_from_u64(7);
        let id = message_id(&mut rng);
        assert_eq!(id.len(), 36);
        assert_eq!(id.matches('-').count(), 4);
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, message_id(&mut rng));
    }
}
