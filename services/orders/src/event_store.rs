//! Raising an order event once, classified with the Orders domain's failure kinds.

use contracts::events::{RaiseEventError, raise};
use contracts::{Event, OrderEventData};
use kernel::table::Table;

use crate::failure::OrdersFailure;

/// Puts the event item once (first writer wins): an existing event is `DuplicateEventRaised`,
/// an item that cannot be built is invalid arguments (`unbuildable`), any other storage error is
/// unrecognized (`operation`, transient).
pub(crate) async fn raise_order_event(
    table: &dyn Table,
    event: &Event<OrderEventData>,
    unbuildable: &'static str,
    operation: &'static str,
) -> Result<(), OrdersFailure> {
    raise(table, event).await.map_err(|error| match error {
        RaiseEventError::Duplicate => OrdersFailure::DuplicateEventRaised {
            order_id: event.event_data.order_id.clone(),
            event_name: event.event_name,
        },
        RaiseEventError::Storage(source) => OrdersFailure::unrecognized(operation, source),
        RaiseEventError::Unrepresentable(source) => {
            OrdersFailure::invalid_arguments(unbuildable, source)
        }
    })
}
