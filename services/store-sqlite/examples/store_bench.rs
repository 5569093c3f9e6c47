//! Conditional puts per second through the group-committing writer (not run by the tests).
//!
//! `cargo run --release -p store-sqlite --example store_bench -- [concurrency] [total] [full]`
//! (defaults: 64 concurrent writers, 20000 puts, `Durability::Normal`).
// Rates are printed rounded: floating-point figures are what a benchmark reports.
#![allow(clippy::cast_precision_loss)]

use std::error::Error;
use std::time::Instant;

use kernel::table::{AttributeValue, Condition, Put, Table, TableError, item, n, s};
use store_sqlite::{Durability, SqliteStore, StoreOptions};
use tokio::task::JoinSet;

/// An order event item of realistic shape and size.
fn event(index: usize) -> Put {
    let order_id = format!("order-{index:08}");
    let data = AttributeValue::M(
        [
            ("orderId".to_owned(), s(order_id.clone())),
            ("sku".to_owned(), s("SKU-BENCH-0001")),
            ("units".to_owned(), n(2)),
            ("price".to_owned(), n("33.25")),
            ("userId".to_owned(), s("user-bench")),
        ]
        .into(),
    );
    Put::new(item([
        ("pk", s(format!("EVENTS#ORDER_ID#{order_id}"))),
        ("sk", s("EVENT#ORDER_PLACED_EVENT")),
        ("eventName", s("ORDER_PLACED_EVENT")),
        ("eventData", data),
        ("createdAt", s("2025-06-19T00:27:33.368Z")),
        ("updatedAt", s("2025-06-19T00:27:33.368Z")),
        ("_tn", s("EVENTS#EVENT")),
        ("_sn", s("EVENTS")),
        ("gsi1pk", s("EVENTS#EVENT")),
        (
            "gsi1sk",
            s(format!("CREATED_AT#2025-06-19T00:27:33.368Z#{index:08}")),
        ),
    ]))
    .with_condition(Condition::item_not_exists())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let mut args = std::env::args().skip(1);
    let concurrency: usize = args
        .next()
        .map(|arg| arg.parse())
        .transpose()?
        .unwrap_or(64);
    let total: usize = args
        .next()
        .map(|arg| arg.parse())
        .transpose()?
        .unwrap_or(20_000);
    let durability = match args.next().as_deref() {
        Some("full") => Durability::Full,
        _ => Durability::Normal,
    };
    let dir = tempfile::tempdir()?;
    let store = SqliteStore::open(
        &dir.path().join("bench.sqlite"),
        StoreOptions {
            durability,
            read_connections: 4,
        },
    )?;

    let started = Instant::now();
    let mut writers = JoinSet::new();
    for writer in 0..concurrency.max(1) {
        let store = store.clone();
        writers.spawn(async move {
            let mut index = writer;
            while index < total {
                store.put(event(index)).await?;
                index += concurrency.max(1);
            }
            Ok::<(), TableError>(())
        });
    }
    while let Some(finished) = writers.join_next().await {
        finished??;
    }
    let elapsed = started.elapsed();
    let records = store.stream_notifier().borrow().to_owned();
    println!(
        "{total} conditional puts, {concurrency} concurrent writers, {durability:?}: \
         {:.2} s, {:.0} puts/s ({records} stream records)",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
