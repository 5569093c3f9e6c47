//! `GET /metrics` counts what happened: a scripted mix of orders and one poison event, then the
//! scraped counters and gauges are checked against the orders' outcomes and the queues.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use support::{Ecomm, PlannedOrder, TERMINAL, wait_until_settled};

/// The engine's default `maxReceiveCount`, as on AWS; enough for the random gateway's retries.
const MAX_RECEIVE_COUNT: u32 = 10;
const COMPLETE_WORKER: &str = "CompleteOrderPaymentAcceptedWorker";
const COMPLETE_DLQ: &str = "Inventory-CompleteOrderPaymentAcceptedWorker-Dlq";

/// One scraped series: its metric name and labels.
type Series = (String, BTreeMap<String, String>);
type Samples = Vec<(Series, f64)>;

fn parse_series(series: &str) -> Series {
    let Some((name, labels)) = series.split_once('{') else {
        return (series.to_owned(), BTreeMap::new());
    };
    let labels = labels
        .trim_end_matches('}')
        .split("\",")
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once("=\"").unwrap();
            (key.to_owned(), value.trim_end_matches('"').to_owned())
        })
        .collect();
    (name.to_owned(), labels)
}

fn scrape(ecomm: &Ecomm) -> Samples {
    let mut response = ureq::get(&format!("{}/metrics", ecomm.base_url))
        .call()
        .unwrap();
    assert!(
        response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("text/plain")),
        "Prometheus text format"
    );
    let text = response.body_mut().read_to_string().unwrap();
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .map(|line| {
            let (series, value) = line.rsplit_once(' ').unwrap();
            (parse_series(series), value.parse::<f64>().unwrap())
        })
        .collect()
}

/// The sum of every series of `name` whose labels include all of `labels`.
fn sum(samples: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    samples
        .iter()
        .filter(|((series, series_labels), _)| {
            series == name
                && labels
                    .iter()
                    .all(|(key, value)| series_labels.get(*key).map(String::as_str) == Some(value))
        })
        .map(|(_, value)| value)
        .sum()
}

/// The value of the one series of `name` with exactly `labels` (0 if absent).
fn value(samples: &Samples, name: &str, labels: &[(&str, &str)]) -> f64 {
    let wanted: BTreeMap<String, String> = labels
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
    samples
        .iter()
        .find(|((series, series_labels), _)| series == name && *series_labels == wanted)
        .map_or(0.0, |(_, value)| *value)
}

/// Waits until no worker queue holds a message (dead-letter queues aside).
fn wait_until_queues_drain(ecomm: &Ecomm) -> Samples {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let samples = scrape(ecomm);
        let busy: f64 = samples
            .iter()
            .filter(|((name, labels), _)| {
                name == "ecomm_queue_messages"
                    && labels
                        .get("queue")
                        .is_some_and(|queue| !queue.ends_with("Dlq"))
            })
            .map(|(_, value)| value)
            .sum();
        if busy == 0.0 && value(&samples, "ecomm_pipe_lag_records", &[]) == 0.0 {
            return samples;
        }
        assert!(Instant::now() < deadline, "queues did not drain");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn metrics_count_the_orders_messages_retries_and_dead_letters_of_a_scripted_mix() {
    let dir = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(dir.path());
    let restocked = BTreeMap::from([("METRICSKU1".to_owned(), 30_i64)]);
    let (status, _) = ecomm.post(
        "/api/v1/inventory/restockSku",
        r#"{"sku":"METRICSKU1","units":30,"lotId":"LOT1"}"#,
    );
    assert_eq!(status, 202);
    // Twelve orders: the random gateway accepts some and rejects others, the forced prices are
    // always rejected, and the last ones run out of stock.
    let planned: Vec<PlannedOrder> = (0..12)
        .map(|i| PlannedOrder {
            order_id: format!("METRIC{i:04}"),
            sku: "METRICSKU1".to_owned(),
            units: 4,
            price: if i % 4 == 0 {
                100_000.0
            } else {
                10.0 + f64::from(i)
            },
        })
        .collect();
    for order in &planned {
        assert_eq!(
            ecomm.post("/api/v1/orders/placeOrder", &order.body()).0,
            202
        );
    }
    // A poison event: payment accepted for an order that was never allocated. The completion
    // worker retries it until the last allowed receive, then it lies in the DLQ.
    let (status, _) = ecomm.post(
        "/api/v1/testing/simulateRawEvent",
        r#"{"pk":"EVENTS#ORDER_ID#METRICPOISON","sk":"EVENT#ORDER_PAYMENT_ACCEPTED_EVENT",
            "eventName":"ORDER_PAYMENT_ACCEPTED_EVENT",
            "eventData":{"orderId":"METRICPOISON","sku":"METRICSKU1","units":1,"price":5,"userId":"USER1"}}"#,
    );
    assert_eq!(status, 202);
    wait_until_settled(&ecomm, &planned, &restocked, Duration::from_secs(60));
    let deadline = Instant::now() + Duration::from_secs(60);
    while value(
        &scrape(&ecomm),
        "ecomm_queue_messages",
        &[("queue", COMPLETE_DLQ), ("state", "visible")],
    ) < 1.0
    {
        assert!(
            Instant::now() < deadline,
            "the poison message never reached the DLQ"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let samples = wait_until_queues_drain(&ecomm);

    // Orders per settled status: exactly what listOrders shows.
    let orders = ecomm.orders();
    for status in TERMINAL {
        let listed = orders
            .values()
            .filter(|order| order["orderStatus"] == status)
            .count();
        let listed = u32::try_from(listed).unwrap();
        assert_eq!(
            value(
                &samples,
                "ecomm_orders_settled_total",
                &[("status", status)]
            ),
            f64::from(listed),
            "{status}"
        );
    }
    assert!(value(&samples, "ecomm_order_settle_seconds_count", &[]) >= 12.0);

    // Every message handed to a worker ended exactly one way.
    for worker in [
        "SyncOrderWorker",
        "RestockSkuWorker",
        "AllocateOrderStockWorker",
        "ProcessOrderPaymentWorker",
        COMPLETE_WORKER,
        "DeallocateOrderPaymentRejectedWorker",
    ] {
        let received = value(
            &samples,
            "ecomm_worker_messages_received_total",
            &[("worker", worker)],
        );
        let ended = sum(
            &samples,
            "ecomm_worker_messages_total",
            &[("worker", worker)],
        );
        assert_eq!(received, ended, "{worker}");
        for outcome in ["retried", "dropped"] {
            assert_eq!(
                value(
                    &samples,
                    "ecomm_worker_messages_total",
                    &[("outcome", outcome), ("worker", worker)]
                ),
                sum(
                    &samples,
                    "ecomm_worker_failures_total",
                    &[("outcome", outcome), ("worker", worker)]
                ),
                "{worker} {outcome} by failure kind"
            );
        }
    }
    // Each order's allocation ran once; the one restock once.
    assert!(
        value(
            &samples,
            "ecomm_worker_messages_total",
            &[
                ("outcome", "succeeded"),
                ("worker", "AllocateOrderStockWorker")
            ]
        ) >= 12.0
    );

    // The poison message: retried on every allowed receive, then dead-lettered.
    assert_eq!(
        value(
            &samples,
            "ecomm_worker_failures_total",
            &[
                ("failure_kind", "AllocationNotFoundError"),
                ("outcome", "retried"),
                ("worker", COMPLETE_WORKER)
            ]
        ),
        f64::from(MAX_RECEIVE_COUNT)
    );
    assert_eq!(
        value(
            &samples,
            "ecomm_worker_messages_dead_lettered_total",
            &[("queue", "Inventory-CompleteOrderPaymentAcceptedWorker")]
        ),
        1.0
    );
    assert_eq!(
        value(
            &samples,
            "ecomm_queue_messages",
            &[("queue", COMPLETE_DLQ), ("state", "visible")]
        ),
        1.0
    );
    assert!(
        value(
            &samples,
            "ecomm_queue_oldest_message_age_seconds",
            &[("queue", COMPLETE_DLQ)]
        ) > 0.0
    );

    // HTTP: every placement answered 202 and was counted once.
    assert_eq!(
        value(
            &samples,
            "ecomm_http_requests_total",
            &[("route", "/api/v1/orders/placeOrder"), ("status", "202")]
        ),
        12.0
    );
    assert!(value(&samples, "ecomm_store_commit_seconds_count", &[]) > 0.0);
}
