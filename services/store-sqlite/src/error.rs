//! What can go wrong in the store, and how it reads through the Table port.

use std::path::PathBuf;
use std::sync::Arc;

use kernel::table::TableError;
use rusqlite::ErrorCode;

/// A failure of the store's own API (stream, queues, opening).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the SQLite store at {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the SQLite file has schema version {found}; this build supports up to {supported}")]
    UnsupportedSchema { found: i64, supported: i64 },
    #[error("the SQLite store failed")]
    Sqlite {
        /// Shared: one failed commit fails every request of its group.
        #[source]
        source: Arc<rusqlite::Error>,
    },
    #[error("a stored {what} is not valid JSON")]
    CorruptRow {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("a stored stream record has the unknown kind {kind:?}")]
    CorruptStreamKind { kind: String },
    #[error("cannot encode an item as JSON")]
    Encode {
        #[source]
        source: serde_json::Error,
    },
    #[error("the store is closed")]
    Closed,
    #[error("cannot start the writer thread")]
    SpawnWriter {
        #[source]
        source: std::io::Error,
    },
    #[error("cannot seed the random generator for message ids")]
    Random {
        #[source]
        source: rand::rand_core::OsError,
    },
    #[error("a read task failed")]
    ReadTask {
        #[source]
        source: tokio::task::JoinError,
    },
    #[error("invalid request: {message}")]
    InvalidRequest { message: String },
    /// `forward` found the checkpoint elsewhere than where its caller read it, or would move
    /// it backwards or forward the same records twice.
    #[error(
        "checkpoint {name} is at {current}; cannot forward from {expected} through {requested}"
    )]
    CheckpointConflict {
        name: String,
        current: u64,
        expected: u64,
        requested: u64,
    },
    /// Another process moved the replay, or it is already done.
    #[error(
        "replay {name} is not where this step expected it (another replay of the same name runs, or it is done)"
    )]
    ReplayConflict { name: String },
}

impl From<rusqlite::Error> for StoreError {
    fn from(source: rusqlite::Error) -> Self {
        Self::Sqlite {
            source: Arc::new(source),
        }
    }
}

impl From<Arc<rusqlite::Error>> for StoreError {
    fn from(source: Arc<rusqlite::Error>) -> Self {
        Self::Sqlite { source }
    }
}

/// How a store failure reads through the Table port: lock contention is throttling, I/O and
/// a closed store are unavailability, everything else is `Other`.
impl From<StoreError> for TableError {
    fn from(error: StoreError) -> Self {
        match &error {
            StoreError::Sqlite { source } => match source.sqlite_error_code() {
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
                    TableError::Throttled {
                        source: Some(Box::new(error)),
                    }
                }
                Some(
                    ErrorCode::SystemIoFailure
                    | ErrorCode::DiskFull
                    | ErrorCode::CannotOpen
                    | ErrorCode::ReadOnly
                    | ErrorCode::FileLockingProtocolFailed
                    | ErrorCode::OutOfMemory,
                ) => TableError::Unavailable {
                    source: Box::new(error),
                },
                _ => TableError::Other {
                    source: Box::new(error),
                },
            },
            StoreError::Closed | StoreError::ReadTask { .. } => TableError::Unavailable {
                source: Box::new(error),
            },
            StoreError::Open { .. }
            | StoreError::UnsupportedSchema { .. }
            | StoreError::CorruptRow { .. }
            | StoreError::CorruptStreamKind { .. }
            | StoreError::Encode { .. }
            | StoreError::SpawnWriter { .. }
            | StoreError::Random { .. }
            | StoreError::InvalidRequest { .. }
            | StoreError::CheckpointConflict { .. }
            | StoreError::ReplayConflict { .. } => TableError::Other {
                source: Box::new(error),
            },
        }
    }
}

/// Builds the error a failed SQL statement or commit reports through each API.
pub(crate) trait FromSqlite {
    fn from_sqlite(error: Arc<rusqlite::Error>) -> Self;
}

impl FromSqlite for StoreError {
    fn from_sqlite(error: Arc<rusqlite::Error>) -> Self {
        Self::from(error)
    }
}

impl FromSqlite for TableError {
    fn from_sqlite(error: Arc<rusqlite::Error>) -> Self {
        TableError::from(StoreError::from(error))
    }
}

/// A `ValidationException`.
pub(crate) fn validation(message: impl Into<String>) -> TableError {
    TableError::Validation {
        message: message.into(),
    }
}
