//! Shared helpers of the cases: namespaced keys, outcome expectations, bounded waits for
//! asynchronously propagated reads.

use std::fmt::Debug;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use kernel::table::{
    AttributeValue, CancellationReason, Item, Key, Query, QueryTarget, Table, TableError,
};

/// How long a propagated read (GSI, eventually consistent get) may take to show a write.
const PROPAGATION_ATTEMPTS: u32 = 40;
const PROPAGATION_PAUSE: Duration = Duration::from_millis(250);

/// A key prefix unique to this case in this run, so cases and runs can share one table.
pub fn unique_ns(case: &str) -> String {
    static RUN: OnceLock<String> = OnceLock::new();
    let run = RUN.get_or_init(|| {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        format!("{nanos:x}-{}", std::process::id())
    });
    format!("CONTRACT#{run}#{case}")
}

/// The key of item `name` in its own partition of the namespace.
pub(crate) fn key(ns: &str, name: &str) -> Key {
    Key::new(format!("{ns}#{name}"), format!("ITEM#{name}"))
}

/// An item at `key` with the given attributes.
pub(crate) fn at<const N: usize>(key: &Key, attributes: [(&str, AttributeValue); N]) -> Item {
    let mut item = Item::default();
    item.insert("pk".to_owned(), AttributeValue::S(key.pk.clone()));
    item.insert("sk".to_owned(), AttributeValue::S(key.sk.clone()));
    for (name, value) in attributes {
        item.insert(name.to_owned(), value);
    }
    item
}

pub(crate) fn condition_failed<T: Debug>(result: Result<T, TableError>) -> Option<Item> {
    match result {
        Err(TableError::ConditionalCheckFailed { old_item }) => old_item,
        other => panic!("expected ConditionalCheckFailed, got {other:?}"),
    }
}

pub(crate) fn canceled<T: Debug>(result: Result<T, TableError>) -> Vec<CancellationReason> {
    match result {
        Err(TableError::TransactionCanceled { reasons }) => reasons,
        other => panic!("expected TransactionCanceled, got {other:?}"),
    }
}

pub(crate) fn invalid<T: Debug>(result: Result<T, TableError>) {
    match result {
        Err(TableError::Validation { .. }) => {}
        other => panic!("expected Validation, got {other:?}"),
    }
}

pub(crate) async fn stored(table: &dyn Table, key: &Key) -> Option<Item> {
    table.get(key, true).await.unwrap()
}

/// Gets with an eventually consistent read until the item equals `expected`.
pub(crate) async fn get_eventually(table: &dyn Table, key: &Key, expected: &Item) -> Option<Item> {
    let mut found = None;
    for _ in 0..PROPAGATION_ATTEMPTS {
        found = table.get(key, false).await.unwrap();
        if found.as_ref() == Some(expected) {
            break;
        }
        tokio::time::sleep(PROPAGATION_PAUSE).await;
    }
    found
}

/// Queries the GSI partition (ascending, no limit) until it holds exactly `expected` (by
/// table key, in order), so later queries on it see a settled index.
pub(crate) async fn settled_gsi(table: &dyn Table, gsi1pk: &str, expected: &[&Key]) -> Vec<Key> {
    let mut keys = Vec::new();
    for _ in 0..PROPAGATION_ATTEMPTS {
        keys = keys_of(&query_gsi(table, gsi1pk, true, None).await);
        if keys.iter().eq(expected.iter().copied()) {
            break;
        }
        tokio::time::sleep(PROPAGATION_PAUSE).await;
    }
    keys
}

pub(crate) async fn query_gsi(
    table: &dyn Table,
    gsi1pk: &str,
    forward: bool,
    limit: Option<u32>,
) -> Vec<Item> {
    table
        .query(Query {
            target: QueryTarget::Gsi1 {
                gsi1pk: gsi1pk.to_owned(),
            },
            forward,
            limit,
            consistent: false,
            exclusive_start_key: None,
        })
        .await
        .unwrap()
        .items
}

pub(crate) async fn query_table(
    table: &dyn Table,
    pk: &str,
    sk: Option<&str>,
    forward: bool,
    limit: Option<u32>,
) -> Vec<Item> {
    table
        .query(Query {
            target: QueryTarget::Table {
                pk: pk.to_owned(),
                sk: sk.map(str::to_owned),
            },
            forward,
            limit,
            consistent: true,
            exclusive_start_key: None,
        })
        .await
        .unwrap()
        .items
}

/// Every page of `query` (its limit per page), following each last evaluated key; the pages'
/// keys in order, and whether each page had a last evaluated key.
pub(crate) async fn pages(table: &dyn Table, mut query: Query) -> Vec<(Vec<Key>, bool)> {
    let mut pages = Vec::new();
    loop {
        let page = table.query(query.clone()).await.unwrap();
        pages.push((keys_of(&page.items), page.last_evaluated_key.is_some()));
        match page.last_evaluated_key {
            Some(start) => query.exclusive_start_key = Some(start),
            None => return pages,
        }
        assert!(pages.len() < 100, "paging does not end: {pages:?}");
    }
}

pub(crate) fn keys_of(items: &[Item]) -> Vec<Key> {
    items
        .iter()
        .map(|item| kernel::table::key_of(item).expect("every item has string pk and sk"))
        .collect()
}

/// Whether two plain-notation numbers are the same decimal (`"10"` and `"10.0"` are).
pub(crate) fn same_number(left: &str, right: &str) -> bool {
    fn normal(text: &str) -> (bool, String, String) {
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (integral, fractional) = digits.split_once('.').unwrap_or((digits, ""));
        let integral = integral.trim_start_matches('0').to_owned();
        let fractional = fractional.trim_end_matches('0').to_owned();
        let zero = integral.is_empty() && fractional.is_empty();
        (negative && !zero, integral, fractional)
    }
    normal(left) == normal(right)
}

pub(crate) fn number<'a>(item: &'a Item, name: &str) -> &'a str {
    kernel::table::get_n(item, name)
        .unwrap_or_else(|| panic!("attribute {name} is not a number in {item:?}"))
}
