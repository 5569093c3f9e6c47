//! Counting what the adapter asks of DynamoDB: requests per operation and the capacity units
//! DynamoDB reports for them (`ReturnConsumedCapacity=INDEXES`), split into table and index.
//!
//! A [`DynamoDbTable`](crate::DynamoDbTable) only asks for consumed capacity when it carries a
//! meter, so production requests stay byte-for-byte what they were. DynamoDB reports no capacity
//! for a request that fails (a failed condition included, although AWS bills a failed
//! conditional write at least one write unit), so those are counted apart as `failed`.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Sub;
use std::sync::Mutex;

use aws_sdk_dynamodb::types::{Capacity, ConsumedCapacity};

/// The DynamoDB operations the adapter sends, one per [`kernel::table::Table`] method.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operation {
    GetItem,
    PutItem,
    UpdateItem,
    DeleteItem,
    TransactWriteItems,
    Query,
}

impl Operation {
    pub const ALL: [Operation; 6] = [
        Self::GetItem,
        Self::PutItem,
        Self::UpdateItem,
        Self::DeleteItem,
        Self::TransactWriteItems,
        Self::Query,
    ];

    /// Whether the operation reads (its capacity is read units) rather than writes.
    pub fn reads(self) -> bool {
        match self {
            Self::GetItem | Self::Query => true,
            Self::PutItem | Self::UpdateItem | Self::DeleteItem | Self::TransactWriteItems => false,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::GetItem => "GetItem",
            Self::PutItem => "PutItem",
            Self::UpdateItem => "UpdateItem",
            Self::DeleteItem => "DeleteItem",
            Self::TransactWriteItems => "TransactWriteItems",
            Self::Query => "Query",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Requests of one operation and the capacity DynamoDB reported for them.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Usage {
    /// Requests sent (each counted once, whatever its outcome).
    pub requests: u64,
    /// Requests DynamoDB refused (a failed condition or cancelled transaction included).
    pub failed: u64,
    pub table_read_units: f64,
    pub table_write_units: f64,
    /// Summed over the table's global secondary indexes.
    pub index_read_units: f64,
    pub index_write_units: f64,
}

impl Usage {
    pub fn read_units(&self) -> f64 {
        self.table_read_units + self.index_read_units
    }

    pub fn write_units(&self) -> f64 {
        self.table_write_units + self.index_write_units
    }

    fn add_capacity(&mut self, operation: Operation, consumed: &ConsumedCapacity) {
        let (read, write) = units(operation, consumed.table());
        self.table_read_units += read;
        self.table_write_units += write;
        for index in consumed
            .global_secondary_indexes()
            .into_iter()
            .flat_map(|i| i.values())
        {
            let (read, write) = units(operation, Some(index));
            self.index_read_units += read;
            self.index_write_units += write;
        }
    }

    fn add(&mut self, other: &Usage) {
        self.requests += other.requests;
        self.failed += other.failed;
        self.table_read_units += other.table_read_units;
        self.table_write_units += other.table_write_units;
        self.index_read_units += other.index_read_units;
        self.index_write_units += other.index_write_units;
    }
}

impl Sub for Usage {
    type Output = Usage;

    fn sub(self, earlier: Usage) -> Usage {
        Usage {
            requests: self.requests - earlier.requests,
            failed: self.failed - earlier.failed,
            table_read_units: self.table_read_units - earlier.table_read_units,
            table_write_units: self.table_write_units - earlier.table_write_units,
            index_read_units: self.index_read_units - earlier.index_read_units,
            index_write_units: self.index_write_units - earlier.index_write_units,
        }
    }
}

/// `(read units, write units)` of one table or index. Where only the undirected `CapacityUnits`
/// is reported, the operation says which kind they are.
fn units(operation: Operation, capacity: Option<&Capacity>) -> (f64, f64) {
    let Some(capacity) = capacity else {
        return (0.0, 0.0);
    };
    match (
        capacity.read_capacity_units(),
        capacity.write_capacity_units(),
        capacity.capacity_units(),
    ) {
        (None, None, Some(units)) if operation.reads() => (units, 0.0),
        (None, None, Some(units)) => (0.0, units),
        (read, write, _) => (read.unwrap_or(0.0), write.unwrap_or(0.0)),
    }
}

/// What one request reported, before it is added to a [`Meter`].
pub(crate) enum Reported<'a> {
    Capacity(Option<&'a ConsumedCapacity>),
    Capacities(&'a [ConsumedCapacity]),
    Failed,
}

/// A running count of requests and capacity per [`Operation`], shared by every clone of the
/// table that carries it.
#[derive(Debug, Default)]
pub struct Meter {
    usage: Mutex<BTreeMap<Operation, Usage>>,
}

impl Meter {
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn record(&self, operation: Operation, reported: Reported<'_>) {
        let mut usage = self
            .usage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let entry = usage.entry(operation).or_default();
        entry.requests += 1;
        match reported {
            Reported::Capacity(consumed) => consumed
                .into_iter()
                .for_each(|consumed| entry.add_capacity(operation, consumed)),
            Reported::Capacities(consumed) => consumed
                .iter()
                .for_each(|consumed| entry.add_capacity(operation, consumed)),
            Reported::Failed => entry.failed += 1,
        }
    }

    /// The counts so far; subtract two readings to count what happened in between.
    pub fn reading(&self) -> Reading {
        Reading(
            self.usage
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .clone(),
        )
    }
}

/// A [`Meter`]'s counts at one moment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reading(BTreeMap<Operation, Usage>);

impl Reading {
    pub fn operation(&self, operation: Operation) -> Usage {
        self.0.get(&operation).copied().unwrap_or_default()
    }

    pub fn total(&self) -> Usage {
        let mut total = Usage::default();
        self.0.values().for_each(|usage| total.add(usage));
        total
    }

    /// Adds another reading's counts to this one.
    pub fn accumulate(&mut self, other: &Reading) {
        for (operation, usage) in &other.0 {
            self.0.entry(*operation).or_default().add(usage);
        }
    }
}

impl Sub for &Reading {
    type Output = Reading;

    fn sub(self, earlier: &Reading) -> Reading {
        Reading(
            Operation::ALL
                .into_iter()
                .map(|operation| {
                    (
                        operation,
                        self.operation(operation) - earlier.operation(operation),
                    )
                })
                .filter(|(_, usage)| usage.requests > 0)
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn capacity(read: Option<f64>, write: Option<f64>) -> Capacity {
        Capacity::builder()
            .set_read_capacity_units(read)
            .set_write_capacity_units(write)
            .set_capacity_units(Some(read.unwrap_or(0.0) + write.unwrap_or(0.0)))
            .build()
    }

    #[test]
    fn a_meter_splits_table_and_index_units_and_counts_failures_apart() {
        let meter = Meter::new();
        let put = ConsumedCapacity::builder()
            .table(capacity(None, Some(1.0)))
            .global_secondary_indexes("gsi1", capacity(None, Some(1.0)))
            .build();
        meter.record(Operation::PutItem, Reported::Capacity(Some(&put)));
        meter.record(Operation::PutItem, Reported::Failed);
        let get = ConsumedCapacity::builder()
            .table(capacity(Some(1.0), None))
            .build();
        meter.record(Operation::GetItem, Reported::Capacity(Some(&get)));
        meter.record(Operation::GetItem, Reported::Capacity(None));

        let reading = meter.reading();
        assert_eq!(
            reading.operation(Operation::PutItem),
            Usage {
                requests: 2,
                failed: 1,
                table_write_units: 1.0,
                index_write_units: 1.0,
                ..Usage::default()
            }
        );
        assert_eq!(reading.operation(Operation::GetItem).requests, 2);
        assert_eq!(reading.total().read_units(), 1.0);
        assert_eq!(reading.total().write_units(), 2.0);
    }

    #[test]
    fn subtracting_readings_leaves_what_happened_in_between() {
        let meter = Meter::new();
        let transaction = [ConsumedCapacity::builder()
            .table(capacity(None, Some(4.0)))
            .set_global_secondary_indexes(Some(HashMap::from([(
                "gsi1".to_owned(),
                capacity(None, Some(2.0)),
            )])))
            .build()];
        meter.record(
            Operation::TransactWriteItems,
            Reported::Capacities(&transaction),
        );
        let before = meter.reading();
        meter.record(Operation::Query, Reported::Capacity(None));

        let between = &meter.reading() - &before;
        assert_eq!(
            between.operation(Operation::TransactWriteItems),
            Usage::default()
        );
        assert_eq!(between.operation(Operation::Query).requests, 1);
        let mut sum = before.clone();
        sum.accumulate(&between);
        assert_eq!(sum, meter.reading());
    }
}
