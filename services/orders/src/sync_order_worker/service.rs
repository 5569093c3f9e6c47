//! SyncOrderWorker's service: the idempotency branches of docs/contract.md §7.3.
//!
//! | event         | order   | action                                                       |
//! |---------------|---------|--------------------------------------------------------------|
//! | PLACED        | absent  | create it, then raise `ORDER_CREATED_EVENT` from the stored order |
//! | PLACED        | present | re-raise `ORDER_CREATED_EVENT` (normally a duplicate)        |
//! | anything else | absent  | `InvalidOperationError` (dropped)                             |
//! | anything else | present | apply the transition table; Redundant/Stale/Forbidden dropped |

use std::sync::Arc;
use std::time::SystemTime;

use contracts::{Event, EventName, IncomingEvent, OrderEventData, OrderId};
use kernel::clock::Clock;

use super::clients::{
    CreateOrderClient, RaiseOrderCreatedEventClient, ReadOrderClient, UpdateOrderStatusClient,
};
use super::model::{StatusChange, StatusUpdate};
use crate::failure::OrdersFailure;
use crate::order::Order;
use crate::order_status::{OrderEventName, OrderStatus, Transition, transition};

/// How many guarded status writes one message tries before asking SQS to retry it.
pub const MAX_STATUS_UPDATE_ATTEMPTS: u32 = 3;

pub struct SyncOrderWorkerService {
    read_order: Arc<dyn ReadOrderClient>,
    create_order: Arc<dyn CreateOrderClient>,
    update_order_status: Arc<dyn UpdateOrderStatusClient>,
    raise_order_created_event: Arc<dyn RaiseOrderCreatedEventClient>,
    clock: Arc<dyn Clock>,
}

impl SyncOrderWorkerService {
    pub fn new(
        read_order: Arc<dyn ReadOrderClient>,
        create_order: Arc<dyn CreateOrderClient>,
        update_order_status: Arc<dyn UpdateOrderStatusClient>,
        raise_order_created_event: Arc<dyn RaiseOrderCreatedEventClient>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            read_order,
            create_order,
            update_order_status,
            raise_order_created_event,
            clock,
        }
    }

    pub async fn sync_order(
        &self,
        event: IncomingEvent<OrderEventData>,
    ) -> Result<(), OrdersFailure> {
        let event_name = OrderEventName::try_from(event.event_name).map_err(|error| {
            OrdersFailure::invalid_arguments("SyncOrderWorker received a non-order event", error)
        })?;
        let data = event.event_data;
        let stored = self.read_order.read_order(&data.order_id).await?;
        match (event_name, stored) {
            (OrderEventName::OrderPlacedEvent, None) => {
                let order = self.create(&data).await?;
                self.raise_order_created(&order).await
            }
            (OrderEventName::OrderPlacedEvent, Some(order)) => {
                self.raise_order_created(&order).await
            }
            (status_event, None) => Err(OrdersFailure::InvalidOperation {
                order_id: data.order_id,
                event_name: status_event.event_name(),
            }),
            (status_event, Some(order)) => self.apply_status_event(order, status_event).await,
        }
    }

    /// Creates the order, or finds the one that already exists.
    async fn create(&self, data: &OrderEventData) -> Result<Order, OrdersFailure> {
        let now = self.clock.now_iso();
        if let Some(order) = self.create_order.create_order(data, &now).await? {
            return Ok(order);
        }
        // Deviation (#6): the storage gave no usable order item back (the original would have
        // crashed the whole batch); read it, and retry later if it is still not visible.
        match self.read_order.read_order(&data.order_id).await? {
            Some(order) => Ok(order),
            None => Err(OrdersFailure::OrderCreateRace {
                order_id: data.order_id.clone(),
            }),
        }
    }

    async fn raise_order_created(&self, order: &Order) -> Result<(), OrdersFailure> {
        let event = Event::order(
            EventName::OrderCreatedEvent,
            order.event_data(),
            self.clock.now_iso(),
        );
        self.raise_order_created_event
            .raise_order_created_event(&event)
            .await
    }

    /// Moves the order through the transition table.
    ///
    /// Deviation (#1): the write is guarded by the status read; when another writer got there
    /// first the order is read again and the transition recomputed, so the view never regresses.
    async fn apply_status_event(
        &self,
        mut order: Order,
        event: OrderEventName,
    ) -> Result<(), OrdersFailure> {
        for attempt in 1..=MAX_STATUS_UPDATE_ATTEMPTS {
            let change = StatusChange {
                order_id: order.order_id.clone(),
                from: order.order_status,
                to: next_status(&order, event)?,
                updated_at: self.clock.now_iso(),
            };
            match self
                .update_order_status
                .update_order_status(&change)
                .await?
            {
                StatusUpdate::Applied => {
                    record_settled(&order, change.to, self.clock.now());
                    return Ok(());
                }
                StatusUpdate::Conflicted if attempt == MAX_STATUS_UPDATE_ATTEMPTS => break,
                StatusUpdate::Conflicted => {}
            }
            order = match self.read_order.read_order(&change.order_id).await? {
                Some(order) => order,
                None => return Err(vanished(change.order_id, event)),
            };
        }
        Err(OrdersFailure::OrderStatusRace {
            order_id: order.order_id,
            attempts: MAX_STATUS_UPDATE_ATTEMPTS,
        })
    }
}

/// Counter of orders reaching a settled status (the saga's end); label `status`.
pub const ORDERS_SETTLED: &str = "ecomm_orders_settled_total";
/// Histogram of the seconds from an order's creation to its settled status.
pub const ORDER_SETTLE_SECONDS: &str = "ecomm_order_settle_seconds";

/// Counts an order that this write settled, with the time it took since the order was created.
/// Only the write that applied the change counts, so a redelivered event is not counted twice.
fn record_settled(order: &Order, status: OrderStatus, now: SystemTime) {
    if !status.is_settled() {
        return;
    }
    metrics::counter!(ORDERS_SETTLED, "status" => status.as_str()).increment(1);
    if let Some(took) = humantime::parse_rfc3339_weak(order.created_at.as_str())
        .ok()
        .and_then(|created| now.duration_since(created).ok())
    {
        metrics::histogram!(ORDER_SETTLE_SECONDS).record(took.as_secs_f64());
    }
}

/// The status `event` moves `order` to, or why it does not move.
fn next_status(order: &Order, event: OrderEventName) -> Result<OrderStatus, OrdersFailure> {
    let order_id = order.order_id.clone();
    let current = order.order_status;
    match transition(current, event) {
        Transition::To(status) => Ok(status),
        Transition::Redundant => Err(OrdersFailure::RedundantOrderStatusTransition {
            order_id,
            current,
            event,
        }),
        Transition::Stale => Err(OrdersFailure::StaleOrderStatusTransition {
            order_id,
            current,
            event,
        }),
        Transition::Forbidden => Err(OrdersFailure::ForbiddenOrderStatusTransition {
            order_id,
            current,
            event,
        }),
    }
}

/// The order disappeared between the read and the write: as if it had never existed.
fn vanished(order_id: OrderId, event: OrderEventName) -> OrdersFailure {
    OrdersFailure::InvalidOperation {
        order_id,
        event_name: event.event_name(),
    }
}

#[cfg(test)]
mod tests;
