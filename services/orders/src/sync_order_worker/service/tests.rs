//! Tests of `service.rs`, kept beside it so the production module reads on its own.

use async_trait::async_trait;
use contracts::fixtures::{NOW, clock};
use contracts::{EventTime, Sku, Units};
use kernel::Failure;
use kernel::fake::Fake;
use kernel::table::TableError;

use super::*;

const EARLIER: &str = "2025-06-18T00:00:00.000Z";

type FakeRead = Fake<OrderId, Result<Option<Order>, OrdersFailure>>;
type FakeCreate = Fake<(OrderEventData, String), Result<Option<Order>, OrdersFailure>>;
type FakeUpdate = Fake<StatusChange, Result<StatusUpdate, OrdersFailure>>;
type FakeRaise = Fake<Event<OrderEventData>, Result<(), OrdersFailure>>;

#[async_trait]
impl ReadOrderClient for FakeRead {
    async fn read_order(&self, order_id: &OrderId) -> Result<Option<Order>, OrdersFailure> {
        self.call(order_id.clone())
    }
}

#[async_trait]
impl CreateOrderClient for FakeCreate {
    async fn create_order(
        &self,
        data: &OrderEventData,
        now: &str,
    ) -> Result<Option<Order>, OrdersFailure> {
        self.call((data.clone(), now.to_owned()))
    }
}

#[async_trait]
impl UpdateOrderStatusClient for FakeUpdate {
    async fn update_order_status(
        &self,
        change: &StatusChange,
    ) -> Result<StatusUpdate, OrdersFailure> {
        self.call(change.clone())
    }
}

#[async_trait]
impl RaiseOrderCreatedEventClient for FakeRaise {
    async fn raise_order_created_event(
        &self,
        event: &Event<OrderEventData>,
    ) -> Result<(), OrdersFailure> {
        self.call(event.clone())
    }
}

/// The answers of each client, in the order each is called.
#[derive(Default)]
struct Script {
    reads: Vec<Result<Option<Order>, OrdersFailure>>,
    creates: Vec<Result<Option<Order>, OrdersFailure>>,
    updates: Vec<Result<StatusUpdate, OrdersFailure>>,
    raises: Vec<Result<(), OrdersFailure>>,
}

impl Script {
    fn read(mut self, answer: Result<Option<Order>, OrdersFailure>) -> Self {
        self.reads.push(answer);
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
    fn create(mut self, answer: Result<Option<Order>, OrdersFailure>) -> Self {
        self.creates.push(answer);
        self
    }
    fn update(mut self, answer: Result<StatusUpdate, OrdersFailure>) -> Self {
        self.updates.push(answer);
        self
    }
    fn raise(mut self, answer: Result<(), OrdersFailure>) -> Self {
        self.raises.push(answer);
        self
    }

    /// Syncs `event_name` against clients answering from this script.
    async fn sync(self, event_name: EventName) -> (Result<(), OrdersFailure>, Clients) {
        let clients = Clients {
            read: FakeRead::answering(self.reads),
            create: FakeCreate::answering(self.creates),
            update: FakeUpdate::answering(self.updates),
            raise: FakeRaise::answering(self.raises),
        };
        let result = SyncOrderWorkerService::new(
            clients.read.clone(),
            clients.create.clone(),
            clients.update.clone(),
            clients.raise.clone(),
            clock(),
        )
        .sync_order(incoming(event_name))
        .await;
        (result, clients)
    }

    /// The failure kind and transience of syncing `event_name`, and the clients it called.
    async fn fails(self, event_name: EventName) -> ((&'static str, bool), Clients) {
        let (result, clients) = self.sync(event_name).await;
        let failure = result.unwrap_err();
        ((failure.kind(), failure.is_transient()), clients)
    }
}

/// The four clients of one sync, each with the calls it received.
struct Clients {
    read: Arc<FakeRead>,
    create: Arc<FakeCreate>,
    update: Arc<FakeUpdate>,
    raise: Arc<FakeRaise>,
}

impl Clients {
    /// How many calls the four clients received in all.
    fn call_count(&self) -> usize {
        self.read.calls().len()
            + self.create.calls().len()
            + self.update.calls().len()
            + self.raise.calls().len()
    }
}

fn order_id() -> OrderId {
    OrderId::parse("ORDER-1").unwrap()
}

fn data() -> OrderEventData {
    contracts::fixtures::order_data("ORDER-1", 3, 15.0)
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
    let data = data();
    Order {
        order_id: data.order_id,
        order_status: status,
        sku: data.sku,
        units: data.units,
        price: data.price,
        user_id: data.user_id,
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

// --- ORDER_PLACED_EVENT, order absent ----------------------------------------------------

#[tokio::test]
async fn placed_and_absent_creates_the_order_then_raises_created_from_it() {
    let created = order(OrderStatus::OrderCreatedStatus);
    let (result, clients) = Script::default()
        .finds_nothing()
        .create(Ok(Some(created.clone())))
        .raise(Ok(()))
        .sync(EventName::OrderPlacedEvent)
        .await;
    result.unwrap();
    assert_eq!(clients.read.calls(), [order_id()]);
    assert_eq!(clients.create.calls(), [(data(), NOW.to_owned())]);
    assert_eq!(clients.raise.calls(), [created_event(&created)]);
}

#[tokio::test]
async fn placed_and_created_concurrently_raises_created_from_the_stored_order() {
    let (result, clients) = Script::default()
        .finds_nothing()
        .create(Ok(Some(other_order())))
        .raise(Ok(()))
        .sync(EventName::OrderPlacedEvent)
        .await;
    result.unwrap();
    assert_eq!(clients.raise.calls(), [created_event(&other_order())]);
}

#[tokio::test]
async fn placed_without_a_usable_created_item_reads_the_order_back() {
    let (result, clients) = Script::default()
        .finds_nothing()
        .create(Ok(None))
        .read(Ok(Some(other_order())))
        .raise(Ok(()))
        .sync(EventName::OrderPlacedEvent)
        .await;
    result.unwrap();
    assert_eq!(clients.read.calls(), [order_id(), order_id()]);
    assert_eq!(clients.create.calls(), [(data(), NOW.to_owned())]);
    assert_eq!(clients.raise.calls(), [created_event(&other_order())]);
}

#[tokio::test]
async fn placed_whose_order_cannot_be_read_back_is_retried() {
    let (failure, clients) = Script::default()
        .finds_nothing()
        .create(Ok(None))
        .finds_nothing()
        .fails(EventName::OrderPlacedEvent)
        .await;
    assert_eq!(failure, ("OrderCreateRaceError", true));
    assert!(clients.raise.calls().is_empty(), "nothing raised");
}

#[tokio::test]
async fn placed_whose_read_back_order_is_invalid_is_dropped() {
    let (failure, clients) = Script::default()
        .finds_nothing()
        .create(Ok(None))
        .read(Err(invalid()))
        .fails(EventName::OrderPlacedEvent)
        .await;
    assert_eq!(failure, (kernel::failure::INVALID_ARGUMENTS_ERROR, false));
    assert!(clients.raise.calls().is_empty(), "nothing raised");
}

#[tokio::test]
async fn placed_whose_create_fails_returns_the_failure_and_raises_nothing() {
    let (failure, clients) = Script::default()
        .finds_nothing()
        .create(Err(unrecognized()))
        .fails(EventName::OrderPlacedEvent)
        .await;
    assert_eq!(failure, (kernel::failure::UNRECOGNIZED_ERROR, true));
    assert_eq!(clients.call_count(), 2);
}

#[tokio::test]
async fn placed_whose_created_event_exists_or_fails_returns_that_failure() {
    for (raised, expected) in [
        (
            duplicate(),
            (contracts::events::DUPLICATE_EVENT_RAISED_ERROR, false),
        ),
        (unrecognized(), (kernel::failure::UNRECOGNIZED_ERROR, true)),
    ] {
        let (failure, _) = Script::default()
            .finds_nothing()
            .create(Ok(Some(order(OrderStatus::OrderCreatedStatus))))
            .raise(Err(raised))
            .fails(EventName::OrderPlacedEvent)
            .await;
        assert_eq!(failure, expected);
    }
}

// --- ORDER_PLACED_EVENT, order present ---------------------------------------------------

#[tokio::test]
async fn placed_and_present_only_re_raises_created_from_the_stored_order() {
    let stored = Order {
        order_status: OrderStatus::OrderShippedStatus,
        ..other_order()
    };
    let (result, clients) = Script::default()
        .read(Ok(Some(stored.clone())))
        .raise(Ok(()))
        .sync(EventName::OrderPlacedEvent)
        .await;
    result.unwrap();
    assert_eq!(clients.read.calls(), [order_id()]);
    assert_eq!(clients.raise.calls(), [created_event(&stored)]);
    assert_eq!(clients.call_count(), 2, "nothing created or updated");
}

#[tokio::test]
async fn placed_and_present_with_the_event_already_raised_is_a_duplicate() {
    let (failure, _) = Script::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .raise(Err(duplicate()))
        .fails(EventName::OrderPlacedEvent)
        .await;
    assert_eq!(
        failure,
        (contracts::events::DUPLICATE_EVENT_RAISED_ERROR, false)
    );
}

// --- the first read ----------------------------------------------------------------------

#[tokio::test]
async fn a_failed_read_is_returned_and_nothing_else_happens() {
    for event in OrderEventName::ALL {
        for (read, expected) in [
            (unrecognized(), (kernel::failure::UNRECOGNIZED_ERROR, true)),
            (invalid(), (kernel::failure::INVALID_ARGUMENTS_ERROR, false)),
        ] {
            let (failure, clients) = Script::default()
                .read(Err(read))
                .fails(event.event_name())
                .await;
            assert_eq!(failure, expected, "{event}");
            assert_eq!(clients.call_count(), 1, "{event}");
        }
    }
}

#[tokio::test]
async fn a_non_order_event_is_invalid_arguments() {
    let (failure, clients) = Script::default().fails(EventName::SkuRestockedEvent).await;
    assert_eq!(failure, (kernel::failure::INVALID_ARGUMENTS_ERROR, false));
    assert_eq!(clients.call_count(), 0);
}

// --- other events ------------------------------------------------------------------------

#[tokio::test]
async fn another_event_for_an_absent_order_is_an_invalid_operation() {
    for event in status_events() {
        let (failure, clients) = Script::default()
            .finds_nothing()
            .fails(event.event_name())
            .await;
        assert_eq!(failure, ("InvalidOperationError", false), "{event}");
        assert_eq!(clients.call_count(), 1, "{event}");
    }
}

#[tokio::test]
async fn another_event_for_a_present_order_follows_the_transition_table() {
    for current in OrderStatus::ALL {
        for event in status_events() {
            let (result, clients) = Script::default()
                .finds(current)
                .update(Ok(StatusUpdate::Applied))
                .sync(event.event_name())
                .await;
            let case = format!("{current} + {event}");
            match transition(current, event) {
                Transition::To(next) => {
                    assert!(result.is_ok(), "{case}");
                    assert_eq!(clients.update.calls(), [change(current, next)], "{case}");
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
                    assert!(clients.update.calls().is_empty(), "{case}: no write");
                }
            }
            assert_eq!(clients.read.calls(), [order_id()], "{case}");
        }
    }
}

#[tokio::test]
async fn a_failed_status_update_is_returned() {
    let (failure, _) = Script::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Err(unrecognized()))
        .fails(EventName::OrderStockAllocatedEvent)
        .await;
    assert_eq!(failure, (kernel::failure::UNRECOGNIZED_ERROR, true));
}

// --- Deviation (#1): the guarded write and its retries -----------------------------------

#[tokio::test]
async fn a_concurrent_status_change_is_re_read_and_the_transition_recomputed() {
    // STOCK_ALLOCATED and PAYMENT_ACCEPTED both read CREATED; ALLOCATED wrote first.
    let (result, clients) = Script::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds(OrderStatus::OrderStockAllocatedStatus)
        .update(Ok(StatusUpdate::Applied))
        .sync(EventName::OrderPaymentAcceptedEvent)
        .await;
    result.unwrap();
    assert_eq!(clients.read.calls(), [order_id(), order_id()]);
    assert_eq!(
        clients.update.calls(),
        [
            change(
                OrderStatus::OrderCreatedStatus,
                OrderStatus::OrderPaymentAcceptedStatus
            ),
            change(
                OrderStatus::OrderStockAllocatedStatus,
                OrderStatus::OrderPaymentAcceptedStatus
            ),
        ]
    );
}

#[tokio::test]
async fn a_slower_older_event_never_regresses_the_order() {
    // PAYMENT_ACCEPTED wrote first; the slower STOCK_ALLOCATED is now stale.
    let (failure, clients) = Script::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds(OrderStatus::OrderPaymentAcceptedStatus)
        .fails(EventName::OrderStockAllocatedEvent)
        .await;
    assert_eq!(failure, ("StaleOrderStatusTransitionError", false));
    assert_eq!(clients.update.calls().len(), 1, "one write only");
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
        let (failure, _) = Script::default()
            .finds(OrderStatus::OrderCreatedStatus)
            .update(Ok(StatusUpdate::Conflicted))
            .finds(now_stored)
            .fails(EventName::OrderShippedEvent)
            .await;
        assert_eq!(failure, (expected, false));
    }
}

#[tokio::test]
async fn three_conflicts_in_a_row_ask_for_a_retry() {
    let (failure, clients) = Script::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds(OrderStatus::OrderStockAllocatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds(OrderStatus::OrderPaymentAcceptedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .fails(EventName::OrderCanceledEvent)
        .await;
    assert_eq!(failure, ("OrderStatusRaceError", true));
    let froms: Vec<_> = clients
        .update
        .calls()
        .into_iter()
        .map(|change| change.from)
        .collect();
    assert_eq!(
        froms,
        [
            OrderStatus::OrderCreatedStatus,
            OrderStatus::OrderStockAllocatedStatus,
            OrderStatus::OrderPaymentAcceptedStatus
        ]
    );
    assert_eq!(
        clients.read.calls().len(),
        3,
        "no read after the last attempt"
    );
}

#[tokio::test]
async fn an_order_that_vanished_during_the_update_is_an_invalid_operation() {
    let (failure, _) = Script::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .finds_nothing()
        .fails(EventName::OrderShippedEvent)
        .await;
    assert_eq!(failure, ("InvalidOperationError", false));
}

#[tokio::test]
async fn a_failed_re_read_is_returned() {
    let (failure, _) = Script::default()
        .finds(OrderStatus::OrderCreatedStatus)
        .update(Ok(StatusUpdate::Conflicted))
        .read(Err(unrecognized()))
        .fails(EventName::OrderShippedEvent)
        .await;
    assert_eq!(failure, (kernel::failure::UNRECOGNIZED_ERROR, true));
}
