//! Property tests on the real `ecomm` binary: no body, however hostile, earns a 5xx or stops
//! the process, and after any raw events the chaos API accepts, a normal order still completes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::time::{Duration, Instant};

use contracts::EventName;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value, json};
use support::{Ecomm, TERMINAL};

const PATHS: [&str; 6] = [
    "/api/v1/inventory/restockSku",
    "/api/v1/inventory/listSkus",
    "/api/v1/orders/placeOrder",
    "/api/v1/orders/listOrders",
    "/api/v1/payments/listOrderPayments",
    "/api/v1/testing/simulateRawEvent",
];

/// Every field any API reads, so generated objects hit the validators.
const FIELDS: [&str; 15] = [
    "orderId",
    "sku",
    "units",
    "price",
    "userId",
    "lotId",
    "limit",
    "sortDirection",
    "pk",
    "sk",
    "eventName",
    "eventData",
    "createdAt",
    "updatedAt",
    "nextToken",
];

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN or infinity", |x| x.is_finite())
            .prop_map(Value::from),
        prop::sample::select(vec![
            0.0,
            -0.0,
            1.0,
            1.5,
            1e308,
            -1e308,
            1e126,
            1e125,
            1e-130,
            1e-131,
            1e-320,
            5e-324,
            9_007_199_254_740_993.0,
            100_000.0,
            99_999.99,
        ])
        .prop_map(Value::from),
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,12}",
        " {0,3}[A-Za-z0-9#_-]{0,8} {0,3}",
        (
            0_usize..3000,
            prop::sample::select(vec!["x", "€", "😀", " ", "#"])
        )
            .prop_map(|(n, unit)| unit.repeat(n)),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(48, 96, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..4)
                .prop_map(|entries| Value::Object(entries.into_iter().collect())),
        ]
    })
}

fn nested(depth: usize) -> Value {
    (0..depth).fold(json!(1), |inner, level| {
        if level % 2 == 0 {
            json!([inner])
        } else {
            json!({ "n": inner })
        }
    })
}

/// An object of API fields with arbitrary values (including valid-looking ones).
fn api_object() -> impl Strategy<Value = Value> {
    let value = prop_oneof![
        3 => json_value(),
        1 => (0_usize..80).prop_map(nested),
        1 => "[A-Z0-9]{4,10}".prop_map(Value::String),
        1 => (1_u64..50).prop_map(Value::from),
    ];
    prop::collection::vec((prop::sample::select(FIELDS.to_vec()), value), 0..8).prop_map(|fields| {
        let mut object = Map::new();
        for (name, value) in fields {
            object.insert(name.to_owned(), value);
        }
        Value::Object(object)
    })
}

fn body() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => api_object().prop_map(|v| v.to_string()),
        1 => json_value().prop_map(|v| v.to_string()),
        1 => "\\PC{0,64}",
        1 => (0_usize..200).prop_map(|depth| "[".repeat(depth)),
    ]
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

#[test]
fn no_body_earns_a_5xx_and_the_engine_keeps_serving() {
    let data = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(data.path());
    let mut runner = runner(400);
    runner
        .run(
            &(prop::sample::select(PATHS.to_vec()), body()),
            |(path, body)| {
                let (status, answer) = ecomm.post(path, &body);
                prop_assert!(
                    (200..500).contains(&status),
                    "{path} answered {status} {answer} to {}",
                    &body[..body.len().min(300)]
                );
                if status == 400 {
                    prop_assert_eq!(answer, json!({ "message": "Bad Request" }));
                }
                Ok(())
            },
        )
        .unwrap();
    an_order_completes(&ecomm, "PROPSKU", "PROP-ORDER");
}

/// A raw event: event-store keys of a random order or SKU, known or unknown names, data with
/// the fields the workers read.
fn raw_event() -> impl Strategy<Value = Value> {
    let names: Vec<String> = EventName::ALL
        .iter()
        .map(|name| name.as_str().to_owned())
        .chain(["UNKNOWN_EVENT".to_owned(), "order_placed_event".to_owned()])
        .collect();
    let data_field = prop::sample::select(vec![
        "orderId",
        "sku",
        "units",
        "price",
        "userId",
        "lotId",
        "createdAt",
    ]);
    let plausible = prop_oneof![
        "[A-Z0-9]{4,8}".prop_map(Value::String),
        (1_u64..20).prop_map(Value::from),
        json_value(),
    ];
    let data = prop_oneof![
        3 => prop::collection::vec((data_field, plausible), 0..7).prop_map(|fields| {
            Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        }),
        1 => json_value(),
        1 => (0_usize..80).prop_map(nested),
    ];
    let id = "[A-Z0-9]{4,8}";
    let pk = prop_oneof![
        id.prop_map(|id| format!("EVENTS#ORDER_ID#{id}")),
        id.prop_map(|id| format!("EVENTS#SKU#{id}")),
        text().prop_filter("non-blank", |t| !t.trim().is_empty()),
    ];
    (pk, prop::sample::select(names), data, any::<bool>()).prop_map(|(pk, name, data, event_sk)| {
        let sk = if event_sk {
            format!("EVENT#{name}")
        } else {
            format!("RAW#{name}")
        };
        json!({ "pk": pk, "sk": sk, "eventName": name, "eventData": data })
    })
}

#[test]
fn after_any_accepted_raw_events_a_normal_order_still_completes() {
    let data = tempfile::tempdir().unwrap();
    let ecomm = Ecomm::start(data.path());
    let case = std::sync::atomic::AtomicU32::new(0);
    let mut runner = runner(12);
    runner
        .run(&prop::collection::vec(raw_event(), 1..10), |events| {
            for event in &events {
                let (status, answer) =
                    ecomm.post("/api/v1/testing/simulateRawEvent", &event.to_string());
                prop_assert!(
                    (200..500).contains(&status),
                    "{status} {answer} for {event}"
                );
            }
            let case = case.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            an_order_completes(
                &ecomm,
                &format!("PROPSKU{case:03}"),
                &format!("PROP-ORDER-{case:03}"),
            );
            Ok(())
        })
        .unwrap();
}

/// Restocks `sku` and orders one unit of it; panics unless the order becomes terminal and the
/// SKU's stock settles to what the order's outcome says (other SKUs are not looked at: the raw
/// events may have created some).
fn an_order_completes(ecomm: &Ecomm, sku: &str, order_id: &str) {
    let restock = json!({ "sku": sku, "units": 10, "lotId": format!("LOT-{order_id}") });
    assert_eq!(
        ecomm
            .post("/api/v1/inventory/restockSku", &restock.to_string())
            .0,
        202
    );
    let order =
        json!({ "orderId": order_id, "sku": sku, "units": 1, "price": 10, "userId": "PROPUSER" });
    assert_eq!(
        ecomm
            .post("/api/v1/orders/placeOrder", &order.to_string())
            .0,
        202
    );
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = ecomm
            .orders()
            .get(order_id)
            .and_then(|order| order["orderStatus"].as_str().map(str::to_owned));
        let units = ecomm.sku_units().get(sku).copied();
        let settled = match status.as_deref() {
            Some("ORDER_PAYMENT_ACCEPTED_STATUS") => units == Some(9),
            Some(status) if TERMINAL.contains(&status) => units == Some(10),
            _ => false,
        };
        if settled {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{order_id}: {status:?}, {sku}: {units:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
