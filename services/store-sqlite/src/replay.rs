//! Reading the index page by page, and the durable progress of a replay: where a named replay
//! stands in the index, moved together with the messages it enqueued (exactly once, like the
//! pipe's checkpoint), so a replay that crashed resumes where it stopped.

use kernel::table::Item;
use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;
use crate::codec::decode_item;
use crate::queue::{OutgoingMessage, enqueue_all};
use crate::schema::{count, int, uint};
use crate::writer::Scope;

/// A position in the GSI, in its order (`gsi1sk`, then the table key): DynamoDB's
/// `LastEvaluatedKey` of an index query.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
pub struct IndexPosition {
    pub gsi1sk: String,
    pub pk: String,
    pub sk: String,
}

/// How far a named replay has come.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplayProgress {
    /// The last index position it has handled (`None`: it has not started).
    pub position: Option<IndexPosition>,
    /// Events delivered so far.
    pub delivered: u64,
    /// The replay went through the whole index.
    pub done: bool,
    /// What the replay was started with (its filter, as its caller wrote it).
    pub filter: String,
}

/// Up to `limit` items of the index partition `gsi1pk` after `after`, in index order.
pub(crate) fn index_page(
    connection: &Connection,
    gsi1pk: &str,
    after: Option<&IndexPosition>,
    limit: usize,
) -> Result<Vec<(IndexPosition, Item)>, StoreError> {
    let mut statement = connection.prepare_cached(
        "SELECT gsi1sk, pk, sk, item FROM items INDEXED BY items_gsi1
         WHERE gsi1pk = ?1 AND (gsi1sk, pk, sk) > (?2, ?3, ?4)
         ORDER BY gsi1sk, pk, sk LIMIT ?5",
    )?;
    let (gsi1sk, pk, sk) = after.map_or(("", "", ""), |position| {
        (
            position.gsi1sk.as_str(),
            position.pk.as_str(),
            position.sk.as_str(),
        )
    });
    let rows = statement.query_map(params![gsi1pk, gsi1sk, pk, sk, count(limit)], |row| {
        Ok((
            IndexPosition {
                gsi1sk: row.get(0)?,
                pk: row.get(1)?,
                sk: row.get(2)?,
            },
            row.get::<_, String>(3)?,
        ))
    })?;
    let mut page = Vec::new();
    for row in rows {
        let (position, text) = row?;
        page.push((position, decode_item(&text, "item")?));
    }
    Ok(page)
}

pub(crate) fn progress(
    connection: &Connection,
    name: &str,
) -> Result<Option<ReplayProgress>, StoreError> {
    let row: Option<(Option<String>, i64, bool, String)> = connection
        .prepare_cached("SELECT position, delivered, done, filter FROM replays WHERE name = ?1")?
        .query_row(params![name], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    row.map(|(position, delivered, done, filter)| {
        Ok(ReplayProgress {
            position: position
                .map(|text| serde_json::from_str(&text))
                .transpose()
                .map_err(|source| StoreError::CorruptRow {
                    what: "replay position",
                    source,
                })?,
            delivered: uint(delivered),
            done,
            filter,
        })
    })
    .transpose()
}

/// One step of a replay: enqueue `messages` and move the replay from `from` to `to`, by
/// compare-and-set on `from` (a replay with no row yet starts from `None`).
pub(crate) struct Advance {
    pub(crate) name: String,
    pub(crate) filter: String,
    pub(crate) from: Option<IndexPosition>,
    pub(crate) to: Option<IndexPosition>,
    pub(crate) delivered: u64,
    pub(crate) done: bool,
    pub(crate) messages: Vec<OutgoingMessage>,
}

pub(crate) fn advance(scope: &mut Scope<'_>, step: &Advance) -> Result<(), StoreError> {
    let current = progress(scope.connection, &step.name)?;
    let stands_at = current.as_ref().and_then(|p| p.position.clone());
    if current.as_ref().is_some_and(|p| p.done) || stands_at != step.from {
        return Err(StoreError::ReplayConflict {
            name: step.name.clone(),
        });
    }
    enqueue_all(scope, &step.messages)?;
    let position = step
        .to
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|source| StoreError::Encode { source })?;
    let delivered = current.map_or(0, |p| p.delivered) + step.delivered;
    scope
        .connection
        .prepare_cached(
            "INSERT INTO replays (name, position, delivered, done, filter, updated_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (name) DO UPDATE SET position = excluded.position,
                 delivered = excluded.delivered, done = excluded.done,
                 updated_at_ms = excluded.updated_at_ms",
        )?
        .execute(params![
            step.name,
            position,
            int(delivered),
            step.done,
            step.filter,
            int(scope.now_ms)
        ])?;
    Ok(())
}

pub(crate) fn forget(connection: &Connection, name: &str) -> Result<bool, StoreError> {
    Ok(connection
        .prepare_cached("DELETE FROM replays WHERE name = ?1")?
        .execute(params![name])?
        > 0)
}
