//! The single writer: one thread owns the write connection and commits requests in groups.
//!
//! Requests arrive over a channel. The writer takes everything pending (up to
//! [`MAX_GROUP`]), runs each request in its own savepoint inside one `BEGIN IMMEDIATE`
//! transaction, commits once, and only then answers: an acknowledged write is durable, and a
//! failed request has written nothing of its own. One fsync is shared by the whole group.

use std::sync::Arc;
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::Duration;

use kernel::clock::{Clock, epoch_millis};
use kernel::table::{Item, Key, Put, TableError, TransactItem, Update};
use rand::rngs::StdRng;
use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{oneshot, watch};

use crate::error::FromSqlite;
use crate::queue::{self, OutgoingMessage, QueueConfig, ReceivedMessage};
use crate::{StoreError, stream, table_write};

/// The most requests committed together.
const MAX_GROUP: usize = 256;

type Reply<T, E> = oneshot::Sender<Result<T, E>>;

/// A write request and where its answer goes.
pub(crate) enum Command {
    Put(Put, Reply<(), TableError>),
    Update(Update, Reply<Option<Item>, TableError>),
    Delete(Key, Reply<Option<Item>, TableError>),
    TransactWrite(Vec<TransactItem>, Reply<(), TableError>),
    Forward {
        name: String,
        through_seq: u64,
        messages: Vec<OutgoingMessage>,
        reply: Reply<(), StoreError>,
    },
    TrimStream {
        retention: Duration,
        reply: Reply<u64, StoreError>,
    },
    Receive {
        queue: QueueConfig,
        max_messages: usize,
        reply: Reply<Vec<ReceivedMessage>, StoreError>,
    },
    DeleteMessage {
        queue: String,
        receipt_handle: String,
        reply: Reply<bool, StoreError>,
    },
    Redrive {
        from_queue: String,
        to_queue: String,
        reply: Reply<u64, StoreError>,
    },
}

/// What committed requests change outside the database: the notifiers.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Sequence number of the last stream record appended.
    pub(crate) last_seq: Option<u64>,
    /// Messages that became available in some queue (sent, redriven or dead-lettered).
    pub(crate) enqueued: u64,
}

impl Effects {
    fn absorb(&mut self, other: Effects) {
        if other.last_seq.is_some() {
            self.last_seq = other.last_seq;
        }
        self.enqueued += other.enqueued;
    }
}

/// Sends a request's answer once the group's commit is known.
type Delivery = Box<dyn FnOnce(Option<&Arc<rusqlite::Error>>) + Send>;

fn deliver<T, E>(reply: Reply<T, E>, result: Result<T, E>) -> Delivery
where
    T: Send + 'static,
    E: FromSqlite + Send + 'static,
{
    Box::new(move |commit_failure| {
        let result = match commit_failure {
            None => result,
            Some(failure) => Err(E::from_sqlite(Arc::clone(failure))),
        };
        answer(reply, result);
    })
}

pub(crate) struct Writer {
    pub(crate) connection: Connection,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) rng: StdRng,
    pub(crate) stream_seq: watch::Sender<u64>,
    pub(crate) enqueued: watch::Sender<u64>,
}

impl Writer {
    /// Serves commands until every sender is gone.
    pub(crate) fn run(mut self, commands: &Receiver<Command>) {
        while let Ok(first) = commands.recv() {
            let mut group = Vec::with_capacity(16);
            group.push(first);
            while group.len() < MAX_GROUP {
                match commands.try_recv() {
                    Ok(command) => group.push(command),
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            }
            self.commit_group(group);
        }
    }

    fn commit_group(&mut self, group: Vec<Command>) {
        let now_ms = epoch_millis(self.clock.now());
        let Self {
            connection, rng, ..
        } = self;
        let mut transaction =
            match connection.transaction_with_behavior(TransactionBehavior::Immediate) {
                Ok(transaction) => transaction,
                Err(error) => {
                    let failure = Arc::new(error);
                    for command in group {
                        fail(command, &failure);
                    }
                    return;
                }
            };
        let mut effects = Effects::default();
        let deliveries: Vec<Delivery> = group
            .into_iter()
            .map(|command| run_in_savepoint(&mut transaction, rng, command, now_ms, &mut effects))
            .collect();
        match transaction.commit() {
            Ok(()) => {
                self.publish(&effects);
                for delivery in deliveries {
                    delivery(None);
                }
            }
            Err(error) => {
                let failure = Arc::new(error);
                for delivery in deliveries {
                    delivery(Some(&failure));
                }
            }
        }
    }

    fn publish(&self, effects: &Effects) {
        if let Some(seq) = effects.last_seq {
            self.stream_seq.send_replace(seq);
        }
        if effects.enqueued > 0 {
            self.enqueued
                .send_modify(|count| *count = count.wrapping_add(effects.enqueued));
        }
    }
}

/// Runs one request in its own savepoint: its writes are kept only if it succeeds.
fn run_in_savepoint(
    transaction: &mut rusqlite::Transaction<'_>,
    rng: &mut StdRng,
    command: Command,
    now_ms: u64,
    group_effects: &mut Effects,
) -> Delivery {
    let savepoint = match transaction.savepoint() {
        Ok(savepoint) => savepoint,
        Err(error) => {
            let failure = Arc::new(error);
            return Box::new(move |_| fail(command, &failure));
        }
    };
    let mut effects = Effects::default();
    let connection: &Connection = &savepoint;
    let (succeeded, delivery) = match command {
        Command::Put(put, reply) => {
            let result = table_write::put(connection, put, now_ms, &mut effects);
            (result.is_ok(), deliver(reply, result))
        }
        Command::Update(update, reply) => {
            let result = table_write::update(connection, update, now_ms, &mut effects);
            (result.is_ok(), deliver(reply, result))
        }
        Command::Delete(key, reply) => {
            let result = table_write::delete(connection, &key, now_ms, &mut effects);
            (result.is_ok(), deliver(reply, result))
        }
        Command::TransactWrite(items, reply) => {
            let result = table_write::transact_write(connection, items, now_ms, &mut effects);
            (result.is_ok(), deliver(reply, result))
        }
        Command::Forward {
            name,
            through_seq,
            messages,
            reply,
        } => {
            let result = stream::forward(
                connection,
                rng,
                &name,
                through_seq,
                messages,
                now_ms,
                &mut effects,
            );
            (result.is_ok(), deliver(reply, result))
        }
        Command::TrimStream { retention, reply } => {
            let result = stream::trim(connection, retention, now_ms);
            (result.is_ok(), deliver(reply, result))
        }
        Command::Receive {
            queue,
            max_messages,
            reply,
        } => {
            let result =
                queue::receive(connection, rng, &queue, max_messages, now_ms, &mut effects);
            (result.is_ok(), deliver(reply, result))
        }
        Command::DeleteMessage {
            queue,
            receipt_handle,
            reply,
        } => {
            let result = queue::delete_message(connection, &queue, &receipt_handle);
            (result.is_ok(), deliver(reply, result))
        }
        Command::Redrive {
            from_queue,
            to_queue,
            reply,
        } => {
            let result = queue::redrive(connection, &from_queue, &to_queue, now_ms, &mut effects);
            (result.is_ok(), deliver(reply, result))
        }
    };
    if !succeeded {
        // Dropping the savepoint rolls back whatever the failed request wrote.
        drop(savepoint);
        return delivery;
    }
    match savepoint.commit() {
        Ok(()) => {
            group_effects.absorb(effects);
            delivery
        }
        Err(error) => {
            let failure = Arc::new(error);
            Box::new(move |_| delivery(Some(&failure)))
        }
    }
}

/// Sends an answer; the caller may have stopped waiting, and then there is no one to tell.
fn answer<T, E>(reply: Reply<T, E>, result: Result<T, E>) {
    let _ = reply.send(result);
}

/// Answers a request that could not run at all.
fn fail(command: Command, failure: &Arc<rusqlite::Error>) {
    match command {
        Command::Put(_, reply) | Command::TransactWrite(_, reply) => failed(reply, failure),
        Command::Update(_, reply) | Command::Delete(_, reply) => failed(reply, failure),
        Command::Forward { reply, .. } => failed(reply, failure),
        Command::TrimStream { reply, .. } | Command::Redrive { reply, .. } => {
            failed(reply, failure);
        }
        Command::Receive { reply, .. } => failed(reply, failure),
        Command::DeleteMessage { reply, .. } => failed(reply, failure),
    }
}

fn failed<T, E: FromSqlite>(reply: Reply<T, E>, failure: &Arc<rusqlite::Error>) {
    answer(reply, Err(E::from_sqlite(Arc::clone(failure))));
}
