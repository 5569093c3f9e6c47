use std::sync::Arc;

use contracts::Event;
use kernel::clock::Clock;

use super::clients::RaiseSkuRestockedEventClient;
use super::model::RestockSkuRequest;
use crate::failure::InventoryFailure;

pub struct RestockSkuApiService {
    raise_event: Arc<dyn RaiseSkuRestockedEventClient>,
    clock: Arc<dyn Clock>,
}

impl RestockSkuApiService {
    pub fn new(raise_event: Arc<dyn RaiseSkuRestockedEventClient>, clock: Arc<dyn Clock>) -> Self {
        Self { raise_event, clock }
    }

    /// Raises the restock event. A duplicate (same sku and lot) is accepted too: the first
    /// event stays stored, the caller gets its own request echoed (docs/contract.md §6.1).
    pub async fn restock(&self, request: &RestockSkuRequest) -> Result<(), InventoryFailure> {
        // Deviation (#8): the event (keys and data) carries the trimmed values, not the raw ones.
        let event = Event::sku_restocked(request.to_event_data(), self.clock.now_iso());
        match self.raise_event.raise(&event).await {
            Ok(()) | Err(InventoryFailure::DuplicateEventRaised { .. }) => Ok(()),
            Err(failure) => Err(failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::{LotId, Sku, SkuRestockedEventData, Units};
    use kernel::Failure;
    use kernel::table::Key;

    use super::*;
    use crate::test_support::{Fake, NOW, clock, permanent_failure, transient_failure};

    type FakeRaise = Fake<Event<SkuRestockedEventData>, Result<(), InventoryFailure>>;

    #[async_trait]
    impl RaiseSkuRestockedEventClient for FakeRaise {
        async fn raise(
            &self,
            event: &Event<SkuRestockedEventData>,
        ) -> Result<(), InventoryFailure> {
            self.call(event.clone())
        }
    }

    fn request() -> RestockSkuRequest {
        RestockSkuRequest {
            sku: Sku::parse("APPLES").unwrap(),
            units: Units::new(12).unwrap(),
            lot_id: LotId::parse("LOT-0001").unwrap(),
        }
    }

    async fn restock(raise: &Arc<FakeRaise>) -> Result<(), InventoryFailure> {
        RestockSkuApiService::new(raise.clone(), clock())
            .restock(&request())
            .await
    }

    #[tokio::test]
    async fn raises_one_restocked_event_built_now() {
        let raise = FakeRaise::answering([Ok(())]);
        restock(&raise).await.unwrap();
        assert_eq!(
            raise.calls(),
            [Event::sku_restocked(
                request().to_event_data(),
                NOW.to_owned()
            )]
        );
    }

    #[tokio::test]
    async fn a_duplicate_event_is_a_success() {
        let raise = FakeRaise::answering([Err(InventoryFailure::DuplicateEventRaised {
            key: Key::new("pk", "sk"),
        })]);
        restock(&raise).await.unwrap();
        assert_eq!(raise.calls().len(), 1);
    }

    #[tokio::test]
    async fn other_failures_are_returned_as_they_are() {
        let raise = FakeRaise::answering([Err(transient_failure())]);
        let failure = restock(&raise).await.unwrap_err();
        assert!(matches!(failure, InventoryFailure::Storage { .. }));
        assert!(failure.is_transient());

        let raise = FakeRaise::answering([Err(permanent_failure())]);
        let failure = restock(&raise).await.unwrap_err();
        assert!(matches!(
            failure,
            InventoryFailure::InvalidStoredAllocation { .. }
        ));
        assert!(!failure.is_transient());
    }
}
