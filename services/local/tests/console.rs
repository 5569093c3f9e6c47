//! The console's page and JSON endpoints on the real binary: what the browser test clicks
//! through, checked here against the store's own answers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test setup and expectations fail the test"
)]

mod support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Ecomm, PlannedOrder, wait_until_settled};

const COMPLETE_SOURCE: &str = "Inventory-CompleteOrderPaymentAcceptedWorker";

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// `GET path`: status, content type and body.
fn get(ecomm: &Ecomm, path: &str) -> (u16, String, String) {
    let mut response = agent()
        .get(&format!("{}{path}", ecomm.base_url))
        .call()
        .unwrap();
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.body_mut().read_to_string().unwrap();
    (response.status().as_u16(), content_type, body)
}

fn get_json(ecomm: &Ecomm, path: &str) -> (u16, Value) {
    let (status, content_type, body) = get(ecomm, path);
    assert!(
        content_type.starts_with("application/json"),
        "{path}: {content_type}"
    );
    (status, serde_json::from_str(&body).unwrap())
}

fn start(dir: &std::path::Path) -> Ecomm {
    Ecomm::start(dir)
}

/// An engine that dead-letters a message after its second failed receive.
fn start_impatient(dir: &std::path::Path) -> Ecomm {
    Ecomm::start_with(dir, &["--payment-seed", "42", "--max-receive-count", "2"])
}

#[test]
fn the_page_and_its_assets_are_served_from_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let ecomm = start(dir.path());
    let (status, content_type, page) = get(&ecomm, "/");
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/html"), "{content_type}");
    for asset in page
        .split('"')
        .filter(|text| text.starts_with("/console/assets/"))
    {
        let (status, _, _) = get(&ecomm, asset);
        assert_eq!(status, 200, "{asset}");
    }
    let response = agent().get(&format!("{}/", ecomm.base_url)).call().unwrap();
    let policy = response
        .headers()
        .get("content-security-policy")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    assert!(policy.contains("default-src 'self'"), "{policy}");
    assert_eq!(get(&ecomm, "/console/assets/nothing.js").0, 404);
    assert_eq!(get_json(&ecomm, "/console/api/nothing").0, 404);
    // The APIs keep their paths and their 404.
    assert_eq!(get(&ecomm, "/api/v1/orders/nothing").0, 404);
}

#[test]
fn the_overview_and_an_orders_timeline_agree_with_the_apis() {
    let dir = tempfile::tempdir().unwrap();
    let ecomm = start(dir.path());
    assert_eq!(
        ecomm
            .post(
                "/api/v1/inventory/restockSku",
                r#"{"sku":"CONSOLESKU","units":10,"lotId":"LOT1"}"#
            )
            .0,
        202
    );
    let planned: Vec<PlannedOrder> = (0..4)
        .map(|i| PlannedOrder {
            order_id: format!("CONSOLE{i}"),
            sku: "CONSOLESKU".to_owned(),
            units: 3,
            price: 10.0,
        })
        .collect();
    for order in &planned {
        assert_eq!(
            ecomm.post("/api/v1/orders/placeOrder", &order.body()).0,
            202
        );
    }
    let restocked = BTreeMap::from([("CONSOLESKU".to_owned(), 10)]);
    wait_until_settled(&ecomm, &planned, &restocked, Duration::from_secs(60));

    let orders = ecomm.orders();
    let mut listed: BTreeMap<String, u64> = BTreeMap::new();
    for order in orders.values() {
        *listed
            .entry(order["orderStatus"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let (status, overview) = get_json(&ecomm, "/console/api/overview");
    assert_eq!(status, 200);
    assert_eq!(overview["orders"]["total"], json!(4));
    let by_status: BTreeMap<String, u64> = overview["orders"]["byStatus"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["status"].as_str().unwrap().to_owned(),
                entry["count"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(by_status, listed);
    let queues = overview["queues"].as_array().unwrap();
    assert_eq!(queues.len(), 6, "one entry per worker");
    assert!(queues.iter().all(|queue| queue["deadLetters"] == json!(0)));
    // The counters are sampled once a second from the /metrics recorder.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (_, overview) = get_json(&ecomm, "/console/api/overview");
        if overview["counters"]["placeOrderAccepted"] == json!(4.0)
            && overview["counters"]["ordersSettled"] == json!(4.0)
            && !overview["throughput"].as_array().unwrap().is_empty()
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "counters never sampled: {overview}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }

    let (status, view) = get_json(&ecomm, "/console/api/orders/CONSOLE0");
    assert_eq!(status, 200);
    assert_eq!(
        view["order"]["orderStatus"],
        orders["CONSOLE0"]["orderStatus"]
    );
    let events = view["timeline"]["events"].as_array().unwrap();
    assert_eq!(events[0]["eventName"], json!("ORDER_PLACED_EVENT"));
    assert_eq!(events[0]["raisedBy"]["kind"], json!("request"));
    assert!(events[0]["raisedBy"]["requestId"].is_string(), "{view}");
    assert_eq!(events[1]["raisedBy"]["worker"], json!("SyncOrderWorker"));
    assert!(
        events[0]["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|delivery| delivery["outcome"] == json!("succeeded")),
        "{view}"
    );
    let (status, missing) = get_json(&ecomm, "/console/api/orders/NOSUCHORDER");
    assert_eq!(status, 404);
    assert!(missing["message"].as_str().unwrap().contains("NOSUCHORDER"));
    assert_eq!(get_json(&ecomm, "/console/api/orders/AB").0, 400);
}

#[test]
fn a_chaos_recipe_dead_letters_a_message_and_redrive_moves_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let ecomm = start_impatient(dir.path());
    let run = |recipe: &str, body: &str| {
        support::post(
            &ecomm.base_url,
            &format!("/console/api/chaos/{recipe}"),
            body,
        )
    };
    let (status, report) = run("payment-before-order", r#"{"orderId":"CHAOSWEB1"}"#);
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["steps"][0]["status"], json!(202));
    assert_eq!(
        report["steps"][0]["action"],
        json!("simulateRawEvent ORDER_PAYMENT_ACCEPTED_EVENT")
    );
    let dead_letters = |ecomm: &Ecomm| {
        let (_, listing) = get_json(ecomm, "/console/api/dead-letters");
        listing["queues"]
            .as_array()
            .unwrap()
            .iter()
            .find(|queue| queue["source"] == json!(COMPLETE_SOURCE))
            .unwrap()["messages"]
            .as_array()
            .unwrap()
            .clone()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    let letters = loop {
        let letters = dead_letters(&ecomm);
        if !letters.is_empty() {
            break letters;
        }
        assert!(Instant::now() < deadline, "no dead letter");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert_eq!(
        letters[0]["eventName"],
        json!("ORDER_PAYMENT_ACCEPTED_EVENT")
    );
    assert_eq!(letters[0]["subject"], json!("EVENTS#ORDER_ID#CHAOSWEB1"));
    let (_, overview) = get_json(&ecomm, "/console/api/overview");
    let complete = overview["queues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|queue| queue["queue"] == json!(COMPLETE_SOURCE))
        .unwrap()
        .clone();
    assert_eq!(complete["deadLetters"], json!(1), "{overview}");

    // Only a JSON body redrives: no other web site can send one.
    let redrive_path = format!(
        "{}/console/api/dead-letters/{COMPLETE_SOURCE}/redrive",
        ecomm.base_url
    );
    let as_a_form = agent()
        .post(&redrive_path)
        .header("content-type", "text/plain")
        .send("{}")
        .unwrap();
    assert_eq!(as_a_form.status().as_u16(), 400);
    assert_eq!(dead_letters(&ecomm).len(), 1, "nothing moved");
    let (status, moved) = support::post(
        &ecomm.base_url,
        &format!("/console/api/dead-letters/{COMPLETE_SOURCE}/redrive"),
        "{}",
    );
    assert_eq!((status, moved["moved"].clone()), (200, json!(1)));
    // Still no allocation: it fails again and comes back after its receives.
    let deadline = Instant::now() + Duration::from_secs(30);
    while dead_letters(&ecomm).is_empty() {
        assert!(
            Instant::now() < deadline,
            "the redriven message never came back"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Mistakes are answered, never a 5xx.
    assert_eq!(run("no-such-recipe", r#"{"orderId":"CHAOSWEB1"}"#).0, 404);
    let (status, answer) = run("unknown-event", r#"{"orderId":"AB"}"#);
    assert_eq!(status, 400);
    assert!(answer["message"].as_str().unwrap().contains("orderId"));
    assert_eq!(run("unknown-event", "not json").0, 400);
    assert_eq!(
        support::post(
            &ecomm.base_url,
            "/console/api/dead-letters/NoSuchQueue/redrive",
            "{}"
        )
        .0,
        404
    );
    // Delete and replay: the placed event is deleted and raised again.
    let (status, report) = run("delete-and-replay", r#"{"orderId":"CHAOSWEB1"}"#);
    assert_eq!(status, 200);
    assert_eq!(
        report["steps"][0]["status"],
        json!(404),
        "nothing placed yet"
    );
    let (_, report) = run("delete-and-replay", r#"{"orderId":"CHAOSWEB1"}"#);
    assert_eq!(report["steps"][0]["status"], json!(200));
    assert_eq!(report["steps"][1]["status"], json!(202));
}

#[test]
fn the_stream_sends_an_overview_every_second() {
    let dir = tempfile::tempdir().unwrap();
    let ecomm = start(dir.path());
    let response = agent()
        .get(&format!("{}/console/api/stream", ecomm.base_url))
        .call()
        .unwrap();
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|value| value.to_str().ok()),
        Some("text/event-stream")
    );
    let mut lines = BufReader::new(response.into_body().into_reader()).lines();
    let started = Instant::now();
    let mut overviews = Vec::new();
    while overviews.len() < 3 {
        let line = lines.next().unwrap().unwrap();
        if let Some(data) = line.strip_prefix("data: ") {
            overviews.push(serde_json::from_str::<Value>(data).unwrap());
        } else {
            assert!(
                line.is_empty() || line == "event: overview" || line.starts_with(':'),
                "{line}"
            );
        }
    }
    assert!(started.elapsed() >= Duration::from_millis(1500), "paced");
    assert!(
        overviews
            .iter()
            .all(|overview| overview["queues"].is_array())
    );
    // After the first event, each carries only the newer throughput points.
    for overview in &overviews[1..] {
        assert!(
            overview["throughput"].as_array().unwrap().len() <= 2,
            "{overview}"
        );
    }
}

#[test]
fn an_open_stream_does_not_hold_up_a_graceful_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let ecomm = start(dir.path());
    let response = agent()
        .get(&format!("{}/console/api/stream", ecomm.base_url))
        .call()
        .unwrap();
    let mut lines = BufReader::new(response.into_body().into_reader()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "event: overview");
    let (stopped, exited) = std::sync::mpsc::channel();
    std::thread::spawn(move || stopped.send(ecomm.terminate()));
    let status = exited
        .recv_timeout(Duration::from_secs(10))
        .expect("ecomm did not stop while a stream was open");
    assert!(status.success(), "{status}");
    // The stream ended with the server.
    assert!(lines.by_ref().map_while(Result::ok).count() < 10);
}
