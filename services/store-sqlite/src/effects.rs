//! What committed requests change outside the database: the notifiers' counters.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use tokio::sync::watch;

/// Collected per request while it runs; published only once its group has committed.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Sequence number of the last stream record appended.
    pub(crate) last_seq: Option<u64>,
    /// Per queue, the messages that became available in it (sent, redriven or dead-lettered).
    pub(crate) enqueued: BTreeMap<String, u64>,
}

impl Effects {
    pub(crate) fn absorb(&mut self, other: Effects) {
        if other.last_seq.is_some() {
            self.last_seq = other.last_seq;
        }
        for (queue, count) in other.enqueued {
            self.enqueued_to(&queue, count);
        }
    }

    /// Counts `count` messages that became available in `queue`.
    pub(crate) fn enqueued_to(&mut self, queue: &str, count: u64) {
        if count == 0 {
            return;
        }
        match self.enqueued.get_mut(queue) {
            Some(total) => *total = total.wrapping_add(count),
            None => {
                self.enqueued.insert(queue.to_owned(), count);
            }
        }
    }
}

/// One counter per queue, bumped when messages become available in it: a poller waits on its
/// own queue's counter, so a message sent to one queue wakes only that queue's pollers.
#[derive(Debug, Default)]
pub(crate) struct QueueNotifiers {
    counters: Mutex<HashMap<String, watch::Sender<u64>>>,
}

impl QueueNotifiers {
    pub(crate) fn subscribe(&self, queue: &str) -> watch::Receiver<u64> {
        let mut counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        match counters.get(queue) {
            Some(counter) => counter.subscribe(),
            None => {
                let (counter, receiver) = watch::channel(0);
                counters.insert(queue.to_owned(), counter);
                receiver
            }
        }
    }

    pub(crate) fn publish(&self, enqueued: &BTreeMap<String, u64>) {
        if enqueued.is_empty() {
            return;
        }
        let counters = self.counters.lock().unwrap_or_else(PoisonError::into_inner);
        for (queue, count) in enqueued {
            // A queue nobody watches yet has no counter; its first poller receives anyway.
            if let Some(counter) = counters.get(queue) {
                counter.send_modify(|total| *total = total.wrapping_add(*count));
            }
        }
    }
}
