//! The Table port: a typed, DynamoDB-shaped view of the single table.
//!
//! Slices never talk to an SDK. Their clients build the typed operations below and hand them to
//! a [`Table`]; the SQLite adapter evaluates them in one transaction per request, the DynamoDB
//! adapter renders them into expressions. One contract suite pins both to DynamoDB's semantics.
//!
//! Conventions (DynamoDB's own):
//! * a condition on an absent item sees every attribute as absent, so
//!   `AttributeNotExists("pk")` means "the item does not exist";
//! * `NotEquals` is true for an absent attribute; `Equals` and `GreaterOrEqual` are false;
//!   comparisons between different types are false;
//! * numbers (`N`) compare and add as decimals, whatever their textual form.

use std::collections::HashMap;
use std::fmt;

use async_trait::async_trait;

use crate::validation::{Limit, SortDirection, ValueError};

mod page_token;
pub use page_token::{IssueError, PageToken, PageTokenError, PageTokens};

pub use serde_dynamo::{AttributeValue, Item};

/// Name of the one global secondary index: partition `gsi1pk`, sort `gsi1sk`, projection ALL.
pub const GSI1_NAME: &str = "gsi1pk-gsi1sk-index";

/// Primary key of an item.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    pub fn new(pk: impl Into<String>, sk: impl Into<String>) -> Self {
        Self {
            pk: pk.into(),
            sk: sk.into(),
        }
    }
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.pk, self.sk)
    }
}

/// A typed condition expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `attribute_exists(name)`
    AttributeExists(String),
    /// `attribute_not_exists(name)`
    AttributeNotExists(String),
    /// `name = :value`
    Equals(String, AttributeValue),
    /// `name <> :value` (true when the attribute is absent)
    NotEquals(String, AttributeValue),
    /// `name >= :value`
    GreaterOrEqual(String, AttributeValue),
    /// every condition holds
    And(Vec<Condition>),
}

impl Condition {
    pub fn exists(name: impl Into<String>) -> Self {
        Self::AttributeExists(name.into())
    }

    pub fn not_exists(name: impl Into<String>) -> Self {
        Self::AttributeNotExists(name.into())
    }

    pub fn equals(name: impl Into<String>, value: AttributeValue) -> Self {
        Self::Equals(name.into(), value)
    }

    pub fn not_equals(name: impl Into<String>, value: AttributeValue) -> Self {
        Self::NotEquals(name.into(), value)
    }

    pub fn greater_or_equal(name: impl Into<String>, value: AttributeValue) -> Self {
        Self::GreaterOrEqual(name.into(), value)
    }

    /// `attribute_not_exists(pk) AND attribute_not_exists(sk)`: the item does not exist yet.
    pub fn item_not_exists() -> Self {
        Self::And(vec![Self::not_exists("pk"), Self::not_exists("sk")])
    }

    /// `attribute_exists(pk) AND attribute_exists(sk)`: the item exists.
    pub fn item_exists() -> Self {
        Self::And(vec![Self::exists("pk"), Self::exists("sk")])
    }
}

/// How one attribute is changed by an update (the `SET` clause of an update expression).
#[derive(Clone, Debug, PartialEq)]
pub enum UpdateAction {
    /// `name = :value`
    Set(AttributeValue),
    /// `name = if_not_exists(name, :value)`
    SetIfNotExists(AttributeValue),
    /// `name = name + :delta` (the attribute must exist and be a number; negative deltas subtract)
    Add(AttributeValue),
    /// `name = if_not_exists(name, :zero) + :delta`
    AddFromZero(AttributeValue),
}

/// What an update returns on success.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ReturnValues {
    #[default]
    None,
    /// The whole item as it is after the update.
    AllNew,
}

/// A conditional put (whole-item replace).
#[derive(Clone, Debug, PartialEq)]
pub struct Put {
    pub item: Item,
    pub condition: Option<Condition>,
    /// On conditional failure, return the item as it was (`ReturnValuesOnConditionCheckFailure = ALL_OLD`).
    pub return_old_on_condition_failure: bool,
}

impl Put {
    pub fn new(item: Item) -> Self {
        Self {
            item,
            condition: None,
            return_old_on_condition_failure: false,
        }
    }

    pub fn with_condition(mut self, condition: Condition) -> Self {
        self.condition = Some(condition);
        self
    }

    pub fn returning_old_on_condition_failure(mut self) -> Self {
        self.return_old_on_condition_failure = true;
        self
    }
}

/// A conditional update of some attributes (an upsert when no condition forbids it).
#[derive(Clone, Debug, PartialEq)]
pub struct Update {
    pub key: Key,
    /// Applied in order; each attribute appears at most once.
    pub actions: Vec<(String, UpdateAction)>,
    pub condition: Option<Condition>,
    pub return_values: ReturnValues,
    pub return_old_on_condition_failure: bool,
}

impl Update {
    pub fn new(key: Key) -> Self {
        Self {
            key,
            actions: Vec::new(),
            condition: None,
            return_values: ReturnValues::None,
            return_old_on_condition_failure: false,
        }
    }

    pub fn action(mut self, name: impl Into<String>, action: UpdateAction) -> Self {
        self.actions.push((name.into(), action));
        self
    }

    pub fn set(self, name: impl Into<String>, value: AttributeValue) -> Self {
        self.action(name, UpdateAction::Set(value))
    }

    pub fn with_condition(mut self, condition: Condition) -> Self {
        self.condition = Some(condition);
        self
    }

    pub fn returning(mut self, return_values: ReturnValues) -> Self {
        self.return_values = return_values;
        self
    }

    pub fn returning_old_on_condition_failure(mut self) -> Self {
        self.return_old_on_condition_failure = true;
        self
    }
}

/// One member of a `TransactWriteItems` request.
#[derive(Clone, Debug, PartialEq)]
pub enum TransactItem {
    Put(Put),
    Update(Update),
    ConditionCheck { key: Key, condition: Condition },
}

/// Where a query reads and what it matches.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum QueryTarget {
    /// The table: `pk = :pk [AND sk = :sk]`.
    Table { pk: String, sk: Option<String> },
    /// The index [`GSI1_NAME`]: `gsi1pk = :gsi1pk`, ordered by `gsi1sk`.
    Gsi1 { gsi1pk: String },
}

/// The index part of a [`StartKey`] read from [`GSI1_NAME`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct IndexKey {
    pub gsi1pk: String,
    pub gsi1sk: String,
}

/// Where a page of a query ended (DynamoDB's `LastEvaluatedKey`), and so where the next page
/// starts, exclusively (`ExclusiveStartKey`): the last item's table key, plus its index key when
/// the query read the index.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct StartKey {
    pub key: Key,
    pub index: Option<IndexKey>,
}

/// A single-page query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Query {
    pub target: QueryTarget,
    /// `ScanIndexForward`: ascending sort key order when `true`.
    pub forward: bool,
    pub limit: Option<u32>,
    /// Strongly consistent read (not allowed on the index).
    pub consistent: bool,
    /// Read after this key (a previous page's [`QueryPage::last_evaluated_key`]).
    pub exclusive_start_key: Option<StartKey>,
}

/// One page of a query's items.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryPage {
    pub items: Vec<Item>,
    /// Present when the page stopped at its limit (or at DynamoDB's 1 MB): there may be more
    /// items after it. As in DynamoDB, a page that ends exactly at the last item still has one,
    /// and the page after it is empty.
    pub last_evaluated_key: Option<StartKey>,
}

impl Query {
    /// The one item with `key`, if it exists (ascending, eventually consistent, no limit).
    pub fn by_key(key: Key) -> Self {
        Self {
            target: QueryTarget::Table {
                pk: key.pk,
                sk: Some(key.sk),
            },
            forward: true,
            limit: None,
            consistent: false,
            exclusive_start_key: None,
        }
    }

    /// One page of the items whose `gsi1pk` is `gsi1pk`, in `direction` of their `gsi1sk`.
    pub fn gsi1(
        gsi1pk: impl Into<String>,
        direction: SortDirection,
        limit: Limit,
        exclusive_start_key: Option<StartKey>,
    ) -> Self {
        Self {
            target: QueryTarget::Gsi1 {
                gsi1pk: gsi1pk.into(),
            },
            forward: direction.is_forward(),
            limit: Some(limit.get()),
            consistent: false,
            exclusive_start_key,
        }
    }
}

/// What a list API reads: the one item a selector names, or one page of every item of a type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListQuery<K> {
    /// The one item this selector names (direction and limit do not apply).
    One(K),
    /// One page of every item of the type, ordered by `gsi1sk`, after the position a previous
    /// page's `nextToken` names.
    Page {
        direction: SortDirection,
        limit: Limit,
        next_token: Option<PageToken>,
    },
}

/// The items a list API read, and the token of the page after them (present when the page was
/// full: there may be more).
#[derive(Clone, Debug, PartialEq)]
pub struct ListedPage<T = Item> {
    pub items: Vec<T>,
    pub next_token: Option<String>,
}

impl<T> Default for ListedPage<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            next_token: None,
        }
    }
}

impl ListedPage {
    /// Converts every item, keeping the token.
    pub fn try_map<T, E>(
        self,
        convert: impl FnMut(Item) -> Result<T, E>,
    ) -> Result<ListedPage<T>, E> {
        Ok(ListedPage {
            items: self
                .items
                .into_iter()
                .map(convert)
                .collect::<Result<_, _>>()?,
            next_token: self.next_token,
        })
    }
}

/// Why a list API could not read its page.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// The request's `nextToken` is not one this list issued: the client's mistake.
    #[error("the nextToken was refused")]
    Token(#[source] PageTokenError),
    #[error("the query failed")]
    Table(#[source] TableError),
    /// The page was read, but its `nextToken` could not be made: a server error (answering
    /// without one would end the list early).
    #[error("the nextToken of the page could not be made")]
    Issue(#[source] IssueError),
}

impl<K> ListQuery<K> {
    /// A selector picks its one item (and may not come with a `nextToken`); without one, a page
    /// with the defaults of what is absent.
    pub fn new(
        one: Option<K>,
        direction: Option<SortDirection>,
        limit: Option<Limit>,
        next_token: Option<PageToken>,
    ) -> Result<Self, ValueError> {
        match (one, next_token) {
            (Some(_), Some(_)) => Err(ValueError::PageOfOneItem),
            (Some(selector), None) => Ok(Self::One(selector)),
            (None, next_token) => Ok(Self::Page {
                direction: direction.unwrap_or_default(),
                limit: limit.unwrap_or_default(),
                next_token,
            }),
        }
    }

    /// Reads the item at `key_of(selector)`, or one page of the index partition `gsi1pk`
    /// (redeeming and issuing its tokens with `tokens`): one table query either way.
    pub async fn read(
        &self,
        table: &dyn Table,
        tokens: &PageTokens,
        key_of: impl FnOnce(&K) -> Key,
        gsi1pk: &str,
    ) -> Result<ListedPage, ListError> {
        let (query, direction) = match self {
            Self::One(selector) => (Query::by_key(key_of(selector)), None),
            Self::Page {
                direction,
                limit,
                next_token,
            } => {
                let start = next_token
                    .as_ref()
                    .map(|token| tokens.redeem(token, gsi1pk, *direction))
                    .transpose()
                    .map_err(ListError::Token)?;
                (
                    Query::gsi1(gsi1pk, *direction, *limit, start),
                    Some(*direction),
                )
            }
        };
        let page = table.query(query).await.map_err(ListError::Table)?;
        let next_token = direction
            .zip(page.last_evaluated_key)
            .map(|(direction, start)| tokens.issue(direction, &start))
            .transpose()
            .map_err(ListError::Issue)?;
        Ok(ListedPage {
            items: page.items,
            next_token,
        })
    }
}

/// Why one member of a cancelled transaction failed, aligned with the request's items.
#[derive(Clone, Debug, PartialEq)]
pub enum CancellationReason {
    /// This item was fine; another one cancelled the transaction.
    None,
    ConditionalCheckFailed {
        old_item: Option<Item>,
    },
    TransactionConflict,
    Throttled,
    /// Any other DynamoDB reason code (e.g. `ValidationError`).
    Other {
        code: String,
    },
}

/// What can go wrong with a table call, as DynamoDB reports it.
#[derive(Debug, thiserror::Error)]
pub enum TableError {
    #[error("the conditional check failed")]
    ConditionalCheckFailed { old_item: Option<Item> },
    #[error("the transaction was cancelled: {reasons:?}")]
    TransactionCanceled { reasons: Vec<CancellationReason> },
    #[error("the request was throttled")]
    Throttled {
        #[source]
        source: Option<BoxError>,
    },
    #[error("the storage is unavailable")]
    Unavailable {
        #[source]
        source: BoxError,
    },
    /// The request itself is malformed (DynamoDB's `ValidationException`).
    #[error("the request is invalid: {message}")]
    Validation { message: String },
    #[error("the storage failed")]
    Other {
        #[source]
        source: BoxError,
    },
}

/// A boxed error that can cross threads.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The storage port. Every method is one DynamoDB request.
#[async_trait]
pub trait Table: Send + Sync {
    async fn get(&self, key: &Key, consistent: bool) -> Result<Option<Item>, TableError>;

    async fn put(&self, put: Put) -> Result<(), TableError>;

    /// Returns the new item when `return_values` is [`ReturnValues::AllNew`], `None` otherwise.
    async fn update(&self, update: Update) -> Result<Option<Item>, TableError>;

    /// Returns the deleted item, if there was one.
    async fn delete(&self, key: &Key) -> Result<Option<Item>, TableError>;

    /// All or nothing: fails with [`TableError::TransactionCanceled`] carrying one reason per item.
    async fn transact_write(&self, items: Vec<TransactItem>) -> Result<(), TableError>;

    async fn query(&self, query: Query) -> Result<QueryPage, TableError>;
}

/// Builds an `S` attribute.
pub fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// Builds an `N` attribute from anything printable as a number (integers, `f64`).
pub fn n(value: impl fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Builds an item from `(name, value)` pairs.
pub fn item<const N: usize>(attributes: [(&str, AttributeValue); N]) -> Item {
    let map: HashMap<String, AttributeValue> = attributes
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect();
    Item::from(map)
}

/// Reads an `S` attribute.
pub fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}

/// Reads an `N` attribute as written.
pub fn get_n<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => Some(value),
        _ => None,
    }
}

/// The key of an item, if it has string `pk` and `sk` attributes.
pub fn key_of(item: &Item) -> Option<Key> {
    Some(Key::new(get_s(item, "pk")?, get_s(item, "sk")?))
}

#[cfg(any(test, feature = "fakes"))]
pub mod scripted;

#[cfg(test)]
mod tests {
    use super::scripted::{Scripted, ScriptedTable, TableCall};
    use super::*;

    fn limit(value: f64) -> Limit {
        Limit::try_from(value).unwrap()
    }

    fn page(direction: SortDirection, limit: Limit, next_token: Option<&str>) -> ListQuery<String> {
        ListQuery::Page {
            direction,
            limit,
            next_token: next_token.map(|token| PageToken::parse(token).unwrap()),
        }
    }

    fn order_key(name: &String) -> Key {
        Key::new(format!("P#{name}"), name.clone())
    }

    #[tokio::test]
    async fn a_selector_reads_its_one_item_by_key_and_has_no_next_page() {
        let query = ListQuery::new(
            Some("A".to_owned()),
            Some(SortDirection::Desc),
            Some(limit(3.0)),
            None,
        )
        .unwrap();
        assert_eq!(query, ListQuery::One("A".to_owned()));
        let table = ScriptedTable::new();
        table.then(Scripted::Page(QueryPage {
            items: vec![],
            last_evaluated_key: Some(StartKey {
                key: Key::new("P#A", "A"),
                index: None,
            }),
        }));
        let listed = query
            .read(&table, &PageTokens::random().unwrap(), order_key, "TYPE")
            .await
            .unwrap();
        assert_eq!(listed.next_token, None);
        assert_eq!(
            table.calls(),
            [TableCall::Query(Query {
                target: QueryTarget::Table {
                    pk: "P#A".into(),
                    sk: Some("A".into()),
                },
                forward: true,
                limit: None,
                consistent: false,
                exclusive_start_key: None,
            })]
        );
    }

    #[test]
    fn a_selector_with_a_next_token_is_invalid() {
        assert!(matches!(
            ListQuery::new(
                Some("A"),
                None,
                None,
                Some(PageToken::parse("token").unwrap())
            ),
            Err(ValueError::PageOfOneItem)
        ));
    }

    #[tokio::test]
    async fn without_a_selector_reads_one_page_of_the_index() {
        let defaults = ListQuery::<String>::new(None, None, None, None).unwrap();
        assert_eq!(defaults, page(SortDirection::Asc, Limit::DEFAULT, None));
        for (query, forward, expected_limit) in [
            (defaults, true, 50),
            (page(SortDirection::Desc, limit(1000.0), None), false, 1000),
        ] {
            let table = ScriptedTable::new();
            query
                .read(&table, &PageTokens::random().unwrap(), order_key, "TYPE")
                .await
                .unwrap();
            assert_eq!(
                table.calls(),
                [TableCall::Query(Query {
                    target: QueryTarget::Gsi1 {
                        gsi1pk: "TYPE".into(),
                    },
                    forward,
                    limit: Some(expected_limit),
                    consistent: false,
                    exclusive_start_key: None,
                })]
            );
        }
    }

    #[tokio::test]
    async fn a_full_page_issues_the_token_the_next_page_starts_after() {
        let tokens = PageTokens::new(b"secret");
        let last = StartKey {
            key: Key::new("P#B", "B"),
            index: Some(IndexKey {
                gsi1pk: "TYPE".into(),
                gsi1sk: "CREATED_AT#2".into(),
            }),
        };
        let table = ScriptedTable::new();
        table.then(Scripted::Page(QueryPage {
            items: vec![item([("name", s("B"))])],
            last_evaluated_key: Some(last.clone()),
        }));
        let first = page(SortDirection::Desc, limit(1.0), None)
            .read(&table, &tokens, order_key, "TYPE")
            .await
            .unwrap();
        let token = first.next_token.unwrap();
        page(SortDirection::Desc, limit(1.0), Some(&token))
            .read(&table, &tokens, order_key, "TYPE")
            .await
            .unwrap();
        let calls = table.calls();
        assert!(matches!(
            &calls[1],
            TableCall::Query(Query { exclusive_start_key: Some(start), .. }) if *start == last
        ));
    }

    #[tokio::test]
    async fn a_refused_token_reads_nothing() {
        let issued = PageTokens::new(b"secret")
            .issue(
                SortDirection::Asc,
                &StartKey {
                    key: Key::new("P#B", "B"),
                    index: Some(IndexKey {
                        gsi1pk: "TYPE".into(),
                        gsi1sk: "CREATED_AT#2".into(),
                    }),
                },
            )
            .unwrap();
        for (tokens, gsi1pk) in [
            (PageTokens::new(b"another secret"), "TYPE"),
            (PageTokens::new(b"secret"), "OTHER TYPE"),
        ] {
            let table = ScriptedTable::new();
            let error = page(SortDirection::Asc, limit(1.0), Some(&issued))
                .read(&table, &tokens, order_key, gsi1pk)
                .await
                .unwrap_err();
            assert!(matches!(error, ListError::Token(_)), "{error:?}");
            assert!(table.calls().is_empty());
        }
    }
}
