//! Load benchmark of the embedded engine (run through `scripts/bench-local`).
//!
//! One run starts the given `ecomm` binary on a free port with a fresh data directory, restocks,
//! then places `--orders` orders from `--concurrency` client threads — as fast as they are
//! answered, or at `--rate` orders a second — while the engine completes them. It reports:
//! * placeOrder throughput and latency percentiles;
//! * orders completed end to end per second (first placement to the last order terminal);
//! * place → terminal latency per order (its ORDER_PLACED_EVENT's `createdAt` to the order's
//!   last `updatedAt`, read from the data directory once the run is over);
//! * the CPU the engine and this load generator used, peak RSS and bytes per order;
//! * the machine's limit for the engine's own work, measured in the same invocation: the SQLite
//!   row writes one order caused in this run (counted from the data directory), replayed on one
//!   thread in transactions of about 100 writes, without HTTP, JSON or workers — and every
//!   figure beside it as a share.
//!
//! `--scale` runs 5,000, 50,000 and 200,000 orders and prints one line per size.
//! Prints measured figures only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Rates and sizes are printed rounded: floating-point figures are what a benchmark reports.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use std::collections::HashMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

use local::config::StoreArgs;
use rusqlite::{Connection, OpenFlags, params};

const SKUS: [&str; 4] = ["BENCHAPPLE", "BENCHGRAPE", "BENCHPEARS", "BENCHMELON"];
const TERMINAL: [&str; 3] = [
    "ORDER_PAYMENT_ACCEPTED_STATUS",
    "ORDER_PAYMENT_REJECTED_STATUS",
    "ORDER_STOCK_DEPLETED_STATUS",
];

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
}

fn flag(name: &str) -> bool {
    std::env::args().any(|a| a == name)
}

/// What every run of this invocation shares.
struct Settings {
    ecomm_bin: String,
    concurrency: usize,
    rate: f64,
    payment_mode: String,
    worker_concurrency: String,
    stream_retention: String,
    housekeeping_interval: String,
    hold_after: u64,
}

/// What one run measured.
struct Run {
    orders: usize,
    api_elapsed: Duration,
    api_latencies: Vec<Duration>,
    completed_elapsed: Duration,
    terminal: usize,
    order_latencies: Vec<Duration>,
    engine_cpu: Duration,
    generator_cpu: Duration,
    peak_rss_kib: Option<u64>,
    drained_bytes: u64,
    held_bytes: u64,
    shutdown_bytes: u64,
    /// Item writes (one stream record each) and queue deliveries per order, counted.
    item_writes_per_order: f64,
    deliveries_per_order: f64,
}

impl Run {
    /// SQLite row writes per order: each item write is an item row and a stream row; each
    /// delivery is a message inserted, received (updated) and deleted.
    fn row_writes_per_order(&self) -> f64 {
        self.item_writes_per_order * 2.0 + self.deliveries_per_order * 3.0
    }

    fn orders_per_second(&self) -> f64 {
        self.terminal as f64 / self.completed_elapsed.as_secs_f64()
    }
}

fn main() {
    let settings = Settings {
        ecomm_bin: arg("--ecomm-bin", "target/release/ecomm"),
        concurrency: arg("--concurrency", "32").parse().unwrap(),
        rate: arg("--rate", "0").parse().unwrap(),
        payment_mode: arg("--payment-mode", "always-accept"),
        worker_concurrency: arg("--worker-concurrency", "2"),
        // Bounded growth: how long stream records are kept, how often expired data is deleted,
        // and how long to keep the engine running after the pipeline drained before measuring
        // the data directory (to let the retention pass).
        stream_retention: arg("--stream-retention", "24h"),
        housekeeping_interval: arg("--housekeeping-interval", "1min"),
        hold_after: arg("--hold-after", "0").parse().unwrap(),
    };
    let pace = if settings.rate > 0.0 {
        format!("{:.0} orders/s offered", settings.rate)
    } else {
        "as fast as answered".to_owned()
    };
    println!(
        "ecomm embedded engine load benchmark ({} client threads, {pace}, payment mode {}, \
         worker concurrency {}, {} cores)",
        settings.concurrency,
        settings.payment_mode,
        settings.worker_concurrency,
        std::thread::available_parallelism().map_or(0, usize::from)
    );
    if flag("--scale") {
        println!(
            "  {:>8}  {:>9}  {:>9}  {:>9}  {:>9}  {:>8}  {:>9}",
            "orders", "placed/s", "done/s", "p50 ms", "p99 ms", "RSS MiB", "B/order"
        );
        for orders in [5_000, 50_000, 200_000] {
            let run = run(&settings, orders);
            println!(
                "  {:>8}  {:>9.0}  {:>9.0}  {:>9.1}  {:>9.1}  {:>8.1}  {:>9.0}",
                orders,
                orders as f64 / run.api_elapsed.as_secs_f64(),
                run.orders_per_second(),
                millis(percentile(&run.order_latencies, 0.50)),
                millis(percentile(&run.order_latencies, 0.99)),
                run.peak_rss_kib.unwrap_or(0) as f64 / 1024.0,
                run.drained_bytes as f64 / orders as f64,
            );
            assert_eq!(
                run.terminal, orders,
                "every order reached a terminal status"
            );
        }
        return;
    }
    let orders: usize = arg("--orders", "5000").parse().unwrap();
    let run = run(&settings, orders);
    report(&settings, &run);
    assert_eq!(
        run.terminal, orders,
        "every order reached a terminal status"
    );
}

fn report(settings: &Settings, run: &Run) {
    let orders = run.orders;
    let mut api = run.api_latencies.clone();
    api.sort();
    println!(
        "  placeOrder API     : {:>8.0} requests/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>6.2} ms",
        orders as f64 / run.api_elapsed.as_secs_f64(),
        millis(percentile(&api, 0.50)),
        millis(percentile(&api, 0.99)),
        millis(*api.last().unwrap()),
    );
    println!(
        "  orders terminal    : {}/{orders} after {:.2} s  => {:>6.0} orders/s end to end",
        run.terminal,
        run.completed_elapsed.as_secs_f64(),
        run.orders_per_second(),
    );
    println!(
        "  place -> terminal  : p50 {:>7.1} ms   p99 {:>7.1} ms   max {:>7.1} ms",
        millis(percentile(&run.order_latencies, 0.50)),
        millis(percentile(&run.order_latencies, 0.99)),
        millis(*run.order_latencies.last().unwrap()),
    );
    let busy = |cpu: Duration| cpu.as_secs_f64() / run.completed_elapsed.as_secs_f64();
    println!(
        "  CPU                : engine {:.1} s ({:.2} cores), load generator {:.1} s ({:.2} cores)",
        run.engine_cpu.as_secs_f64(),
        busy(run.engine_cpu),
        run.generator_cpu.as_secs_f64(),
        busy(run.generator_cpu),
    );
    match run.peak_rss_kib {
        Some(kib) => println!("  engine peak RSS    : {:.1} MiB", kib as f64 / 1024.0),
        None => println!("  engine peak RSS    : unavailable (no /proc)"),
    }
    let mib = |bytes: u64| bytes as f64 / 1024.0 / 1024.0;
    let per_order = |bytes: u64| bytes as f64 / orders as f64;
    println!(
        "  data directory     : {:.1} MiB ({:.0} B/order) when drained, {:.1} MiB ({:.0} B/order) {} s later, {:.1} MiB ({:.0} B/order) after shutdown (stream retention {}, housekeeping every {})",
        mib(run.drained_bytes),
        per_order(run.drained_bytes),
        mib(run.held_bytes),
        per_order(run.held_bytes),
        settings.hold_after,
        mib(run.shutdown_bytes),
        per_order(run.shutdown_bytes),
        settings.stream_retention,
        settings.housekeeping_interval,
    );
    let writes = run.row_writes_per_order();
    println!(
        "  work per order     : {:.1} item writes (+ a stream record each), {:.1} queue deliveries => {writes:.1} SQLite row writes",
        run.item_writes_per_order, run.deliveries_per_order,
    );
    let limit = raw_row_writes_per_second(run, Duration::from_secs(3));
    let engine = run.orders_per_second() * writes;
    println!(
        "  machine limit      : {limit:>8.0} row writes/s on one thread, ~100 per transaction = {:.0} orders/s",
        limit / writes
    );
    println!(
        "  engine vs limit    : {engine:>8.0} row writes/s = {:.1} % of the limit",
        engine / limit * 100.0
    );
}

fn run(settings: &Settings, orders: usize) -> Run {
    let data = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let mut engine = Engine(start_ecomm(settings, port, data.path()));
    let child = &mut engine.0;
    let agent = agent();
    let started = Instant::now();
    while !answers(&agent, &format!("{base}/inventory/listSkus")) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "ecomm did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    for sku in SKUS {
        let body = format!(r#"{{"sku":"{sku}","units":1000000000,"lotId":"LOT-BENCH"}}"#);
        assert_eq!(
            post(&agent, &format!("{base}/inventory/restockSku"), &body).0,
            202
        );
    }
    let database = data.path().join(StoreArgs::FILE_NAME);
    wait_until_drained(&database);

    let engine_cpu_before = cpu_time(&format!("/proc/{}/stat", child.id()));
    let generator_cpu_before = cpu_time("/proc/self/stat");
    let load_started = Instant::now();
    let api_latencies = place_orders(settings, &base, orders, load_started);
    let api_elapsed = load_started.elapsed();
    wait_until_drained(&database);
    let drained_at = load_started.elapsed();
    let engine_cpu = cpu_time(&format!("/proc/{}/stat", child.id())) - engine_cpu_before;
    let generator_cpu = cpu_time("/proc/self/stat") - generator_cpu_before;

    let drained_bytes = dir_size(data.path());
    std::thread::sleep(Duration::from_secs(settings.hold_after));
    let held_bytes = dir_size(data.path());
    let peak_rss_kib = peak_rss_kib(child.id());
    stop(child);
    let shutdown_bytes = dir_size(data.path());

    let outcome = read_outcome(&database, orders);
    // The last order became terminal at the latest when the pipeline drained; the stored
    // timestamps say exactly when.
    let completed_elapsed = outcome
        .last_terminal
        .and_then(|last| last.duration_since(outcome.first_placed?).ok())
        .unwrap_or(drained_at);
    Run {
        orders,
        api_elapsed,
        api_latencies,
        completed_elapsed,
        terminal: outcome.terminal,
        order_latencies: outcome.latencies,
        engine_cpu,
        generator_cpu,
        peak_rss_kib,
        drained_bytes,
        held_bytes,
        shutdown_bytes,
        item_writes_per_order: outcome.item_writes as f64 / orders as f64,
        deliveries_per_order: outcome.deliveries as f64 / orders as f64,
    }
}

fn start_ecomm(settings: &Settings, port: u16, data: &Path) -> Child {
    Command::new(&settings.ecomm_bin)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .args(["--payment-mode", &settings.payment_mode])
        .args(["--visibility-timeout-ms", "1000", "--payment-seed", "1"])
        .args(["--worker-concurrency", &settings.worker_concurrency])
        .args(["--stream-retention", &settings.stream_retention])
        .args(["--housekeeping-interval", &settings.housekeeping_interval])
        .arg("--data-dir")
        .arg(data)
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("ecomm starts")
}

/// The engine under test; stopped with the benchmark, even when a measurement panics.
struct Engine(Child);

impl Drop for Engine {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// Places `orders` orders from the client threads; open loop at `settings.rate` when it is set
/// (order `i` is sent at `i / rate` seconds, late or not), closed loop otherwise.
fn place_orders(settings: &Settings, base: &str, orders: usize, started: Instant) -> Vec<Duration> {
    let next = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..settings.concurrency)
        .map(|_| {
            let next = Arc::clone(&next);
            let url = format!("{base}/orders/placeOrder");
            let rate = settings.rate;
            std::thread::spawn(move || {
                let agent = agent();
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= orders {
                        return latencies;
                    }
                    if rate > 0.0 {
                        let due = started + Duration::from_secs_f64(i as f64 / rate);
                        std::thread::sleep(due.saturating_duration_since(Instant::now()));
                    }
                    let body = format!(
                        r#"{{"orderId":"BENCH{i:08}","sku":"{}","units":1,"price":19.99,"userId":"BENCHUSER"}}"#,
                        SKUS[i % SKUS.len()]
                    );
                    let sent = Instant::now();
                    let (status, _) = post(&agent, &url, &body);
                    latencies.push(sent.elapsed());
                    assert_eq!(status, 202);
                }
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|thread| thread.join().unwrap())
        .collect()
}

fn read_only(database: &Path) -> Connection {
    let connection = Connection::open_with_flags(
        database,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .unwrap();
    connection.busy_timeout(Duration::from_secs(5)).unwrap();
    connection
}

/// Waits until the pipe has forwarded every stream record and every queue is empty, twice in a
/// row (the pipe forwards in the same transaction that advances its checkpoint, so nothing
/// hides between the two).
fn wait_until_drained(database: &Path) {
    let deadline = Instant::now() + Duration::from_secs(3600);
    let connection = read_only(database);
    let mut drained_in_a_row = 0;
    while drained_in_a_row < 2 {
        assert!(Instant::now() < deadline, "the pipeline did not drain");
        std::thread::sleep(Duration::from_millis(100));
        let pending: i64 = connection
            .query_row(
                "SELECT (SELECT count(*) FROM messages)
                      + (SELECT coalesce(max(seq), 0) FROM stream)
                      - (SELECT coalesce(max(seq), 0) FROM checkpoints WHERE name = 'pipe')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        drained_in_a_row = if pending == 0 {
            drained_in_a_row + 1
        } else {
            0
        };
    }
}

/// What the data directory says about the run's orders.
struct Outcome {
    terminal: usize,
    latencies: Vec<Duration>,
    first_placed: Option<SystemTime>,
    last_terminal: Option<SystemTime>,
    item_writes: u64,
    deliveries: u64,
}

fn read_outcome(database: &Path, orders: usize) -> Outcome {
    let connection = read_only(database);
    let mut placed: HashMap<String, SystemTime> = HashMap::with_capacity(orders);
    let mut statement = connection
        .prepare(
            "SELECT pk, json_extract(item, '$.createdAt.S') FROM items
             WHERE pk LIKE 'EVENTS#ORDER_ID#BENCH%' AND sk = 'EVENT#ORDER_PLACED_EVENT'",
        )
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .unwrap();
    for row in rows {
        let (pk, created_at) = row.unwrap();
        let order_id = pk.trim_start_matches("EVENTS#ORDER_ID#").to_owned();
        placed.insert(order_id, instant(&created_at));
    }
    let mut statement = connection
        .prepare(
            "SELECT json_extract(item, '$.orderId.S'), json_extract(item, '$.orderStatus.S'),
                    json_extract(item, '$.updatedAt.S')
             FROM items WHERE gsi1pk = 'ORDERS#ORDER'",
        )
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })
        .unwrap();
    let mut latencies = Vec::with_capacity(orders);
    let mut last_terminal = None;
    for row in rows {
        let (order_id, status, updated_at) = row.unwrap();
        let (Some(placed_at), true) = (placed.get(&order_id), TERMINAL.contains(&status.as_str()))
        else {
            continue;
        };
        let terminal_at = instant(&updated_at);
        latencies.push(terminal_at.duration_since(*placed_at).unwrap_or_default());
        last_terminal = last_terminal.max(Some(terminal_at));
    }
    latencies.sort();
    let count = |sql: &str| -> u64 {
        connection
            .query_row(sql, [], |row| row.get::<_, i64>(0))
            .unwrap()
            .try_into()
            .unwrap()
    };
    // Every item write appends one stream record; message ids count every message ever sent.
    // The restocks' writes and deliveries are left out.
    let restock_writes = (SKUS.len() * 3) as u64;
    let restock_deliveries = SKUS.len() as u64;
    Outcome {
        terminal: latencies.len(),
        first_placed: placed.values().min().copied(),
        last_terminal,
        latencies,
        item_writes: count("SELECT count(*) FROM stream").saturating_sub(restock_writes),
        deliveries: count(
            "SELECT coalesce(max(seq), 0) FROM sqlite_sequence WHERE name = 'messages'",
        )
        .saturating_sub(restock_deliveries),
    }
}

/// An ISO-8601 instant as the engine writes it (`toISOString()`).
fn instant(iso: &str) -> SystemTime {
    humantime::parse_rfc3339(iso).unwrap()
}

/// The machine's limit for the engine's own work: the row writes of `run`'s orders (item and
/// stream rows of the same size, messages inserted, received and deleted) on the store's own
/// layout, from one thread, about 100 writes to a transaction, durability `normal`.
fn raw_row_writes_per_second(run: &Run, duration: Duration) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join(StoreArgs::FILE_NAME);
    // The store creates its layout; then this connection writes to it directly.
    drop(
        store_sqlite::SqliteStore::open(&database, store_sqlite::StoreOptions::default()).unwrap(),
    );
    let mut connection = Connection::open(&database).unwrap();
    connection
        .pragma_update(None, "synchronous", "NORMAL")
        .unwrap();
    let item_writes = run.item_writes_per_order.round() as usize;
    let deliveries = run.deliveries_per_order.round() as usize;
    let writes_per_order = item_writes * 2 + deliveries * 3;
    let orders_per_transaction = (100 / writes_per_order).max(1);
    let item = format!(
        r#"{{"pk":{{"S":"ORDERS#ORDER_ID#X"}},"pad":{{"S":"{}"}}}}"#,
        "x".repeat(300)
    );
    let body = "b".repeat(1200);
    let started = Instant::now();
    let mut writes = 0_u64;
    let mut order = 0_u64;
    while started.elapsed() < duration {
        let transaction = connection.transaction().unwrap();
        for _ in 0..orders_per_transaction {
            order += 1;
            for write in 0..item_writes {
                let pk = format!("ORDERS#ORDER_ID#RAW{order:09}");
                let sk = format!("W{write}");
                transaction
                    .prepare_cached(
                        "INSERT INTO items (pk, sk, gsi1pk, gsi1sk, item) VALUES (?1, ?2, 'RAW', ?3, ?4)
                         ON CONFLICT (pk, sk) DO UPDATE SET item = excluded.item",
                    )
                    .unwrap()
                    .execute(params![pk, sk, format!("CREATED_AT#{order:09}"), item])
                    .unwrap();
                transaction
                    .prepare_cached(
                        "INSERT INTO stream (kind, pk, sk, new_image, created_at_ms, size_bytes)
                         VALUES ('INSERT', ?1, ?2, ?3, 0, ?4)",
                    )
                    .unwrap()
                    .execute(params![pk, sk, item, item.len() as i64])
                    .unwrap();
            }
            for delivery in 0..deliveries {
                let queue = format!("Queue{delivery}");
                transaction
                    .prepare_cached(
                        "INSERT INTO messages (queue, message_id, body, sent_at_ms, visible_at_ms)
                         VALUES (?1, ?2, ?3, 0, 0)",
                    )
                    .unwrap()
                    .execute(params![queue, format!("{order}-{delivery}"), body])
                    .unwrap();
                let id = transaction.last_insert_rowid();
                let handle = format!("H{id}");
                transaction
                    .prepare_cached(
                        "UPDATE messages SET visible_at_ms = 1, receive_count = receive_count + 1,
                             receipt_handle = ?2, first_received_at_ms = 0 WHERE id = ?1",
                    )
                    .unwrap()
                    .execute(params![id, handle])
                    .unwrap();
                transaction
                    .prepare_cached("DELETE FROM messages WHERE queue = ?1 AND receipt_handle = ?2")
                    .unwrap()
                    .execute(params![queue, handle])
                    .unwrap();
            }
            writes += writes_per_order as u64;
        }
        transaction.commit().unwrap();
    }
    writes as f64 / started.elapsed().as_secs_f64()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// Whether the engine answers the list API yet.
fn answers(agent: &ureq::Agent, url: &str) -> bool {
    agent
        .post(url)
        .header("content-type", "application/json")
        .send("{}")
        .is_ok_and(|response| response.status().as_u16() == 200)
}

fn post(agent: &ureq::Agent, url: &str, body: &str) -> (u16, String) {
    let mut response = agent
        .post(url)
        .header("content-type", "application/json")
        .send(body)
        .unwrap();
    let status = response.status().as_u16();
    (
        status,
        response.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// User plus system CPU time of a process, from its `/proc/<pid>/stat`.
fn cpu_time(stat_path: &str) -> Duration {
    let stat = std::fs::read_to_string(stat_path).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start at field 3.
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks =
        |index: usize| -> u64 { fields.get(index).and_then(|f| f.parse().ok()).unwrap_or(0) };
    // utime and stime are fields 14 and 15; `after_name` starts at field 3.
    Duration::from_secs_f64((ticks(11) + ticks(12)) as f64 / clock_ticks_per_second())
}

/// `getconf CLK_TCK`, asked once.
fn clock_ticks_per_second() -> f64 {
    static TICKS: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *TICKS.get_or_init(|| {
        Command::new("getconf")
            .arg("CLK_TCK")
            .output()
            .ok()
            .and_then(|output| String::from_utf8(output.stdout).ok()?.trim().parse().ok())
            .unwrap_or(100.0)
    })
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Bytes of every file in the data directory (the SQLite file, its WAL and shared memory).
fn dir_size(path: &Path) -> u64 {
    std::fs::read_dir(path)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
