//! The one SQS batch loop every worker controller runs.
//!
//! A worker receives SQS messages whose bodies are EventBridge events wrapping a DynamoDB
//! stream record (the Pipe's output). Each record is handled on its own: the body is parsed, the
//! stream record's `NewImage` is handed to the slice's [`StreamEventProcessor`], and only
//! transient failures are reported in `batchItemFailures`. Malformed messages and non-transient
//! failures are consumed; a panic is caught and reported as a retry, never failing the batch.

use std::cell::RefCell;
use std::panic::AssertUnwindSafe;
use std::time::SystemTime;

use async_trait::async_trait;
use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use futures_util::FutureExt;
use futures_util::future::join_all;
use serde_dynamo::{AttributeValue, Item};
use tracing::Instrument;

use crate::correlation::{self, CORRELATION_ID_ATTRIBUTE, Correlation};
use crate::failure::{Failure, INVALID_ARGUMENTS_ERROR, error_chain};
use crate::metrics::{self, Outcome};
use crate::table::get_s;

/// A worker slice's controller, as Lambda's SQS event source (or the local poller) calls it.
#[async_trait]
pub trait WorkerHandler: Send + Sync {
    async fn handle(&self, event: SqsEvent) -> SqsBatchResponse;
}

/// What a worker slice does with one incoming event item (the stream record's `NewImage`).
#[async_trait]
pub trait StreamEventProcessor: Send + Sync {
    type Failure: Failure;

    /// The slice's name, for logs.
    fn name(&self) -> &'static str;

    async fn process(&self, new_image: Item) -> Result<(), Self::Failure>;
}

/// Adapts a [`StreamEventProcessor`] into a [`WorkerHandler`] with SQS partial-batch semantics.
pub struct SqsWorker<P> {
    processor: P,
}

impl<P> SqsWorker<P> {
    pub fn new(processor: P) -> Self {
        Self { processor }
    }
}

#[async_trait]
impl<P: StreamEventProcessor> WorkerHandler for SqsWorker<P> {
    async fn handle(&self, event: SqsEvent) -> SqsBatchResponse {
        // A standard queue promises no order, but the events of one item (one order, one SKU)
        // that arrive in one batch keep theirs: they run one after another, in batch order,
        // while the batch's other items run concurrently. A batch then takes as long as its
        // longest item, not the sum of its records.
        let mut subjects: Vec<(String, Vec<Record>)> = Vec::new();
        for (index, message) in event.records.into_iter().enumerate() {
            // Each body is parsed once: its envelope names the record's keys and its replay (if
            // any), and holds the image.
            let envelope = message.body.as_deref().map(parse_envelope);
            let keys = envelope
                .as_ref()
                .and_then(|parsed| parsed.as_ref().ok())
                .map(record_keys)
                .unwrap_or_default();
            let subject = keys.pk.clone();
            let record = Record {
                index,
                message_id: message.message_id.unwrap_or_default(),
                keys,
                envelope,
            };
            match subjects
                .iter_mut()
                .find(|(key, _)| !subject.is_empty() && *key == subject)
            {
                Some((_, records)) => records.push(record),
                None => subjects.push((subject, vec![record])),
            }
        }
        let outcomes = join_all(subjects.into_iter().map(|(_, records)| async move {
            let mut outcomes = Vec::with_capacity(records.len());
            for record in records {
                let outcome = self
                    .process_body(&record.message_id, record.keys, record.envelope)
                    .await;
                outcomes.push((record.index, record.message_id, outcome));
            }
            outcomes
        }))
        .await;
        let mut retried: Vec<(usize, String)> = outcomes
            .into_iter()
            .flatten()
            .filter(|(_, _, outcome)| *outcome == Outcome::Retried)
            .map(|(index, message_id, _)| (index, message_id))
            .collect();
        retried.sort_unstable();
        let mut response = SqsBatchResponse::default();
        for (_, message_id) in retried {
            response.add_failure(message_id);
        }
        response
    }
}

/// An SQS message body parsed as the EventBridge envelope it should carry.
type Envelope = Result<serde_json::Value, EnvelopeError>;

/// One record of a batch, its body parsed once.
struct Record {
    index: usize,
    message_id: String,
    keys: RecordKeys,
    envelope: Option<Envelope>,
}

/// The stream record's keys: `pk` names the item the event is about (`EVENTS#ORDER_ID#…`), `sk`
/// the event. Empty when the body does not carry them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct RecordKeys {
    pk: String,
    sk: String,
}

impl<P: StreamEventProcessor> SqsWorker<P> {
    /// Handles one record inside a span naming the worker, the message and (once the body is
    /// read) the order or SKU, so every log line below carries them; a replayed event
    /// (EventBridge's `replay-name`) also names its replay.
    async fn process_body(
        &self,
        message_id: &str,
        keys: RecordKeys,
        envelope: Option<Envelope>,
    ) -> Outcome {
        let span = tracing::info_span!(
            "record",
            worker = self.processor.name(),
            message_id,
            order_id = tracing::field::Empty,
            sku = tracing::field::Empty,
            correlation_id = tracing::field::Empty,
            replay = tracing::field::Empty,
        );
        if let Some(replay) = envelope
            .as_ref()
            .and_then(|parsed| parsed.as_ref().ok())
            .and_then(replay_name)
        {
            span.record("replay", replay);
        }
        let (outcome, failure_kind) = self.process_event(envelope).instrument(span).await;
        report(RecordReport {
            message_id: message_id.to_owned(),
            subject: keys.pk,
            event: keys.sk,
            outcome,
            failure_kind,
            finished_at: SystemTime::now(),
        });
        outcome
    }

    async fn process_event(&self, envelope: Option<Envelope>) -> (Outcome, Option<&'static str>) {
        let worker = self.processor.name();
        metrics::record_received(worker);
        let (outcome, failure_kind) = self.outcome_of(envelope).await;
        metrics::record_outcome(worker, outcome, failure_kind);
        (outcome, failure_kind)
    }

    /// Processes one record; answers how it ended and, unless it succeeded, the failure kind.
    async fn outcome_of(&self, envelope: Option<Envelope>) -> (Outcome, Option<&'static str>) {
        let new_image = match envelope.map(|parsed| parsed.and_then(new_image_of)) {
            Some(Ok(new_image)) => new_image,
            Some(Err(error)) => {
                tracing::warn!(failure_kind = INVALID_ARGUMENTS_ERROR, error = %error_chain(&error), "message consumed: malformed body");
                return (Outcome::Dropped, Some(INVALID_ARGUMENTS_ERROR));
            }
            None => {
                tracing::warn!(
                    failure_kind = INVALID_ARGUMENTS_ERROR,
                    "message consumed: no body"
                );
                return (Outcome::Dropped, Some(INVALID_ARGUMENTS_ERROR));
            }
        };
        record_subject(&new_image);
        let correlation = correlation_of(&new_image);
        tracing::Span::current().record("correlation_id", correlation.correlation_id.as_str());
        match AssertUnwindSafe(correlation::scope(
            correlation,
            self.processor.process(new_image),
        ))
        .catch_unwind()
        .await
        {
            Ok(Ok(())) => {
                tracing::debug!("message processed");
                (Outcome::Succeeded, None)
            }
            Ok(Err(failure)) if failure.is_transient() => {
                tracing::warn!(failure_kind = failure.kind(), error = %error_chain(&failure), "message will be retried");
                (Outcome::Retried, Some(failure.kind()))
            }
            Ok(Err(failure)) => {
                tracing::info!(failure_kind = failure.kind(), error = %error_chain(&failure), "message consumed");
                (Outcome::Dropped, Some(failure.kind()))
            }
            Err(_panic) => {
                tracing::error!("message will be retried: the processor panicked");
                (Outcome::Retried, Some(metrics::PANIC_FAILURE_KIND))
            }
        }
    }
}

/// The correlation a record is processed under: the event's own correlation id, caused by the
/// event itself. An event written without one (before correlation ids existed, or by hand)
/// starts a correlation of its own, named after the event.
fn correlation_of(new_image: &Item) -> Correlation {
    let event_id = match (get_s(new_image, "pk"), get_s(new_image, "sk")) {
        (Some(pk), Some(sk)) => correlation::event_id(pk, sk),
        _ => correlation::new_id(),
    };
    let correlation_id = get_s(new_image, CORRELATION_ID_ATTRIBUTE)
        .filter(|id| correlation::usable(id))
        .map_or_else(|| event_id.clone(), str::to_owned);
    Correlation {
        correlation_id,
        causation_id: event_id,
    }
}

/// How one record of a batch ended, for a host that journals deliveries (the embedded engine).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordReport {
    pub message_id: String,
    /// The stream record's `pk`; empty when the body could not be read.
    pub subject: String,
    /// The stream record's `sk`; empty when the body could not be read.
    pub event: String,
    pub outcome: Outcome,
    pub failure_kind: Option<&'static str>,
    pub finished_at: SystemTime,
}

tokio::task_local! {
    static REPORTS: RefCell<Vec<RecordReport>>;
}

/// Runs `handling` (a [`WorkerHandler::handle`] call) and collects a report of every record it
/// processed. Outside this scope (on Lambda) nothing is collected.
pub async fn reporting<F: Future>(handling: F) -> (F::Output, Vec<RecordReport>) {
    REPORTS
        .scope(RefCell::new(Vec::new()), async move {
            let output = handling.await;
            let reports = REPORTS.with(RefCell::take);
            (output, reports)
        })
        .await
}

fn report(record: RecordReport) {
    // The records of a batch run concurrently on one task; each push is a short borrow.
    let _outside_a_reporting_scope = REPORTS.try_with(|reports| reports.borrow_mut().push(record));
}

/// The stream record's keys, read from the image the worker processes (its `Keys` when the
/// image lacks them).
fn record_keys(envelope: &serde_json::Value) -> RecordKeys {
    let key = |name: &str| {
        envelope
            .pointer(&format!("/detail/dynamodb/NewImage/{name}/S"))
            .or_else(|| envelope.pointer(&format!("/detail/dynamodb/Keys/{name}/S")))
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    RecordKeys {
        pk: key("pk"),
        sk: key("sk"),
    }
}

/// Puts the event's order id and SKU (when its data has them) on the current record span.
fn record_subject(new_image: &Item) {
    let Some(AttributeValue::M(data)) = new_image.get("eventData") else {
        return;
    };
    let span = tracing::Span::current();
    for (field, name) in [("orderId", "order_id"), ("sku", "sku")] {
        if let Some(AttributeValue::S(value)) = data.get(field) {
            span.record(name, value.as_str());
        }
    }
}

/// Why an SQS body is not an EventBridge-wrapped DynamoDB stream record with a `NewImage`.
#[derive(Debug, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the message body is not JSON")]
    NotJson(#[source] serde_json::Error),
    #[error("the message body has no detail.dynamodb.NewImage")]
    NoNewImage,
    #[error("detail.dynamodb.NewImage is not DynamoDB JSON")]
    InvalidNewImage(#[source] serde_json::Error),
}

/// The `replay-name` EventBridge adds to an event it replays from an archive.
pub fn replay_name(envelope: &serde_json::Value) -> Option<&str> {
    envelope.get("replay-name")?.as_str()
}

/// Extracts `detail.dynamodb.NewImage` (DynamoDB JSON) from an SQS message body.
pub fn stream_new_image(body: &str) -> Result<Item, EnvelopeError> {
    parse_envelope(body).and_then(new_image_of)
}

/// An SQS message body as the EventBridge envelope it carries.
fn parse_envelope(body: &str) -> Result<serde_json::Value, EnvelopeError> {
    serde_json::from_str(body).map_err(EnvelopeError::NotJson)
}

fn new_image_of(mut envelope: serde_json::Value) -> Result<Item, EnvelopeError> {
    let new_image = envelope
        .pointer_mut("/detail/dynamodb/NewImage")
        .filter(|image| image.is_object())
        .map(serde_json::Value::take)
        .ok_or(EnvelopeError::NoNewImage)?;
    serde_json::from_value(new_image).map_err(EnvelopeError::InvalidNewImage)
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    #[test]
    fn replayed_events_are_recognised_by_their_replay_name() {
        let replay = |body: &str| {
            parse_envelope(body)
                .ok()
                .and_then(|e| replay_name(&e).map(str::to_owned))
        };
        assert_eq!(
            replay(r#"{"replay-name":"nightly","detail":{}}"#).as_deref(),
            Some("nightly")
        );
        assert_eq!(replay(r#"{"detail":{}}"#), None);
        assert_eq!(replay("not json \"replay-name\""), None);
    }

    #[derive(Debug, thiserror::Error)]
    enum TestFailure {
        #[error("transient")]
        Transient,
        #[error("permanent")]
        Permanent,
    }

    impl Failure for TestFailure {
        fn classify(&self) -> crate::failure::Classification {
            match self {
                Self::Transient => crate::failure::Classification::UNRECOGNIZED,
                Self::Permanent => crate::failure::Classification::INVALID_ARGUMENTS,
            }
        }
    }

    /// Fails according to the `outcome` string attribute of the image.
    struct ScriptedProcessor {
        seen: Mutex<Vec<String>>,
    }

    #[async_trait]
    impl StreamEventProcessor for ScriptedProcessor {
        type Failure = TestFailure;
        fn name(&self) -> &'static str {
            "Test"
        }
        async fn process(&self, new_image: Item) -> Result<(), TestFailure> {
            let outcome = get_s(&new_image, "outcome").unwrap_or_default().to_owned();
            self.seen.lock().unwrap().push(outcome.clone());
            match outcome.as_str() {
                "transient" => Err(TestFailure::Transient),
                "permanent" => Err(TestFailure::Permanent),
                "panic" => panic!("boom"),
                _ => Ok(()),
            }
        }
    }

    /// Records the correlation each record ran under.
    struct CorrelationProbe {
        seen: Mutex<Vec<Option<Correlation>>>,
    }

    #[async_trait]
    impl StreamEventProcessor for CorrelationProbe {
        type Failure = TestFailure;
        fn name(&self) -> &'static str {
            "Probe"
        }
        async fn process(&self, _new_image: Item) -> Result<(), TestFailure> {
            self.seen.lock().unwrap().push(correlation::current());
            Ok(())
        }
    }

    fn body_of_image(image: serde_json::Value) -> Option<String> {
        Some(serde_json::json!({ "detail": { "dynamodb": { "NewImage": image } } }).to_string())
    }

    #[tokio::test]
    async fn a_record_runs_under_its_events_correlation_caused_by_that_event() {
        let worker = SqsWorker::new(CorrelationProbe {
            seen: Mutex::new(Vec::new()),
        });
        let key =
            serde_json::json!({ "pk": { "S": "EVENTS#ORDER_ID#A" }, "sk": { "S": "EVENT#X" } });
        let mut correlated = key.clone();
        correlated["correlationId"] = serde_json::json!({ "S": "run-1" });
        let mut hostile = key.clone();
        hostile["correlationId"] = serde_json::json!({ "S": "two words" });
        worker
            .handle(event(&[
                ("m1", body_of_image(correlated)),
                ("m2", body_of_image(key)),
                ("m3", body_of_image(hostile)),
            ]))
            .await;
        let caused_by_the_event = |correlation_id: &str| {
            Some(Correlation {
                correlation_id: correlation_id.to_owned(),
                causation_id: "EVENTS#ORDER_ID#A/EVENT#X".to_owned(),
            })
        };
        assert_eq!(
            *worker.processor.seen.lock().unwrap(),
            [
                caused_by_the_event("run-1"),
                // Written without a (usable) correlation id: the event starts its own.
                caused_by_the_event("EVENTS#ORDER_ID#A/EVENT#X"),
                caused_by_the_event("EVENTS#ORDER_ID#A/EVENT#X"),
            ]
        );
    }

    fn body(outcome: &str) -> String {
        serde_json::json!({
            "version": "0", "detail-type": "DynamoDBStreamRecord", "source": "event-store.dynamodb.stream",
            "detail": { "eventName": "INSERT", "dynamodb": { "NewImage": { "outcome": { "S": outcome } } } }
        })
        .to_string()
    }

    fn event(bodies: &[(&str, Option<String>)]) -> SqsEvent {
        let records: Vec<_> = bodies
            .iter()
            .map(|(id, body)| serde_json::json!({ "messageId": id, "body": body }))
            .collect();
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
    }

    #[tokio::test]
    async fn a_reporting_scope_collects_how_every_record_ended() {
        let worker = SqsWorker::new(ScriptedProcessor {
            seen: Mutex::new(Vec::new()),
        });
        let keyed = serde_json::json!({ "detail": { "dynamodb": {
            "Keys": { "pk": { "S": "EVENTS#ORDER_ID#A" }, "sk": { "S": "EVENT#X" } },
            "NewImage": { "outcome": { "S": "ok" } } } } })
        .to_string();
        let (response, mut reports) = reporting(worker.handle(event(&[
            ("m1", Some(keyed)),
            ("m2", Some(body("transient"))),
            ("m3", Some(body("permanent"))),
            ("m4", Some("not json".to_owned())),
        ])))
        .await;
        assert_eq!(response.batch_item_failures.len(), 1);
        reports.sort_by(|a, b| a.message_id.cmp(&b.message_id));
        let summary: Vec<_> = reports
            .iter()
            .map(|r| {
                (
                    r.message_id.as_str(),
                    r.subject.as_str(),
                    r.event.as_str(),
                    r.outcome,
                    r.failure_kind,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                (
                    "m1",
                    "EVENTS#ORDER_ID#A",
                    "EVENT#X",
                    Outcome::Succeeded,
                    None
                ),
                ("m2", "", "", Outcome::Retried, Some("UnrecognizedError")),
                (
                    "m3",
                    "",
                    "",
                    Outcome::Dropped,
                    Some(INVALID_ARGUMENTS_ERROR)
                ),
                (
                    "m4",
                    "",
                    "",
                    Outcome::Dropped,
                    Some(INVALID_ARGUMENTS_ERROR)
                ),
            ]
        );
        // Outside a reporting scope nothing is collected, and nothing fails.
        worker.handle(event(&[("m5", Some(body("ok")))])).await;
    }

    #[tokio::test]
    async fn reports_only_transient_failures_and_panics() {
        let worker = SqsWorker::new(ScriptedProcessor {
            seen: Mutex::new(Vec::new()),
        });
        let response = worker
            .handle(event(&[
                ("m1", Some(body("ok"))),
                ("m2", Some(body("transient"))),
                ("m3", Some(body("permanent"))),
                ("m4", Some("not json".to_owned())),
                ("m5", None),
                ("m6", Some(body("panic"))),
                ("m7", Some(r#"{"detail":{}}"#.to_owned())),
                ("m8", Some(body("ok"))),
            ]))
            .await;
        let failed: Vec<_> = response
            .batch_item_failures
            .iter()
            .map(|failure| failure.item_identifier.clone())
            .collect();
        assert_eq!(failed, ["m2", "m6"]);
        assert_eq!(
            *worker.processor.seen.lock().unwrap(),
            ["ok", "transient", "permanent", "panic", "ok"]
        );
    }

    #[tokio::test]
    async fn an_empty_event_reports_nothing() {
        let worker = SqsWorker::new(ScriptedProcessor {
            seen: Mutex::new(Vec::new()),
        });
        let response = worker
            .handle(serde_json::from_str(r#"{"Records":[]}"#).unwrap())
            .await;
        assert!(response.batch_item_failures.is_empty());
    }

    /// Logs when each record starts and ends; record `A1` waits until `B1` has run.
    #[derive(Default)]
    struct GatedProcessor {
        log: Mutex<Vec<String>>,
        gate: tokio::sync::Notify,
    }

    #[async_trait]
    impl StreamEventProcessor for GatedProcessor {
        type Failure = TestFailure;
        fn name(&self) -> &'static str {
            "Gated"
        }
        async fn process(&self, new_image: Item) -> Result<(), TestFailure> {
            let name = get_s(&new_image, "name").unwrap_or_default().to_owned();
            self.log.lock().unwrap().push(format!("start {name}"));
            match name.as_str() {
                "A1" => self.gate.notified().await,
                "B1" => self.gate.notify_one(),
                _ => {}
            }
            self.log.lock().unwrap().push(format!("end {name}"));
            Ok(())
        }
    }

    fn subject_body(pk: &str, name: &str) -> Option<String> {
        let image = serde_json::json!({ "pk": { "S": pk }, "name": { "S": name } });
        Some(serde_json::json!({ "detail": { "dynamodb": { "NewImage": image } } }).to_string())
    }

    #[tokio::test]
    async fn one_items_events_run_in_batch_order_while_other_items_run_concurrently() {
        let worker = SqsWorker::new(GatedProcessor::default());
        let batch = event(&[
            ("a1", subject_body("EVENTS#ORDER_ID#A", "A1")),
            ("b1", subject_body("EVENTS#ORDER_ID#B", "B1")),
            ("a2", subject_body("EVENTS#ORDER_ID#A", "A2")),
        ]);
        // Run one record after another, A1 would wait for B1 forever.
        let response =
            tokio::time::timeout(std::time::Duration::from_secs(5), worker.handle(batch))
                .await
                .expect("the batch's items run concurrently");
        assert!(response.batch_item_failures.is_empty());
        assert_eq!(
            *worker.processor.log.lock().unwrap(),
            [
                "start A1", "start B1", "end B1", "end A1", "start A2", "end A2"
            ]
        );
    }
}
