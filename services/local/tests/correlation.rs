//! One order followed by its correlation id: the id a client sends with `placeOrder` is on every
//! event item of the order (each caused by the one before), and on the log lines of every worker
//! that handled it.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Ecomm, TERMINAL};

const CORRELATION_ID: &str = "e2e-order-journey-1";
const ORDER_ID: &str = "CORR0001";

/// `placeOrder` with an `x-correlation-id`; answers the status and the header returned.
fn place_order(base_url: &str, correlation_id: Option<&str>, body: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut request = agent
        .post(&format!("{base_url}/api/v1/orders/placeOrder"))
        .header("content-type", "application/json");
    if let Some(id) = correlation_id {
        request = request.header("x-correlation-id", id);
    }
    let response = request.send(body).unwrap();
    let header = response
        .headers()
        .get("x-correlation-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (response.status().as_u16(), header)
}

fn wait_until_terminal(ecomm: &Ecomm, order_id: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Some(status) = ecomm
            .orders()
            .get(order_id)
            .and_then(|order| order["orderStatus"].as_str().map(str::to_owned))
            .filter(|status| TERMINAL.contains(&status.as_str()))
        {
            return status;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("order {order_id} did not reach a terminal status");
}

/// The workers named by log lines that carry `correlation_id` in a span.
fn workers_logging(log: &str, correlation_id: &str) -> BTreeSet<String> {
    log.lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter_map(|line| {
            let spans = line["spans"].as_array()?.clone();
            let record = spans
                .iter()
                .find(|span| span["correlation_id"] == correlation_id)?;
            record["worker"].as_str().map(str::to_owned)
        })
        .collect()
}

#[test]
fn an_orders_correlation_id_is_on_every_event_and_every_workers_log_lines() {
    let dir = tempfile::tempdir().unwrap();
    let log_file = dir.path().join("ecomm.log");
    let ecomm = Ecomm::start_logging(
        &dir.path().join("data"),
        &["--payment-seed", "42"],
        "info,kernel::sqs=debug",
        &log_file,
    );
    let (status, _) = ecomm.post(
        "/api/v1/inventory/restockSku",
        r#"{"sku":"CORRSKU1","units":10,"lotId":"LOT1"}"#,
    );
    assert_eq!(status, 202);

    let body = format!(
        r#"{{"orderId":"{ORDER_ID}","sku":"CORRSKU1","units":2,"price":9.5,"userId":"USER1"}}"#
    );
    let (status, returned) = place_order(&ecomm.base_url, Some(CORRELATION_ID), &body);
    assert_eq!((status, returned.as_str()), (202, CORRELATION_ID));
    let final_status = wait_until_terminal(&ecomm, ORDER_ID);

    // The saga's events, in causal order, ending where the order ended.
    let mut chain = vec![
        "ORDER_PLACED_EVENT",
        "ORDER_CREATED_EVENT",
        "ORDER_STOCK_ALLOCATED_EVENT",
    ];
    let settling_worker = match final_status.as_str() {
        "ORDER_PAYMENT_ACCEPTED_STATUS" => {
            chain.push("ORDER_PAYMENT_ACCEPTED_EVENT");
            "CompleteOrderPaymentAcceptedWorker"
        }
        "ORDER_PAYMENT_REJECTED_STATUS" => {
            chain.push("ORDER_PAYMENT_REJECTED_EVENT");
            "DeallocateOrderPaymentRejectedWorker"
        }
        other => panic!("10 units in stock, 2 ordered: unexpected {other}"),
    };
    let pk = format!("EVENTS#ORDER_ID#{ORDER_ID}");
    let mut cause: Option<String> = None;
    for name in chain {
        let sk = format!("EVENT#{name}");
        let event = ecomm.item(&pk, &sk).unwrap_or_else(|| panic!("no {name}"));
        assert_eq!(event["correlationId"], CORRELATION_ID, "{name}");
        let causation = event["causationId"].as_str().unwrap().to_owned();
        match &cause {
            // The first event was caused by the request: a new request id, not the correlation.
            None => assert_eq!(causation.len(), 36, "{name}: {causation}"),
            Some(previous) => assert_eq!(&causation, previous, "{name}"),
        }
        cause = Some(format!("{pk}/{sk}"));
    }

    // The timeline shows the same id on every event, who raised each, and each delivery.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_ecomm"))
        .args(["timeline", ORDER_ID, "--json", "--data-dir"])
        .arg(&ecomm.data_dir)
        .output()
        .unwrap();
    assert!(output.status.success());
    let timeline: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        timeline["correlationIds"],
        serde_json::json!([CORRELATION_ID])
    );
    let events = timeline["events"].as_array().unwrap();
    assert!(events.len() >= 4, "{timeline:#}");
    for event in events {
        assert_eq!(event["correlationId"], CORRELATION_ID, "{event:#}");
        assert!(
            !event["deliveries"].as_array().unwrap().is_empty(),
            "every event of the saga is routed: {event:#}"
        );
    }
    assert_eq!(events[0]["eventName"], "ORDER_PLACED_EVENT");
    assert_eq!(events[0]["raisedBy"]["kind"], "request");
    assert_eq!(
        events[1]["raisedBy"],
        serde_json::json!({"kind": "worker", "worker": "SyncOrderWorker", "handling": "ORDER_PLACED_EVENT"})
    );
    // Each worker raised only what its slice declares (the event catalogue, docs/asyncapi.json).
    for event in events {
        if event["raisedBy"]["kind"] == "worker" {
            let worker = event["raisedBy"]["worker"].as_str().unwrap();
            let slice = local::slices::WORKER_SLICES
                .iter()
                .find(|slice| slice.name == worker)
                .unwrap();
            assert!(
                slice.raises.contains(
                    &contracts::EventName::parse(event["eventName"].as_str().unwrap()).unwrap()
                ),
                "{worker} raised {} but does not declare it",
                event["eventName"]
            );
        }
    }

    drop(ecomm);
    let log = std::fs::read_to_string(&log_file).unwrap();
    let expected: BTreeSet<String> = [
        "SyncOrderWorker",
        "AllocateOrderStockWorker",
        "ProcessOrderPaymentWorker",
        settling_worker,
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(workers_logging(&log, CORRELATION_ID), expected);
}

#[test]
fn a_request_without_a_usable_correlation_id_gets_a_new_one_back() {
    let dir = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(dir.path());
    let body = r#"{"orderId":"CORR0002","sku":"CORRSKU2","units":1,"price":1,"userId":"USER1"}"#;
    let (status, first) = place_order(&ecomm.base_url, None, body);
    assert_eq!(status, 202);
    let (_, second) = place_order(&ecomm.base_url, Some("has a space"), body);
    for returned in [&first, &second] {
        assert_eq!(returned.len(), 36, "{returned}");
    }
    assert_ne!(first, second);
}
