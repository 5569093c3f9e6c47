//! The change stream: one record per item change, appended in the transaction of the change
//! (DynamoDB Streams, view type `NEW_IMAGE`), plus named checkpoints of its consumers.

use std::time::Duration;

use kernel::table::{Item, Key, TableError};
use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;
use crate::codec::decode_item;
use crate::effects::Effects;
use crate::error::FromSqlite;
use crate::queue::{OutgoingMessage, enqueue_all};
use crate::schema::{count, cutoff_ms, int, uint};
use crate::writer::Scope;

/// What happened to the item (DynamoDB's `eventName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StreamRecordKind {
    Insert,
    Modify,
    Remove,
}

impl StreamRecordKind {
    /// DynamoDB's `eventName`: `INSERT`, `MODIFY` or `REMOVE` (also the `kind` column).
    pub fn event_name(self) -> &'static str {
        match self {
            Self::Insert => "INSERT",
            Self::Modify => "MODIFY",
            Self::Remove => "REMOVE",
        }
    }

    pub fn from_event_name(name: &str) -> Option<Self> {
        match name {
            "INSERT" => Some(Self::Insert),
            "MODIFY" => Some(Self::Modify),
            "REMOVE" => Some(Self::Remove),
            _ => None,
        }
    }
}

/// One stream record.
#[derive(Debug, Clone, PartialEq)]
pub struct StreamRecord {
    /// Position in the stream: strictly increasing, never reused.
    pub seq: u64,
    pub kind: StreamRecordKind,
    pub keys: Key,
    /// The item after the change; `None` for `Remove`.
    pub new_image: Option<Item>,
    /// When the change was committed (DynamoDB's `ApproximateCreationDateTime`).
    pub created_at_ms: u64,
    /// DynamoDB's item size of the keys plus the new image.
    pub size_bytes: u64,
}

/// Appends a record in the caller's transaction and remembers its position for the notifier.
pub(crate) fn append_record(
    connection: &Connection,
    kind: StreamRecordKind,
    key: &Key,
    new_image: Option<&str>,
    size_bytes: u64,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<(), TableError> {
    connection
        .prepare_cached(
            "INSERT INTO stream (kind, pk, sk, new_image, created_at_ms, size_bytes)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                kind.event_name(),
                key.pk,
                key.sk,
                new_image,
                int(now_ms),
                int(size_bytes)
            ])
        })
        .map_err(|error| TableError::from_sqlite(error.into()))?;
    effects.last_seq = Some(uint(connection.last_insert_rowid()));
    Ok(())
}

/// The highest sequence number ever assigned (0 for an empty stream), trimmed records included.
pub(crate) fn last_seq(connection: &Connection) -> Result<u64, StoreError> {
    let seq: Option<i64> = connection
        .prepare_cached("SELECT seq FROM sqlite_sequence WHERE name = 'stream'")?
        .query_row([], |row| row.get(0))
        .optional()?;
    Ok(seq.map_or(0, uint))
}

/// A stream record that cannot be read back (its image is not valid DynamoDB JSON, or its kind
/// is unknown): kept raw, with the reason, so a consumer can set it aside and move on.
#[derive(Debug)]
pub struct UnreadableRecord {
    pub seq: u64,
    pub kind: String,
    pub keys: Key,
    pub new_image: Option<String>,
    pub created_at_ms: u64,
    pub reason: StoreError,
}

/// One position of the stream: a record, or one that cannot be read.
pub type StreamEntry = Result<StreamRecord, UnreadableRecord>;

/// How far a consumer is behind the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StreamLag {
    /// Records after the consumer's position.
    pub records: u64,
    /// When the oldest of them was committed; `None` when the consumer is caught up.
    pub oldest_created_at_ms: Option<u64>,
}

pub(crate) fn lag_after(connection: &Connection, after_seq: u64) -> Result<StreamLag, StoreError> {
    let (records, oldest): (i64, Option<i64>) = connection
        .prepare_cached("SELECT COUNT(*), MIN(created_at_ms) FROM stream WHERE seq > ?1")?
        .query_row(params![int(after_seq)], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })?;
    Ok(StreamLag {
        records: uint(records),
        oldest_created_at_ms: oldest.map(uint),
    })
}

pub(crate) fn entries_after(
    connection: &Connection,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<StreamEntry>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT seq, kind, pk, sk, new_image, created_at_ms, size_bytes
         FROM stream WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    )?;
    let rows = statement.query_map(
        params![
            int(after_seq),
            int(u64::try_from(limit).unwrap_or(u64::MAX))
        ],
        |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, i64>(5)?,
                row.get::<_, i64>(6)?,
            ))
        },
    )?;
    let mut entries = Vec::new();
    for row in rows {
        let (seq, kind, pk, sk, new_image, created_at_ms, size_bytes) = row?;
        let decoded = StreamRecordKind::from_event_name(&kind)
            .ok_or_else(|| StoreError::CorruptStreamKind { kind: kind.clone() })
            .and_then(|kind| {
                let image = new_image
                    .as_deref()
                    .map(|text| decode_item(text, "stream image"))
                    .transpose()?;
                Ok((kind, image))
            });
        entries.push(match decoded {
            Ok((kind, image)) => Ok(StreamRecord {
                seq: uint(seq),
                kind,
                keys: Key::new(pk, sk),
                new_image: image,
                created_at_ms: uint(created_at_ms),
                size_bytes: uint(size_bytes),
            }),
            Err(reason) => Err(UnreadableRecord {
                seq: uint(seq),
                kind,
                keys: Key::new(pk, sk),
                new_image,
                created_at_ms: uint(created_at_ms),
                reason,
            }),
        });
    }
    Ok(entries)
}

pub(crate) fn checkpoint(connection: &Connection, name: &str) -> Result<u64, StoreError> {
    let seq: Option<i64> = connection
        .prepare_cached("SELECT seq FROM checkpoints WHERE name = ?1")?
        .query_row(params![name], |row| row.get(0))
        .optional()?;
    Ok(seq.map_or(0, uint))
}

/// Enqueues the messages and moves the checkpoint from `from_seq` to `through_seq` in one
/// transaction: a crash leaves either both or neither, so each record is forwarded exactly once.
/// The move is a compare-and-set on the position the consumer read.
pub(crate) fn forward(
    scope: &mut Scope<'_>,
    name: &str,
    from_seq: u64,
    through_seq: u64,
    messages: &[OutgoingMessage],
) -> Result<(), StoreError> {
    let connection = scope.connection;
    if name.is_empty() {
        return Err(StoreError::InvalidRequest {
            message: "a checkpoint needs a name".to_owned(),
        });
    }
    let current = checkpoint(connection, name)?;
    let duplicate = through_seq == current && !messages.is_empty();
    if current != from_seq || through_seq < current || duplicate {
        return Err(StoreError::CheckpointConflict {
            name: name.to_owned(),
            current,
            expected: from_seq,
            requested: through_seq,
        });
    }
    let last = last_seq(connection)?;
    if through_seq > last {
        return Err(StoreError::InvalidRequest {
            message: format!("cannot forward through {through_seq}: the stream ends at {last}"),
        });
    }
    enqueue_all(scope, messages)?;
    connection
        .prepare_cached(
            "INSERT INTO checkpoints (name, seq, updated_at_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (name) DO UPDATE SET seq = excluded.seq, updated_at_ms = excluded.updated_at_ms",
        )?
        .execute(params![name, int(through_seq), int(scope.now_ms)])?;
    Ok(())
}

/// Deletes up to `batch` of the oldest records older than `retention`, read or not: like
/// DynamoDB Streams, which keeps a record 24 hours whether or not anyone has read it.
pub(crate) fn trim(
    connection: &Connection,
    retention: Duration,
    batch: usize,
    now_ms: u64,
) -> Result<u64, StoreError> {
    let deleted = connection
        .prepare_cached(
            "DELETE FROM stream WHERE seq IN (
                 SELECT seq FROM stream WHERE created_at_ms < ?1 ORDER BY seq LIMIT ?2)",
        )?
        .execute(params![cutoff_ms(now_ms, retention), count(batch)])?;
    Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
}
