//! Drives the real `ecomm` binary over HTTP: start/stop/kill, API calls, waiting, invariants.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TERMINAL: [&str; 3] = [
    "ORDER_STOCK_DEPLETED_STATUS",
    "ORDER_PAYMENT_ACCEPTED_STATUS",
    "ORDER_PAYMENT_REJECTED_STATUS",
];

/// A running `ecomm serve`.
pub struct Ecomm {
    child: Child,
    pub base_url: String,
    pub data_dir: PathBuf,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Ecomm {
    /// Starts `ecomm serve` on a free port with a fast-retrying, seeded random gateway.
    pub fn start(data_dir: &Path) -> Self {
        Self::start_with(data_dir, &["--payment-seed", "42"])
    }

    /// Starts `ecomm serve` with a fast-retrying random gateway and extra arguments (without
    /// `--payment-seed`, the seed kept in the data directory is used).
    pub fn start_with(data_dir: &Path, extra: &[&str]) -> Self {
        // Retries are expected here; only errors are worth printing.
        Self::spawn(data_dir, extra, "error", Stdio::inherit())
    }

    /// Like [`Self::start_with`], writing JSON log lines at `rust_log` into `log_file`.
    pub fn start_logging(data_dir: &Path, extra: &[&str], rust_log: &str, log_file: &Path) -> Self {
        let log = std::fs::File::create(log_file).unwrap();
        let mut args = vec!["--log-format", "json"];
        args.extend_from_slice(extra);
        Self::spawn(data_dir, &args, rust_log, Stdio::from(log))
    }

    fn spawn(data_dir: &Path, extra: &[&str], rust_log: &str, stderr: Stdio) -> Self {
        let port = free_port();
        let child = Command::new(env!("CARGO_BIN_EXE_ecomm"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .arg("--data-dir")
            .arg(data_dir)
            .args(["--visibility-timeout-ms", "300", "--payment-mode", "random"])
            .args(extra)
            .env("RUST_LOG", rust_log)
            .stdout(Stdio::null())
            .stderr(stderr)
            .spawn()
            .expect("ecomm starts");
        let ecomm = Self {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            data_dir: data_dir.to_owned(),
        };
        ecomm.wait_until_serving();
        ecomm
    }

    fn wait_until_serving(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if post(&self.base_url, "/api/v1/inventory/listSkus", "{}").0 == 200 {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("ecomm did not start serving");
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM and wait for a clean exit.
    pub fn terminate(mut self) -> std::process::ExitStatus {
        Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        self.child.wait().unwrap()
    }

    pub fn post(&self, path: &str, body: &str) -> (u16, Value) {
        post(&self.base_url, path, body)
    }

    /// `ecomm get PK SK` on the same data directory, as plain JSON attributes (None if absent).
    pub fn item(&self, pk: &str, sk: &str) -> Option<Value> {
        let output = Command::new(env!("CARGO_BIN_EXE_ecomm"))
            .args(["get", pk, sk, "--data-dir"])
            .arg(&self.data_dir)
            .output()
            .unwrap();
        if !output.status.success() {
            return None;
        }
        let item: Value = serde_json::from_slice(&output.stdout).unwrap();
        Some(plain(&item))
    }

    pub fn orders(&self) -> BTreeMap<String, Value> {
        let (status, body) = self.post("/api/v1/orders/listOrders", r#"{"limit":1000}"#);
        assert_eq!(status, 200);
        body["orders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| (o["orderId"].as_str().unwrap().to_owned(), o.clone()))
            .collect()
    }

    pub fn payments(&self) -> BTreeMap<String, Value> {
        let (status, body) = self.post("/api/v1/payments/listOrderPayments", r#"{"limit":1000}"#);
        assert_eq!(status, 200);
        body["orderPayments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["orderId"].as_str().unwrap().to_owned(), p.clone()))
            .collect()
    }

    pub fn sku_units(&self) -> BTreeMap<String, i64> {
        let (status, body) = self.post("/api/v1/inventory/listSkus", r#"{"limit":1000}"#);
        assert_eq!(status, 200);
        body["skus"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["sku"].as_str().unwrap().to_owned(),
                    s["units"].as_i64().unwrap(),
                )
            })
            .collect()
    }
}

impl Drop for Ecomm {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// DynamoDB JSON → plain JSON.
fn plain(value: &Value) -> Value {
    match value {
        Value::Object(map) if map.len() == 1 => {
            let (kind, inner) = map.iter().next().unwrap();
            match kind.as_str() {
                "S" => inner.clone(),
                "N" => serde_json::from_str(inner.as_str().unwrap()).unwrap(),
                "M" => Value::Object(
                    inner
                        .as_object()
                        .unwrap()
                        .iter()
                        .map(|(k, v)| (k.clone(), plain(v)))
                        .collect(),
                ),
                _ => inner.clone(),
            }
        }
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), plain(v))).collect())
        }
        other => other.clone(),
    }
}

pub fn post(base_url: &str, path: &str, body: &str) -> (u16, Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    match agent
        .post(&format!("{base_url}{path}"))
        .header("content-type", "application/json")
        .send(body)
    {
        Ok(mut response) => {
            let status = response.status().as_u16();
            let text = response.body_mut().read_to_string().unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

/// One order of a scenario and what the test knows about it in advance.
#[derive(Clone, Debug)]
pub struct PlannedOrder {
    pub order_id: String,
    pub sku: String,
    pub units: u64,
    pub price: f64,
}

impl PlannedOrder {
    pub fn body(&self) -> String {
        json!({ "orderId": self.order_id, "sku": self.sku, "units": self.units, "price": self.price, "userId": "E2EUSER" }).to_string()
    }

    /// Prices the gateway always rejects.
    pub fn forced_rejection(&self) -> bool {
        self.price <= 0.0 || self.price >= 100_000.0
    }
}

/// Waits until every planned order is terminal and the stock books balance (deallocations and
/// completions trail the order view), or panics after `timeout`.
pub fn wait_until_settled(
    ecomm: &Ecomm,
    planned: &[PlannedOrder],
    restocked: &BTreeMap<String, i64>,
    timeout: Duration,
) {
    let deadline = Instant::now() + timeout;
    loop {
        let orders = ecomm.orders();
        let terminal = planned.iter().all(|p| {
            orders
                .get(&p.order_id)
                .is_some_and(|o| TERMINAL.contains(&o["orderStatus"].as_str().unwrap_or("")))
        });
        if terminal
            && expected_units(&orders, planned, restocked) == ecomm.sku_units()
            && all_allocations_settled(ecomm, &orders, planned)
        {
            return;
        }
        if Instant::now() > deadline {
            let pending: Vec<_> = planned
                .iter()
                .filter_map(|p| {
                    orders
                        .get(&p.order_id)
                        .map(|o| (p.order_id.clone(), o["orderStatus"].clone()))
                })
                .filter(|(_, status)| !TERMINAL.contains(&status.as_str().unwrap_or("")))
                .collect();
            panic!(
                "not settled in {timeout:?}: pending orders {pending:?}, units {:?}",
                ecomm.sku_units()
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn allocation_key(p: &PlannedOrder) -> (String, String) {
    (
        format!("INVENTORY#SKU#{}", p.sku),
        format!("SKU#{}#ORDER_ID#{}#ORDER_ALLOCATION", p.sku, p.order_id),
    )
}

fn all_allocations_settled(
    ecomm: &Ecomm,
    orders: &BTreeMap<String, Value>,
    planned: &[PlannedOrder],
) -> bool {
    planned.iter().all(|p| {
        let (pk, sk) = allocation_key(p);
        let status = ecomm.item(&pk, &sk).map(|a| a["allocationStatus"].clone());
        match orders[&p.order_id]["orderStatus"].as_str() {
            Some("ORDER_PAYMENT_ACCEPTED_STATUS") => {
                status == Some(json!("COMPLETED_PAYMENT_ACCEPTED"))
            }
            Some("ORDER_PAYMENT_REJECTED_STATUS") => {
                status == Some(json!("DEALLOCATED_PAYMENT_REJECTED"))
            }
            _ => true,
        }
    })
}

/// Restocked minus the units of accepted orders.
pub fn expected_units(
    orders: &BTreeMap<String, Value>,
    planned: &[PlannedOrder],
    restocked: &BTreeMap<String, i64>,
) -> BTreeMap<String, i64> {
    let mut units = restocked.clone();
    for p in planned {
        if orders
            .get(&p.order_id)
            .and_then(|o| o["orderStatus"].as_str())
            == Some("ORDER_PAYMENT_ACCEPTED_STATUS")
        {
            *units.get_mut(&p.sku).unwrap() -= i64::try_from(p.units).unwrap();
        }
    }
    units
}

/// Every order's status agrees with its payment and allocation records; stock is conserved.
pub fn assert_consistent(
    ecomm: &Ecomm,
    planned: &[PlannedOrder],
    restocked: &BTreeMap<String, i64>,
) {
    let orders = ecomm.orders();
    let payments = ecomm.payments();
    for p in planned {
        let order = &orders[&p.order_id];
        let status = order["orderStatus"].as_str().unwrap();
        assert_eq!(
            order["units"],
            json!(p.units),
            "{}: the first placement wins",
            p.order_id
        );
        let (pk, sk) = allocation_key(p);
        let allocation = ecomm.item(&pk, &sk);
        let allocation_status = allocation
            .as_ref()
            .map(|a| a["allocationStatus"].as_str().unwrap().to_owned());
        let payment_status = payments
            .get(&p.order_id)
            .map(|pay| pay["paymentStatus"].as_str().unwrap().to_owned());
        match status {
            "ORDER_PAYMENT_ACCEPTED_STATUS" => {
                assert!(
                    !p.forced_rejection(),
                    "{}: a forced-rejection price was accepted",
                    p.order_id
                );
                assert_eq!(
                    payment_status.as_deref(),
                    Some("PAYMENT_ACCEPTED"),
                    "{}",
                    p.order_id
                );
                assert_eq!(
                    allocation_status.as_deref(),
                    Some("COMPLETED_PAYMENT_ACCEPTED"),
                    "{}",
                    p.order_id
                );
            }
            "ORDER_PAYMENT_REJECTED_STATUS" => {
                assert_eq!(
                    payment_status.as_deref(),
                    Some("PAYMENT_REJECTED"),
                    "{}",
                    p.order_id
                );
                assert_eq!(
                    allocation_status.as_deref(),
                    Some("DEALLOCATED_PAYMENT_REJECTED"),
                    "{}",
                    p.order_id
                );
            }
            "ORDER_STOCK_DEPLETED_STATUS" => {
                assert_eq!(
                    payment_status, None,
                    "{}: a depleted order was charged",
                    p.order_id
                );
                assert_eq!(
                    allocation_status.as_deref(),
                    Some("STOCK_DEPLETED"),
                    "{}",
                    p.order_id
                );
            }
            other => panic!("{}: not terminal: {other}", p.order_id),
        }
        if p.forced_rejection() {
            assert_ne!(status, "ORDER_PAYMENT_ACCEPTED_STATUS");
        }
    }
    let units = ecomm.sku_units();
    assert_eq!(
        units,
        expected_units(&orders, planned, restocked),
        "stock is conserved"
    );
    assert!(
        units.values().all(|u| *u >= 0),
        "stock never negative: {units:?}"
    );
}

/// Every event in the stopped engine's data directory was raised by a slice that declares it
/// (the `raises` the event catalogue, docs/asyncapi.json, is built from): an event caused by
/// another event by one of that event's routed consumers, an event caused by a request by an API
/// slice. Returns how many events were checked.
pub fn assert_raisers_declared(data_dir: &Path) -> usize {
    use kernel::table::{Query, QueryTarget, Table, get_s};
    let store = store_sqlite::SqliteStore::open(
        &data_dir.join(local::config::StoreArgs::FILE_NAME),
        store_sqlite::StoreOptions::default(),
    )
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let events = runtime
        .block_on(store.query(Query {
            target: QueryTarget::Gsi1 {
                gsi1pk: contracts::events::EVENT_TYPE_NAME.to_owned(),
            },
            forward: true,
            limit: None,
            consistent: false,
            exclusive_start_key: None,
        }))
        .unwrap()
        .items;
    let routing = local::routing::RoutingTable::load().unwrap();
    let name_of = |pk: &str, sk: &str| {
        events
            .iter()
            .find(|event| get_s(event, "pk") == Some(pk) && get_s(event, "sk") == Some(sk))
            .and_then(|event| get_s(event, "eventName"))
    };
    for event in &events {
        let name = get_s(event, "eventName").unwrap();
        let raised = contracts::EventName::parse(name).unwrap();
        let cause = get_s(event, "causationId").unwrap();
        let declared = match cause.split_once('/') {
            Some((pk, sk)) => {
                let causing = name_of(pk, sk).unwrap();
                routing.routes_for(causing).any(|route| {
                    local::slices::WORKER_SLICES
                        .iter()
                        .any(|slice| slice.name == route.slice && slice.raises.contains(&raised))
                })
            }
            None => local::slices::API_SLICES
                .iter()
                .any(|slice| slice.raises.contains(&raised)),
        };
        assert!(
            declared,
            "no slice that could have raised {name} (cause {cause}) declares it"
        );
    }
    events.len()
}
