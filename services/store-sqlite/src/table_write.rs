//! The Table port's writes, evaluated inside the writer's SQLite transaction.
//!
//! Each request is checked statically, its conditions are evaluated in Rust against the rows as
//! they are now, and only then is anything written. Every changed item appends one stream
//! record in the same transaction; an unchanged item appends none (DynamoDB Streams semantics).

use std::collections::HashSet;

use kernel::table::{
    AttributeValue, CancellationReason, Condition, Item, Key, Put, ReturnValues, TableError,
    TransactItem, Update,
};
use rusqlite::{Connection, params};

use crate::attribute::{
    MAX_TRANSACTION_BYTES, canonical_item, gsi1_key, item_size, key_item, validate_key,
};
use crate::codec::encode_item;
use crate::effects::Effects;
use crate::error::{FromSqlite, validation};
use crate::expression::{apply_update, canonical_condition, canonical_update, condition_holds};
use crate::stream::{StreamRecordKind, append_record};
use crate::table_read::fetch_item;

/// DynamoDB's limit on the members of one `TransactWriteItems`.
const MAX_TRANSACT_ITEMS: usize = 100;

fn sql(error: rusqlite::Error) -> TableError {
    TableError::from_sqlite(error.into())
}

pub(crate) fn put(
    connection: &Connection,
    put: Put,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<(), TableError> {
    let (key, item) = canonical_item(put.item).map_err(validation)?;
    let condition = put
        .condition
        .map(canonical_condition)
        .transpose()
        .map_err(validation)?;
    let old = load_item(connection, &key)?;
    let old = check(condition.as_ref(), old, put.return_old_on_condition_failure)
        .map_err(|old_item| TableError::ConditionalCheckFailed { old_item })?;
    write_item(connection, &key, old.as_ref(), &item, now_ms, effects)
}

pub(crate) fn update(
    connection: &Connection,
    update: Update,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<Option<Item>, TableError> {
    let update = canonical_update(update).map_err(validation)?;
    let old = load_item(connection, &update.key)?;
    let old = check(
        update.condition.as_ref(),
        old,
        update.return_old_on_condition_failure,
    )
    .map_err(|old_item| TableError::ConditionalCheckFailed { old_item })?;
    let new = apply_update(old.as_ref(), &update).map_err(validation)?;
    write_item(connection, &update.key, old.as_ref(), &new, now_ms, effects)?;
    Ok(match update.return_values {
        ReturnValues::None => None,
        ReturnValues::AllNew => Some(new),
    })
}

pub(crate) fn delete(
    connection: &Connection,
    key: &Key,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<Option<Item>, TableError> {
    validate_key(key).map_err(validation)?;
    let old = load_item(connection, key)?;
    if old.is_some() {
        connection
            .prepare_cached("DELETE FROM items WHERE pk = ?1 AND sk = ?2")
            .and_then(|mut statement| statement.execute(params![key.pk, key.sk]))
            .map_err(sql)?;
        let size = item_size(&key_item(key));
        append_record(
            connection,
            StreamRecordKind::Remove,
            key,
            None,
            size,
            now_ms,
            effects,
        )?;
    }
    Ok(old)
}

/// One member of a transaction after the static checks.
enum Planned {
    Put {
        item: Item,
        condition: Option<Condition>,
        return_old: bool,
    },
    Update(Update),
    ConditionCheck(Condition),
}

pub(crate) fn transact_write(
    connection: &Connection,
    items: Vec<TransactItem>,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<(), TableError> {
    let planned = plan_transaction(items)?;
    // Every member is evaluated (the members touch distinct items, so against the rows as they
    // are before the transaction) and reports its own reason, like DynamoDB.
    let mut reasons = Vec::with_capacity(planned.len());
    let mut writes = Vec::with_capacity(planned.len());
    for (key, member) in &planned {
        let old = load_item(connection, key)?;
        match evaluate_member(member, old) {
            Ok(Some((old, new))) => {
                writes.push((key, old, new));
                reasons.push(CancellationReason::None);
            }
            Ok(None) => reasons.push(CancellationReason::None),
            Err(reason) => reasons.push(reason),
        }
    }
    if reasons
        .iter()
        .any(|reason| !matches!(reason, CancellationReason::None))
    {
        return Err(TableError::TransactionCanceled { reasons });
    }
    for (key, old, new) in writes {
        write_item(connection, key, old.as_ref(), &new, now_ms, effects)?;
    }
    Ok(())
}

/// What one transaction member would write (`None` for a condition check), or why it cancels
/// the transaction.
fn evaluate_member(
    member: &Planned,
    old: Option<Item>,
) -> Result<Option<(Option<Item>, Item)>, CancellationReason> {
    let failed = |old_item| CancellationReason::ConditionalCheckFailed { old_item };
    match member {
        Planned::Put {
            item,
            condition,
            return_old,
        } => {
            let old = check(condition.as_ref(), old, *return_old).map_err(failed)?;
            Ok(Some((old, item.clone())))
        }
        Planned::Update(update) => {
            let old = check(
                update.condition.as_ref(),
                old,
                update.return_old_on_condition_failure,
            )
            .map_err(failed)?;
            // DynamoDB reports a member whose update cannot be evaluated (e.g. adding to a
            // missing attribute) as a `ValidationError` cancellation reason.
            let new = apply_update(old.as_ref(), update).map_err(|_message| {
                CancellationReason::Other {
                    code: "ValidationError".to_owned(),
                }
            })?;
            Ok(Some((old, new)))
        }
        Planned::ConditionCheck(condition) => {
            check(Some(condition), old, false).map_err(failed)?;
            Ok(None)
        }
    }
}

/// The static checks of `TransactWriteItems`: size, distinct items, well-formed members.
fn plan_transaction(items: Vec<TransactItem>) -> Result<Vec<(Key, Planned)>, TableError> {
    if items.is_empty() || items.len() > MAX_TRANSACT_ITEMS {
        return Err(validation(format!(
            "1 validation error detected: Value at 'transactItems' failed to satisfy constraint: \
             Member must have length less than or equal to {MAX_TRANSACT_ITEMS} and greater than \
             or equal to 1"
        )));
    }
    let mut keys = HashSet::with_capacity(items.len());
    let mut planned = Vec::with_capacity(items.len());
    let mut put_bytes = 0u64;
    for item in items {
        let (key, member) = match item {
            TransactItem::Put(put) => {
                let (key, item) = canonical_item(put.item).map_err(validation)?;
                put_bytes += item_size(&item);
                if put_bytes > MAX_TRANSACTION_BYTES {
                    return Err(validation(
                        "Transaction request size has exceeded the maximum allowed size of 4 MB",
                    ));
                }
                let condition = put
                    .condition
                    .map(canonical_condition)
                    .transpose()
                    .map_err(validation)?;
                (
                    key,
                    Planned::Put {
                        item,
                        condition,
                        return_old: put.return_old_on_condition_failure,
                    },
                )
            }
            TransactItem::Update(update) => {
                let update = canonical_update(update).map_err(validation)?;
                (update.key.clone(), Planned::Update(update))
            }
            TransactItem::ConditionCheck { key, condition } => {
                validate_key(&key).map_err(validation)?;
                let condition = canonical_condition(condition).map_err(validation)?;
                (key, Planned::ConditionCheck(condition))
            }
        };
        if !keys.insert(key.clone()) {
            return Err(validation(
                "Transaction request cannot include multiple operations on one item",
            ));
        }
        planned.push((key, member));
    }
    Ok(planned)
}

/// Passes the old item through when the condition holds; otherwise fails with the old item if
/// it was asked for (`ReturnValuesOnConditionCheckFailure = ALL_OLD`).
fn check(
    condition: Option<&Condition>,
    old: Option<Item>,
    return_old: bool,
) -> Result<Option<Item>, Option<Item>> {
    match condition {
        Some(condition) if !condition_holds(condition, old.as_ref()) => {
            Err(if return_old { old } else { None })
        }
        Some(_) | None => Ok(old),
    }
}

fn load_item(connection: &Connection, key: &Key) -> Result<Option<Item>, TableError> {
    Ok(fetch_item(connection, key)?)
}

/// The TTL attribute: DynamoDB deletes an item once the epoch second in its number attribute
/// `expiresAt` has passed (any other type is ignored).
pub(crate) const TTL_ATTRIBUTE: &str = "expiresAt";

fn expires_at(item: &Item) -> Option<i64> {
    match item.get(TTL_ATTRIBUTE) {
        Some(AttributeValue::N(number)) => number
            .split('.')
            .next()
            .and_then(|whole| whole.parse::<i64>().ok()),
        _ => None,
    }
}

/// Deletes up to `batch` items whose TTL has passed, each with its `REMOVE` stream record (as
/// DynamoDB's TTL does). Returns how many were deleted.
pub(crate) fn expire_items(
    connection: &Connection,
    batch: usize,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<u64, TableError> {
    let now_s = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    let keys = connection
        .prepare_cached(
            "SELECT pk, sk FROM items INDEXED BY items_expiry
             WHERE expires_at IS NOT NULL AND expires_at < ?1 LIMIT ?2",
        )
        .and_then(|mut statement| {
            statement
                .query_map(
                    params![now_s, i64::try_from(batch).unwrap_or(i64::MAX)],
                    |row| Ok(Key::new(row.get::<_, String>(0)?, row.get::<_, String>(1)?)),
                )?
                .collect::<Result<Vec<_>, _>>()
        })
        .map_err(sql)?;
    for key in &keys {
        delete(connection, key, now_ms, effects)?;
    }
    Ok(u64::try_from(keys.len()).unwrap_or(u64::MAX))
}

/// Stores `new` and appends its stream record, unless it equals `old` (no write, no record).
fn write_item(
    connection: &Connection,
    key: &Key,
    old: Option<&Item>,
    new: &Item,
    now_ms: u64,
    effects: &mut Effects,
) -> Result<(), TableError> {
    if old == Some(new) {
        return Ok(());
    }
    let text = encode_item(new)?;
    let (gsi1pk, gsi1sk) = gsi1_key(new).unzip();
    let expires_at = expires_at(new);
    connection
        .prepare_cached(
            "INSERT INTO items (pk, sk, gsi1pk, gsi1sk, item, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (pk, sk) DO UPDATE SET
                 gsi1pk = excluded.gsi1pk, gsi1sk = excluded.gsi1sk, item = excluded.item,
                 expires_at = excluded.expires_at",
        )
        .and_then(|mut statement| {
            statement.execute(params![key.pk, key.sk, gsi1pk, gsi1sk, text, expires_at])
        })
        .map_err(sql)?;
    let kind = match old {
        Some(_) => StreamRecordKind::Modify,
        None => StreamRecordKind::Insert,
    };
    let size = item_size(&key_item(key)) + item_size(new);
    append_record(connection, kind, key, Some(&text), size, now_ms, effects)?;
    Ok(())
}
