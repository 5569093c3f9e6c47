//! `ecomm replay`: re-delivers stored events from the event store to their workers, as an
//! EventBridge archive replay does on AWS.
//!
//! The event items (`_tn = EVENTS#EVENT`) are read through the index in the order they were
//! stored (`createdAt`), filtered, wrapped exactly as the pipe wraps a stream record (plus
//! EventBridge's `replay-name`), and enqueued on every queue whose rule matches. Each step
//! enqueues a page and moves the replay's durable position in one transaction, so a replay that
//! crashed resumes where it stopped and delivers every event once. It is throttled so that live
//! traffic keeps flowing, and it runs beside a serving engine (whose pollers consume what it
//! enqueues) or before one starts.

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use contracts::events::EVENT_TYPE_NAME;
use kernel::table::{AttributeValue, Item, Key, get_s};
use serde::{Deserialize, Serialize};
use store_sqlite::{SqliteStore, StoreError, StreamRecord, StreamRecordKind};

use crate::config::ReplayArgs;
use crate::pipe::{self, RecordError};
use crate::routing::RoutingTable;

/// Index items read per step.
const PAGE: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("the store failed")]
    Store(#[from] StoreError),
    #[error("an event could not be wrapped for delivery")]
    Route(#[from] RecordError),
    #[error("could not write the output")]
    Output(#[from] std::io::Error),
    #[error("the filter could not be encoded")]
    Filter(#[from] serde_json::Error),
    #[error(
        "replay {name} was started with other filters ({stored}); rerun it with the same \
         options, or pass --restart, or choose another --name"
    )]
    OtherFilter { name: String, stored: String },
    #[error("--from and --to must be RFC 3339 times (e.g. 2025-06-19T00:27:33Z): {0}")]
    Time(#[from] humantime::TimestampError),
}

/// Which stored events a replay re-delivers. Every condition given must hold.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReplayFilter {
    /// `createdAt` at or after (ISO 8601, milliseconds, UTC).
    pub from: Option<String>,
    /// `createdAt` before.
    pub to: Option<String>,
    /// Only these event names (any when empty).
    pub event_names: Vec<String>,
    /// Only the events of this order.
    pub order_id: Option<String>,
    /// Only the events whose data names this SKU (its restocks and its orders' events).
    pub sku: Option<String>,
}

impl ReplayFilter {
    pub fn from_args(args: &ReplayArgs) -> Result<Self, ReplayError> {
        let instant = |text: &Option<String>| -> Result<Option<String>, ReplayError> {
            text.as_deref()
                .map(|text| humantime::parse_rfc3339_weak(text).map(kernel::clock::iso_millis))
                .transpose()
                .map_err(ReplayError::from)
        };
        Ok(Self {
            from: instant(&args.from)?,
            to: instant(&args.to)?,
            event_names: args.event.clone(),
            order_id: args.order.clone(),
            sku: args.sku.clone(),
        })
    }

    /// Whether every condition given here is the same in `stored` (those not given here are
    /// taken from `stored` when a replay resumes).
    pub fn agrees_with(&self, stored: &ReplayFilter) -> bool {
        let same = |given: &Option<String>, kept: &Option<String>| given.is_none() || given == kept;
        same(&self.from, &stored.from)
            && same(&self.to, &stored.to)
            && same(&self.order_id, &stored.order_id)
            && same(&self.sku, &stored.sku)
            && (self.event_names.is_empty() || self.event_names == stored.event_names)
    }

    pub fn matches(&self, item: &Item) -> bool {
        let created_at = get_s(item, "createdAt").unwrap_or_default();
        let event_name = get_s(item, "eventName").unwrap_or_default();
        let data = |field: &str| match item.get("eventData") {
            Some(AttributeValue::M(data)) => match data.get(field) {
                Some(AttributeValue::S(value)) => Some(value.as_str()),
                _ => None,
            },
            _ => None,
        };
        let pk = get_s(item, "pk").unwrap_or_default();
        self.from.as_deref().is_none_or(|from| created_at >= from)
            && self.to.as_deref().is_none_or(|to| created_at < to)
            && (self.event_names.is_empty() || self.event_names.iter().any(|n| n == event_name))
            && self.order_id.as_deref().is_none_or(|order_id| {
                pk == format!("EVENTS#ORDER_ID#{order_id}") || data("orderId") == Some(order_id)
            })
            && self
                .sku
                .as_deref()
                .is_none_or(|sku| pk == format!("EVENTS#SKU#{sku}") || data("sku") == Some(sku))
    }
}

/// What a replay did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplaySummary {
    pub name: String,
    /// Events matching the filter (counted before delivering).
    pub matching: u64,
    /// Events delivered by this run (the rest of a resumed replay was delivered before).
    pub delivered_now: u64,
    /// Events delivered by the replay in all its runs.
    pub delivered: u64,
    /// Messages enqueued by this run (one per matching rule).
    pub messages: u64,
    pub resumed: bool,
    pub elapsed: Duration,
}

/// Runs (or resumes) replay `args.name`; with `args.dry_run` only counts.
pub async fn run(
    store: &SqliteStore,
    routing: &RoutingTable,
    args: &ReplayArgs,
    out: &mut impl Write,
) -> Result<ReplaySummary, ReplayError> {
    let started = Instant::now();
    let asked = ReplayFilter::from_args(args)?;
    if args.restart && !args.dry_run {
        store.forget_replay(&args.name).await?;
    }
    let progress = store.replay_progress(&args.name).await?;
    // A new replay ends where the store is now (like an EventBridge replay's end time), so it
    // does not chase the events live traffic keeps adding; a resumed one keeps its own filter.
    let filter = match &progress {
        Some(progress) => {
            let stored: ReplayFilter = serde_json::from_str(&progress.filter)?;
            if !asked.agrees_with(&stored) {
                return Err(ReplayError::OtherFilter {
                    name: args.name.clone(),
                    stored: progress.filter.clone(),
                });
            }
            stored
        }
        None => ReplayFilter {
            to: asked
                .to
                .clone()
                .or_else(|| Some(kernel::clock::iso_millis(std::time::SystemTime::now()))),
            ..asked
        },
    };
    let filter_text = serde_json::to_string(&filter)?;
    let matching = count_matching(store, &filter).await?;
    if args.dry_run {
        writeln!(
            out,
            "replay {} (dry run): {matching} matching event(s), nothing delivered",
            args.name
        )?;
        return Ok(summary(args, matching, 0, 0, 0, false, started));
    }
    if let Some(progress) = progress.as_ref().filter(|progress| progress.done) {
        writeln!(
            out,
            "replay {} is already done ({} events delivered); pass --restart to run it again",
            args.name, progress.delivered
        )?;
        return Ok(summary(
            args,
            matching,
            0,
            progress.delivered,
            0,
            true,
            started,
        ));
    }
    let resumed = progress.is_some();
    let mut position = progress.as_ref().and_then(|p| p.position.clone());
    let mut delivered = progress.as_ref().map_or(0, |p| p.delivered);
    let (mut delivered_now, mut messages_now) = (0_u64, 0_u64);
    let mut bar = ProgressBar::new(&args.name, matching);
    let page_size = match args.rate {
        0 => PAGE,
        rate => PAGE.min(usize::try_from(rate).unwrap_or(PAGE)).max(1),
    };
    loop {
        let page = store
            .index_page(EVENT_TYPE_NAME, position.clone(), page_size)
            .await?;
        let done = page.len() < page_size;
        let next = page.last().map(|(at, _)| at.clone()).or(position.clone());
        let mut messages = Vec::new();
        let mut events = 0;
        for (_, item) in page.into_iter().filter(|(_, item)| filter.matches(item)) {
            messages.extend(pipe::route_replay(
                &replayed_record(item),
                routing,
                &args.name,
            )?);
            events += 1;
        }
        let count = u64::try_from(messages.len()).unwrap_or(u64::MAX);
        store
            .advance_replay(
                &args.name,
                &filter_text,
                position,
                next.clone(),
                events,
                done,
                messages,
            )
            .await?;
        position = next;
        delivered += events;
        delivered_now += events;
        messages_now += count;
        bar.show(delivered);
        if done {
            break;
        }
        throttle(args.rate, delivered_now, started).await;
    }
    bar.finish();
    let summary = summary(
        args,
        matching,
        delivered_now,
        delivered,
        messages_now,
        resumed,
        started,
    );
    writeln!(
        out,
        "replay {}: {} event(s) delivered as {} message(s) in {:.1} s{} ({} matching, {} delivered in all)",
        summary.name,
        summary.delivered_now,
        summary.messages,
        summary.elapsed.as_secs_f64(),
        if resumed { ", resumed" } else { "" },
        summary.matching,
        summary.delivered,
    )?;
    Ok(summary)
}

fn summary(
    args: &ReplayArgs,
    matching: u64,
    delivered_now: u64,
    delivered: u64,
    messages: u64,
    resumed: bool,
    started: Instant,
) -> ReplaySummary {
    ReplaySummary {
        name: args.name.clone(),
        matching,
        delivered_now,
        delivered,
        messages,
        resumed,
        elapsed: started.elapsed(),
    }
}

async fn count_matching(store: &SqliteStore, filter: &ReplayFilter) -> Result<u64, StoreError> {
    let mut position = None;
    let mut matching = 0;
    loop {
        let page = store.index_page(EVENT_TYPE_NAME, position, 1000).await?;
        matching += page.iter().filter(|(_, item)| filter.matches(item)).count() as u64;
        if page.len() < 1000 {
            return Ok(matching);
        }
        position = page.last().map(|(at, _)| at.clone());
    }
}

/// The stream record the live pipe saw when the event was stored.
fn replayed_record(item: Item) -> StreamRecord {
    let keys = Key::new(
        get_s(&item, "pk").unwrap_or_default(),
        get_s(&item, "sk").unwrap_or_default(),
    );
    StreamRecord {
        seq: 0,
        kind: StreamRecordKind::Insert,
        keys,
        new_image: Some(item),
        created_at_ms: kernel::clock::epoch_millis(std::time::SystemTime::now()),
        size_bytes: 0,
    }
}

/// Sleeps so that no more than `rate` events a second are delivered (0: unthrottled).
async fn throttle(rate: u64, delivered: u64, started: Instant) {
    if rate == 0 {
        return;
    }
    let due = Duration::from_millis(delivered.saturating_mul(1000) / rate);
    if let Some(wait) = due.checked_sub(started.elapsed()) {
        tokio::time::sleep(wait).await;
    }
}

/// A progress line on stderr: redrawn in place on a terminal, every 10 % otherwise.
struct ProgressBar {
    name: String,
    total: u64,
    terminal: bool,
    shown_tenths: u64,
}

impl ProgressBar {
    fn new(name: &str, total: u64) -> Self {
        Self {
            name: name.to_owned(),
            total,
            terminal: std::io::stderr().is_terminal(),
            shown_tenths: 0,
        }
    }

    fn show(&mut self, delivered: u64) {
        let percent = (delivered * 100)
            .checked_div(self.total)
            .unwrap_or(100)
            .min(100);
        let line = format!(
            "replay {}: {delivered}/{} events ({percent} %)",
            self.name, self.total
        );
        if self.terminal {
            let filled = usize::try_from(percent / 5).unwrap_or(20);
            eprint!(
                "\r[{}{}] {line}",
                "#".repeat(filled),
                " ".repeat(20 - filled)
            );
        } else if percent / 10 > self.shown_tenths {
            self.shown_tenths = percent / 10;
            eprintln!("{line}");
        }
    }

    fn finish(&self) {
        if self.terminal {
            eprintln!();
        }
    }
}

#[cfg(test)]
mod tests {
    use kernel::table::{item, n, s};

    use super::*;

    fn event(pk: &str, name: &str, created_at: &str, sku: &str) -> Item {
        item([
            ("pk", s(pk)),
            ("sk", s(format!("EVENT#{name}"))),
            ("eventName", s(name)),
            ("createdAt", s(created_at)),
            (
                "eventData",
                AttributeValue::M(
                    [
                        ("sku".to_owned(), s(sku)),
                        ("orderId".to_owned(), s("ORD1")),
                        ("units".to_owned(), n(2)),
                    ]
                    .into(),
                ),
            ),
        ])
    }

    #[test]
    fn filters_by_time_name_order_and_sku() {
        let placed = event(
            "EVENTS#ORDER_ID#ORD1",
            "ORDER_PLACED_EVENT",
            "2025-06-19T00:00:00.000Z",
            "APPLES",
        );
        let restocked = event(
            "EVENTS#SKU#PEARS",
            "SKU_RESTOCKED_EVENT",
            "2025-06-20T00:00:00.000Z",
            "PEARS",
        );
        assert!(ReplayFilter::default().matches(&placed));
        let window = ReplayFilter {
            from: Some("2025-06-19T12:00:00.000Z".into()),
            to: Some("2025-06-21T00:00:00.000Z".into()),
            ..ReplayFilter::default()
        };
        assert!(!window.matches(&placed) && window.matches(&restocked));
        let names = ReplayFilter {
            event_names: vec!["SKU_RESTOCKED_EVENT".into()],
            ..ReplayFilter::default()
        };
        assert!(!names.matches(&placed) && names.matches(&restocked));
        let order = ReplayFilter {
            order_id: Some("ORD1".into()),
            ..ReplayFilter::default()
        };
        assert!(order.matches(&placed));
        let sku = ReplayFilter {
            sku: Some("APPLES".into()),
            ..ReplayFilter::default()
        };
        assert!(sku.matches(&placed) && !sku.matches(&restocked));
    }

    #[test]
    fn a_resumed_replay_keeps_its_filter_unless_told_otherwise() {
        let stored = ReplayFilter {
            to: Some("2025-06-21T00:00:00.000Z".into()),
            order_id: Some("ORD1".into()),
            ..ReplayFilter::default()
        };
        assert!(ReplayFilter::default().agrees_with(&stored));
        let same = ReplayFilter {
            order_id: Some("ORD1".into()),
            ..ReplayFilter::default()
        };
        assert!(same.agrees_with(&stored));
        let other = ReplayFilter {
            order_id: Some("ORD2".into()),
            ..ReplayFilter::default()
        };
        assert!(!other.agrees_with(&stored));
    }
}
