//! The SQLite layout (documented for humans in the crate's README.md) and connection settings.

use std::time::Duration;

use rusqlite::Connection;

use crate::{Durability, StoreError};

/// `PRAGMA user_version` of the layout below; bump it with a migration step when it changes.
pub(crate) const SCHEMA_VERSION: i64 = 4;

/// How long a connection waits for another process's lock before reporting `SQLITE_BUSY`.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS items (
    pk      TEXT NOT NULL,
    sk      TEXT NOT NULL,
    gsi1pk  TEXT,
    gsi1sk  TEXT,
    item    TEXT NOT NULL,
    PRIMARY KEY (pk, sk)
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS items_gsi1 ON items (gsi1pk, gsi1sk) WHERE gsi1pk IS NOT NULL;

CREATE TABLE IF NOT EXISTS stream (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    kind           TEXT NOT NULL CHECK (kind IN ('INSERT', 'MODIFY', 'REMOVE')),
    pk             TEXT NOT NULL,
    sk             TEXT NOT NULL,
    new_image      TEXT,
    created_at_ms  INTEGER NOT NULL,
    size_bytes     INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS checkpoints (
    name           TEXT PRIMARY KEY,
    seq            INTEGER NOT NULL,
    updated_at_ms  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS messages (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    queue                 TEXT NOT NULL,
    message_id            TEXT NOT NULL,
    body                  TEXT NOT NULL,
    sent_at_ms            INTEGER NOT NULL,
    visible_at_ms         INTEGER NOT NULL,
    receive_count         INTEGER NOT NULL DEFAULT 0,
    receipt_handle        TEXT,
    first_received_at_ms  INTEGER
);

CREATE INDEX IF NOT EXISTS messages_arrival ON messages (queue);

CREATE INDEX IF NOT EXISTS messages_visibility ON messages (queue, visible_at_ms);

CREATE UNIQUE INDEX IF NOT EXISTS messages_receipt_handle ON messages (receipt_handle)
    WHERE receipt_handle IS NOT NULL;

CREATE INDEX IF NOT EXISTS stream_age ON stream (created_at_ms);

CREATE TABLE IF NOT EXISTS replays (
    name           TEXT PRIMARY KEY,
    position       TEXT,
    delivered      INTEGER NOT NULL,
    done           INTEGER NOT NULL,
    filter         TEXT NOT NULL,
    updated_at_ms  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX IF NOT EXISTS messages_age ON messages (queue, sent_at_ms);

CREATE TABLE IF NOT EXISTS deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    queue           TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    subject         TEXT NOT NULL,
    event           TEXT NOT NULL,
    receive_count   INTEGER NOT NULL,
    sent_at_ms      INTEGER NOT NULL,
    received_at_ms  INTEGER NOT NULL,
    finished_at_ms  INTEGER NOT NULL,
    outcome         TEXT NOT NULL,
    failure_kind    TEXT
);

CREATE INDEX IF NOT EXISTS deliveries_subject ON deliveries (subject);
";

/// Version 2: the `expiresAt` TTL attribute as a column (with an index of the items that have
/// one), so expired items are found without reading every item.
const MIGRATE_TO_2: &str = "
ALTER TABLE items ADD COLUMN expires_at INTEGER;
UPDATE items SET expires_at = CAST(json_extract(item, '$.expiresAt.N') AS INTEGER)
    WHERE json_extract(item, '$.expiresAt.N') IS NOT NULL;
";

const EXPIRY_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS items_expiry ON items (expires_at) WHERE expires_at IS NOT NULL;";

/// `PRAGMA auto_vacuum` value of incremental vacuuming.
const AUTO_VACUUM_INCREMENTAL: i64 = 2;

/// Settings of the writer connection, then the schema (created or checked).
pub(crate) fn prepare_writer(
    connection: &mut Connection,
    durability: Durability,
) -> Result<(), StoreError> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    // Freed pages (deleted messages, trimmed stream records) are returned to the file system in
    // small steps by `PRAGMA incremental_vacuum`. A new file takes the setting as it is created;
    // a file created without it needs one full VACUUM to switch.
    connection.pragma_update(None, "auto_vacuum", AUTO_VACUUM_INCREMENTAL)?;
    let auto_vacuum: i64 = connection.pragma_query_value(None, "auto_vacuum", |row| row.get(0))?;
    let has_tables: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table')",
        [],
        |row| row.get(0),
    )?;
    if auto_vacuum != AUTO_VACUUM_INCREMENTAL && has_tables {
        connection.execute_batch("VACUUM")?;
    }
    // WAL is persistent in the file; readers never block the writer and vice versa.
    connection.pragma_update(None, "journal_mode", "WAL")?;
    set_durability(connection, durability)?;
    let transaction =
        connection.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let found: i64 = transaction.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::UnsupportedSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    transaction.execute_batch(SCHEMA)?;
    let has_expiry: bool = transaction.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('items') WHERE name = 'expires_at')",
        [],
        |row| row.get(0),
    )?;
    if !has_expiry {
        transaction.execute_batch(MIGRATE_TO_2)?;
    }
    transaction.execute_batch(EXPIRY_INDEX)?;
    transaction.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    transaction.commit()?;
    Ok(())
}

fn set_durability(connection: &Connection, durability: Durability) -> Result<(), StoreError> {
    let synchronous = match durability {
        Durability::Normal => "NORMAL",
        Durability::Full => "FULL",
    };
    connection.pragma_update(None, "synchronous", synchronous)?;
    Ok(())
}

/// Settings of a read-only connection.
pub(crate) fn prepare_reader(connection: &Connection) -> Result<(), StoreError> {
    connection.busy_timeout(BUSY_TIMEOUT)?;
    Ok(())
}

/// A `u64` as an SQLite integer (saturating: our counters and instants never get near 2^63).
pub(crate) fn int(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// An SQLite integer we wrote from a `u64` (negative values cannot occur; they read as 0).
pub(crate) fn uint(value: i64) -> u64 {
    u64::try_from(value).unwrap_or(0)
}

/// The instant `retention` before `now_ms`: rows older than it have expired.
pub(crate) fn cutoff_ms(now_ms: u64, retention: std::time::Duration) -> i64 {
    int(now_ms.saturating_sub(u64::try_from(retention.as_millis()).unwrap_or(u64::MAX)))
}

/// A row count or limit as an SQLite integer.
pub(crate) fn count(value: usize) -> i64 {
    int(u64::try_from(value).unwrap_or(u64::MAX))
}
