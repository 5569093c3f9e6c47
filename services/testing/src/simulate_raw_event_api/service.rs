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
    use std::sync::Mutex;

    use async_trait::async_trait;
    use kernel::clock::FixedClock;
    use kernel::table::TableError;

    use super::*;

    /// Remembers the events and answers with the scripted failure, if any.
    struct FakeRaiseClient {
        answer: fn(&RawEvent) -> Result<(), TestingFailure>,
        raised: Mutex<Vec<RawEvent>>,
    }

    #[async_trait]
    impl RaiseRawEventClient for FakeRaiseClient {
        async fn raise_raw_event(&self, event: &RawEvent) -> Result<(), TestingFailure> {
            self.raised.lock().unwrap().push(event.clone());
            (self.answer)(event)
        }
    }

    async fn simulate(
        answer: fn(&RawEvent) -> Result<(), TestingFailure>,
    ) -> (Result<(), TestingFailure>, Vec<RawEvent>) {
        let client = Arc::new(FakeRaiseClient {
            answer,
            raised: Mutex::new(Vec::new()),
        });
        let service = SimulateRawEventApiService::new(
            client.clone(),
            Arc::new(FixedClock::at_millis(1_750_292_853_368)),
        );
        let request: SimulateRawEventRequest =
            serde_json::from_str(r#"{"pk":"p","sk":"s","eventName":"E","createdAt":" "}"#).unwrap();
        let result = service.simulate(&request).await;
        let raised = client.raised.lock().unwrap().clone();
        (result, raised)
    }

    #[tokio::test]
    async fn raises_the_event_with_defaulted_timestamps() {
        let (result, raised) = simulate(|_| Ok(())).await;
        assert!(result.is_ok());
        assert_eq!(
            raised,
            [RawEvent {
                pk: "p".into(),
                sk: "s".into(),
                event_name: "E".into(),
                event_data: None,
                created_at: "2025-06-19T00:27:33.368Z".into(),
                updated_at: "2025-06-19T00:27:33.368Z".into(),
            }]
        );
    }

    #[tokio::test]
    async fn a_duplicate_is_a_success() {
        let (result, raised) =
            simulate(|event| Err(TestingFailure::DuplicateEventRaised { key: event.key() })).await;
        assert!(result.is_ok());
        assert_eq!(raised.len(), 1);
    }

    #[tokio::test]
    async fn returns_other_failures() {
        let (result, _) = simulate(|_| {
            Err(TestingFailure::Storage {
                operation: "raise",
                source: TableError::Throttled { source: None },
            })
        })
        .await;
        assert!(matches!(result, Err(TestingFailure::Storage { .. })));
    }
}
