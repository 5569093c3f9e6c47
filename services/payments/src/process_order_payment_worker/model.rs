//! The decisions and commands of ProcessOrderPaymentWorker (docs/contract.md §8.1).

use contracts::{EventName, OrderEventData, OrderId, PaymentId};

use crate::gateway::GatewayError;
use crate::order_payment::{OrderPayment, PaymentRetries, PaymentStatus};

/// After this many failed attempts (`paymentRetries >= 3`) the payment is rejected without
/// calling the gateway again: at most 4 gateway attempts per order.
pub const MAX_ALLOWED_PAYMENT_RETRIES: u64 = 3;

/// A final payment outcome, announced by an event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettledPayment {
    Accepted,
    Rejected,
}

impl SettledPayment {
    pub fn event_name(self) -> EventName {
        match self {
            Self::Accepted => EventName::OrderPaymentAcceptedEvent,
            Self::Rejected => EventName::OrderPaymentRejectedEvent,
        }
    }

    fn status(self) -> PaymentStatus {
        match self {
            Self::Accepted => PaymentStatus::PaymentAccepted,
            Self::Rejected => PaymentStatus::PaymentRejected,
        }
    }
}

/// What to do given the payment record read first.
#[derive(Clone, Debug, PartialEq)]
pub enum PaymentPlan<'a> {
    /// The payment is already settled: only (re-)announce it.
    Announce(SettledPayment),
    /// Too many failed attempts: record the rejection without calling the gateway.
    GiveUp { failed: &'a OrderPayment },
    /// Ask the gateway. `attempt` is durable: it only advances once an outcome is recorded.
    Attempt {
        attempt: u64,
        failed: Option<&'a OrderPayment>,
    },
}

impl<'a> PaymentPlan<'a> {
    pub fn for_existing(existing: Option<&'a OrderPayment>) -> Self {
        let Some(payment) = existing else {
            return Self::Attempt {
                attempt: 0,
                failed: None,
            };
        };
        match payment.payment_status {
            PaymentStatus::PaymentAccepted => Self::Announce(SettledPayment::Accepted),
            PaymentStatus::PaymentRejected => Self::Announce(SettledPayment::Rejected),
            PaymentStatus::PaymentFailed
                if payment.payment_retries.get() >= MAX_ALLOWED_PAYMENT_RETRIES =>
            {
                Self::GiveUp { failed: payment }
            }
            PaymentStatus::PaymentFailed => Self::Attempt {
                attempt: payment.payment_retries.next().get(),
                failed: Some(payment),
            },
        }
    }
}

/// The gateway idempotency key of one attempt: `<orderId>#<attempt>`.
///
/// Deviation (#3): a retry after a crash between the gateway call and the record re-asks with
/// the same key (the attempt number did not advance) and gets the same answer: never charged
/// twice for the same attempt.
pub fn idempotency_key(order_id: &OrderId, attempt: u64) -> String {
    format!("{order_id}#{attempt}")
}

/// How an attempt (or giving up) ended.
#[derive(Clone, Debug, PartialEq)]
pub enum PaymentOutcome {
    Settled {
        payment: SettledPayment,
        payment_id: PaymentId,
    },
    Failed(GatewayError),
}

/// The record condition: it pins the state the decision was based on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecordPrecondition {
    /// No payment record existed.
    NoRecord,
    /// A `PAYMENT_FAILED` record with exactly this many retries existed.
    FailedAttempt { payment_retries: PaymentRetries },
}

/// The order payment record to write (docs/contract.md §8.1 step 3).
#[derive(Clone, Debug, PartialEq)]
pub struct RecordOrderPaymentCommand {
    pub order: OrderEventData,
    pub payment_id: String,
    pub payment_status: PaymentStatus,
    pub payment_retries: PaymentRetries,
    /// Kept by the write when the record already has one (`if_not_exists`).
    pub created_at: String,
    pub updated_at: String,
    pub precondition: RecordPrecondition,
}

impl RecordOrderPaymentCommand {
    /// The record of `outcome`, for an order with no record yet (`failed = None`) or after the
    /// failed record `failed`.
    pub fn new(
        incoming: &OrderEventData,
        failed: Option<&OrderPayment>,
        outcome: &PaymentOutcome,
        now: String,
    ) -> Self {
        let (payment_id, payment_status) = match outcome {
            PaymentOutcome::Settled {
                payment,
                payment_id,
            } => (payment_id.to_string(), payment.status()),
            PaymentOutcome::Failed(_) => (
                failed.map_or_else(
                    || failed_payment_id(&incoming.order_id),
                    |previous| previous.payment_id.to_string(),
                ),
                PaymentStatus::PaymentFailed,
            ),
        };
        match failed {
            None => Self {
                order: incoming.clone(),
                payment_id,
                payment_status,
                payment_retries: PaymentRetries::ZERO,
                created_at: now.clone(),
                updated_at: now,
                precondition: RecordPrecondition::NoRecord,
            },
            Some(previous) => Self {
                order: OrderEventData {
                    order_id: previous.order_id.clone(),
                    sku: previous.sku.clone(),
                    units: previous.units,
                    price: previous.price,
                    user_id: previous.user_id.clone(),
                },
                payment_id,
                payment_status,
                payment_retries: previous.payment_retries.next(),
                created_at: previous.created_at.to_string(),
                updated_at: now,
                precondition: RecordPrecondition::FailedAttempt {
                    payment_retries: previous.payment_retries,
                },
            },
        }
    }
}

/// The payment id recorded for a failed attempt with no earlier payment id.
pub fn failed_payment_id(order_id: &OrderId) -> String {
    format!("ERROR:ORDER_ID:{order_id}")
}

#[cfg(test)]
mod tests {
    use contracts::{EventTime, Price, Sku, Units, UserId};

    use super::*;

    fn data() -> OrderEventData {
        contracts::fixtures::order_data("ORD001", 2, 33.25)
    }

    fn failed(retries: f64) -> OrderPayment {
        OrderPayment {
            order_id: OrderId::parse("ORD001").unwrap(),
            sku: Sku::parse("APPLES").unwrap(),
            units: Units::new(2).unwrap(),
            price: Price::new(33.25).unwrap(),
            user_id: UserId::parse("MARIA").unwrap(),
            payment_id: PaymentId::parse("ERROR:ORDER_ID:ORD001").unwrap(),
            payment_status: PaymentStatus::PaymentFailed,
            payment_retries: PaymentRetries::try_from(retries).unwrap(),
            created_at: EventTime::parse("2025-01-01T00:00:00.000Z").unwrap(),
            updated_at: EventTime::parse("2025-01-01T00:00:10.000Z").unwrap(),
        }
    }

    #[test]
    fn plans_follow_the_retry_policy() {
        assert_eq!(
            PaymentPlan::for_existing(None),
            PaymentPlan::Attempt {
                attempt: 0,
                failed: None
            }
        );
        for retries in 0_u32..3 {
            let payment = failed(f64::from(retries));
            assert_eq!(
                PaymentPlan::for_existing(Some(&payment)),
                PaymentPlan::Attempt {
                    attempt: u64::from(retries) + 1,
                    failed: Some(&payment)
                }
            );
        }
        for retries in [3.0, 4.0, 10.0] {
            let payment = failed(retries);
            assert_eq!(
                PaymentPlan::for_existing(Some(&payment)),
                PaymentPlan::GiveUp { failed: &payment }
            );
        }
        let mut settled = failed(5.0);
        settled.payment_status = PaymentStatus::PaymentAccepted;
        assert_eq!(
            PaymentPlan::for_existing(Some(&settled)),
            PaymentPlan::Announce(SettledPayment::Accepted)
        );
        settled.payment_status = PaymentStatus::PaymentRejected;
        assert_eq!(
            PaymentPlan::for_existing(Some(&settled)),
            PaymentPlan::Announce(SettledPayment::Rejected)
        );
    }

    #[test]
    fn a_first_failure_records_the_error_payment_id_and_zero_retries() {
        let command = RecordOrderPaymentCommand::new(
            &data(),
            None,
            &PaymentOutcome::Failed(GatewayError::Unavailable),
            "2025-01-02T00:00:00.000Z".into(),
        );
        assert_eq!(command.payment_id, "ERROR:ORDER_ID:ORD001");
        assert_eq!(command.payment_status, PaymentStatus::PaymentFailed);
        assert_eq!(command.payment_retries, PaymentRetries::ZERO);
        assert_eq!(command.created_at, "2025-01-02T00:00:00.000Z");
        assert_eq!(command.updated_at, "2025-01-02T00:00:00.000Z");
        assert_eq!(command.precondition, RecordPrecondition::NoRecord);
        assert_eq!(command.order, data());
    }

    #[test]
    fn a_later_attempt_keeps_the_record_creation_and_counts_the_retry() {
        let previous = failed(2.0);
        let command = RecordOrderPaymentCommand::new(
            &data(),
            Some(&previous),
            &PaymentOutcome::Settled {
                payment: SettledPayment::Accepted,
                payment_id: PaymentId::parse("D359D1").unwrap(),
            },
            "2025-01-02T00:00:00.000Z".into(),
        );
        assert_eq!(command.payment_id, "D359D1");
        assert_eq!(command.payment_status, PaymentStatus::PaymentAccepted);
        assert_eq!(command.payment_retries.get(), 3);
        assert_eq!(command.created_at, "2025-01-01T00:00:00.000Z");
        assert_eq!(command.updated_at, "2025-01-02T00:00:00.000Z");
        assert_eq!(
            command.precondition,
            RecordPrecondition::FailedAttempt {
                payment_retries: previous.payment_retries
            }
        );
    }

    #[test]
    fn idempotency_keys_name_the_order_and_the_attempt() {
        assert_eq!(
            idempotency_key(&OrderId::parse("ORD001").unwrap(), 2),
            "ORD001#2"
        );
    }
}
