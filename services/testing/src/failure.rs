//! The one failure type of the Testing domain (docs/contract.md §3).

use contracts::events::DUPLICATE_EVENT_RAISED_ERROR;
use kernel::failure::Classification;
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
    fn classify(&self) -> Classification {
        match self {
            Self::InvalidRequest(_) | Self::InvalidEventData(_) | Self::UnstorableEvent { .. } => {
                Classification::INVALID_ARGUMENTS
            }
            Self::Storage { .. } => Classification::UNRECOGNIZED,
            Self::DuplicateEventRaised { .. } => {
                Classification::permanent(DUPLICATE_EVENT_RAISED_ERROR)
            }
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
        assert_eq!(invalid.kind(), kernel::failure::INVALID_ARGUMENTS_ERROR);
        assert!(invalid.is_invalid_arguments());
        assert!(!invalid.is_transient());

        let storage = TestingFailure::Storage {
            operation: "raise",
            source: TableError::Throttled { source: None },
        };
        assert_eq!(storage.kind(), kernel::failure::UNRECOGNIZED_ERROR);
        assert!(storage.is_transient());
        assert!(!storage.is_invalid_arguments());

        let duplicate = TestingFailure::DuplicateEventRaised {
            key: Key::new("p", "s"),
        };
        assert_eq!(
            duplicate.kind(),
            contracts::events::DUPLICATE_EVENT_RAISED_ERROR
        );
        assert!(!duplicate.is_transient());
        assert!(!duplicate.is_invalid_arguments());

        let unstorable = TestingFailure::UnstorableEvent {
            key: Key::new("p", "s"),
            source: TableError::Validation {
                message: "Item size has exceeded the maximum allowed size".to_owned(),
            },
        };
        assert_eq!(unstorable.kind(), kernel::failure::INVALID_ARGUMENTS_ERROR);
        assert!(unstorable.is_invalid_arguments());
        assert!(!unstorable.is_transient());
    }
}
