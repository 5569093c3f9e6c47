//! SyncOrderWorker's capabilities: read the order, create it, move its status, raise
//! `ORDER_CREATED_EVENT`.

use std::sync::Arc;

use async_trait::async_trait;
use contracts::{Event, OrderEventData, OrderId};
use kernel::table::{Condition, Item, ReturnValues, Table, TableError, Update, n, s};

use super::model::{StatusChange, StatusUpdate};
use crate::event_store::raise_order_event;
use crate::failure::OrdersFailure;
use crate::order::{ORDER_SERVICE_NAME, ORDER_TYPE_NAME, Order, order_gsi1sk, order_key};
use crate::order_status::OrderStatus;

/// Reads an order with a strongly consistent read.
#[async_trait]
pub trait ReadOrderClient: Send + Sync {
    /// `None` when the order does not exist; `InvalidArguments` when the stored order is invalid.
    async fn read_order(&self, order_id: &OrderId) -> Result<Option<Order>, OrdersFailure>;
}

/// Creates an order in `ORDER_CREATED_STATUS` unless it exists.
#[async_trait]
pub trait CreateOrderClient: Send + Sync {
    /// The order as stored: the new one, or the one that already existed. `None` when the
    /// storage did not hand back a usable order item (the caller reads it instead).
    async fn create_order(
        &self,
        data: &OrderEventData,
        now: &str,
    ) -> Result<Option<Order>, OrdersFailure>;
}

/// Moves an order's status, only if it still has the status it was read with.
#[async_trait]
pub trait UpdateOrderStatusClient: Send + Sync {
    async fn update_order_status(
        &self,
        change: &StatusChange,
    ) -> Result<StatusUpdate, OrdersFailure>;
}

/// Raises `ORDER_CREATED_EVENT` exactly once (first writer wins).
#[async_trait]
pub trait RaiseOrderCreatedEventClient: Send + Sync {
    /// `DuplicateEventRaised` when the event already exists.
    async fn raise_order_created_event(
        &self,
        event: &Event<OrderEventData>,
    ) -> Result<(), OrdersFailure>;
}

pub struct TableReadOrderClient {
    table: Arc<dyn Table>,
}

impl TableReadOrderClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl ReadOrderClient for TableReadOrderClient {
    async fn read_order(&self, order_id: &OrderId) -> Result<Option<Order>, OrdersFailure> {
        // Deviation (#1): the read decides the transition, so it must see the latest write
        // (the original read was eventually consistent).
        let item = match self.table.get(&order_key(order_id), true).await {
            Ok(item) => item,
            Err(error) => return Err(OrdersFailure::unrecognized("reading the order", error)),
        };
        item.map(|item| {
            Order::from_item(item).map_err(|error| {
                OrdersFailure::invalid_arguments("the stored order is invalid", error)
            })
        })
        .transpose()
    }
}

pub struct TableCreateOrderClient {
    table: Arc<dyn Table>,
}

impl TableCreateOrderClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    fn create_update(data: &OrderEventData, now: &str) -> Update {
        Update::new(order_key(&data.order_id))
            .set("orderId", s(data.order_id.as_str()))
            .set("orderStatus", s(OrderStatus::OrderCreatedStatus.as_str()))
            .set("sku", s(data.sku.as_str()))
            .set("units", n(data.units.get()))
            .set("price", n(data.price))
            .set("userId", s(data.user_id.as_str()))
            .set("createdAt", s(now))
            .set("updatedAt", s(now))
            .set("_tn", s(ORDER_TYPE_NAME))
            .set("_sn", s(ORDER_SERVICE_NAME))
            .set("gsi1pk", s(ORDER_TYPE_NAME))
            .set("gsi1sk", s(order_gsi1sk(now)))
            .with_condition(Condition::item_not_exists())
            .returning(ReturnValues::AllNew)
            .returning_old_on_condition_failure()
    }
}

/// A returned item that is absent or not a valid order gives no order.
fn usable_order(item: Option<Item>) -> Option<Order> {
    item.and_then(|item| Order::from_item(item).ok())
}

#[async_trait]
impl CreateOrderClient for TableCreateOrderClient {
    async fn create_order(
        &self,
        data: &OrderEventData,
        now: &str,
    ) -> Result<Option<Order>, OrdersFailure> {
        match self.table.update(Self::create_update(data, now)).await {
            Ok(new_item) => Ok(usable_order(new_item)),
            // The order exists already (first writer wins): it is the result.
            // Deviation (#6): the original decoded the old item without checking it was there;
            // here an absent or invalid old item makes the caller read the order instead.
            Err(TableError::ConditionalCheckFailed { old_item }) => Ok(usable_order(old_item)),
            Err(error) => Err(OrdersFailure::unrecognized("creating the order", error)),
        }
    }
}

pub struct TableUpdateOrderStatusClient {
    table: Arc<dyn Table>,
}

impl TableUpdateOrderStatusClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }

    fn status_update(change: &StatusChange) -> Update {
        Update::new(order_key(&change.order_id))
            .set("orderStatus", s(change.to.as_str()))
            .set("updatedAt", s(&change.updated_at))
            // Deviation (#1): guarded by the status read (the original only required
            // `orderStatus <> <new>`, so a slower writer could regress the order), and by the
            // order's existence (#6: the original could create a partial item).
            .with_condition(Condition::And(vec![
                Condition::item_exists(),
                Condition::equals("orderStatus", s(change.from.as_str())),
            ]))
    }
}

#[async_trait]
impl UpdateOrderStatusClient for TableUpdateOrderStatusClient {
    async fn update_order_status(
        &self,
        change: &StatusChange,
    ) -> Result<StatusUpdate, OrdersFailure> {
        match self.table.update(Self::status_update(change)).await {
            Ok(_) => Ok(StatusUpdate::Applied),
            Err(TableError::ConditionalCheckFailed { .. }) => Ok(StatusUpdate::Conflicted),
            Err(error) => Err(OrdersFailure::unrecognized(
                "updating the order status",
                error,
            )),
        }
    }
}

pub struct TableRaiseOrderCreatedEventClient {
    table: Arc<dyn Table>,
}

impl TableRaiseOrderCreatedEventClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl RaiseOrderCreatedEventClient for TableRaiseOrderCreatedEventClient {
    async fn raise_order_created_event(
        &self,
        event: &Event<OrderEventData>,
    ) -> Result<(), OrdersFailure> {
        raise_order_event(
            self.table.as_ref(),
            event,
            "the ORDER_CREATED_EVENT item cannot be built",
            "raising ORDER_CREATED_EVENT",
        )
        .await
    }
}

#[cfg(test)]
mod tests;
