//! Every write the store makes, as a [`Request`] the writer runs inside a group transaction.

use std::time::Duration;

use kernel::table::{Item, Key, Put, TableError, TransactItem, Update};

use crate::deliveries::{self, Delivery};
use crate::queue::{self, OutgoingMessage, QueueConfig, ReceivedMessage};
use crate::writer::{Request, Scope};
use crate::{StoreError, replay, stream, table_write};

pub(crate) struct PutItem(pub(crate) Put);

impl Request for PutItem {
    type Output = ();
    type Error = TableError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<(), TableError> {
        table_write::put(
            scope.connection,
            self.0.clone(),
            scope.now_ms,
            scope.effects,
        )
    }
}

pub(crate) struct UpdateItem(pub(crate) Update);

impl Request for UpdateItem {
    type Output = Option<Item>;
    type Error = TableError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<Option<Item>, TableError> {
        table_write::update(
            scope.connection,
            self.0.clone(),
            scope.now_ms,
            scope.effects,
        )
    }
}

pub(crate) struct DeleteItem(pub(crate) Key);

impl Request for DeleteItem {
    type Output = Option<Item>;
    type Error = TableError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<Option<Item>, TableError> {
        table_write::delete(scope.connection, &self.0, scope.now_ms, scope.effects)
    }
}

pub(crate) struct TransactWrite(pub(crate) Vec<TransactItem>);

impl Request for TransactWrite {
    type Output = ();
    type Error = TableError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<(), TableError> {
        table_write::transact_write(
            scope.connection,
            self.0.clone(),
            scope.now_ms,
            scope.effects,
        )
    }
}

pub(crate) struct Forward {
    pub(crate) name: String,
    pub(crate) from_seq: u64,
    pub(crate) through_seq: u64,
    pub(crate) messages: Vec<OutgoingMessage>,
}

impl Request for Forward {
    type Output = ();
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<(), StoreError> {
        stream::forward(
            scope,
            &self.name,
            self.from_seq,
            self.through_seq,
            &self.messages,
        )
    }
}

pub(crate) struct Receive {
    pub(crate) queue: QueueConfig,
    pub(crate) max_messages: usize,
}

impl Request for Receive {
    type Output = Vec<ReceivedMessage>;
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<Vec<ReceivedMessage>, StoreError> {
        queue::receive(
            scope.connection,
            scope.rng,
            &self.queue,
            self.max_messages,
            scope.now_ms,
            scope.effects,
        )
    }
}

/// SQS `DeleteMessageBatch`: one write request for every message a batch consumed, which also
/// journals how each message of the batch ended.
pub(crate) struct DeleteMessages {
    pub(crate) queue: String,
    pub(crate) receipt_handles: Vec<String>,
    pub(crate) deliveries: Vec<Delivery>,
}

impl Request for DeleteMessages {
    type Output = Vec<bool>;
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<Vec<bool>, StoreError> {
        for delivery in &self.deliveries {
            deliveries::record(scope.connection, delivery)?;
        }
        self.receipt_handles
            .iter()
            .map(|handle| queue::delete_message(scope.connection, &self.queue, handle))
            .collect()
    }
}

/// Deletes the oldest deliveries past the retention, a batch at a time.
pub(crate) struct TrimDeliveries {
    pub(crate) retention: Duration,
    pub(crate) batch: usize,
}

impl Request for TrimDeliveries {
    type Output = u64;
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<u64, StoreError> {
        deliveries::trim(scope.connection, self.retention, self.batch, scope.now_ms)
    }
}

pub(crate) struct Redrive {
    pub(crate) from_queue: String,
    pub(crate) to_queue: String,
}

impl Request for Redrive {
    type Output = u64;
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<u64, StoreError> {
        queue::redrive(
            scope.connection,
            &self.from_queue,
            &self.to_queue,
            scope.now_ms,
            scope.effects,
        )
    }
}

pub(crate) struct TrimStream {
    pub(crate) retention: Duration,
    pub(crate) batch: usize,
}

impl Request for TrimStream {
    type Output = u64;
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<u64, StoreError> {
        stream::trim(scope.connection, self.retention, self.batch, scope.now_ms)
    }
}

pub(crate) struct ExpireMessages {
    pub(crate) queue: String,
    pub(crate) retention: Duration,
    pub(crate) batch: usize,
}

impl Request for ExpireMessages {
    type Output = u64;
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<u64, StoreError> {
        queue::expire(
            scope.connection,
            &self.queue,
            self.retention,
            self.batch,
            scope.now_ms,
        )
    }
}

pub(crate) struct ExpireItems {
    pub(crate) batch: usize,
}

impl Request for ExpireItems {
    type Output = u64;
    type Error = TableError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<u64, TableError> {
        table_write::expire_items(scope.connection, self.batch, scope.now_ms, scope.effects)
    }
}

pub(crate) struct IncrementalVacuum {
    pub(crate) pages: u32,
}

impl Request for IncrementalVacuum {
    type Output = ();
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<(), StoreError> {
        // The pragma returns no rows but must be stepped to completion.
        let mut statement = scope
            .connection
            .prepare_cached(&format!("PRAGMA incremental_vacuum({})", self.pages))?;
        let mut rows = statement.query([])?;
        while rows.next()?.is_some() {}
        Ok(())
    }
}

pub(crate) struct ReplaceMessage {
    pub(crate) queue: String,
    pub(crate) message_id: String,
    pub(crate) messages: Vec<OutgoingMessage>,
}

impl Request for ReplaceMessage {
    type Output = bool;
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<bool, StoreError> {
        let removed = queue::remove(scope.connection, &self.queue, &self.message_id)?;
        if removed {
            queue::enqueue_all(scope, &self.messages)?;
        }
        Ok(removed)
    }
}

pub(crate) struct AdvanceReplay(pub(crate) replay::Advance);

impl Request for AdvanceReplay {
    type Output = ();
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<(), StoreError> {
        replay::advance(scope, &self.0)
    }
}

pub(crate) struct ForgetReplay(pub(crate) String);

impl Request for ForgetReplay {
    type Output = bool;
    type Error = StoreError;
    fn execute(&self, scope: &mut Scope<'_>) -> Result<bool, StoreError> {
        replay::forget(scope.connection, &self.0)
    }
}
