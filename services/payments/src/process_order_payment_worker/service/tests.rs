//! Tests of `service.rs`, kept beside it so the production module reads on its own.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use contracts::{EventName, EventTime, OrderId, PaymentId, Price, Sku, Units, UserId};
use kernel::Failure;
use kernel::clock::{FixedClock, iso_millis};
use kernel::table::TableError;

use super::*;
use crate::gateway::{FakePaymentGateway, GatewayError, GatewayMode, uniform_draw};
use crate::order_payment::{OrderPayment, PaymentRetries, PaymentStatus};
use crate::process_order_payment_worker::model::RecordPrecondition;

const T0: u64 = 1_750_292_853_368;
const DELIVERY_GAP: u64 = 10_000;

fn at(delivery: u64) -> u64 {
    T0 + delivery * DELIVERY_GAP
}

fn iso(millis: u64) -> String {
    iso_millis(FixedClock::at_millis(millis).0)
}

fn data(price: f64) -> OrderEventData {
    contracts::fixtures::order_data("ORD001", 2, price)
}

fn incoming(price: f64) -> IncomingEvent<OrderEventData> {
    IncomingEvent {
        event_name: EventName::OrderStockAllocatedEvent,
        event_data: data(price),
        created_at: EventTime::parse("2025-01-01T00:00:00.000Z").unwrap(),
        updated_at: EventTime::parse("2025-01-01T00:00:00.000Z").unwrap(),
    }
}

fn gateway_id() -> PaymentId {
    PaymentId::parse("D359D1").unwrap()
}

fn accepted() -> Result<GatewayResponse, GatewayError> {
    Ok(GatewayResponse::Accepted {
        payment_id: gateway_id(),
    })
}

fn rejected() -> Result<GatewayResponse, GatewayError> {
    Ok(GatewayResponse::Rejected {
        payment_id: gateway_id(),
    })
}

fn payment(status: PaymentStatus, retries: u64, payment_id: &str) -> OrderPayment {
    OrderPayment {
        order_id: OrderId::parse("ORD001").unwrap(),
        sku: Sku::parse("APPLES").unwrap(),
        units: Units::new(2).unwrap(),
        price: Price::new(33.25).unwrap(),
        user_id: UserId::parse("MARIA").unwrap(),
        payment_id: PaymentId::parse(payment_id).unwrap(),
        payment_status: status,
        #[allow(clippy::cast_precision_loss)]
        payment_retries: PaymentRetries::try_from(retries as f64).unwrap(),
        created_at: EventTime::parse(&iso(T0)).unwrap(),
        updated_at: EventTime::parse(&iso(at(retries))).unwrap(),
    }
}

fn storage_failure() -> PaymentsFailure {
    PaymentsFailure::Storage {
        operation: "test",
        source: TableError::Unavailable {
            source: "down".into(),
        },
    }
}

/// The payment record in memory, with the table client's conditional semantics.
#[derive(Default)]
struct FakePaymentRecords {
    stored: Mutex<Option<OrderPayment>>,
    read_failures: Mutex<VecDeque<PaymentsFailure>>,
    /// Returned by the next records instead of writing (the write did not happen).
    record_failures: Mutex<VecDeque<PaymentsFailure>>,
    /// Written by "another instance" right before our next record is evaluated.
    concurrent_writes: Mutex<VecDeque<OrderPayment>>,
    reads: AtomicUsize,
    records: Mutex<Vec<RecordOrderPaymentCommand>>,
}

impl FakePaymentRecords {
    fn with(stored: OrderPayment) -> Self {
        let records = Self::default();
        *records.stored.lock().unwrap() = Some(stored);
        records
    }

    fn stored(&self) -> Option<OrderPayment> {
        self.stored.lock().unwrap().clone()
    }

    fn status(&self) -> Option<(PaymentStatus, u64)> {
        self.stored()
            .map(|stored| (stored.payment_status, stored.payment_retries.get()))
    }

    fn records(&self) -> Vec<RecordOrderPaymentCommand> {
        self.records.lock().unwrap().clone()
    }
}

#[async_trait]
impl ReadOrderPaymentClient for FakePaymentRecords {
    async fn read_order_payment(
        &self,
        _order_id: &OrderId,
    ) -> Result<Option<OrderPayment>, PaymentsFailure> {
        self.reads.fetch_add(1, Ordering::SeqCst);
        if let Some(failure) = self.read_failures.lock().unwrap().pop_front() {
            return Err(failure);
        }
        Ok(self.stored())
    }
}

#[async_trait]
impl RecordOrderPaymentClient for FakePaymentRecords {
    async fn record_order_payment(
        &self,
        command: &RecordOrderPaymentCommand,
    ) -> Result<(), PaymentsFailure> {
        self.records.lock().unwrap().push(command.clone());
        if let Some(failure) = self.record_failures.lock().unwrap().pop_front() {
            return Err(failure);
        }
        let mut stored = self.stored.lock().unwrap();
        if let Some(concurrent) = self.concurrent_writes.lock().unwrap().pop_front() {
            *stored = Some(concurrent);
        }
        let holds = match (command.precondition, stored.as_ref()) {
            (RecordPrecondition::NoRecord, None) => true,
            (RecordPrecondition::FailedAttempt { payment_retries }, Some(current)) => {
                current.payment_status == PaymentStatus::PaymentFailed
                    && current.payment_retries == payment_retries
            }
            (RecordPrecondition::NoRecord, Some(_))
            | (RecordPrecondition::FailedAttempt { .. }, None) => false,
        };
        if !holds {
            let order_id = command.order.order_id.clone();
            let found = stored.as_ref().map(|current| current.payment_status);
            return Err(match found {
                Some(PaymentStatus::PaymentAccepted) => {
                    PaymentsFailure::PaymentAlreadyAccepted { order_id }
                }
                Some(PaymentStatus::PaymentRejected) => {
                    PaymentsFailure::PaymentAlreadyRejected { order_id }
                }
                Some(PaymentStatus::PaymentFailed) | None => {
                    PaymentsFailure::ConcurrentPaymentRecord { order_id, found }
                }
            });
        }
        let created_at = stored.as_ref().map_or_else(
            || EventTime::parse(&command.created_at).unwrap(),
            |current| current.created_at.clone(),
        );
        *stored = Some(OrderPayment {
            order_id: command.order.order_id.clone(),
            sku: command.order.sku.clone(),
            units: command.order.units,
            price: command.order.price,
            user_id: command.order.user_id.clone(),
            payment_id: PaymentId::parse(&command.payment_id).unwrap(),
            payment_status: command.payment_status,
            payment_retries: command.payment_retries,
            created_at,
            updated_at: EventTime::parse(&command.updated_at).unwrap(),
        });
        Ok(())
    }
}

/// The event store in memory: first writer wins.
#[derive(Default)]
struct FakeEventStore {
    raised: Mutex<Vec<Event<OrderEventData>>>,
    failures: Mutex<VecDeque<PaymentsFailure>>,
}

impl FakeEventStore {
    fn raised(&self) -> Vec<Event<OrderEventData>> {
        self.raised.lock().unwrap().clone()
    }

    fn names(&self) -> Vec<EventName> {
        self.raised().iter().map(|event| event.event_name).collect()
    }
}

#[async_trait]
impl RaiseOrderPaymentEventClient for FakeEventStore {
    async fn raise_event(&self, event: &Event<OrderEventData>) -> Result<(), PaymentsFailure> {
        if let Some(failure) = self.failures.lock().unwrap().pop_front() {
            return Err(failure);
        }
        let mut raised = self.raised.lock().unwrap();
        if raised.iter().any(|existing| existing.key == event.key) {
            return Err(PaymentsFailure::DuplicateEventRaised {
                key: event.key.clone(),
            });
        }
        raised.push(event.clone());
        Ok(())
    }
}

/// A gateway that honours idempotency keys like a real one: a key it has answered gets the
/// same answer again; a new key takes the next scripted answer.
#[derive(Default)]
struct ScriptedGateway {
    script: Mutex<VecDeque<Result<GatewayResponse, GatewayError>>>,
    answered: Mutex<HashMap<String, Result<GatewayResponse, GatewayError>>>,
    requests: Mutex<Vec<PaymentRequest>>,
}

impl ScriptedGateway {
    fn answering(answers: impl IntoIterator<Item = Result<GatewayResponse, GatewayError>>) -> Self {
        Self {
            script: Mutex::new(answers.into_iter().collect()),
            ..Self::default()
        }
    }

    fn keys(&self) -> Vec<String> {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .map(|request| request.idempotency_key.clone())
            .collect()
    }

    /// Distinct charges the gateway accepted.
    fn accepted_charges(&self) -> usize {
        self.answered
            .lock()
            .unwrap()
            .values()
            .filter(|answer| matches!(answer, Ok(GatewayResponse::Accepted { .. })))
            .count()
    }
}

#[async_trait]
impl PaymentGateway for ScriptedGateway {
    async fn submit(&self, request: &PaymentRequest) -> Result<GatewayResponse, GatewayError> {
        self.requests.lock().unwrap().push(request.clone());
        let mut answered = self.answered.lock().unwrap();
        if let Some(answer) = answered.get(&request.idempotency_key) {
            return answer.clone();
        }
        let answer = self
            .script
            .lock()
            .unwrap()
            .pop_front()
            .expect("an unscripted gateway call");
        answered.insert(request.idempotency_key.clone(), answer.clone());
        answer
    }
}

struct World {
    payments: Arc<FakePaymentRecords>,
    events: Arc<FakeEventStore>,
    gateway: Arc<dyn PaymentGateway>,
}

impl World {
    fn new(payments: FakePaymentRecords, gateway: Arc<dyn PaymentGateway>) -> Self {
        Self {
            payments: Arc::new(payments),
            events: Arc::new(FakeEventStore::default()),
            gateway,
        }
    }

    /// One delivery of the ORDER_STOCK_ALLOCATED message, processed at `millis`.
    async fn deliver_at(&self, millis: u64, price: f64) -> Result<(), PaymentsFailure> {
        ProcessOrderPaymentWorkerService::new(
            self.payments.clone(),
            self.payments.clone(),
            self.events.clone(),
            self.gateway.clone(),
            Arc::new(FixedClock::at_millis(millis)),
        )
        .process(incoming(price))
        .await
    }
}

fn world(payments: FakePaymentRecords, gateway: &Arc<ScriptedGateway>) -> World {
    World::new(payments, gateway.clone())
}

#[tokio::test]
async fn a_first_accepted_attempt_records_accepted_0_and_raises_accepted() {
    let gateway = Arc::new(ScriptedGateway::answering([accepted()]));
    let world = world(FakePaymentRecords::default(), &gateway);

    world.deliver_at(T0, 33.25).await.unwrap();

    let stored = world.payments.stored().unwrap();
    assert_eq!(stored.payment_status, PaymentStatus::PaymentAccepted);
    assert_eq!(stored.payment_retries, PaymentRetries::ZERO);
    assert_eq!(stored.payment_id, gateway_id());
    assert_eq!(stored.created_at.as_str(), iso(T0));
    assert_eq!(stored.updated_at.as_str(), iso(T0));
    assert_eq!(
        world.events.raised(),
        [Event::order(
            EventName::OrderPaymentAcceptedEvent,
            data(33.25),
            iso(T0)
        )]
    );
    assert_eq!(
        *gateway.requests.lock().unwrap(),
        [PaymentRequest {
            idempotency_key: "ORD001#0".into(),
            order_id: data(33.25).order_id,
            sku: data(33.25).sku,
            units: data(33.25).units,
            price: data(33.25).price,
            user_id: data(33.25).user_id,
        }]
    );
    assert_eq!(world.payments.reads.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_rejected_payment_records_rejected_0_and_raises_rejected() {
    let gateway = Arc::new(ScriptedGateway::answering([rejected()]));
    let world = world(FakePaymentRecords::default(), &gateway);

    world.deliver_at(T0, 120_000.99).await.unwrap();

    assert_eq!(
        world.payments.status(),
        Some((PaymentStatus::PaymentRejected, 0))
    );
    assert_eq!(world.payments.stored().unwrap().payment_id, gateway_id());
    assert_eq!(world.events.names(), [EventName::OrderPaymentRejectedEvent]);
}

#[tokio::test]
async fn a_forced_price_rejection_with_the_real_fake_needs_one_delivery() {
    let world = World::new(
        FakePaymentRecords::default(),
        Arc::new(FakePaymentGateway::new(GatewayMode::Random { seed: 7 })),
    );
    world.deliver_at(T0, 0.0).await.unwrap();
    assert_eq!(
        world.payments.status(),
        Some((PaymentStatus::PaymentRejected, 0))
    );
    assert_eq!(world.events.names(), [EventName::OrderPaymentRejectedEvent]);
}

#[tokio::test]
async fn a_failed_first_attempt_records_failed_0_and_asks_for_a_retry() {
    let gateway = Arc::new(ScriptedGateway::answering([Err(GatewayError::Unavailable)]));
    let world = world(FakePaymentRecords::default(), &gateway);

    let failure = world.deliver_at(T0, 33.25).await.unwrap_err();

    assert!(matches!(
        failure,
        PaymentsFailure::PaymentFailed {
            source: GatewayError::Unavailable,
            ..
        }
    ));
    assert!(failure.is_transient());
    assert_eq!(failure.kind(), "PaymentFailedError");
    let stored = world.payments.stored().unwrap();
    assert_eq!(stored.payment_status, PaymentStatus::PaymentFailed);
    assert_eq!(stored.payment_retries, PaymentRetries::ZERO);
    assert_eq!(stored.payment_id.as_str(), "ERROR:ORDER_ID:ORD001");
    assert!(world.events.raised().is_empty());
}

#[tokio::test]
async fn the_retry_timeline_ends_rejected_4_without_a_fifth_gateway_call() {
    let gateway = Arc::new(ScriptedGateway::answering(
        (0..4).map(|_| Err(GatewayError::Unavailable)),
    ));
    let world = world(FakePaymentRecords::default(), &gateway);

    for delivery in 0..4 {
        let failure = world.deliver_at(at(delivery), 33.25).await.unwrap_err();
        assert!(
            matches!(failure, PaymentsFailure::PaymentFailed { .. }),
            "delivery {delivery}: {failure:?}"
        );
        assert!(failure.is_transient());
        assert_eq!(
            world.payments.status(),
            Some((PaymentStatus::PaymentFailed, delivery))
        );
        assert!(world.events.raised().is_empty());
    }
    assert_eq!(
        gateway.keys(),
        ["ORD001#0", "ORD001#1", "ORD001#2", "ORD001#3"]
    );

    world.deliver_at(at(4), 33.25).await.unwrap();

    assert_eq!(gateway.requests.lock().unwrap().len(), 4);
    let stored = world.payments.stored().unwrap();
    assert_eq!(stored.payment_status, PaymentStatus::PaymentRejected);
    assert_eq!(stored.payment_retries.get(), 4);
    assert_eq!(stored.payment_id.as_str(), "ERROR:ORDER_ID:ORD001");
    assert_eq!(stored.created_at.as_str(), iso(T0));
    assert_eq!(stored.updated_at.as_str(), iso(at(4)));
    assert_eq!(
        world.events.raised(),
        [Event::order(
            EventName::OrderPaymentRejectedEvent,
            data(33.25),
            iso(at(4))
        )]
    );
    let preconditions: Vec<_> = world
        .payments
        .records()
        .iter()
        .map(|record| record.precondition)
        .collect();
    assert_eq!(preconditions[0], RecordPrecondition::NoRecord);
    for (delivery, precondition) in preconditions.iter().enumerate().skip(1) {
        #[allow(clippy::cast_precision_loss)]
        let read = PaymentRetries::try_from((delivery - 1) as f64).unwrap();
        assert_eq!(
            *precondition,
            RecordPrecondition::FailedAttempt {
                payment_retries: read
            }
        );
    }
}

#[tokio::test]
async fn an_acceptance_after_k_failures_records_accepted_k() {
    for failures in 1..=3_u64 {
        let gateway = Arc::new(ScriptedGateway::answering(
            (0..failures)
                .map(|_| Err(GatewayError::Unavailable))
                .chain([accepted()]),
        ));
        let world = world(FakePaymentRecords::default(), &gateway);
        for delivery in 0..failures {
            assert!(world.deliver_at(at(delivery), 33.25).await.is_err());
        }
        world.deliver_at(at(failures), 33.25).await.unwrap();

        let stored = world.payments.stored().unwrap();
        assert_eq!(stored.payment_status, PaymentStatus::PaymentAccepted);
        assert_eq!(stored.payment_retries.get(), failures);
        assert_eq!(stored.payment_id, gateway_id());
        assert_eq!(stored.created_at.as_str(), iso(T0));
        assert_eq!(
            gateway.keys().last().cloned(),
            Some(format!("ORD001#{failures}"))
        );
        assert_eq!(world.events.names(), [EventName::OrderPaymentAcceptedEvent]);
    }
}

#[tokio::test]
async fn a_settled_payment_is_only_announced_again() {
    for (status, event_name) in [
        (
            PaymentStatus::PaymentAccepted,
            EventName::OrderPaymentAcceptedEvent,
        ),
        (
            PaymentStatus::PaymentRejected,
            EventName::OrderPaymentRejectedEvent,
        ),
    ] {
        let gateway = Arc::new(ScriptedGateway::default());
        let existing = payment(status, 1, "D359D1");
        let world = world(FakePaymentRecords::with(existing.clone()), &gateway);

        world.deliver_at(at(2), 33.25).await.unwrap();

        assert!(gateway.keys().is_empty(), "{status:?}");
        assert!(world.payments.records().is_empty(), "{status:?}");
        assert_eq!(world.payments.stored(), Some(existing));
        assert_eq!(
            world.events.raised(),
            [Event::order(event_name, data(33.25), iso(at(2)))]
        );

        // A second duplicate delivery finds the event already raised: dropped.
        let duplicate = world.deliver_at(at(3), 33.25).await.unwrap_err();
        assert!(matches!(
            duplicate,
            PaymentsFailure::DuplicateEventRaised { .. }
        ));
        assert!(!duplicate.is_transient());
    }
}

#[tokio::test]
async fn an_exhausted_payment_keeps_its_payment_id_when_rejected() {
    let gateway = Arc::new(ScriptedGateway::default());
    let world = world(
        FakePaymentRecords::with(payment(PaymentStatus::PaymentFailed, 7, "OLD-ID")),
        &gateway,
    );
    world.deliver_at(at(8), 33.25).await.unwrap();
    assert!(gateway.keys().is_empty());
    let stored = world.payments.stored().unwrap();
    assert_eq!(stored.payment_status, PaymentStatus::PaymentRejected);
    assert_eq!(stored.payment_retries.get(), 8);
    assert_eq!(stored.payment_id.as_str(), "OLD-ID");
    assert_eq!(world.events.names(), [EventName::OrderPaymentRejectedEvent]);
}

#[tokio::test]
async fn a_failed_read_calls_nothing_and_is_retried() {
    let gateway = Arc::new(ScriptedGateway::default());
    let payments = FakePaymentRecords::default();
    payments
        .read_failures
        .lock()
        .unwrap()
        .push_back(storage_failure());
    let world = world(payments, &gateway);

    let failure = world.deliver_at(T0, 33.25).await.unwrap_err();

    assert!(failure.is_transient());
    assert!(gateway.keys().is_empty());
    assert!(world.payments.records().is_empty());
    assert!(world.events.raised().is_empty());
}

#[tokio::test]
async fn a_crash_between_the_gateway_and_the_record_replays_the_same_attempt() {
    let gateway = Arc::new(ScriptedGateway::answering([accepted()]));
    let payments = FakePaymentRecords::default();
    payments
        .record_failures
        .lock()
        .unwrap()
        .push_back(storage_failure());
    let world = world(payments, &gateway);

    let failure = world.deliver_at(T0, 33.25).await.unwrap_err();
    assert!(failure.is_transient());
    assert_eq!(world.payments.stored(), None);
    assert!(world.events.raised().is_empty());

    // The retry re-asks with the same key (a new key would need a new scripted answer).
    world.deliver_at(at(1), 33.25).await.unwrap();

    assert_eq!(gateway.keys(), ["ORD001#0", "ORD001#0"]);
    assert_eq!(gateway.accepted_charges(), 1);
    assert_eq!(
        world.payments.status(),
        Some((PaymentStatus::PaymentAccepted, 0))
    );
    assert_eq!(world.events.names(), [EventName::OrderPaymentAcceptedEvent]);
}

#[tokio::test]
async fn the_real_fake_gateway_answers_a_replayed_attempt_identically() {
    // A seed whose first attempt for ORD001 is accepted.
    let seed = (0..)
        .find(|seed| uniform_draw(*seed, "ORD001#0") < 0.3)
        .unwrap();
    let payments = FakePaymentRecords::default();
    payments
        .record_failures
        .lock()
        .unwrap()
        .push_back(storage_failure());
    let world = World::new(
        payments,
        Arc::new(FakePaymentGateway::new(GatewayMode::Random { seed })),
    );

    assert!(world.deliver_at(T0, 33.25).await.is_err());
    world.deliver_at(at(1), 33.25).await.unwrap();

    let records = world.payments.records();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0].payment_status, PaymentStatus::PaymentAccepted);
    assert_eq!(records[0].payment_status, records[1].payment_status);
    assert_eq!(records[0].payment_id, records[1].payment_id);
    assert_eq!(
        world.payments.status(),
        Some((PaymentStatus::PaymentAccepted, 0))
    );
    assert_eq!(world.events.names(), [EventName::OrderPaymentAcceptedEvent]);
}

#[tokio::test]
async fn a_concurrent_acceptance_recorded_first_is_announced() {
    let gateway = Arc::new(ScriptedGateway::answering([accepted()]));
    let payments = FakePaymentRecords::default();
    let theirs = payment(PaymentStatus::PaymentAccepted, 0, "D359D1");
    payments
        .concurrent_writes
        .lock()
        .unwrap()
        .push_back(theirs.clone());
    let world = world(payments, &gateway);

    world.deliver_at(T0, 33.25).await.unwrap();

    assert_eq!(world.payments.stored(), Some(theirs));
    assert_eq!(world.events.names(), [EventName::OrderPaymentAcceptedEvent]);
}

#[tokio::test]
async fn a_concurrent_rejection_with_no_record_at_read_time_is_announced() {
    // The original dereferenced the absent record here and crashed the batch (#6).
    let gateway = Arc::new(ScriptedGateway::answering([Err(GatewayError::Unavailable)]));
    let payments = FakePaymentRecords::default();
    payments
        .concurrent_writes
        .lock()
        .unwrap()
        .push_back(payment(
            PaymentStatus::PaymentRejected,
            4,
            "ERROR:ORDER_ID:ORD001",
        ));
    let world = world(payments, &gateway);

    world.deliver_at(T0, 33.25).await.unwrap();

    assert_eq!(
        world.payments.status(),
        Some((PaymentStatus::PaymentRejected, 4))
    );
    assert_eq!(world.events.names(), [EventName::OrderPaymentRejectedEvent]);
}

#[tokio::test]
async fn a_concurrent_failed_attempt_recorded_first_is_retried_from_a_fresh_read() {
    let gateway = Arc::new(ScriptedGateway::answering([
        Err(GatewayError::Unavailable),
        accepted(),
    ]));
    let payments = FakePaymentRecords::with(payment(
        PaymentStatus::PaymentFailed,
        1,
        "ERROR:ORDER_ID:ORD001",
    ));
    payments
        .concurrent_writes
        .lock()
        .unwrap()
        .push_back(payment(
            PaymentStatus::PaymentFailed,
            2,
            "ERROR:ORDER_ID:ORD001",
        ));
    let world = world(payments, &gateway);

    let failure = world.deliver_at(at(2), 33.25).await.unwrap_err();
    assert!(matches!(
        failure,
        PaymentsFailure::ConcurrentPaymentRecord {
            found: Some(PaymentStatus::PaymentFailed),
            ..
        }
    ));
    assert!(failure.is_transient());
    assert_eq!(
        world.payments.status(),
        Some((PaymentStatus::PaymentFailed, 2))
    );
    assert!(world.events.raised().is_empty());

    world.deliver_at(at(3), 33.25).await.unwrap();
    assert_eq!(gateway.keys(), ["ORD001#2", "ORD001#3"]);
    assert_eq!(
        world.payments.status(),
        Some((PaymentStatus::PaymentAccepted, 3))
    );
    assert_eq!(world.events.names(), [EventName::OrderPaymentAcceptedEvent]);
}

#[tokio::test]
async fn a_failed_announcement_is_retried_without_charging_again() {
    let gateway = Arc::new(ScriptedGateway::answering([accepted()]));
    let world = world(FakePaymentRecords::default(), &gateway);
    world
        .events
        .failures
        .lock()
        .unwrap()
        .push_back(storage_failure());

    let failure = world.deliver_at(T0, 33.25).await.unwrap_err();
    assert!(failure.is_transient());
    assert_eq!(
        world.payments.status(),
        Some((PaymentStatus::PaymentAccepted, 0))
    );

    world.deliver_at(at(1), 33.25).await.unwrap();
    assert_eq!(gateway.keys(), ["ORD001#0"]);
    assert_eq!(world.events.names(), [EventName::OrderPaymentAcceptedEvent]);
}

#[tokio::test]
async fn an_invalid_stored_payment_is_dropped_without_calling_the_gateway() {
    let gateway = Arc::new(ScriptedGateway::default());
    let payments = FakePaymentRecords::default();
    payments
        .read_failures
        .lock()
        .unwrap()
        .push_back(PaymentsFailure::InvalidStoredPayment {
            order_id: OrderId::parse("ORD001").unwrap(),
            source: <serde_dynamo::Error as serde::de::Error>::custom("units"),
        });
    let world = world(payments, &gateway);

    let failure = world.deliver_at(T0, 33.25).await.unwrap_err();

    assert_eq!(failure.kind(), kernel::failure::INVALID_ARGUMENTS_ERROR);
    assert!(!failure.is_transient());
    assert!(gateway.keys().is_empty());
    assert!(world.payments.records().is_empty());
    assert!(world.events.raised().is_empty());
}
