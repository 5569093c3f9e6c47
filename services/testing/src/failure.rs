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

    /// The table refused the item as malformed (a DynamoDB `ValidationException`): the request
    /// asked for an item DynamoDB cannot hold, which is bad input, not an outage.
    #[error("the table refuses the event item {key}")]
    UnstorableEvent {
        key: Key,
        #[source]
        source: TableError,
    },
}

impl kernel::Failure for TestingFailure {
    fn kind(&self) -> &'static str {
        match self {
            Self::InvalidRequest(_) | Self::InvalidEventData(_) | Self::UnstorableEvent { .. } => {
                "InvalidArgumentsError"
            }
            Self::Storage { .. } => "UnrecognizedError",
            Self::DuplicateEventRaised { .. } => "DuplicateEventRaisedError",
        }
    }

    fn is_transient(&self) -> bool {
        match self {
            Self::Storage { .. } => true,
            Self::InvalidRequest(_)
            | Self::InvalidEventData(_)
            | Self::UnstorableEvent { .. }
            | Self::DuplicateEventRaised { .. } => false,
        }
    }

    fn is_invalid_arguments(&self) -> bool {
        match self {
            Self::InvalidRequest(_) | Self::InvalidEventData(_) | Self::UnstorableEvent { .. } => {
                true
            }
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

        let unstorable = TestingFailure::UnstorableEvent {
            key: Key::new("p", "s"),
            source: TableError::Validation {
                message: "Item size has exceeded the maximum allowed size".to_owned(),
            },
        };
        assert_eq!(unstorable.kind(), "InvalidArgumentsError");
        assert!(unstorable.is_invalid_arguments());
        assert!(!unstorable.is_transient());
    }
}
