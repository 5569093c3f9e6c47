//! Correlation and causation: which request a piece of work belongs to, and what caused it.
//!
//! Every API request runs under a correlation id (the client's `x-correlation-id`, or a new one)
//! and every record a worker processes runs under the correlation id of the event it carries.
//! Event items are stamped with the [`current`] ids when they are raised
//! (`contracts::events`), so every event of one order shares its request's correlation id and
//! names, as its causation id, the event (or the request) whose processing raised it.
//!
//! The ids travel in a Tokio task-local rather than through every service signature: like a
//! tracing span, they describe the work in progress, not its inputs, and no domain rule reads
//! them. Work outside a [`scope`] (tests, tools) simply raises events without them.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use rand::TryRngCore;
use rand::rngs::OsRng;

/// The HTTP header a request's correlation id travels in, both ways.
pub const CORRELATION_ID_HEADER: &str = "x-correlation-id";
/// The event item attribute holding the correlation id.
pub const CORRELATION_ID_ATTRIBUTE: &str = "correlationId";
/// The event item attribute holding the causation id.
pub const CAUSATION_ID_ATTRIBUTE: &str = "causationId";

/// The longest client-supplied correlation id kept (longer ones are replaced by a new id).
pub const MAX_ID_LENGTH: usize = 128;

/// The ids of the work in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correlation {
    /// Shared by everything one request set off.
    pub correlation_id: String,
    /// The request id, or the id of the event whose processing is under way.
    pub causation_id: String,
}

tokio::task_local! {
    static CURRENT: Correlation;
}

/// Runs `work` under `correlation`: events it raises carry these ids.
pub async fn scope<F: Future>(correlation: Correlation, work: F) -> F::Output {
    CURRENT.scope(correlation, work).await
}

/// The ids of the work in progress, if it runs in a [`scope`].
pub fn current() -> Option<Correlation> {
    CURRENT.try_with(Clone::clone).ok()
}

/// A client's correlation id, kept when it is 1 to [`MAX_ID_LENGTH`] visible ASCII characters
/// (so it is safe in a header, a log line and an attribute); anything else gets a new id.
pub fn accept_or_new(client_id: Option<&str>) -> String {
    match client_id.map(str::trim) {
        Some(id) if usable(id) => id.to_owned(),
        Some(_) | None => new_id(),
    }
}

/// Whether an id is 1 to [`MAX_ID_LENGTH`] visible ASCII characters.
pub fn usable(id: &str) -> bool {
    !id.is_empty() && id.len() <= MAX_ID_LENGTH && id.bytes().all(|byte| byte.is_ascii_graphic())
}

/// A new random id in the UUID v4 text form.
pub fn new_id() -> String {
    let mut bytes = [0_u8; 16];
    if OsRng.try_fill_bytes(&mut bytes).is_err() {
        // No OS randomness (never seen in practice): the time and a process counter are still
        // unique within this process, which is all a correlation id needs.
        static FALLBACK: AtomicU64 = AtomicU64::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let counter = u128::from(FALLBACK.fetch_add(1, Ordering::Relaxed));
        bytes = (nanos ^ (counter << 64)).to_be_bytes();
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|byte| format!("{byte:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The id of an event item: its key, `<pk>/<sk>` (unique, and it finds the item again).
pub fn event_id(pk: &str, sk: &str) -> String {
    format!("{pk}/{sk}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_ids_are_uuid_v4_text_and_differ() {
        let id = new_id();
        assert_eq!(id.len(), 36);
        assert_eq!(id.as_bytes()[14], b'4');
        assert!(
            matches!(id.as_bytes()[19], b'8' | b'9' | b'a' | b'b'),
            "{id}"
        );
        assert_ne!(new_id(), id);
    }

    #[test]
    fn a_usable_client_id_is_kept_and_anything_else_replaced() {
        assert_eq!(accept_or_new(Some(" order-run-42 ")), "order-run-42");
        let long = "x".repeat(MAX_ID_LENGTH);
        assert_eq!(accept_or_new(Some(&long)), long);
        for unusable in [
            Some(""),
            Some("has space"),
            Some("tab\there"),
            Some("é"),
            Some(&"x".repeat(MAX_ID_LENGTH + 1)),
            None,
        ] {
            let id = accept_or_new(unusable);
            assert_eq!(id.len(), 36, "{unusable:?} => {id}");
        }
    }

    #[tokio::test]
    async fn work_sees_the_ids_of_its_scope_and_none_outside() {
        assert_eq!(current(), None);
        let correlation = Correlation {
            correlation_id: "c-1".to_owned(),
            causation_id: "request-1".to_owned(),
        };
        let seen = scope(correlation.clone(), async { current() }).await;
        assert_eq!(seen, Some(correlation));
        assert_eq!(current(), None);
    }
}
