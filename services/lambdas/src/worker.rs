//! SQS event ⇄ [`WorkerHandler`], with partial batch responses.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use kernel::sqs::WorkerHandler;
use lambda_runtime::{LambdaEvent, service_fn};

/// Runs the Lambda runtime loop for a worker function.
pub async fn run_worker(
    handler: impl WorkerHandler + 'static,
) -> Result<(), lambda_runtime::Error> {
    let handler = &handler;
    let metrics = crate::metrics::init_metrics();
    lambda_runtime::run(service_fn(
        move |event: LambdaEvent<serde_json::Value>| async move {
            let response = handler.handle(sqs_event(event.payload)).await;
            crate::metrics::flush(metrics);
            Ok::<_, lambda_runtime::Error>(response)
        },
    ))
    .await
}

/// Answers one invocation's payload with `handler`.
pub async fn handle_sqs(
    handler: &(impl WorkerHandler + ?Sized),
    payload: serde_json::Value,
) -> SqsBatchResponse {
    handler.handle(sqs_event(payload)).await
}

/// Reads the SQS event leniently, as the original did: a missing event or `Records` is an empty
/// batch (nothing retried), and a record that is not an SQS message is consumed with a warning
/// instead of failing, and so retrying, the whole batch.
pub fn sqs_event(payload: serde_json::Value) -> SqsEvent {
    let mut event = SqsEvent::default();
    let records = match payload {
        serde_json::Value::Object(mut fields) => fields.remove("Records"),
        _ => None,
    };
    let Some(serde_json::Value::Array(records)) = records else {
        tracing::warn!("the invocation carries no SQS Records; nothing to do");
        return event;
    };
    for record in records {
        match serde_json::from_value::<SqsMessage>(record) {
            Ok(message) => event.records.push(message),
            Err(error) => {
                tracing::warn!(failure_kind = kernel::failure::INVALID_ARGUMENTS_ERROR, error = %error, "record consumed: not an SQS message");
            }
        }
    }
    event
}
