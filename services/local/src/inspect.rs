//! Inspecting and tampering with the store, as the original did in the AWS console.

use std::io::Write;

use kernel::table::{AttributeValue, Item, Key, Query, QueryTarget, Table, get_s};
use store_sqlite::SqliteStore;

use crate::pipe;
use crate::routing::RoutingTable;

/// A failure of an inspection command.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("the store failed")]
    Table(#[from] kernel::table::TableError),
    #[error("the store failed")]
    Store(#[from] store_sqlite::StoreError),
    #[error("could not write the output")]
    Output(#[from] std::io::Error),
    #[error("could not render an item")]
    Render(#[from] serde_json::Error),
    #[error("no queue named {0} (see `ecomm queues`)")]
    UnknownQueue(String),
}

/// An item as plain JSON (`{"S":"x"}` → `"x"`), for people.
pub fn plain_json(item: &Item) -> serde_json::Value {
    fn plain(value: &AttributeValue) -> serde_json::Value {
        use serde_json::Value;
        match value {
            AttributeValue::S(text) => Value::String(text.clone()),
            AttributeValue::N(number) => {
                serde_json::from_str(number).unwrap_or_else(|_| Value::String(number.clone()))
            }
            AttributeValue::Bool(flag) => Value::Bool(*flag),
            AttributeValue::Null(_) => Value::Null,
            AttributeValue::M(map) => {
                let mut entries: Vec<_> = map.iter().collect();
                entries.sort_by(|a, b| a.0.cmp(b.0));
                Value::Object(
                    entries
                        .into_iter()
                        .map(|(k, v)| (k.clone(), plain(v)))
                        .collect(),
                )
            }
            AttributeValue::L(list) => Value::Array(list.iter().map(plain).collect()),
            AttributeValue::Ss(set) => Value::from(set.clone()),
            AttributeValue::Ns(set) => Value::from(set.clone()),
            AttributeValue::B(_) | AttributeValue::Bs(_) => Value::String("<binary>".to_owned()),
        }
    }
    let mut entries: Vec<_> = item.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    serde_json::Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.clone(), plain(v)))
            .collect(),
    )
}

/// `ecomm events ORDER_ID`: the order's events by `createdAt`, then its records.
pub async fn order_events(
    store: &SqliteStore,
    order_id: &str,
    out: &mut impl Write,
) -> Result<(), InspectError> {
    let mut events = store
        .query(Query {
            target: QueryTarget::Table {
                pk: format!("EVENTS#ORDER_ID#{order_id}"),
                sk: None,
            },
            forward: true,
            limit: None,
            consistent: true,
            exclusive_start_key: None,
        })
        .await?
        .items;
    events.sort_by(|a, b| get_s(a, "createdAt").cmp(&get_s(b, "createdAt")));
    writeln!(out, "events of order {order_id} ({}):", events.len())?;
    for event in &events {
        writeln!(
            out,
            "  {}  {}",
            get_s(event, "createdAt").unwrap_or("?"),
            get_s(event, "eventName").unwrap_or("?")
        )?;
    }
    let order = store
        .get(
            &Key::new(
                format!("ORDERS#ORDER_ID#{order_id}"),
                format!("ORDER_ID#{order_id}"),
            ),
            true,
        )
        .await?;
    let payment = store
        .get(
            &Key::new(
                format!("PAYMENTS#ORDER_ID#{order_id}"),
                format!("ORDER_ID#{order_id}#ORDER_PAYMENT"),
            ),
            true,
        )
        .await?;
    for (label, record) in [("order", order), ("payment", payment)] {
        match record {
            Some(item) => writeln!(
                out,
                "{label}: {}",
                serde_json::to_string(&plain_json(&item))?
            )?,
            None => writeln!(out, "{label}: none")?,
        }
    }
    Ok(())
}

/// `ecomm get PK SK`
pub async fn get_item(
    store: &SqliteStore,
    key: &Key,
    out: &mut impl Write,
) -> Result<bool, InspectError> {
    match store.get(key, true).await? {
        Some(item) => {
            writeln!(out, "{}", serde_json::to_string_pretty(&item)?)?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// `ecomm delete PK SK`
pub async fn delete_item(
    store: &SqliteStore,
    key: &Key,
    out: &mut impl Write,
) -> Result<bool, InspectError> {
    match store.delete(key).await? {
        Some(item) => {
            writeln!(
                out,
                "deleted {key}:\n{}",
                serde_json::to_string_pretty(&item)?
            )?;
            Ok(true)
        }
        None => Ok(false),
    }
}

/// `ecomm queues`
pub async fn queues(
    store: &SqliteStore,
    routing: &RoutingTable,
    out: &mut impl Write,
) -> Result<(), InspectError> {
    let stats = store.queue_stats().await?;
    writeln!(out, "{:<50} {:>8} {:>10}", "queue", "visible", "in flight")?;
    let pipe = std::iter::once(pipe::DEAD_LETTER_QUEUE.to_owned());
    let workers = routing
        .workers
        .iter()
        .flat_map(|route| [route.queue(), route.dead_letter_queue()]);
    for name in workers.chain(pipe) {
        {
            let (visible, in_flight) = stats
                .iter()
                .find(|s| s.queue == name)
                .map_or((0, 0), |s| (s.visible, s.in_flight));
            writeln!(out, "{name:<50} {visible:>8} {in_flight:>10}")?;
        }
    }
    Ok(())
}

/// The name `ecomm dlq` takes for the pipe's dead-letter queue.
pub const PIPE: &str = "Pipe";

/// `ecomm dlq Pipe [--redrive]`: stream records the pipe set aside.
async fn pipe_dead_letters(
    store: &SqliteStore,
    routing: &RoutingTable,
    redrive: bool,
    out: &mut impl Write,
) -> Result<(), InspectError> {
    if redrive {
        let redriven = pipe::redrive_dead_letters(store, routing).await?;
        writeln!(out, "routed {} record(s) to their queues", redriven.routed)?;
        for (message_id, reason) in &redriven.kept {
            writeln!(out, "kept {message_id}: {reason}")?;
        }
        return Ok(());
    }
    for message in store.list_messages(pipe::DEAD_LETTER_QUEUE, 1000).await? {
        match serde_json::from_str::<pipe::DeadLetter>(&message.body) {
            Ok(letter) => writeln!(
                out,
                "{}  seq {}  {} {}  after {} attempt(s): {}",
                message.message_id,
                letter.record.seq,
                letter.record.keys.pk,
                letter.record.keys.sk,
                letter.attempts,
                letter.reason,
            )?,
            Err(error) => writeln!(
                out,
                "{}  not a pipe dead letter: {error}",
                message.message_id
            )?,
        }
    }
    Ok(())
}

/// `ecomm dlq QUEUE [--redrive]`
pub async fn dead_letters(
    store: &SqliteStore,
    routing: &RoutingTable,
    queue: &str,
    redrive: bool,
    out: &mut impl Write,
) -> Result<(), InspectError> {
    if queue == PIPE {
        return pipe_dead_letters(store, routing, redrive, out).await;
    }
    let route = routing
        .workers
        .iter()
        .find(|route| route.queue() == queue)
        .ok_or_else(|| InspectError::UnknownQueue(queue.to_owned()))?;
    if redrive {
        let moved = store
            .redrive(&route.dead_letter_queue(), &route.queue())
            .await?;
        writeln!(out, "moved {moved} message(s) back to {}", route.queue())?;
        return Ok(());
    }
    for message in store
        .list_messages(&route.dead_letter_queue(), 1000)
        .await?
    {
        let name = kernel::sqs::stream_new_image(&message.body)
            .ok()
            .and_then(|image| {
                get_s(&image, "eventName")
                    .map(str::to_owned)
                    .zip(get_s(&image, "pk").map(str::to_owned))
            });
        let (event_name, pk) = name.unwrap_or_default();
        writeln!(
            out,
            "{}  received {}x  {event_name}  {pk}",
            message.message_id, message.receive_count
        )?;
    }
    Ok(())
}
