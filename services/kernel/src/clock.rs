//! The injectable clock. Every timestamp in the system is JavaScript's `toISOString()` format:
//! UTC, exactly three fractional digits, trailing `Z` (`2025-06-19T00:27:33.368Z`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Source of the current instant.
pub trait Clock: Send + Sync {
    fn now(&self) -> SystemTime;

    /// `now()` formatted like JavaScript's `Date.prototype.toISOString()`.
    fn now_iso(&self) -> String {
        iso_millis(self.now())
    }
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock frozen at one instant, for tests.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub SystemTime);

impl FixedClock {
    /// A clock frozen `millis` milliseconds after the Unix epoch.
    pub fn at_millis(millis: u64) -> Self {
        Self(UNIX_EPOCH + Duration::from_millis(millis))
    }
}

impl Clock for FixedClock {
    fn now(&self) -> SystemTime {
        self.0
    }
}

/// Formats an instant as `YYYY-MM-DDTHH:MM:SS.mmmZ`.
pub fn iso_millis(instant: SystemTime) -> String {
    humantime::format_rfc3339_millis(instant).to_string()
}

/// Milliseconds since the Unix epoch (0 for instants before it).
pub fn epoch_millis(instant: SystemTime) -> u64 {
    instant
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_javascript_to_iso_string() {
        let clock = FixedClock::at_millis(1_750_292_853_368);
        assert_eq!(clock.now_iso(), "2025-06-19T00:27:33.368Z");
        assert_eq!(iso_millis(UNIX_EPOCH), "1970-01-01T00:00:00.000Z");
    }

    #[test]
    fn epoch_millis_round_trips() {
        assert_eq!(epoch_millis(FixedClock::at_millis(42).now()), 42);
    }
}
