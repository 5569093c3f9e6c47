//! The Table port's reads (run on the read pool).

use kernel::table::{IndexKey, Item, Key, Query, QueryPage, QueryTarget, StartKey};
use rusqlite::{Connection, OptionalExtension, params};

use crate::StoreError;
use crate::codec::decode_item;

pub(crate) fn fetch_item(connection: &Connection, key: &Key) -> Result<Option<Item>, StoreError> {
    let text: Option<String> = connection
        .prepare_cached("SELECT item FROM items WHERE pk = ?1 AND sk = ?2")?
        .query_row(params![key.pk, key.sk], |row| row.get(0))
        .optional()?;
    text.map(|text| decode_item(&text, "item")).transpose()
}

/// One page of a (validated) query: table partition in sort key order, or the GSI partition in
/// `gsi1sk` order (ties broken by the table key, in the same direction), after the exclusive
/// start key if there is one. As in DynamoDB, a page that reaches its limit has a last
/// evaluated key, even when no item follows.
pub(crate) fn query(connection: &Connection, query: &Query) -> Result<QueryPage, StoreError> {
    let (direction, after) = if query.forward {
        ("ASC", ">")
    } else {
        ("DESC", "<")
    };
    // SQLite reads a negative LIMIT as "no limit".
    let limit = query.limit.map_or(-1, i64::from);
    let start = query.exclusive_start_key.as_ref();
    let rows: Vec<Row> = match &query.target {
        QueryTarget::Table { pk, sk } => {
            let mut sql = format!("SELECT {ROW_COLUMNS} FROM items WHERE pk = ?1");
            if sk.is_some() {
                sql.push_str(" AND sk = ?2");
            }
            if start.is_some() {
                sql.push_str(&format!(" AND sk {after} ?3"));
            }
            sql.push_str(&format!(" ORDER BY sk {direction} LIMIT ?4"));
            collect(
                connection,
                &sql,
                params![pk, sk, start.map(|start| &start.key.sk), limit],
            )?
        }
        QueryTarget::Gsi1 { gsi1pk } => {
            let mut sql = format!("SELECT {ROW_COLUMNS} FROM items WHERE gsi1pk = ?1");
            if start.is_some() {
                sql.push_str(&format!(" AND (gsi1sk, pk, sk) {after} (?2, ?3, ?4)"));
            }
            sql.push_str(&format!(
                " ORDER BY gsi1sk {direction}, pk {direction}, sk {direction} LIMIT ?5"
            ));
            let index_sk = start.and_then(|start| start.index.as_ref().map(|index| &index.gsi1sk));
            collect(
                connection,
                &sql,
                params![
                    gsi1pk,
                    index_sk,
                    start.map(|start| &start.key.pk),
                    start.map(|start| &start.key.sk),
                    limit
                ],
            )?
        }
    };
    let full = query
        .limit
        .is_some_and(|limit| usize::try_from(limit).is_ok_and(|limit| rows.len() >= limit));
    // The last item's key, as DynamoDB reports it: the table key, plus the index key when the
    // query read the index.
    let last_evaluated_key = match rows.last() {
        Some(last) if full => Some(StartKey {
            key: Key::new(last.pk.clone(), last.sk.clone()),
            index: match &query.target {
                QueryTarget::Table { .. } => None,
                QueryTarget::Gsi1 { .. } => last
                    .gsi1pk
                    .clone()
                    .zip(last.gsi1sk.clone())
                    .map(|(gsi1pk, gsi1sk)| IndexKey { gsi1pk, gsi1sk }),
            },
        }),
        _ => None,
    };
    let items = rows
        .iter()
        .map(|row| decode_item(&row.item, "item"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(QueryPage {
        items,
        last_evaluated_key,
    })
}

/// A queried row: the item and its key columns.
const ROW_COLUMNS: &str = "item, pk, sk, gsi1pk, gsi1sk";

struct Row {
    item: String,
    pk: String,
    sk: String,
    gsi1pk: Option<String>,
    gsi1sk: Option<String>,
}

fn collect(
    connection: &Connection,
    sql: &str,
    parameters: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Row>, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(parameters, |row| {
        Ok(Row {
            item: row.get(0)?,
            pk: row.get(1)?,
            sk: row.get(2)?,
            gsi1pk: row.get(3)?,
            gsi1sk: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}
/// How many items of the GSI partition `gsi1pk` hold each string value of `attribute`
/// (items without it are counted under `None`), sorted by value.
pub(crate) fn count_by_attribute(
    connection: &Connection,
    gsi1pk: &str,
    attribute: &str,
) -> Result<Vec<(Option<String>, u64)>, StoreError> {
    // Items are DynamoDB JSON, so a string attribute sits at `$."<name>".S`.
    let path = format!("$.\"{}\".S", attribute.replace('"', ""));
    let mut statement = connection.prepare_cached(
        "SELECT json_extract(item, ?2) AS value, count(*) FROM items INDEXED BY items_gsi1
         WHERE gsi1pk = ?1 GROUP BY value ORDER BY value",
    )?;
    let rows = statement.query_map(params![gsi1pk, path], |row| {
        Ok((row.get::<_, Option<String>>(0)?, row.get::<_, i64>(1)?))
    })?;
    let mut counts = Vec::new();
    for row in rows {
        let (value, count) = row?;
        counts.push((value, u64::try_from(count).unwrap_or(0)));
    }
    Ok(counts)
}
