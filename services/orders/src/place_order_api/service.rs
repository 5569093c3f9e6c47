//! PlaceOrderApi's service: raise `ORDER_PLACED_EVENT`; a duplicate is a success.

use std::sync::Arc;

use contracts::{Event, EventName};
use kernel::clock::Clock;

use super::clients::RaiseOrderPlacedEventClient;
use super::model::PlaceOrderRequest;
use crate::failure::OrdersFailure;

pub struct PlaceOrderApiService {
    raise_event: Arc<dyn RaiseOrderPlacedEventClient>,
    clock: Arc<dyn Clock>,
}

impl PlaceOrderApiService {
    pub fn new(raise_event: Arc<dyn RaiseOrderPlacedEventClient>, clock: Arc<dyn Clock>) -> Self {
        Self { raise_event, clock }
    }

    /// Raises the order's `ORDER_PLACED_EVENT` and returns the accepted order (the echo).
    ///
    /// The same order id placed twice is accepted twice; the first event wins (docs/contract.md §14 #9).
    pub async fn place_order(
        &self,
        request: PlaceOrderRequest,
    ) -> Result<PlaceOrderRequest, OrdersFailure> {
        let event = Event::order(
            EventName::OrderPlacedEvent,
            request.clone().into(),
            self.clock.now_iso(),
        );
        match self.raise_event.raise_order_placed_event(&event).await {
            Ok(()) | Err(OrdersFailure::DuplicateEventRaised { .. }) => Ok(request),
            Err(failure) => Err(failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use async_trait::async_trait;
    use contracts::{OrderEventData, OrderId, Price, Sku, Units, UserId};
    use kernel::Failure;
    use kernel::clock::FixedClock;
    use kernel::table::TableError;

    use super::*;

    /// Records each raised event and answers with the scripted outcome.
    struct FakeRaiseEvent {
        raised: Mutex<Vec<Event<OrderEventData>>>,
        outcome: fn(&Event<OrderEventData>) -> Result<(), OrdersFailure>,
    }

    #[async_trait]
    impl RaiseOrderPlacedEventClient for FakeRaiseEvent {
        async fn raise_order_placed_event(
            &self,
            event: &Event<OrderEventData>,
        ) -> Result<(), OrdersFailure> {
            self.raised.lock().unwrap().push(event.clone());
            (self.outcome)(event)
        }
    }

    fn service(
        outcome: fn(&Event<OrderEventData>) -> Result<(), OrdersFailure>,
    ) -> (PlaceOrderApiService, Arc<FakeRaiseEvent>) {
        let fake = Arc::new(FakeRaiseEvent {
            raised: Mutex::new(Vec::new()),
            outcome,
        });
        let service = PlaceOrderApiService::new(
            fake.clone(),
            Arc::new(FixedClock::at_millis(1_750_292_853_368)),
        );
        (service, fake)
    }

    fn request() -> PlaceOrderRequest {
        PlaceOrderRequest {
            order_id: OrderId::parse("ORDER-1").unwrap(),
            sku: Sku::parse("APPLES").unwrap(),
            units: Units::new(3).unwrap(),
            price: Price::new(15.0).unwrap(),
            user_id: UserId::parse("MARIA").unwrap(),
        }
    }

    #[tokio::test]
    async fn raises_one_order_placed_event_stamped_by_the_clock() {
        let (service, fake) = service(|_| Ok(()));
        assert_eq!(service.place_order(request()).await.unwrap(), request());
        let raised = fake.raised.lock().unwrap().clone();
        assert_eq!(
            raised,
            [Event::order(
                EventName::OrderPlacedEvent,
                request().into(),
                "2025-06-19T00:27:33.368Z".to_owned()
            )]
        );
    }

    #[tokio::test]
    async fn a_duplicate_event_is_accepted() {
        let (service, _fake) = service(|event| {
            Err(OrdersFailure::DuplicateEventRaised {
                order_id: event.event_data.order_id.clone(),
                event_name: event.event_name,
            })
        });
        assert_eq!(service.place_order(request()).await.unwrap(), request());
    }

    #[tokio::test]
    async fn other_failures_are_returned_as_they_are() {
        let unrecognized = service(|_| {
            Err(OrdersFailure::unrecognized(
                "raising",
                TableError::Throttled { source: None },
            ))
        });
        let failure = unrecognized.0.place_order(request()).await.unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);

        let invalid = service(|_| {
            Err(OrdersFailure::invalid_arguments(
                "cannot build",
                std::fmt::Error,
            ))
        });
        let failure = invalid.0.place_order(request()).await.unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::INVALID_ARGUMENTS_ERROR);
    }
}
