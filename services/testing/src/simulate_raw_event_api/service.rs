//! SimulateRawEventApi's service: default the timestamps, write once, duplicates are success.

use std::sync::Arc;

use kernel::clock::Clock;

use super::clients::RaiseRawEventClient;
use super::model::{RawEvent, SimulateRawEventRequest};
use crate::failure::TestingFailure;

pub struct SimulateRawEventApiService {
    client: Arc<dyn RaiseRawEventClient>,
    clock: Arc<dyn Clock>,
}

impl SimulateRawEventApiService {
    pub fn new(client: Arc<dyn RaiseRawEventClient>, clock: Arc<dyn Clock>) -> Self {
        Self { client, clock }
    }

    pub async fn simulate(&self, request: &SimulateRawEventRequest) -> Result<(), TestingFailure> {
        let event = RawEvent::from_request(request, &self.clock.now_iso());
        match self.client.raise_raw_event(&event).await {
            // First writer wins; a replay of the same key is accepted (docs/contract.md §14 #9).
            Ok(()) | Err(TestingFailure::DuplicateEventRaised { .. }) => Ok(()),
            Err(failure) => Err(failure),
        }
    }
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use contracts::fixtures::{NOW, clock};
    use kernel::fake::Fake;
    use kernel::table::{Key, TableError};

    use super::*;

    type FakeRaiseRawEvent = Fake<RawEvent, Result<(), TestingFailure>>;

    #[async_trait]
    impl RaiseRawEventClient for FakeRaiseRawEvent {
        async fn raise_raw_event(&self, event: &RawEvent) -> Result<(), TestingFailure> {
            self.call(event.clone())
        }
    }

    async fn simulate(
        answer: Result<(), TestingFailure>,
    ) -> (Result<(), TestingFailure>, Vec<RawEvent>) {
        let fake = FakeRaiseRawEvent::answering([answer]);
        let request: SimulateRawEventRequest =
            serde_json::from_str(r#"{"pk":"p","sk":"s","eventName":"E","createdAt":" "}"#).unwrap();
        let result = SimulateRawEventApiService::new(fake.clone(), clock())
            .simulate(&request)
            .await;
        (result, fake.calls())
    }

    #[tokio::test]
    async fn raises_the_event_with_defaulted_timestamps() {
        let (result, raised) = simulate(Ok(())).await;
        assert!(result.is_ok());
        assert_eq!(
            raised,
            [RawEvent {
                pk: "p".into(),
                sk: "s".into(),
                event_name: "E".into(),
                event_data: None,
                created_at: NOW.into(),
                updated_at: NOW.into(),
            }]
        );
    }

    #[tokio::test]
    async fn a_duplicate_is_a_success() {
        let duplicate = TestingFailure::DuplicateEventRaised {
            key: Key::new("p", "s"),
        };
        let (result, raised) = simulate(Err(duplicate)).await;
        assert!(result.is_ok());
        assert_eq!(raised.len(), 1);
    }

    #[tokio::test]
    async fn returns_other_failures() {
        let (result, _) = simulate(Err(TestingFailure::Storage {
            operation: "raise",
            source: TableError::Throttled { source: None },
        }))
        .await;
        assert!(matches!(result, Err(TestingFailure::Storage { .. })));
    }
}
