//! The Table port's reads (run on the read pool).

use kernel::table::{Item, Key, Query, QueryTarget};
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
/// `gsi1sk` order (ties broken by the table key, in the same direction).
pub(crate) fn query(connection: &Connection, query: &Query) -> Result<Vec<Item>, StoreError> {
    let direction = if query.forward { "ASC" } else { "DESC" };
    // SQLite reads a negative LIMIT as "no limit".
    let limit = query.limit.map_or(-1, i64::from);
    let texts: Vec<String> = match &query.target {
        QueryTarget::Table { pk, sk: None } => collect(
            connection,
            &format!("SELECT item FROM items WHERE pk = ?1 ORDER BY sk {direction} LIMIT ?2"),
            params![pk, limit],
        )?,
        QueryTarget::Table { pk, sk: Some(sk) } => collect(
            connection,
            "SELECT item FROM items WHERE pk = ?1 AND sk = ?2 LIMIT ?3",
            params![pk, sk, limit],
        )?,
        QueryTarget::Gsi1 { gsi1pk } => collect(
            connection,
            &format!(
                "SELECT item FROM items WHERE gsi1pk = ?1
                 ORDER BY gsi1sk {direction}, pk {direction}, sk {direction} LIMIT ?2"
            ),
            params![gsi1pk, limit],
        )?,
    };
    texts.iter().map(|text| decode_item(text, "item")).collect()
}

fn collect(
    connection: &Connection,
    sql: &str,
    parameters: &[&dyn rusqlite::ToSql],
) -> Result<Vec<String>, StoreError> {
    let mut statement = connection.prepare_cached(sql)?;
    let rows = statement.query_map(parameters, |row| row.get(0))?;
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
