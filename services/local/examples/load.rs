//! Load benchmark of the embedded engine (run through `scripts/bench-local`).
//!
//! Starts the given `ecomm` binary on a free port with a fresh data directory, restocks, then
//! places `--orders` orders from `--concurrency` client threads and reports: API throughput and
//! latency percentiles, the time until every order is terminal (pipeline throughput), and the
//! engine's peak resident memory. Prints measured figures only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
// Rates and sizes are printed rounded: floating-point figures are what a benchmark reports.
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss
)]

use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_owned())
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
fn dir_size(path: &std::path::Path) -> u64 {
    std::fs::read_dir(path)
        .unwrap()
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() {
    let ecomm_bin = arg("--ecomm-bin", "target/release/ecomm");
    let orders: usize = arg("--orders", "5000").parse().unwrap();
    let concurrency: usize = arg("--concurrency", "32").parse().unwrap();
    let payment_mode = arg("--payment-mode", "always-accept");
    let worker_concurrency = arg("--worker-concurrency", "2");
    // Bounded growth: how long stream records are kept, how often expired data is deleted, and
    // how long to keep the engine running after the pipeline drained before measuring the data
    // directory (to let the retention pass).
    let stream_retention = arg("--stream-retention", "24h");
    let housekeeping_interval = arg("--housekeeping-interval", "1min");
    let hold_after: u64 = arg("--hold-after", "0").parse().unwrap();
    let data = tempfile::tempdir().unwrap();
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}/api/v1");
    let mut child = Command::new(&ecomm_bin)
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--payment-mode",
            &payment_mode,
        ])
        .args(["--visibility-timeout-ms", "1000", "--payment-seed", "1"])
        .args(["--worker-concurrency", &worker_concurrency])
        .args(["--stream-retention", &stream_retention])
        .args(["--housekeeping-interval", &housekeeping_interval])
        .arg("--data-dir")
        .arg(data.path())
        .env("RUST_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("ecomm starts");
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let started = Instant::now();
    while post_ok(&agent, &format!("{base}/inventory/listSkus")).is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "ecomm did not start"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let skus = ["BENCHAPPLE", "BENCHGRAPE", "BENCHPEARS", "BENCHMELON"];
    for sku in skus {
        let body = format!(r#"{{"sku":"{sku}","units":1000000000,"lotId":"LOT-BENCH"}}"#);
        assert_eq!(
            post(&agent, &format!("{base}/inventory/restockSku"), &body).0,
            202
        );
    }

    let next = Arc::new(AtomicUsize::new(0));
    let load_started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|_| {
            let next = Arc::clone(&next);
            let base = base.clone();
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
                let mut latencies = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= orders {
                        return latencies;
                    }
                    let body = format!(
                        r#"{{"orderId":"BENCH{i:08}","sku":"{}","units":1,"price":19.99,"userId":"BENCHUSER"}}"#,
                        skus[i % skus.len()]
                    );
                    let sent = Instant::now();
                    let (status, _) = post(&agent, &format!("{base}/orders/placeOrder"), &body);
                    latencies.push(sent.elapsed());
                    assert_eq!(status, 202);
                }
            })
        })
        .collect();
    let mut latencies: Vec<Duration> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    let api_elapsed = load_started.elapsed();
    latencies.sort();

    // The pipeline has drained when every queue is empty twice in a row (the pipe forwards in
    // the same transaction that advances its checkpoint, so nothing hides between the two).
    let settle_deadline = Instant::now() + Duration::from_secs(900);
    let mut empty_in_a_row = 0;
    while empty_in_a_row < 2 {
        assert!(
            Instant::now() < settle_deadline,
            "the pipeline did not drain"
        );
        std::thread::sleep(Duration::from_millis(100));
        let output = Command::new(&ecomm_bin)
            .arg("queues")
            .arg("--data-dir")
            .arg(data.path())
            .output()
            .unwrap();
        let all_empty = String::from_utf8_lossy(&output.stdout)
            .lines()
            .skip(1)
            .all(|line| line.split_whitespace().skip(1).all(|count| count == "0"));
        empty_in_a_row = if all_empty { empty_in_a_row + 1 } else { 0 };
    }
    let pipeline_elapsed = load_started.elapsed();
    let settled = (0..orders)
        .filter(|i| {
            let (_, body) = post(
                &agent,
                &format!("{base}/orders/listOrders"),
                &format!(r#"{{"orderId":"BENCH{i:08}"}}"#),
            );
            body.contains("ORDER_PAYMENT_ACCEPTED_STATUS")
                || body.contains("ORDER_PAYMENT_REJECTED_STATUS")
                || body.contains("ORDER_STOCK_DEPLETED_STATUS")
        })
        .count();
    let drained_size = dir_size(data.path());
    std::thread::sleep(Duration::from_secs(hold_after));
    let held_size = dir_size(data.path());
    let peak = peak_rss_kib(child.id());
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let db_size = dir_size(data.path());

    println!(
        "ecomm embedded engine load benchmark ({orders} orders, {concurrency} client threads, \
         payment mode {payment_mode}, worker concurrency {worker_concurrency})"
    );
    println!(
        "  placeOrder API     : {:>8.0} requests/s   p50 {:>6.2} ms   p99 {:>6.2} ms   max {:>6.2} ms",
        orders as f64 / api_elapsed.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().unwrap().as_secs_f64() * 1e3
    );
    println!(
        "  orders terminal    : {settled}/{orders} after {:.2} s  => {:>6.0} orders/s end to end (each order = 4 events, ~11 writes, 7 queue deliveries)",
        pipeline_elapsed.as_secs_f64(),
        settled as f64 / pipeline_elapsed.as_secs_f64()
    );
    match peak {
        Some(kib) => println!("  engine peak RSS    : {:.1} MiB", kib as f64 / 1024.0),
        None => println!("  engine peak RSS    : unavailable (no /proc)"),
    }
    let mib = |bytes: u64| bytes as f64 / 1024.0 / 1024.0;
    let per_order = |bytes: u64| bytes as f64 / orders as f64;
    println!(
        "  data directory     : {:.1} MiB ({:.0} B/order) when drained, {:.1} MiB ({:.0} B/order) {hold_after} s later, {:.1} MiB ({:.0} B/order) after shutdown (stream retention {stream_retention}, housekeeping every {housekeeping_interval})",
        mib(drained_size),
        per_order(drained_size),
        mib(held_size),
        per_order(held_size),
        mib(db_size),
        per_order(db_size),
    );
    assert_eq!(settled, orders, "every order reached a terminal status");
}

fn post_ok(agent: &ureq::Agent, url: &str) -> Option<()> {
    let response = agent
        .post(url)
        .header("content-type", "application/json")
        .send("{}")
        .ok()?;
    (response.status().as_u16() == 200).then_some(())
}
