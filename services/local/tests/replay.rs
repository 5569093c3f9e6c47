//! `ecomm replay` on the real binary: replaying an intact store changes no item, a replay that
//! is killed resumes and delivers every event once, and deleted order views are rebuilt.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use support::{Ecomm, PlannedOrder, wait_until_settled};

const SETTLE: Duration = Duration::from_secs(120);

/// 24 settled orders over two SKUs: accepted and rejected payments, depletions.
fn settled_shop(ecomm: &Ecomm) -> Vec<PlannedOrder> {
    let mut restocked = BTreeMap::new();
    for (sku, units, lot) in [("RPLAPPLE", 30, "RLOT-1"), ("RPLGRAPE", 20, "RLOT-2")] {
        let body = json!({ "sku": sku, "units": units, "lotId": lot }).to_string();
        assert_eq!(ecomm.post("/api/v1/inventory/restockSku", &body).0, 202);
        restocked.insert(sku.to_owned(), units);
    }
    let planned: Vec<_> = (0u32..24)
        .map(|i| PlannedOrder {
            order_id: format!("RPL{i:03}"),
            sku: ["RPLAPPLE", "RPLGRAPE"][i as usize % 2].to_owned(),
            units: if i % 8 == 0 {
                500
            } else {
                1 + u64::from(i % 3)
            },
            price: if i % 5 == 0 { 0.0 } else { 12.5 },
        })
        .collect();
    for order in &planned {
        assert_eq!(
            ecomm.post("/api/v1/orders/placeOrder", &order.body()).0,
            202
        );
    }
    wait_until_settled(ecomm, &planned, &restocked, SETTLE);
    planned
}

fn ecomm(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ecomm"))
        .args(args)
        .arg("--data-dir")
        .arg(data)
        .output()
        .unwrap()
}

/// Every item, by key, as stored.
fn items(data: &Path) -> BTreeMap<(String, String), String> {
    let connection = rusqlite::Connection::open_with_flags(
        data.join("ecomm.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut statement = connection
        .prepare("SELECT pk, sk, item FROM items")
        .unwrap();
    statement
        .query_map([], |row| Ok(((row.get(0)?, row.get(1)?), row.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Waits until every queue (dead-letter queues included) is empty twice in a row.
fn wait_until_queues_drain(data: &Path) {
    let deadline = Instant::now() + SETTLE;
    let mut empty_in_a_row = 0;
    while empty_in_a_row < 2 {
        assert!(Instant::now() < deadline, "the queues did not drain");
        std::thread::sleep(Duration::from_millis(200));
        let listing = ecomm(data, &["queues"]);
        let empty = String::from_utf8_lossy(&listing.stdout)
            .lines()
            .skip(1)
            .all(|line| line.split_whitespace().skip(1).all(|count| count == "0"));
        empty_in_a_row = if empty { empty_in_a_row + 1 } else { 0 };
    }
}

fn assert_unchanged(
    before: &BTreeMap<(String, String), String>,
    after: &BTreeMap<(String, String), String>,
) {
    let changed: Vec<_> = before
        .keys()
        .chain(after.keys())
        .filter(|key| before.get(*key) != after.get(*key))
        .map(|key| (key, before.get(key), after.get(key)))
        .collect();
    assert!(changed.is_empty(), "a replay changed items: {changed:#?}");
}

#[test]
fn replaying_an_intact_store_changes_nothing_and_a_killed_replay_resumes() {
    let data = tempfile::tempdir().unwrap();
    let shop = Ecomm::start(data.path());
    settled_shop(&shop);
    let before = items(data.path());
    let events = before
        .keys()
        .filter(|(pk, _)| pk.starts_with("EVENTS#"))
        .count();

    let dry = ecomm(data.path(), &["replay", "--dry-run"]);
    let dry_text = String::from_utf8_lossy(&dry.stdout);
    assert!(
        dry_text.contains(&format!("{events} matching event(s)")),
        "{dry_text}"
    );

    // A slow replay killed mid-way, then resumed to the end.
    let mut slow = Command::new(env!("CARGO_BIN_EXE_ecomm"))
        .args(["replay", "--name", "slow", "--rate", "20", "--data-dir"])
        .arg(data.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    slow.kill().unwrap();
    slow.wait().unwrap();
    let resumed = ecomm(data.path(), &["replay", "--name", "slow", "--rate", "0"]);
    assert!(resumed.status.success(), "{resumed:?}");
    let resumed_text = String::from_utf8_lossy(&resumed.stdout);
    assert!(resumed_text.contains("resumed"), "{resumed_text}");
    assert!(
        resumed_text.contains(&format!("({events} matching, {events} delivered in all)")),
        "every event delivered once: {resumed_text}"
    );
    let again = ecomm(data.path(), &["replay", "--name", "slow"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("already done"));

    wait_until_queues_drain(data.path());
    assert_unchanged(&before, &items(data.path()));

    // The whole store once more, unthrottled, beside the serving engine.
    let all = ecomm(data.path(), &["replay", "--name", "all", "--rate", "0"]);
    assert!(all.status.success(), "{all:?}");
    wait_until_queues_drain(data.path());
    assert_unchanged(&before, &items(data.path()));
    assert_eq!(shop.terminate().code(), Some(0));
}

#[test]
fn deleted_order_views_are_rebuilt_by_a_replay() {
    let data = tempfile::tempdir().unwrap();
    let shop = Ecomm::start(data.path());
    let planned = settled_shop(&shop);
    let statuses = |ecomm: &Ecomm| -> BTreeMap<String, String> {
        ecomm
            .orders()
            .into_iter()
            .map(|(id, order)| (id, order["orderStatus"].as_str().unwrap().to_owned()))
            .collect()
    };
    let before = statuses(&shop);
    assert_eq!(before.len(), planned.len());
    for order in &planned {
        let pk = format!("ORDERS#ORDER_ID#{}", order.order_id);
        let sk = format!("ORDER_ID#{}", order.order_id);
        assert!(ecomm(data.path(), &["delete", &pk, &sk]).status.success());
    }
    assert!(statuses(&shop).is_empty());

    // One order first, then every order view.
    let one = ecomm(
        data.path(),
        &["replay", "--name", "one", "--order", "RPL001"],
    );
    assert!(one.status.success(), "{one:?}");
    wait_until_queues_drain(data.path());
    assert_eq!(
        statuses(&shop),
        before
            .clone()
            .into_iter()
            .filter(|(id, _)| id == "RPL001")
            .collect()
    );

    let all = ecomm(data.path(), &["replay", "--name", "views", "--rate", "0"]);
    assert!(all.status.success(), "{all:?}");
    wait_until_queues_drain(data.path());
    assert_eq!(statuses(&shop), before);
}
