//! ProcessOrderPaymentWorker's orchestration (docs/contract.md §8.1, §9), made idempotent:
//! read → (announce | give up | ask the gateway) → record → announce or ask for a retry.

use std::sync::Arc;

use contracts::{Event, IncomingEvent, OrderEventData};
use kernel::clock::Clock;

use super::clients::{
    RaiseOrderPaymentEventClient, ReadOrderPaymentClient, RecordOrderPaymentClient,
};
use super::model::{
    PaymentOutcome, PaymentPlan, RecordOrderPaymentCommand, SettledPayment, idempotency_key,
};
use crate::failure::PaymentsFailure;
use crate::gateway::{GatewayResponse, PaymentGateway, PaymentRequest};

pub struct ProcessOrderPaymentWorkerService {
    read: Arc<dyn ReadOrderPaymentClient>,
    record: Arc<dyn RecordOrderPaymentClient>,
    raise: Arc<dyn RaiseOrderPaymentEventClient>,
    gateway: Arc<dyn PaymentGateway>,
    clock: Arc<dyn Clock>,
}

impl ProcessOrderPaymentWorkerService {
    pub fn new(
        read: Arc<dyn ReadOrderPaymentClient>,
        record: Arc<dyn RecordOrderPaymentClient>,
        raise: Arc<dyn RaiseOrderPaymentEventClient>,
        gateway: Arc<dyn PaymentGateway>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            read,
            record,
            raise,
            gateway,
            clock,
        }
    }

    /// Settles the payment of an allocated order, or fails transiently so the message returns.
    pub async fn process(
        &self,
        event: IncomingEvent<OrderEventData>,
    ) -> Result<(), PaymentsFailure> {
        let incoming = event.event_data;
        let existing = self.read.read_order_payment(&incoming.order_id).await?;

        let (failed, outcome) = match PaymentPlan::for_existing(existing.as_ref()) {
            PaymentPlan::Announce(settled) => return self.announce(settled, incoming).await,
            PaymentPlan::GiveUp { failed } => (
                Some(failed),
                PaymentOutcome::Settled {
                    payment: SettledPayment::Rejected,
                    payment_id: failed.payment_id.clone(),
                },
            ),
            PaymentPlan::Attempt { attempt, failed } => {
                let request = PaymentRequest {
                    idempotency_key: idempotency_key(&incoming.order_id, attempt),
                    order_id: incoming.order_id.clone(),
                    sku: incoming.sku.clone(),
                    units: incoming.units,
                    price: incoming.price,
                    user_id: incoming.user_id.clone(),
                };
                let outcome = match self.gateway.submit(&request).await {
                    Ok(GatewayResponse::Accepted { payment_id }) => PaymentOutcome::Settled {
                        payment: SettledPayment::Accepted,
                        payment_id,
                    },
                    Ok(GatewayResponse::Rejected { payment_id }) => PaymentOutcome::Settled {
                        payment: SettledPayment::Rejected,
                        payment_id,
                    },
                    // Recorded below so the attempt counts; the message is retried after that.
                    Err(error) => PaymentOutcome::Failed(error),
                };
                (failed, outcome)
            }
        };

        let command =
            RecordOrderPaymentCommand::new(&incoming, failed, &outcome, self.clock.now_iso());
        match self.record.record_order_payment(&command).await {
            Ok(()) => {}
            // Deviation (#6): a concurrent attempt settled the payment first (possibly when
            // there was no record at read time): announce what it recorded.
            Err(PaymentsFailure::PaymentAlreadyAccepted { .. }) => {
                return self.announce(SettledPayment::Accepted, incoming).await;
            }
            Err(PaymentsFailure::PaymentAlreadyRejected { .. }) => {
                return self.announce(SettledPayment::Rejected, incoming).await;
            }
            Err(failure) => return Err(failure),
        }

        match outcome {
            PaymentOutcome::Settled { payment, .. } => self.announce(payment, incoming).await,
            PaymentOutcome::Failed(source) => Err(PaymentsFailure::PaymentFailed {
                order_id: incoming.order_id,
                source,
            }),
        }
    }

    /// Raises the settled payment's event with the incoming event's data.
    async fn announce(
        &self,
        settled: SettledPayment,
        incoming: OrderEventData,
    ) -> Result<(), PaymentsFailure> {
        let event = Event::order(settled.event_name(), incoming, self.clock.now_iso());
        self.raise.raise_event(&event).await
    }
}

#[cfg(test)]
mod tests;
