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
    use async_trait::async_trait;
    use contracts::fixtures::{NOW, clock, order_data};
    use contracts::{OrderEventData, OrderId};
    use kernel::Failure;
    use kernel::fake::Fake;
    use kernel::table::TableError;

    use super::*;

    type FakeRaiseEvent = Fake<Event<OrderEventData>, Result<(), OrdersFailure>>;

    #[async_trait]
    impl RaiseOrderPlacedEventClient for FakeRaiseEvent {
        async fn raise_order_placed_event(
            &self,
            event: &Event<OrderEventData>,
        ) -> Result<(), OrdersFailure> {
            self.call(event.clone())
        }
    }

    fn request() -> PlaceOrderRequest {
        let data = order_data("ORDER-1", 3, 15.0);
        PlaceOrderRequest {
            order_id: data.order_id,
            sku: data.sku,
            units: data.units,
            price: data.price,
            user_id: data.user_id,
        }
    }

    async fn place(answer: Result<(), OrdersFailure>) -> Result<PlaceOrderRequest, OrdersFailure> {
        PlaceOrderApiService::new(FakeRaiseEvent::answering([answer]), clock())
            .place_order(request())
            .await
    }

    #[tokio::test]
    async fn raises_one_order_placed_event_stamped_by_the_clock() {
        let fake = FakeRaiseEvent::answering([Ok(())]);
        let service = PlaceOrderApiService::new(fake.clone(), clock());
        assert_eq!(service.place_order(request()).await.unwrap(), request());
        assert_eq!(
            fake.calls(),
            [Event::order(
                EventName::OrderPlacedEvent,
                request().into(),
                NOW.to_owned()
            )]
        );
    }

    #[tokio::test]
    async fn a_duplicate_event_is_accepted() {
        let duplicate = OrdersFailure::DuplicateEventRaised {
            order_id: OrderId::parse("ORDER-1").unwrap(),
            event_name: EventName::OrderPlacedEvent,
        };
        assert_eq!(place(Err(duplicate)).await.unwrap(), request());
    }

    #[tokio::test]
    async fn other_failures_are_returned_as_they_are() {
        let unrecognized =
            OrdersFailure::unrecognized("raising", TableError::Throttled { source: None });
        let failure = place(Err(unrecognized)).await.unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::UNRECOGNIZED_ERROR);

        let invalid = OrdersFailure::invalid_arguments("cannot build", std::fmt::Error);
        let failure = place(Err(invalid)).await.unwrap_err();
        assert_eq!(failure.kind(), kernel::failure::INVALID_ARGUMENTS_ERROR);
    }
}
