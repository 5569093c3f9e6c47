//! The delivery journal: one row for every message a worker handled, with how it ended. SQS
//! forgets a message once it is deleted; the engine keeps this much (as long as the stream is
//! kept) so that `ecomm timeline` can show every hop of an order.

use std::time::Duration;

use rusqlite::{Connection, params};

use crate::StoreError;
use crate::schema::{count, cutoff_ms, int, uint};

/// One handled message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub queue: String,
    pub message_id: String,
    /// The stream record's `pk` (the item the event is about); empty if the body was unreadable.
    pub subject: String,
    /// The stream record's `sk` (which event); empty if the body was unreadable.
    pub event: String,
    /// Including this receive.
    pub receive_count: u32,
    /// When the pipe enqueued the message.
    pub sent_at_ms: u64,
    /// When this receive handed it to the worker.
    pub received_at_ms: u64,
    /// When the worker was done with it.
    pub finished_at_ms: u64,
    /// `succeeded`, `retried` or `dropped`.
    pub outcome: String,
    /// The failure kind of a retry or a drop.
    pub failure_kind: Option<String>,
}

pub(crate) fn record(connection: &Connection, delivery: &Delivery) -> Result<(), StoreError> {
    connection
        .prepare_cached(
            "INSERT INTO deliveries (queue, message_id, subject, event, receive_count,
                 sent_at_ms, received_at_ms, finished_at_ms, outcome, failure_kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            delivery.queue,
            delivery.message_id,
            delivery.subject,
            delivery.event,
            delivery.receive_count,
            int(delivery.sent_at_ms),
            int(delivery.received_at_ms),
            int(delivery.finished_at_ms),
            delivery.outcome,
            delivery.failure_kind,
        ])?;
    Ok(())
}

/// Every delivery of events about `subject`, in the order they were handled.
pub(crate) fn of_subject(
    connection: &Connection,
    subject: &str,
) -> Result<Vec<Delivery>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT queue, message_id, subject, event, receive_count, sent_at_ms, received_at_ms,
                finished_at_ms, outcome, failure_kind
         FROM deliveries WHERE subject = ?1 ORDER BY id",
    )?;
    let rows = statement.query_map(params![subject], |row| {
        Ok(Delivery {
            queue: row.get(0)?,
            message_id: row.get(1)?,
            subject: row.get(2)?,
            event: row.get(3)?,
            receive_count: row.get(4)?,
            sent_at_ms: uint(row.get(5)?),
            received_at_ms: uint(row.get(6)?),
            finished_at_ms: uint(row.get(7)?),
            outcome: row.get(8)?,
            failure_kind: row.get(9)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// Deletes up to `batch` of the oldest deliveries handled longer than `retention` ago.
pub(crate) fn trim(
    connection: &Connection,
    retention: Duration,
    batch: usize,
    now_ms: u64,
) -> Result<u64, StoreError> {
    // Rows are appended in time order, so the oldest are the lowest ids: only the first `batch`
    // rows are looked at, never the whole journal.
    let deleted = connection
        .prepare_cached(
            "DELETE FROM deliveries
             WHERE id IN (SELECT id FROM deliveries ORDER BY id LIMIT ?2) AND finished_at_ms < ?1",
        )?
        .execute(params![cutoff_ms(now_ms, retention), count(batch)])?;
    Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
}
