//! End to end on the embedded engine: the real `ecomm` binary over HTTP, every order driven to a
//! terminal status through the real pipeline (stream → pipe → queues → workers).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::json;
use support::{Ecomm, PlannedOrder, assert_consistent, wait_until_settled};

const SETTLE: Duration = Duration::from_secs(120);

fn restock(ecomm: &Ecomm, restocks: &[(&str, u64, &str)]) -> BTreeMap<String, i64> {
    let mut totals = BTreeMap::new();
    for (sku, units, lot) in restocks {
        let body = json!({ "sku": sku, "units": units, "lotId": lot }).to_string();
        let (status, echo) = ecomm.post("/api/v1/inventory/restockSku", &body);
        assert_eq!(status, 202, "restock {sku} {lot}");
        assert_eq!(echo, json!({ "sku": sku, "units": units, "lotId": lot }));
        *totals.entry((*sku).to_owned()).or_insert(0) += i64::try_from(*units).unwrap();
    }
    totals
}

/// 60 orders over three SKUs: normal prices, price 0, prices ≥ 100000, orders beyond stock.
fn plan(prefix: &str) -> Vec<PlannedOrder> {
    let skus = ["E2EAPPLE", "E2EGRAPE", "E2EPEARS"];
    (0u32..60)
        .map(|i| {
            let (units, price) = match i % 10 {
                0 => (5_000, 10.0),  // beyond stock
                3 => (2, 0.0),       // forced rejection
                7 => (3, 150_000.5), // forced rejection
                _ => (1 + i % 4, 19.99 + f64::from(i)),
            };
            PlannedOrder {
                order_id: format!("{prefix}{i:03}"),
                sku: skus[i as usize % 3].to_owned(),
                units: u64::from(units),
                price,
            }
        })
        .collect()
}

#[test]
fn every_order_reaches_a_terminal_status_and_stock_is_conserved() {
    let data = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(data.path());

    // A duplicate lot is accepted (202) and counted once.
    let restocked = restock(
        &ecomm,
        &[
            ("E2EAPPLE", 40, "LOT-A1"),
            ("E2EAPPLE", 30, "LOT-A2"),
            ("E2EGRAPE", 50, "LOT-G1"),
            ("E2EPEARS", 25, "LOT-P1"),
        ],
    );
    let (status, _) = ecomm.post(
        "/api/v1/inventory/restockSku",
        r#"{"sku":"E2EAPPLE","units":999,"lotId":"LOT-A1"}"#,
    );
    assert_eq!(status, 202);

    let planned = plan("E2E");
    for order in &planned {
        let (status, echo) = ecomm.post("/api/v1/orders/placeOrder", &order.body());
        assert_eq!(status, 202, "{}", order.order_id);
        assert_eq!(echo["orderId"], json!(order.order_id));
    }
    // Duplicates with different data: accepted, first writer wins.
    for order in planned.iter().step_by(6) {
        let duplicate = json!({ "orderId": order.order_id, "sku": order.sku, "units": 1, "price": 1, "userId": "OTHERUSER" });
        assert_eq!(
            ecomm
                .post("/api/v1/orders/placeOrder", &duplicate.to_string())
                .0,
            202
        );
    }
    // Invalid bodies lose nothing and change nothing.
    for invalid in [
        "",
        "not json",
        "[]",
        "null",
        r#"{"orderId":"E2E900","sku":"E2EAPPLE","units":0,"price":1,"userId":"E2EUSER"}"#,
        r#"{"orderId":"E2E901","sku":"E2EAPPLE","units":1.5,"price":1,"userId":"E2EUSER"}"#,
        r#"{"orderId":"E2E902","sku":"E2EAPPLE","units":1,"price":-1,"userId":"E2EUSER"}"#,
        r#"{"orderId":"E2E903","sku":"E2EAPPLE","units":"1","price":1,"userId":"E2EUSER"}"#,
        r#"{"orderId":" E2 ","sku":"E2EAPPLE","units":1,"price":1,"userId":"E2EUSER"}"#,
        r#"{"orderId":"E2E904","sku":"E2EAPPLE","units":1,"price":1,"userId":null}"#,
    ] {
        let (status, body) = ecomm.post("/api/v1/orders/placeOrder", invalid);
        assert_eq!(
            (status, body),
            (400, json!({ "message": "Bad Request" })),
            "{invalid}"
        );
    }

    wait_until_settled(&ecomm, &planned, &restocked, SETTLE);
    assert_consistent(&ecomm, &planned, &restocked);
    assert_eq!(
        ecomm.orders().len(),
        planned.len(),
        "invalid requests created no order"
    );

    let statuses: Vec<_> = ecomm
        .orders()
        .values()
        .map(|o| o["orderStatus"].as_str().unwrap().to_owned())
        .collect();
    for expected in support::TERMINAL {
        assert!(
            statuses.iter().any(|s| s == expected),
            "the scenario reaches {expected}"
        );
    }
    assert!(ecomm.terminate().success(), "SIGTERM shuts down cleanly");
    let checked = support::assert_raisers_declared(data.path());
    assert!(checked > planned.len() * 3, "{checked} events checked");
}

/// No `--payment-seed`: the gateway seed kept in the data directory is used, so payment
/// attempts retried after a crash get the same answers as before it.
#[test]
fn a_kill_9_in_mid_flow_loses_nothing() {
    let data = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start_with(data.path(), &[]);
    let restocked = restock(
        &ecomm,
        &[
            ("E2EAPPLE", 60, "LOT-K1"),
            ("E2EGRAPE", 60, "LOT-K2"),
            ("E2EPEARS", 60, "LOT-K3"),
        ],
    );
    let planned = plan("KIL");
    for order in &planned[..30] {
        assert_eq!(
            ecomm.post("/api/v1/orders/placeOrder", &order.body()).0,
            202
        );
    }
    std::thread::sleep(Duration::from_millis(150));
    ecomm.kill_9();

    // Restart on the same data, place the rest, kill again, and finally let it settle.
    let ecomm = Ecomm::start_with(data.path(), &[]);
    for order in &planned[30..] {
        assert_eq!(
            ecomm.post("/api/v1/orders/placeOrder", &order.body()).0,
            202
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    ecomm.kill_9();

    let ecomm = Ecomm::start_with(data.path(), &[]);
    wait_until_settled(&ecomm, &planned, &restocked, SETTLE);
    assert_consistent(&ecomm, &planned, &restocked);
}
