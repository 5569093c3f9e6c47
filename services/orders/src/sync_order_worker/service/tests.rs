//! Tests of `service.rs`, kept beside it so the production module reads on its own.

use std::collections::VecDeque;
use std::sync::Mutex;

use async_trait::async_trait;
use contracts::{EventTime, Price, Sku, Units, UserId};
use kernel::Failure;
use kernel::clock::FixedClock;
use kernel::table::TableError;

use super::*;

const NOW: &str = "2025-06-19T00:27:33.368Z";
const EARLIER: &str = "2025-06-18T00:00:00.000Z";

/// One call a fake client received.
#[derive(Clone, Debug, PartialEq)]
enum Call {
    Read(OrderId),
    Create { data: OrderEventData, now: String },
    Update(StatusChange),
    Raise(Event<OrderEventData>),
}

#[derive(Default)]
struct Script {
    reads: VecDeque<Result<Option<Order>, OrdersFailure>>,
    creates: VecDeque<Result<Option<Order>, OrdersFailure>>,
    updates: VecDeque<Result<StatusUpdate, OrdersFailure>>,
    raises: VecDeque<Result<(), OrdersFailure>>,
}

/// All four clients in one: records calls, answers from per-capability scripts, and fails
/// the test on any call nobody scripted.
#[derive(Clone, Default)]
struct FakeClients {
    calls: Arc<Mutex<Vec<Call>>>,
    script: Arc<Mutex<Script>>,
}

impl FakeClients {
    fn read(self, answer: Result<Option<Order>, OrdersFailure>) -> Self {
        self.script.lock().unwrap().reads.push_back(answer);
        self
    }
    /// The next read finds the order with `status`.
    fn finds(self, status: OrderStatus) -> Self {
        self.read(Ok(Some(order(status))))
    }
    /// The next read finds no order.
    fn finds_nothing(self) -> Self {
        self.read(Ok(None))
    }
    fn create(self, answer: Result<Option<Order>, OrdersFailure>) -> Self {
        self.script.lock().unwrap().creates.push_back(answer);
        self
    }
    fn update(self, answer: Result<StatusUpdate, OrdersFailure>) -> Self {
        self.script.lock().unwrap().updates.push_back(answer);
        self
    }
    fn raise(self, answer: Result<(), OrdersFailure>) -> Self {
        self.script.lock().unwrap().raises.push_back(answer);
        self
    }
    fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }
    fn record(&self, call: Call) {
        self.calls.lock().unwrap().push(call);
    }
}

fn unscripted<T>(answer: Option<T>, what: &str) -> T {
    answer.unwrap_or_else(|| panic!("unexpected {what} call"))
}

#[async_trait]
impl ReadOrderClient for FakeClients {
    async fn read_order(&self, order_id: &OrderId) -> Result<Option<Order>, OrdersFailure> {
        self.record(Call::Read(order_id.clone()));
        unscripted(self.script.lock().unwrap().reads.pop_front(), "read")
    }
}

#[async_trait]
impl CreateOrderClient for FakeClients {
    async fn create_order(
        &self,
        data: &OrderEventData,
        now: &str,
    ) -> Result<Option<Order>, OrdersFailure> {
        self.record(Call::Create {
            data: data.clone(),
            now: now.to_owned(),
        });
        unscripted(self.script.lock().unwrap().creates.pop_front(), "create")
    }
}

#[async_trait]
impl UpdateOrderStatusClient for FakeClients {
    async fn update_order_status(
        &self,
        change: &StatusChange,
    ) -> Result<StatusUpdate, OrdersFailure> {
        self.record(Call::Update(change.clone()));
        unscripted(self.script.lock().unwrap().updates.pop_front(), "update")
    }
}

#[async_trait]
impl RaiseOrderCreatedEventClient for FakeClients {
    async fn raise_order_created_event(
        &self,
        event: &Event<OrderEventData>,
    ) -> Result<(), OrdersFailure> {
        self.record(Call::Raise(event.clone()));
        unscripted(self.script.lock().unwrap().raises.pop_front(), "raise")
    }
}

async fn sync(
    fake: &FakeClients,
    event: IncomingEvent<OrderEventData>,
) -> Result<(), OrdersFailure> {
    SyncOrderWorkerService::new(
        Arc::new(fake.clone()),
        Arc::new(fake.clone()),
        Arc::new(fake.clone()),
        Arc::new(fake.clone()),
        Arc::new(FixedClock::at_millis(1_750_292_853_368)),
    )
    .sync_order(event)
    .await
}

fn order_id() -> OrderId {
    OrderId::parse("ORDER-1").unwrap()
}

fn data() -> OrderEventData {
    OrderEventData {
        order_id: order_id(),
        sku: Sku::parse("APPLES").unwrap(),
        units: Units::new(3).unwrap(),
        price: Price::new(15.0).unwrap(),
        user_id: UserId::parse("MARIA").unwrap(),
    }
}

fn incoming(event_name: EventName) -> IncomingEvent<OrderEventData> {
    IncomingEvent {
        event_name,
        event_data: data(),
        created_at: EventTime::parse(EARLIER).unwrap(),
        updated_at: EventTime::parse(EARLIER).unwrap(),
    }
}

fn order(status: OrderStatus) -> Order {
    Order {
        order_id: order_id(),
        order_status: status,
        sku: Sku::parse("APPLES").unwrap(),
        units: Units::new(3).unwrap(),
        price: Price::new(15.0).unwrap(),
        user_id: UserId::parse("MARIA").unwrap(),
        created_at: EventTime::parse(EARLIER).unwrap(),
        updated_at: EventTime::parse(EARLIER).unwrap(),
    }
}

/// An order whose stored data differs from the incoming event's (first writer won).
fn other_order() -> Order {
    Order {
        sku: Sku::parse("PEARS").unwrap(),
        units: Units::new(7).unwrap(),
        ..order(OrderStatus::OrderCreatedStatus)
    }
}

fn created_event(order: &Order) -> Event<OrderEventData> {
    Event::order(EventName::OrderCreatedEvent, order.event_data(), NOW.into())
}

fn change(from: OrderStatus, to: OrderStatus) -> StatusChange {
    StatusChange {
        order_id: order_id(),
        from,
        to,
        updated_at: NOW.into(),
    }
}

fn unrecognized() -> OrdersFailure {
    OrdersFailure::unrecognized("storage", TableError::Throttled { source: None })
}

fn invalid() -> OrdersFailure {
    OrdersFailure::invalid_arguments("stored order", std::fmt::Error)
}

fn duplicate() -> OrdersFailure {
    OrdersFailure::DuplicateEventRaised {
        order_id: order_id(),
        event_name: EventName::OrderCreatedEvent,
    }
}

/// The events other than ORDER_PLACED_EVENT.
fn status_events() -> impl Iterator<Item = OrderEventName> {
    OrderEventName::ALL
        .into_iter()
        .filter(|event| *event != OrderEventName::OrderPlacedEvent)
}

/// The failure kind and transience of syncing `event_name` with `fake`'s answers.
async fn sync_failure(fake: &FakeClients, event_name: EventName) -> (&'static str, bool) {
    let failure = sync(fake, incoming(event_name)).await.unwrap_err();
    (failure.kind(), failure.is_transient())
}

// --- ORDER_PLACED_EVENT, order absent ----------------------------------------------------

#[tokio::test]
async fn placed_and_absent_creates_the_order_then_raises_created_from_it() {
    let created = order(OrderStatus::OrderCreatedStatus);
    let fake = FakeClients::default()
        .finds_nothing()
        .create(Ok(Some(created.clone())))
        .raise(Ok(()));
    sync(&fake, incoming(EventName::OrderPlacedEvent))
        .await
        .unwrap();
    assert_eq!(
        fake.calls(),
        [
            Call::Read(order_id()),
            Call::Create {
                data: data(),
                now: NOW.into()
            },
            Call::Raise(created_event(&created)),
        ]
    );
}

#[tokio::test]
async fn placed_and_created_concurrently_raises_created_from_the_stored_order() {
    let fake = FakeClients::default()
        .finds_nothing()
        .create(Ok(Some(other_order())))
        .raise(Ok(()));
    sync(&fake, incoming(EventName::OrderPlacedEvent))
        .await
        .unwrap();
    assert_eq!(fake.calls()[2], Call::Raise(created_event(&other_order())));
}

#[tokio::test]
async fn placed_without_a_usable_created_item_reads_the_order_back() {
    let fake = FakeClients::default()
        .finds_nothing()
        .create(Ok(None))
        .read(Ok(Some(other_order())))
        .raise(Ok(()));
    sync(&fake, incoming(EventName::OrderPlacedEvent))
        .await
        .unwrap();
    assert_eq!(
        fake.calls(),
        [
            Call::Read(order_id()),
            Call::Create {
                data: data(),
                now: NOW.into()
            },
            Call::Read(order_id()),
            Call::Raise(created_event(&other_order())),
        ]
    );
}

#[tokio::test]
async fn placed_whose_order_cannot_be_read_back_is_retried() {
    let fake = FakeClients::default()
        .finds_nothing()
        .create(Ok(None))
        .finds_nothing();
    assert_eq!(
        sync_failure(&fake, EventName::OrderPlacedEvent).await,
        ("OrderCreateRaceError", true)
    );
    assert_eq!(fake.calls().len(), 3, "nothing raised");
}

#[tokio::test]
async fn placed_whose_read_back_order_is_invalid_is_dropped() {
    let fake = FakeClients::default()
        .finds_nothing()
        .create(Ok(None))
        .read(Err(invalid()));
    assert_eq!(
        sync_failure(&fake, EventName::OrderPlacedEvent).await,
        (kernel::failure::INVALID_ARGUMENTS_ERROR, false)
    );
    assert_eq!(fake.calls().len(), 3, "nothing raised");
}

#[tokio::test]
async fn placed_whose_create_fails_returns_the_failure_and_raises_nothing() {
    let fake = FakeClients::default()
        .finds_nothing()
        .create(Err(unrecognized()));
    assert_eq!(
        sync_failure(&fake, EventName::OrderPlacedEvent).await,
        (kernel::failure::UNRECOGNIZED_ERROR, true)
    );
    assert_eq!(fake.calls().len(), 2);
}

#[tokio::test]
async fn placed_whose_created_event_exists_returns_the_duplicate() {
    let fake = FakeClients::default()
        .finds_nothing()
        .create(Ok(Some(order(OrderStatus::OrderCreatedStatus))))
        .raise(Err(duplicate()));
    assert_eq!(
        sync_failure(&fake, EventName::OrderPlacedEvent).await,
        (contracts::events::DUPLICATE_EVENT_RAISED_ERROR, false)
    );
}

#[tokio::test]
async fn placed_whose_raise_fails_is_retried() {
    let fake = FakeClients::default()
        .finds_nothing()
        .create(Ok(Some(order(OrderStatus::OrderCreatedStatus))))
        .raise(Err(unrecognized()));
    assert_eq!(
        sync_failure(&fake, EventName::OrderPlacedEvent).await,
        (kernel::failure::UNRECOGNIZED_ERROR, true)
    );
}

// --- ORDER_PLACED_EVENT, order present ---------------------------------------------------

#[tokio::test]
async fn placed_and_present_only_re_raises_created_from_the_stored_order() {
    let stored = Order {
        order_status: OrderStatus::OrderShippedStatus,
        ..other_order()
    };
    let fake = FakeClients::default()
        .read(Ok(Some(stored.clone())))
        .raise(Ok(()));
    sync(&fake, incoming(EventName::OrderPlacedEvent))
        .await
        .unwrap();
    assert_eq!(
        fake.calls(),
        [Call::Read(order_id()), Call::Raise(created_event(&stored))]
    );
}

#[tokio::test]
async fn placed_and_present_with_the_event_already_raised_is_a_duplicate() {
    let fake = FakeClients::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .raise(Err(duplicate()));
    assert_eq!(
        sync_failure(&fake, EventName::OrderPlacedEvent).await,
        (contracts::events::DUPLICATE_EVENT_RAISED_ERROR, false)
    );
}

// --- the first read ----------------------------------------------------------------------

#[tokio::test]
async fn a_failed_read_is_returned_and_nothing_else_happens() {
    for event in OrderEventName::ALL {
        for (failure, expected) in [
            (unrecognized(), (kernel::failure::UNRECOGNIZED_ERROR, true)),
            (invalid(), (kernel::failure::INVALID_ARGUMENTS_ERROR, false)),
        ] {
            let fake = FakeClients::default().read(Err(failure));
            assert_eq!(
                sync_failure(&fake, event.event_name()).await,
                expected,
                "{event}"
            );
            assert_eq!(fake.calls(), [Call::Read(order_id())]);
        }
    }
}

#[tokio::test]
async fn a_non_order_event_is_invalid_arguments() {
    let fake = FakeClients::default();
    assert_eq!(
        sync_failure(&fake, EventName::SkuRestockedEvent).await,
        (kernel::failure::INVALID_ARGUMENTS_ERROR, false)
    );
    assert!(fake.calls().is_empty());
}

// --- other events ------------------------------------------------------------------------

#[tokio::test]
async fn another_event_for_an_absent_order_is_an_invalid_operation() {
    for event in status_events() {
        let fake = FakeClients::default().finds_nothing();
        assert_eq!(
            sync_failure(&fake, event.event_name()).await,
            ("InvalidOperationError", false),
            "{event}"
        );
        assert_eq!(fake.calls(), [Call::Read(order_id())]);
    }
}

#[tokio::test]
async fn another_event_for_a_present_order_follows_the_transition_table() {
    for current in OrderStatus::ALL {
        for event in status_events() {
            let fake = FakeClients::default()
                .finds(current)
                .update(Ok(StatusUpdate::Applied));
            let result = sync(&fake, incoming(event.event_name())).await;
            let case = format!("{current} + {event}");
            match transition(current, event) {
                Transition::To(next) => {
                    assert!(result.is_ok(), "{case}");
                    assert_eq!(
                        fake.calls(),
                        [Call::Read(order_id()), Call::Update(change(current, next))],
                        "{case}"
                    );
                }
                refused => {
                    let expected = match refused {
                        Transition::Redundant => "RedundantOrderStatusTransitionError",
                        Transition::Stale => "StaleOrderStatusTransitionError",
                        Transition::Forbidden => "ForbiddenOrderStatusTransitionError",
                        Transition::To(_) => unreachable!(),
                    };
                    let failure = result.unwrap_err();
                    assert_eq!(
                        (failure.kind(), failure.is_transient()),
                        (expected, false),
                        "{case}"
                    );
                    assert_eq!(fake.calls(), [Call::Read(order_id())], "{case}: no write");
                }
            }
        }
    }
}

#[tokio::test]
async fn a_failed_status_update_is_returned() {
    let fake = FakeClients::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Err(unrecognized()));
    assert_eq!(
        sync_failure(&fake, EventName::OrderStockAllocatedEvent).await,
        (kernel::failure::UNRECOGNIZED_ERROR, true)
    );
}

// --- Deviation (#1): the guarded write and its retries -----------------------------------

#[tokio::test]
async fn a_concurrent_status_change_is_re_read_and_the_transition_recomputed() {
    // STOCK_ALLOCATED and PAYMENT_ACCEPTED both read CREATED; ALLOCATED wrote first.
    let fake = FakeClients::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds(OrderStatus::OrderStockAllocatedStatus)
        .update(Ok(StatusUpdate::Applied));
    sync(&fake, incoming(EventName::OrderPaymentAcceptedEvent))
        .await
        .unwrap();
    assert_eq!(
        fake.calls(),
        [
            Call::Read(order_id()),
            Call::Update(change(
                OrderStatus::OrderCreatedStatus,
                OrderStatus::OrderPaymentAcceptedStatus
            )),
            Call::Read(order_id()),
            Call::Update(change(
                OrderStatus::OrderStockAllocatedStatus,
                OrderStatus::OrderPaymentAcceptedStatus
            )),
        ]
    );
}

#[tokio::test]
async fn a_slower_older_event_never_regresses_the_order() {
    // PAYMENT_ACCEPTED wrote first; the slower STOCK_ALLOCATED is now stale.
    let fake = FakeClients::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds(OrderStatus::OrderPaymentAcceptedStatus);
    assert_eq!(
        sync_failure(&fake, EventName::OrderStockAllocatedEvent).await,
        ("StaleOrderStatusTransitionError", false)
    );
    assert_eq!(fake.calls().len(), 3, "one write only");
}

#[tokio::test]
async fn a_re_read_that_makes_the_event_redundant_or_forbidden_is_dropped() {
    for (now_stored, expected) in [
        (
            OrderStatus::OrderShippedStatus,
            "RedundantOrderStatusTransitionError",
        ),
        (
            OrderStatus::OrderStockDepletedStatus,
            "ForbiddenOrderStatusTransitionError",
        ),
    ] {
        let fake = FakeClients::default()
            .finds(OrderStatus::OrderCreatedStatus)
            .update(Ok(StatusUpdate::Conflicted))
            .finds(now_stored);
        assert_eq!(
            sync_failure(&fake, EventName::OrderShippedEvent).await,
            (expected, false)
        );
    }
}

#[tokio::test]
async fn three_conflicts_in_a_row_ask_for_a_retry() {
    let fake = FakeClients::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds(OrderStatus::OrderStockAllocatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds(OrderStatus::OrderPaymentAcceptedStatus)
        .update(Ok(StatusUpdate::Conflicted));
    assert_eq!(
        sync_failure(&fake, EventName::OrderCanceledEvent).await,
        ("OrderStatusRaceError", true)
    );
    let updates: Vec<_> = fake
        .calls()
        .into_iter()
        .filter_map(|call| match call {
            Call::Update(change) => Some(change.from),
            _ => None,
        })
        .collect();
    assert_eq!(
        updates,
        [
            OrderStatus::OrderCreatedStatus,
            OrderStatus::OrderStockAllocatedStatus,
            OrderStatus::OrderPaymentAcceptedStatus
        ]
    );
    assert_eq!(fake.calls().len(), 6, "no read after the last attempt");
}

#[tokio::test]
async fn an_order_that_vanished_during_the_update_is_an_invalid_operation() {
    let fake = FakeClients::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds_nothing();
    assert_eq!(
        sync_failure(&fake, EventName::OrderShippedEvent).await,
        ("InvalidOperationError", false)
    );
}

#[tokio::test]
async fn a_failed_re_read_is_returned() {
    let fake = FakeClients::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .read(Err(unrecognized()));
    assert_eq!(
        sync_failure(&fake, EventName::OrderShippedEvent).await,
        (kernel::failure::UNRECOGNIZED_ERROR, true)
    );
}
