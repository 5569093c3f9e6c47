//! Raising events: the conditional put every event-producing slice of this domain performs,
//! classified with this domain's failure kinds.

use contracts::Event;
use contracts::events::{RaiseEventError, raise};
use kernel::table::Table;
use serde::Serialize;

use crate::failure::PaymentsFailure;

/// Puts the event item once (first writer wins). An existing item with the same key ⇒
/// [`PaymentsFailure::DuplicateEventRaised`]; any other storage error is transient.
pub async fn raise_event<D: Serialize + Sync>(
    table: &dyn Table,
    event: &Event<D>,
) -> Result<(), PaymentsFailure> {
    raise(table, event).await.map_err(|error| match error {
        RaiseEventError::Duplicate => PaymentsFailure::DuplicateEventRaised {
            key: event.key.clone(),
        },
        RaiseEventError::Storage(source) => PaymentsFailure::Storage {
            operation: "raise the order payment event",
            source,
        },
        RaiseEventError::Unrepresentable(source) => PaymentsFailure::InvalidEventItem(source),
    })
}
