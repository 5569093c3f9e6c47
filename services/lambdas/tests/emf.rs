//! The Lambdas' metrics reach CloudWatch as Embedded Metric Format lines with the labels as
//! dimensions: the shape the CDK dashboard's `SEARCH` expressions look for.
//! (Its own test binary: it installs the process-wide recorder.)

#![allow(clippy::unwrap_used, clippy::panic)]

use std::time::Duration;

use kernel::metrics::{Outcome, record_outcome, record_request};
use serde_json::{Value, json};

#[test]
fn worker_outcomes_and_requests_are_written_as_emf_with_their_labels_as_dimensions() {
    let collector = lambdas::metrics::install("Ecomm/test".to_owned()).unwrap();
    record_outcome("SyncOrderWorker", Outcome::Succeeded, None);
    record_outcome("SyncOrderWorker", Outcome::Succeeded, None);
    record_outcome(
        "SyncOrderWorker",
        Outcome::Dropped,
        Some("RedundantOrderStatusTransitionError"),
    );
    record_request("/api/v1/orders/placeOrder", 202, Duration::from_millis(3));

    let mut written = Vec::new();
    collector.flush(&mut written).unwrap();
    let documents: Vec<Value> = String::from_utf8(written)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    let find = |metric: &str, dimension: &str, value: &str| {
        documents
            .iter()
            .find(|document| document.get(metric).is_some() && document[dimension] == value)
            .unwrap_or_else(|| panic!("no {metric} with {dimension}={value} in {documents:#?}"))
    };

    let succeeded = find("ecomm_worker_messages_total", "outcome", "succeeded");
    assert_eq!(succeeded["ecomm_worker_messages_total"], json!(2));
    assert_eq!(succeeded["worker"], "SyncOrderWorker");
    let directive = &succeeded["_aws"]["CloudWatchMetrics"][0];
    assert_eq!(directive["Namespace"], "Ecomm/test");
    assert_eq!(directive["Dimensions"], json!([["worker", "outcome"]]));

    let dropped = find(
        "ecomm_worker_failures_total",
        "failure_kind",
        "RedundantOrderStatusTransitionError",
    );
    assert_eq!(
        dropped["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        json!([["worker", "outcome", "failure_kind"]])
    );
    let request = find("ecomm_http_requests_total", "status", "202");
    assert_eq!(request["route"], "/api/v1/orders/placeOrder");

    // A flush sends each count once: the next invocation starts from zero.
    let mut again = Vec::new();
    collector.flush(&mut again).unwrap();
    assert!(
        !String::from_utf8(again)
            .unwrap()
            .contains("ecomm_worker_messages_total\":2")
    );
}
