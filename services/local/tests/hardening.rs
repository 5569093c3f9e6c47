//! Regression tests of the hardening findings, on the real `ecomm` binary: nothing a client
//! sends can stop the pipeline or earn a 5xx, and one data directory has one engine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Ecomm, PlannedOrder, wait_until_settled};

const SETTLE: Duration = Duration::from_secs(60);

fn now_ms() -> i64 {
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    i64::try_from(since_epoch.as_millis()).unwrap()
}

fn nested(depth: usize) -> Value {
    (0..depth).fold(json!("leaf"), |inner, _| json!({ "a": inner }))
}

/// Restocks `sku` and places one order of it; panics unless the order becomes terminal.
fn an_order_still_completes(ecomm: &Ecomm, sku: &str, order_id: &str) {
    let lot: String = format!("LOT-{order_id}").chars().take(128).collect();
    let restock = json!({ "sku": sku, "units": 10, "lotId": lot }).to_string();
    assert_eq!(ecomm.post("/api/v1/inventory/restockSku", &restock).0, 202);
    let order = PlannedOrder {
        order_id: order_id.to_owned(),
        sku: sku.to_owned(),
        units: 1,
        price: 10.0,
    };
    assert_eq!(
        ecomm.post("/api/v1/orders/placeOrder", &order.body()).0,
        202
    );
    let restocked = BTreeMap::from([(sku.to_owned(), 10)]);
    wait_until_settled(ecomm, &[order], &restocked, SETTLE);
}

#[test]
fn a_raw_event_nested_too_deep_is_refused_and_the_pipeline_keeps_moving() {
    let data = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(data.path());
    let raw = |depth: usize, order: &str| {
        json!({
            "pk": format!("EVENTS#ORDER_ID#{order}"),
            "sk": "EVENT#ORDER_SHIPPED_EVENT",
            "eventName": "ORDER_SHIPPED_EVENT",
            "eventData": nested(depth),
        })
        .to_string()
    };
    // The finding: ~70 levels were accepted and then halted the pipe for good.
    let (status, body) = ecomm.post("/api/v1/testing/simulateRawEvent", &raw(70, "DEEP70"));
    assert_eq!((status, body), (400, json!({ "message": "Bad Request" })));
    assert_eq!(
        ecomm
            .post("/api/v1/testing/simulateRawEvent", &raw(32, "DEEP32"))
            .0,
        400
    );
    // As deep as DynamoDB allows is accepted, travels, and stops nothing.
    assert_eq!(
        ecomm
            .post("/api/v1/testing/simulateRawEvent", &raw(31, "DEEP31"))
            .0,
        202
    );
    an_order_still_completes(&ecomm, "HARDSKU1", "HARD-ORDER-1");
}

#[test]
fn ids_strings_and_numbers_beyond_the_limits_are_400_and_the_longest_valid_ids_complete() {
    let data = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(data.path());
    let order = |order_id: &str, sku: &str, price: Value| {
        json!({ "orderId": order_id, "sku": sku, "units": 1, "price": price, "userId": "USER" })
            .to_string()
    };
    let long = |n: usize| "x".repeat(n);
    let hostile = [
        (
            "/api/v1/orders/placeOrder",
            order(&long(990), "SKU1", json!(1)),
        ),
        (
            "/api/v1/orders/placeOrder",
            order(&long(2030), "SKU1", json!(1)),
        ),
        (
            "/api/v1/orders/placeOrder",
            order(&long(129), "SKU1", json!(1)),
        ),
        (
            "/api/v1/orders/placeOrder",
            order("ORDER", &long(1500), json!(1)),
        ),
        (
            "/api/v1/orders/placeOrder",
            order("ORDER", "SKU1", json!(1e308)),
        ),
        (
            "/api/v1/orders/placeOrder",
            order("ORDER", "SKU1", json!(1e126)),
        ),
        (
            "/api/v1/orders/placeOrder",
            r#"{"orderId":"ORDER","sku":"SKU1","units":1,"price":1e-320,"userId":"USER"}"#
                .to_owned(),
        ),
        (
            "/api/v1/inventory/restockSku",
            json!({ "sku": long(1020), "units": 1, "lotId": "LOT1" }).to_string(),
        ),
        (
            "/api/v1/inventory/restockSku",
            json!({ "sku": long(2040), "units": 1, "lotId": "LOT1" }).to_string(),
        ),
        (
            "/api/v1/inventory/restockSku",
            json!({ "sku": "SKU1", "units": 1, "lotId": long(1020) }).to_string(),
        ),
        (
            "/api/v1/testing/simulateRawEvent",
            json!({ "pk": long(2049), "sk": "s", "eventName": "E" }).to_string(),
        ),
        (
            "/api/v1/testing/simulateRawEvent",
            json!({ "pk": "p", "sk": long(1025), "eventName": "E" }).to_string(),
        ),
        (
            "/api/v1/testing/simulateRawEvent",
            json!({ "pk": "p", "sk": "s", "eventName": "E", "eventData": { "n": 1e126 } })
                .to_string(),
        ),
        (
            "/api/v1/testing/simulateRawEvent",
            json!({ "pk": "p", "sk": "s", "eventName": "E", "eventData": long(300 * 1024) })
                .to_string(),
        ),
        (
            "/api/v1/testing/simulateRawEvent",
            json!({ "pk": "p", "sk": "s", "eventName": "E", "createdAt": long(1020) }).to_string(),
        ),
    ];
    for (path, body) in &hostile {
        let (status, answer) = ecomm.post(path, body);
        assert_eq!(
            (status, answer),
            (400, json!({ "message": "Bad Request" })),
            "{path} {}",
            &body[..body.len().min(120)]
        );
    }
    // The longest ids of the widest characters still fit every key they become part of.
    an_order_still_completes(&ecomm, &"€".repeat(128), &"€".repeat(128));
}

#[test]
fn a_second_engine_on_the_same_data_directory_exits_at_once_and_inspection_still_works() {
    let data = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(data.path());
    let started = Instant::now();
    let second = Command::new(env!("CARGO_BIN_EXE_ecomm"))
        .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(second.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("already using the data directory"),
        "{stderr}"
    );

    let queues = Command::new(env!("CARGO_BIN_EXE_ecomm"))
        .args(["queues", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    assert!(queues.status.success(), "{queues:?}");
    assert!(String::from_utf8_lossy(&queues.stdout).contains("Pipe-Dlq"));
    an_order_still_completes(&ecomm, "HARDSKU2", "HARD-ORDER-2");
}

#[test]
fn a_data_directory_with_an_unreadable_stream_record_sets_it_aside_and_moves_on() {
    let data = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(data.path());
    assert_eq!(ecomm.terminate().code(), Some(0));
    // A file written before the store enforced DynamoDB's nesting limit.
    let deep = format!("{}\"x\"{}", "{\"M\":{\"a\":".repeat(70), "}}".repeat(70));
    let image = format!(
        r#"{{"_tn":{{"S":"EVENTS#EVENT"}},"eventName":{{"S":"ORDER_SHIPPED_EVENT"}},"d":{deep}}}"#
    );
    rusqlite::Connection::open(data.path().join("ecomm.sqlite3"))
        .unwrap()
        .execute(
            "INSERT INTO stream (kind, pk, sk, new_image, created_at_ms, size_bytes)
             VALUES ('INSERT', 'EVENTS#ORDER_ID#OLD', 'EVENT#ORDER_SHIPPED_EVENT', ?1, ?2, 0)",
            rusqlite::params![image, now_ms()],
        )
        .unwrap();

    let ecomm = Ecomm::start_with(
        data.path(),
        &["--payment-seed", "42", "--pipe-max-retry-attempts", "2"],
    );
    an_order_still_completes(&ecomm, "HARDSKU3", "HARD-ORDER-3");
    let dlq = Command::new(env!("CARGO_BIN_EXE_ecomm"))
        .args(["dlq", "Pipe", "--data-dir"])
        .arg(data.path())
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&dlq.stdout);
    assert!(listed.contains("EVENTS#ORDER_ID#OLD"), "{dlq:?}");
    assert!(listed.contains("after 3 attempt(s)"), "{listed}");
}
