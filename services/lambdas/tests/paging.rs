//! Paging through 2,500 orders with listOrders' `nextToken` returns every order once, in the
//! order of the index, on both engines: the SQLite store here, and DynamoDB Local with
//!
//! ```sh
//! scripts/dynamodb-local with cargo test -p lambdas --features dynamodb-local --test paging
//! ```
//!
//! The orders are written straight to the table as SyncOrder's view items, most of them sharing
//! a `createdAt` with others, which is what makes paging by `gsi1sk` alone skip or repeat items.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail the test by panicking"
)]

use std::collections::HashSet;
use std::sync::Arc;

use contracts::OrderId;
use futures_util::{StreamExt, TryStreamExt};
use kernel::http::{ApiHandler, ApiRequest};
use kernel::table::{PageTokens, Put, Table, item, n, s};
use orders::order::{ORDER_TYPE_NAME, order_gsi1sk, order_key};
use serde_json::{Value, json};

const ORDERS: usize = 2_500;

/// Ten distinct creation times: 250 orders share each.
fn created_at(index: usize) -> String {
    format!("2026-01-01T00:00:0{}.000Z", index % 10)
}

async fn write_orders(table: &Arc<dyn Table>) {
    futures_util::stream::iter(0..ORDERS)
        .map(|index| {
            let table = table.clone();
            async move {
                let order_id = OrderId::parse(&format!("ORDER-{index:05}")).unwrap();
                let key = order_key(&order_id);
                let created = created_at(index);
                table
                    .put(Put::new(item([
                        ("pk", s(key.pk)),
                        ("sk", s(key.sk)),
                        ("orderId", s(order_id.as_str())),
                        ("orderStatus", s("ORDER_CREATED_STATUS")),
                        ("units", n(1)),
                        ("price", n(1)),
                        ("createdAt", s(created.clone())),
                        ("_tn", s(ORDER_TYPE_NAME)),
                        ("gsi1pk", s(ORDER_TYPE_NAME)),
                        ("gsi1sk", s(order_gsi1sk(&created))),
                    ])))
                    .await
            }
        })
        .buffer_unordered(16)
        .try_collect::<Vec<()>>()
        .await
        .unwrap();
}

async fn list(api: &impl ApiHandler, body: Value) -> (u16, Value) {
    let response = api
        .handle(ApiRequest {
            body: Some(body.to_string()),
        })
        .await;
    (
        response.status,
        serde_json::from_str(&response.body).unwrap(),
    )
}

/// Every page of listOrders with `limit` in `direction`: the order ids in the order read.
async fn page_through(api: &impl ApiHandler, direction: &str, limit: usize) -> Vec<String> {
    let mut ids = Vec::new();
    let mut next_token: Option<String> = None;
    for _ in 0..=ORDERS {
        let mut body = json!({ "sortDirection": direction, "limit": limit });
        if let Some(token) = &next_token {
            body["nextToken"] = json!(token);
        }
        let (status, page) = list(api, body).await;
        assert_eq!(status, 200, "{page}");
        let orders = page["orders"].as_array().unwrap();
        assert!(orders.len() <= limit);
        ids.extend(
            orders
                .iter()
                .map(|order| order["orderId"].as_str().unwrap().to_owned()),
        );
        match page.get("nextToken") {
            Some(token) => next_token = Some(token.as_str().unwrap().to_owned()),
            None => return ids,
        }
    }
    panic!("paging {direction} by {limit} did not end");
}

/// The creation time of an order id written by [`write_orders`].
fn created_at_of(id: &str) -> String {
    created_at(id["ORDER-".len()..].parse().unwrap())
}

async fn pages_every_order_once(table: Arc<dyn Table>) {
    write_orders(&table).await;
    let api = orders::list_orders_api::controller(table.clone(), PageTokens::new(b"paging"));
    for direction in ["asc", "desc"] {
        let mut first: Option<Vec<String>> = None;
        for limit in [1000, 97, 333] {
            let ids = page_through(&api, direction, limit).await;
            let distinct: HashSet<&String> = ids.iter().collect();
            assert_eq!(distinct.len(), ids.len(), "{direction} by {limit}: repeats");
            assert_eq!(ids.len(), ORDERS, "{direction} by {limit}: missing orders");
            // By creation time; orders created at the same time come in the index's own order
            // (DynamoDB's is not the key order), the same whatever the page size.
            let times: Vec<String> = ids.iter().map(|id| created_at_of(id)).collect();
            let ordered = times.windows(2).all(|pair| match direction {
                "asc" => pair[0] <= pair[1],
                _ => pair[0] >= pair[1],
            });
            assert!(ordered, "{direction} by {limit}: not by createdAt");
            match &first {
                None => first = Some(ids),
                Some(first) => assert!(
                    *first == ids,
                    "{direction}: pages of {limit} read another order than pages of 1000"
                ),
            }
        }
    }

    // A token is good for its list and direction only, and cannot be altered.
    let (_, first) = list(&api, json!({ "limit": 10 })).await;
    let token = first["nextToken"].as_str().unwrap().to_owned();
    let mut altered = token.clone().into_bytes();
    altered[5] = if altered[5] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap();
    for body in [
        json!({ "nextToken": altered }),
        json!({ "nextToken": token, "sortDirection": "desc" }),
        json!({ "nextToken": token, "orderId": "ORDER-00001" }),
        json!({ "nextToken": "" }),
        json!({ "nextToken": null }),
        json!({ "nextToken": 7 }),
        json!({ "nextToken": "not a token" }),
    ] {
        assert_eq!(
            list(&api, body.clone()).await,
            (400, json!({ "message": "Bad Request" })),
            "{body}"
        );
    }
    let other_list = inventory::list_skus_api::controller(table, PageTokens::new(b"paging"));
    assert_eq!(
        list(&other_list, json!({ "nextToken": token })).await.0,
        400,
        "a listOrders token is refused by listSkus"
    );
}

#[tokio::test]
async fn paging_returns_every_order_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_sqlite::SqliteStore::open(
        &dir.path().join("paging.db"),
        store_sqlite::StoreOptions::default(),
    )
    .unwrap();
    pages_every_order_once(Arc::new(store)).await;
}

#[cfg(feature = "dynamodb-local")]
#[tokio::test]
async fn paging_returns_every_order_once_on_dynamodb_local() {
    use store_dynamodb::local::{ENDPOINT_VAR, client, create_table};
    let endpoint = std::env::var(ENDPOINT_VAR).unwrap_or_else(|_| {
        panic!("{ENDPOINT_VAR} is not set; run it through scripts/dynamodb-local with")
    });
    let client = client(&endpoint);
    let name = format!("paging-{}", std::process::id());
    create_table(&client, &name).await.unwrap();
    pages_every_order_once(Arc::new(store_dynamodb::DynamoDbTable::new(client, name))).await;
}
