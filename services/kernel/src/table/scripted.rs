//! A hand-written [`Table`] fake for client tests: records every request, answers from a script.
//!
//! Enable with the `fakes` feature (as a dev-dependency). Each call pops the next scripted
//! answer; with nothing scripted it answers the neutral success (no item, no items, `Ok(())`).

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};

use async_trait::async_trait;

use super::{Item, Key, Put, Query, QueryPage, Table, TableError, TransactItem, Update};

/// One request the fake received.
#[derive(Clone, Debug, PartialEq)]
pub enum TableCall {
    Get { key: Key, consistent: bool },
    Put(Put),
    Update(Update),
    Delete(Key),
    TransactWrite(Vec<TransactItem>),
    Query(Query),
}

/// One scripted answer.
#[derive(Debug)]
pub enum Scripted {
    /// For `get`, `update` (returned item) and `delete`.
    Item(Option<Item>),
    /// For `query`: a last page.
    Items(Vec<Item>),
    /// For `query`: a page, maybe with a last evaluated key.
    Page(QueryPage),
    /// For `put` and `transact_write`.
    Done,
    /// Any call fails with this error.
    Fail(TableError),
}

/// Every storage error that no domain rule classifies (each domain answers them with its
/// transient "unrecognized" kind): throttling, an outage, a malformed request, anything else.
pub fn unclassified_errors() -> Vec<TableError> {
    vec![
        TableError::Throttled { source: None },
        TableError::Unavailable {
            source: "down".into(),
        },
        TableError::Validation {
            message: "bad".into(),
        },
        TableError::Other {
            source: "boom".into(),
        },
    ]
}

#[derive(Debug, Default)]
pub struct ScriptedTable {
    calls: Mutex<Vec<TableCall>>,
    script: Mutex<VecDeque<Scripted>>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ScriptedTable {
    pub fn new() -> Self {
        Self::default()
    }

    /// Queues the answer of the next unanswered call.
    pub fn then(&self, answer: Scripted) -> &Self {
        lock(&self.script).push_back(answer);
        self
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<TableCall> {
        lock(&self.calls).clone()
    }

    fn answer(&self, call: TableCall) -> Option<Scripted> {
        lock(&self.calls).push(call);
        lock(&self.script).pop_front()
    }
}

fn mismatch(expected: &str, got: &Scripted) -> TableError {
    TableError::Validation {
        message: format!("scripted answer {got:?} does not fit a {expected} call"),
    }
}

#[async_trait]
impl Table for ScriptedTable {
    async fn get(&self, key: &Key, consistent: bool) -> Result<Option<Item>, TableError> {
        match self.answer(TableCall::Get {
            key: key.clone(),
            consistent,
        }) {
            None => Ok(None),
            Some(Scripted::Item(item)) => Ok(item),
            Some(Scripted::Fail(error)) => Err(error),
            Some(other) => Err(mismatch("get", &other)),
        }
    }

    async fn put(&self, put: Put) -> Result<(), TableError> {
        match self.answer(TableCall::Put(put)) {
            None | Some(Scripted::Done) => Ok(()),
            Some(Scripted::Fail(error)) => Err(error),
            Some(other) => Err(mismatch("put", &other)),
        }
    }

    async fn update(&self, update: Update) -> Result<Option<Item>, TableError> {
        match self.answer(TableCall::Update(update)) {
            None | Some(Scripted::Done) => Ok(None),
            Some(Scripted::Item(item)) => Ok(item),
            Some(Scripted::Fail(error)) => Err(error),
            Some(other) => Err(mismatch("update", &other)),
        }
    }

    async fn delete(&self, key: &Key) -> Result<Option<Item>, TableError> {
        match self.answer(TableCall::Delete(key.clone())) {
            None => Ok(None),
            Some(Scripted::Item(item)) => Ok(item),
            Some(Scripted::Fail(error)) => Err(error),
            Some(other) => Err(mismatch("delete", &other)),
        }
    }

    async fn transact_write(&self, items: Vec<TransactItem>) -> Result<(), TableError> {
        match self.answer(TableCall::TransactWrite(items)) {
            None | Some(Scripted::Done) => Ok(()),
            Some(Scripted::Fail(error)) => Err(error),
            Some(other) => Err(mismatch("transact_write", &other)),
        }
    }

    async fn query(&self, query: Query) -> Result<QueryPage, TableError> {
        match self.answer(TableCall::Query(query)) {
            None => Ok(QueryPage::default()),
            Some(Scripted::Items(items)) => Ok(QueryPage {
                items,
                last_evaluated_key: None,
            }),
            Some(Scripted::Page(page)) => Ok(page),
            Some(Scripted::Fail(error)) => Err(error),
            Some(other) => Err(mismatch("query", &other)),
        }
    }
}
