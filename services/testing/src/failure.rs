//! The one failure type of the Testing domain (BEHAVIOR.md §3).

use kernel::http::BodyError;
use kernel::table::{Key, TableError};

/// Everything that can go wrong in a Testing slice.
#[derive(Debug, thiserror::Error)]
pub enum TestingFailure {
    #[error("the request body is invalid")]
    InvalidRequest(#[source] BodyError),

    #[error("the event data cannot be stored")]
    InvalidEventData(#[source] serde_dynamo::Error),

    #[error("the table failed to {operation}")]
    Storage {
        operation: &'static str,
        #[source]
        source: TableError,
    },

    #[error("the event {key} was already raised")]
    DuplicateEventRaised { key: Key },
}

impl kernel::Failure for TestingFailure {
    fn kind(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) | Self::InvalidEventData(_) => "InvalidArgumentsError",
            Self::Storage { .. } => "UnrecognizedError",
            Self::DuplicateEventRaised { .. } => "DuplicateEventRaisedError",
        }
    }

    fn is_transient(&self) -> bool {
        match self {
            Self::Storage { .. } => true,
            Self::InvalidRequest(_)
            | Self::InvalidEventData(_)
            | Self::DuplicateEventRaised { .. } => false,
        }
    }

    fn is_invalid_arguments(&self) -> bool {
        match self {
            Self::InvalidRequest(_) | Self::InvalidEventData(_) => true,
            Self::Storage { .. } | Self::DuplicateEventRaised { .. } => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::Failure;

    use super::*;

    #[test]
    fn kinds_and_transience_follow_the_original() {
        let invalid = TestingFailure::InvalidRequest(BodyError::Missing);
        assert_eq!(invalid.kind(), "InvalidArgumentsError");
        assert!(invalid.is_invalid_arguments());
        assert!(!invalid.is_transient());

        let storage = TestingFailure::Storage {
            operation: "raise",
            source: TableError::Throttled { source: None },
        };
        assert_eq!(storage.kind(), "UnrecognizedError");
        assert!(storage.is_transient());
        assert!(!storage.is_invalid_arguments());

        let duplicate = TestingFailure::DuplicateEventRaised {
            key: Key::new("p", "s"),
        };
        assert_eq!(duplicate.kind(), "DuplicateEventRaisedError");
        assert!(!duplicate.is_transient());
        assert!(!duplicate.is_invalid_arguments());
    }
}
