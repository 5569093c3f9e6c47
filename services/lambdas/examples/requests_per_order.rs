//! Counts what one order costs in DynamoDB on the Lambda code path: the requests each slice
//! sends through the DynamoDB adapter and the read and write units DynamoDB reports for them.
//!
//! ```sh
//! scripts/bench-dynamodb [--orders N]      # starts DynamoDB Local and runs this
//! DYNAMODB_ENDPOINT=http://127.0.0.1:8000 cargo run -p lambdas --example requests_per_order
//! ```
//!
//! The slices are the ones the Lambda binaries wire (same controllers, services and clients, on
//! a [`DynamoDbTable`] carrying a [`Meter`]), on a fresh table in DynamoDB Local. What AWS does
//! between them is done in process, one message at a time: every event item the slices insert
//! is routed as the Pipe and the bus rules route it (`services/routing.json`, the same envelope
//! the embedded pipe builds) and handed to each subscribed worker as a one-message SQS batch;
//! a message a worker reports as failed is delivered again. Orders run one after another, so
//! every count is the in-order path (out-of-order deliveries on AWS can add a guarded re-read).
//!
//! Three kinds of order are placed `--orders` times each: accepted (always-accept gateway),
//! rejected (a price the gateway always rejects) and out of stock. The run fails if an order
//! does not reach its expected status or if orders of one kind cost different amounts.

#![allow(clippy::print_stdout, reason = "a benchmark prints its figures")]
#![allow(
    clippy::cast_precision_loss,
    reason = "counts of a few thousand requests, printed as per-order averages"
)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use contracts::events::EVENT_TYPE_NAME;
use kernel::clock::{Clock, SystemClock, epoch_millis};
use kernel::http::{ApiHandler, ApiRequest};
use kernel::sqs::WorkerHandler;
use kernel::table::{
    Item, Key, PageTokens, Put, Query, QueryPage, Table, TableError, TransactItem, Update, get_s,
};
use local::routing::RoutingTable;
use payments::gateway::{FakePaymentGateway, GatewayMode, PaymentGateway};
use store_dynamodb::DynamoDbTable;
use store_dynamodb::local::{ENDPOINT_VAR, client, create_table};
use store_dynamodb::meter::{Meter, Operation, Reading};
use store_sqlite::{ReceivedMessage, StreamRecord, StreamRecordKind};

type Failure = Box<dyn std::error::Error + Send + Sync>;

/// Deliveries of one message before the run gives up on it.
const MAX_RECEIVES: u32 = 5;

/// One kind of order and the status it must end in.
struct Scenario {
    name: &'static str,
    sku: &'static str,
    units: u32,
    price: &'static str,
    expected_status: &'static str,
}

const SCENARIOS: [Scenario; 3] = [
    Scenario {
        name: "accepted",
        sku: "COUNTSKU-STOCKED",
        units: 1,
        price: "19.99",
        expected_status: "ORDER_PAYMENT_ACCEPTED_STATUS",
    },
    Scenario {
        name: "payment rejected",
        sku: "COUNTSKU-STOCKED",
        units: 1,
        // At or above payments::gateway::REJECTED_PRICE_FLOOR: the gateway always rejects.
        price: "100000",
        expected_status: "ORDER_PAYMENT_REJECTED_STATUS",
    },
    Scenario {
        name: "out of stock",
        sku: "COUNTSKU-EMPTY",
        units: 5,
        price: "19.99",
        expected_status: "ORDER_STOCK_DEPLETED_STATUS",
    },
];

/// The table the slices see: passes every call to DynamoDB and remembers the event items it
/// inserted, as the table's stream would record them.
struct StreamTap {
    table: Arc<dyn Table>,
    inserted: Mutex<Vec<Item>>,
}

impl StreamTap {
    fn take_inserted(&self) -> Vec<Item> {
        std::mem::take(&mut *self.inserted.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Event items are only ever written by conditional puts (first writer wins), so a put that
    /// succeeded is a stream INSERT.
    fn remember(&self, items: impl IntoIterator<Item = Item>) {
        let events = items
            .into_iter()
            .filter(|item| get_s(item, "_tn") == Some(EVENT_TYPE_NAME));
        self.inserted
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(events);
    }
}

#[async_trait]
impl Table for StreamTap {
    async fn get(&self, key: &Key, consistent: bool) -> Result<Option<Item>, TableError> {
        self.table.get(key, consistent).await
    }

    async fn put(&self, put: Put) -> Result<(), TableError> {
        let item = put.item.clone();
        self.table.put(put).await?;
        self.remember([item]);
        Ok(())
    }

    async fn update(&self, update: Update) -> Result<Option<Item>, TableError> {
        self.table.update(update).await
    }

    async fn delete(&self, key: &Key) -> Result<Option<Item>, TableError> {
        self.table.delete(key).await
    }

    async fn transact_write(&self, items: Vec<TransactItem>) -> Result<(), TableError> {
        let puts: Vec<Item> = items
            .iter()
            .filter_map(|item| match item {
                TransactItem::Put(put) => Some(put.item.clone()),
                TransactItem::Update(_) | TransactItem::ConditionCheck { .. } => None,
            })
            .collect();
        self.table.transact_write(items).await?;
        self.remember(puts);
        Ok(())
    }

    async fn query(&self, query: Query) -> Result<QueryPage, TableError> {
        self.table.query(query).await
    }
}

/// What one slice cost over a run: deliveries (or API calls) and the meter's reading.
#[derive(Default)]
struct SliceCost {
    calls: u64,
    retries: u64,
    reading: Reading,
}

/// The whole system on one metered table.
struct Shop {
    tap: Arc<StreamTap>,
    meter: Arc<Meter>,
    routing: RoutingTable,
    apis: HashMap<&'static str, Arc<dyn ApiHandler>>,
    workers: HashMap<String, (&'static str, Arc<dyn WorkerHandler>)>,
    /// Reads for checking results, unmetered.
    list_orders: Arc<dyn ApiHandler>,
    seq: AtomicU64,
}

impl Shop {
    async fn new(endpoint: &str) -> Result<Self, Failure> {
        let client = client(endpoint);
        let name = format!(
            "requests-per-order-{:x}",
            SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos()
        );
        create_table(&client, &name).await?;
        let meter = Arc::new(Meter::new());
        let raw: Arc<dyn Table> = Arc::new(DynamoDbTable::new(client.clone(), name.clone()));
        let metered = DynamoDbTable::new(client, name).with_meter(meter.clone());
        let tap = Arc::new(StreamTap {
            table: Arc::new(metered),
            inserted: Mutex::new(Vec::new()),
        });
        let table: Arc<dyn Table> = tap.clone();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let gateway: Arc<dyn PaymentGateway> =
            Arc::new(FakePaymentGateway::new(GatewayMode::AlwaysAccept));
        let apis = local::slices::api_routes(&table, &clock, &PageTokens::new(b"bench"))
            .into_iter()
            .collect();
        let workers = local::slices::workers(&table, &clock, &gateway)
            .into_iter()
            .map(|(slice, handler)| (slice.queue(), (slice.name, handler)))
            .collect();
        Ok(Self {
            tap,
            meter,
            routing: RoutingTable::load()?,
            apis,
            workers,
            list_orders: Arc::new(orders::list_orders_api::controller(
                raw,
                PageTokens::new(b"bench"),
            )),
            seq: AtomicU64::new(0),
        })
    }

    /// Calls an API, then delivers every message that follows until the system is quiet;
    /// charges each call to its slice in `costs`.
    async fn run(
        &self,
        path: &'static str,
        api_slice: &'static str,
        body: String,
        costs: &mut BTreeMap<&'static str, SliceCost>,
    ) -> Result<(), Failure> {
        let api = self
            .apis
            .get(path)
            .ok_or_else(|| format!("no API at {path}"))?;
        let before = self.meter.reading();
        let response = api.handle(ApiRequest::with_body(body)).await;
        if !(200..300).contains(&response.status) {
            return Err(format!("{path} answered {}: {}", response.status, response.body).into());
        }
        charge(costs, api_slice, &before, &self.meter.reading(), 0);

        let mut pending: VecDeque<(String, String, u32)> = VecDeque::new();
        self.route_inserted(&mut pending)?;
        while let Some((queue, body, receives)) = pending.pop_front() {
            let (slice, worker) = self
                .workers
                .get(&queue)
                .ok_or_else(|| format!("no worker consumes {queue}"))?;
            let message = ReceivedMessage {
                message_id: format!("m{}", self.seq.fetch_add(1, Ordering::Relaxed)),
                receipt_handle: String::new(),
                body: body.clone(),
                receive_count: receives + 1,
                sent_at_ms: now_ms(),
                first_received_at_ms: now_ms(),
            };
            let event = local::poller::sqs_event(&queue, &[message])?;
            let before = self.meter.reading();
            let response = worker.handle(event).await;
            let failed = !response.batch_item_failures.is_empty();
            charge(
                costs,
                slice,
                &before,
                &self.meter.reading(),
                u64::from(failed),
            );
            if failed {
                if receives + 1 >= MAX_RECEIVES {
                    return Err(format!("{slice} failed a message {MAX_RECEIVES} times").into());
                }
                pending.push_back((queue, body, receives + 1));
            }
            self.route_inserted(&mut pending)?;
        }
        Ok(())
    }

    /// Routes the event items inserted since the last call, as the Pipe and the rules would.
    fn route_inserted(&self, pending: &mut VecDeque<(String, String, u32)>) -> Result<(), Failure> {
        for item in self.tap.take_inserted() {
            let keys = Key {
                pk: get_s(&item, "pk").unwrap_or_default().to_owned(),
                sk: get_s(&item, "sk").unwrap_or_default().to_owned(),
            };
            let record = StreamRecord {
                seq: self.seq.fetch_add(1, Ordering::Relaxed),
                kind: StreamRecordKind::Insert,
                keys,
                new_image: Some(item),
                created_at_ms: now_ms(),
                size_bytes: 0,
            };
            let messages = local::pipe::route(&record, &self.routing)
                .map_err(|error| format!("cannot route an event item: {error}"))?;
            pending.extend(
                messages
                    .into_iter()
                    .map(|message| (message.queue, message.body, 0)),
            );
        }
        Ok(())
    }

    async fn order_status(&self, order_id: &str) -> Result<String, Failure> {
        let response = self
            .list_orders
            .handle(ApiRequest::with_body(format!(
                r#"{{"orderId":"{order_id}"}}"#
            )))
            .await;
        let body: serde_json::Value = serde_json::from_str(&response.body)?;
        Ok(body
            .pointer("/orders/0/orderStatus")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("(no order)")
            .to_owned())
    }
}

fn charge(
    costs: &mut BTreeMap<&'static str, SliceCost>,
    slice: &'static str,
    before: &Reading,
    after: &Reading,
    retries: u64,
) {
    let cost = costs.entry(slice).or_default();
    cost.calls += 1;
    cost.retries += retries;
    cost.reading.accumulate(&(after - before));
}

fn now_ms() -> u64 {
    epoch_millis(SystemTime::now())
}

/// A scenario's total cost per slice, and the per-order totals seen (to check they agree).
#[derive(Default)]
struct ScenarioCost {
    slices: BTreeMap<&'static str, SliceCost>,
    per_order: Vec<Reading>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Failure> {
    let orders = orders_argument()?;
    let endpoint = std::env::var(ENDPOINT_VAR)
        .map_err(|_| format!("{ENDPOINT_VAR} is not set; run scripts/bench-dynamodb"))?;
    let shop = Shop::new(&endpoint).await?;
    let started = Instant::now();

    let mut restock = BTreeMap::new();
    shop.run(
        inventory::restock_sku_api::SLICE.path,
        inventory::restock_sku_api::SLICE.name,
        r#"{"sku":"COUNTSKU-STOCKED","units":1000000,"lotId":"LOT-COUNT"}"#.to_owned(),
        &mut restock,
    )
    .await?;
    shop.run(
        inventory::restock_sku_api::SLICE.path,
        inventory::restock_sku_api::SLICE.name,
        r#"{"sku":"COUNTSKU-EMPTY","units":1,"lotId":"LOT-COUNT"}"#.to_owned(),
        &mut restock,
    )
    .await?;

    let mut results = Vec::new();
    for (number, scenario) in SCENARIOS.iter().enumerate() {
        let mut cost = ScenarioCost::default();
        for i in 0..orders {
            let order_id = format!("COUNT{number}{i:06}");
            let body = format!(
                r#"{{"orderId":"{order_id}","sku":"{}","units":{},"price":{},"userId":"COUNTUSER"}}"#,
                scenario.sku, scenario.units, scenario.price
            );
            let before = shop.meter.reading();
            shop.run(
                orders::place_order_api::SLICE.path,
                orders::place_order_api::SLICE.name,
                body,
                &mut cost.slices,
            )
            .await?;
            cost.per_order.push(&shop.meter.reading() - &before);
            let status = shop.order_status(&order_id).await?;
            if status != scenario.expected_status {
                return Err(format!(
                    "order {order_id} ({}) ended {status}, expected {}",
                    scenario.name, scenario.expected_status
                )
                .into());
            }
        }
        results.push((scenario, cost));
    }

    println!(
        "DynamoDB requests and capacity units per order on the Lambda code path (DynamoDB Local at {endpoint}; {orders} orders of each kind, {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    print_costs("restock (per restockSku call)", &restock, 2);
    let mut disagreements = Vec::new();
    for (scenario, cost) in &results {
        print_costs(&format!("{} order", scenario.name), &cost.slices, orders);
        if cost.per_order.windows(2).any(|pair| pair[0] != pair[1]) {
            disagreements.push(scenario.name);
        }
    }
    println!(
        "\nRCU/WCU: the units DynamoDB Local reports (ReturnConsumedCapacity=INDEXES), table + index.\n\
         Billed on AWS: the same, except that a transaction's table writes count twice (DynamoDB Local\n\
         reports them once) and a refused request (a failed condition) reports no units although AWS\n\
         bills a failed conditional write at least 1 WCU."
    );
    if disagreements.is_empty() {
        Ok(())
    } else {
        Err(format!("orders of one kind cost different amounts: {disagreements:?}").into())
    }
}

fn orders_argument() -> Result<u64, Failure> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next()) {
        (None, _) => Ok(10),
        (Some("--orders"), Some(count)) => Ok(count.parse::<u64>()?.max(1)),
        _ => Err("usage: requests_per_order [--orders N]".into()),
    }
}

/// One line per slice, then the total, each divided by `per` (the number of orders).
fn print_costs(title: &str, slices: &BTreeMap<&'static str, SliceCost>, per: u64) {
    let per = per as f64;
    println!("\n{title}");
    println!(
        "  {:<38} {:>6} {:>5} {:>5} {:>5} {:>5} {:>5} {:>7} {:>6} {:>9} {:>9}",
        "slice", "calls", "Get", "Put", "Upd", "Txn", "Query", "failed", "retry", "RCU", "WCU"
    );
    let mut total = SliceCost::default();
    let line = |name: &str, cost: &SliceCost| {
        let count = |operation| cost.reading.operation(operation).requests as f64 / per;
        let usage = cost.reading.total();
        println!(
            "  {:<38} {:>6.2} {:>5.2} {:>5.2} {:>5.2} {:>5.2} {:>5.2} {:>7.2} {:>6.2} {:>4.1}+{:<4.1} {:>4.1}+{:<4.1}",
            name,
            cost.calls as f64 / per,
            count(Operation::GetItem),
            count(Operation::PutItem),
            count(Operation::UpdateItem),
            count(Operation::TransactWriteItems),
            count(Operation::Query),
            usage.failed as f64 / per,
            cost.retries as f64 / per,
            usage.table_read_units / per,
            usage.index_read_units / per,
            usage.table_write_units / per,
            usage.index_write_units / per,
        );
    };
    for (name, cost) in slices {
        line(name, cost);
        total.calls += cost.calls;
        total.retries += cost.retries;
        total.reading.accumulate(&cost.reading);
    }
    line("total", &total);
    let usage = total.reading.total();
    let transactional = total
        .reading
        .operation(Operation::TransactWriteItems)
        .table_write_units;
    println!(
        "  = {:.2} DynamoDB requests; billed on AWS: {:.1} RCU, {:.1} + {:.1} WCU (table + index)",
        usage.requests as f64 / per,
        usage.read_units() / per,
        (usage.table_write_units + transactional) / per,
        usage.index_write_units / per,
    );
}
