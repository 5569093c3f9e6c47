//! The clients of ProcessOrderPaymentWorker: read and record the payment, raise the events.
//! (The gateway is its own port: [`crate::gateway::PaymentGateway`].)

use std::sync::Arc;

use async_trait::async_trait;
use contracts::{Event, OrderEventData, OrderId};
use kernel::table::{Condition, Table, TableError, Update, UpdateAction, get_s, n, s};

use super::model::{RecordOrderPaymentCommand, RecordPrecondition};
use crate::failure::PaymentsFailure;
use crate::order_payment::{
    ORDER_PAYMENT_TYPE_NAME, OrderPayment, PAYMENTS_SERVICE_NAME, PaymentStatus, order_payment_key,
};

/// Reads an order's payment record (strongly consistent: the read decides what to do).
#[async_trait]
pub trait ReadOrderPaymentClient: Send + Sync {
    async fn read_order_payment(
        &self,
        order_id: &OrderId,
    ) -> Result<Option<OrderPayment>, PaymentsFailure>;
}

/// Records a payment outcome if the record is still as it was read.
///
/// A conditional failure is reported as `PaymentAlreadyAccepted` / `PaymentAlreadyRejected`
/// when the record now holds a final status, as `ConcurrentPaymentRecord` otherwise.
#[async_trait]
pub trait RecordOrderPaymentClient: Send + Sync {
    async fn record_order_payment(
        &self,
        command: &RecordOrderPaymentCommand,
    ) -> Result<(), PaymentsFailure>;
}

/// Raises an order payment event exactly once (`DuplicateEventRaised` when it exists).
#[async_trait]
pub trait RaiseOrderPaymentEventClient: Send + Sync {
    async fn raise_event(&self, event: &Event<OrderEventData>) -> Result<(), PaymentsFailure>;
}

/// [`ReadOrderPaymentClient`] over the table.
pub struct TableReadOrderPaymentClient {
    table: Arc<dyn Table>,
}

impl TableReadOrderPaymentClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl ReadOrderPaymentClient for TableReadOrderPaymentClient {
    async fn read_order_payment(
        &self,
        order_id: &OrderId,
    ) -> Result<Option<OrderPayment>, PaymentsFailure> {
        // Deviation: a strongly consistent read (the original's was eventually consistent),
        // because what was read decides whether and how the gateway is asked.
        let stored = self
            .table
            .get(&order_payment_key(order_id), true)
            .await
            .map_err(|source| PaymentsFailure::Storage {
                operation: "read the order payment",
                source,
            })?;
        stored
            .map(|item| {
                serde_dynamo::from_item(item).map_err(|source| {
                    PaymentsFailure::InvalidStoredPayment {
                        order_id: order_id.clone(),
                        source,
                    }
                })
            })
            .transpose()
    }
}

/// [`RecordOrderPaymentClient`] over the table: one conditional UpdateItem.
pub struct TableRecordOrderPaymentClient {
    table: Arc<dyn Table>,
}

impl TableRecordOrderPaymentClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

/// The UpdateItem of docs/contract.md §8.1 step 3, with a condition that pins what was read.
pub fn record_update(command: &RecordOrderPaymentCommand) -> Update {
    let order = &command.order;
    // Deviation (#3): the original's condition only refused final statuses; pinning the status
    // and retry count read makes each attempt number recordable exactly once.
    let condition = match command.precondition {
        RecordPrecondition::NoRecord => Condition::item_not_exists(),
        RecordPrecondition::FailedAttempt { payment_retries } => Condition::And(vec![
            Condition::equals("paymentStatus", s(PaymentStatus::PaymentFailed.as_str())),
            Condition::equals("paymentRetries", n(payment_retries.get())),
        ]),
    };
    Update::new(order_payment_key(&order.order_id))
        .set("orderId", s(order.order_id.as_str()))
        .set("sku", s(order.sku.as_str()))
        .set("units", n(order.units.get()))
        .set("price", n(order.price))
        .set("userId", s(order.user_id.as_str()))
        .set("paymentId", s(&command.payment_id))
        .set("paymentStatus", s(command.payment_status.as_str()))
        .set("paymentRetries", n(command.payment_retries.get()))
        .set("updatedAt", s(&command.updated_at))
        .action(
            "createdAt",
            UpdateAction::SetIfNotExists(s(&command.created_at)),
        )
        .set("_tn", s(ORDER_PAYMENT_TYPE_NAME))
        .set("_sn", s(PAYMENTS_SERVICE_NAME))
        .set("gsi1pk", s(ORDER_PAYMENT_TYPE_NAME))
        .set("gsi1sk", s(format!("CREATED_AT#{}", command.created_at)))
        .with_condition(condition)
        .returning_old_on_condition_failure()
}

#[async_trait]
impl RecordOrderPaymentClient for TableRecordOrderPaymentClient {
    async fn record_order_payment(
        &self,
        command: &RecordOrderPaymentCommand,
    ) -> Result<(), PaymentsFailure> {
        let order_id = &command.order.order_id;
        match self.table.update(record_update(command)).await {
            Ok(_) => Ok(()),
            Err(TableError::ConditionalCheckFailed { old_item }) => {
                // Deviation (#7): read the old item's status as a typed attribute.
                let found = old_item
                    .as_ref()
                    .and_then(|item| get_s(item, "paymentStatus"))
                    .and_then(PaymentStatus::parse);
                match found {
                    Some(PaymentStatus::PaymentAccepted) => {
                        Err(PaymentsFailure::PaymentAlreadyAccepted {
                            order_id: order_id.clone(),
                        })
                    }
                    Some(PaymentStatus::PaymentRejected) => {
                        Err(PaymentsFailure::PaymentAlreadyRejected {
                            order_id: order_id.clone(),
                        })
                    }
                    Some(PaymentStatus::PaymentFailed) | None => {
                        Err(PaymentsFailure::ConcurrentPaymentRecord {
                            order_id: order_id.clone(),
                            found,
                        })
                    }
                }
            }
            Err(source) => Err(PaymentsFailure::Storage {
                operation: "record the order payment",
                source,
            }),
        }
    }
}

/// [`RaiseOrderPaymentEventClient`] over the event store: one conditional PutItem.
pub struct TableRaiseOrderPaymentEventClient {
    table: Arc<dyn Table>,
}

impl TableRaiseOrderPaymentEventClient {
    pub fn new(table: Arc<dyn Table>) -> Self {
        Self { table }
    }
}

#[async_trait]
impl RaiseOrderPaymentEventClient for TableRaiseOrderPaymentEventClient {
    async fn raise_event(&self, event: &Event<OrderEventData>) -> Result<(), PaymentsFailure> {
        crate::event_store::raise_event(self.table.as_ref(), event).await
    }
}

#[cfg(test)]
mod tests;
