//! What committed requests change outside the database: the notifiers' counters.

/// Collected per request while it runs; published only once its group has committed.
#[derive(Debug, Default)]
pub(crate) struct Effects {
    /// Sequence number of the last stream record appended.
    pub(crate) last_seq: Option<u64>,
    /// Messages that became available in some queue (sent, redriven or dead-lettered).
    pub(crate) enqueued: u64,
}

impl Effects {
    pub(crate) fn absorb(&mut self, other: Effects) {
        if other.last_seq.is_some() {
            self.last_seq = other.last_seq;
        }
        self.enqueued += other.enqueued;
    }
}
