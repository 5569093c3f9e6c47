//! Tests of `service.rs`, kept beside it so the production module reads on its own.

use async_trait::async_trait;
use contracts::{OrderId, Sku};
use kernel::Failure;
use kernel::table::Key;

use super::*;
use crate::test_support::{
    Fake, FakeReadAllocation, NOW, clock, order_data, permanent_failure, stored_allocation,
    transient_failure,
};

type FakeCommand = Fake<AllocateOrderStockCommand, Result<(), InventoryFailure>>;
type FakeRaise = Fake<Event<OrderEventData>, Result<(), InventoryFailure>>;

#[async_trait]
impl AllocateStockClient for FakeCommand {
    async fn allocate_stock(
        &self,
        command: &AllocateOrderStockCommand,
    ) -> Result<(), InventoryFailure> {
        self.call(command.clone())
    }
}

#[async_trait]
impl RecordStockDepletionClient for FakeCommand {
    async fn record_stock_depletion(
        &self,
        command: &AllocateOrderStockCommand,
    ) -> Result<(), InventoryFailure> {
        self.call(command.clone())
    }
}

#[async_trait]
impl RaiseOrderEventClient for FakeRaise {
    async fn raise(&self, event: &Event<OrderEventData>) -> Result<(), InventoryFailure> {
        self.call(event.clone())
    }
}

struct Clients {
    read: Arc<FakeReadAllocation>,
    allocate: Arc<FakeCommand>,
    deplete: Arc<FakeCommand>,
    raise: Arc<FakeRaise>,
}

impl Clients {
    async fn allocate_order(&self) -> Result<(), InventoryFailure> {
        AllocateOrderStockWorkerService::new(
            self.read.clone(),
            self.allocate.clone(),
            self.deplete.clone(),
            self.raise.clone(),
            clock(),
        )
        .allocate(order_data())
        .await
    }
}

fn key() -> Key {
    Key::new("pk", "sk")
}

fn found(
    status: AllocationStatus,
) -> Result<Option<crate::records::StoredAllocation>, InventoryFailure> {
    Ok(Some(stored_allocation(3, status)))
}

fn command() -> AllocateOrderStockCommand {
    AllocateOrderStockCommand {
        order: order_data(),
        now: NOW.to_owned(),
    }
}

fn raised(event_name: EventName) -> Event<OrderEventData> {
    Event::order(event_name, order_data(), NOW.to_owned())
}

fn read_arguments() -> (Sku, OrderId) {
    (order_data().sku, order_data().order_id)
}

#[tokio::test]
async fn an_existing_allocation_raises_its_outcome_without_touching_stock() {
    for (status, event_name) in [
        (
            AllocationStatus::Allocated,
            EventName::OrderStockAllocatedEvent,
        ),
        (
            AllocationStatus::CompletedPaymentAccepted,
            EventName::OrderStockAllocatedEvent,
        ),
        (
            AllocationStatus::DeallocatedPaymentRejected,
            EventName::OrderStockAllocatedEvent,
        ),
        (
            AllocationStatus::DeallocatedOrderCanceled,
            EventName::OrderStockAllocatedEvent,
        ),
        (
            AllocationStatus::StockDepleted,
            EventName::OrderStockDepletedEvent,
        ),
    ] {
        let clients = Clients {
            read: FakeReadAllocation::answering([found(status)]),
            allocate: FakeCommand::never(),
            deplete: FakeCommand::never(),
            raise: FakeRaise::answering([Ok(())]),
        };
        clients.allocate_order().await.unwrap();
        assert_eq!(clients.read.calls(), [read_arguments()]);
        assert_eq!(clients.raise.calls(), [raised(event_name)], "{status}");
    }
}

#[tokio::test]
async fn a_read_failure_stops_everything() {
    let clients = Clients {
        read: FakeReadAllocation::answering([Err(transient_failure())]),
        allocate: FakeCommand::never(),
        deplete: FakeCommand::never(),
        raise: FakeRaise::never(),
    };
    assert!(clients.allocate_order().await.unwrap_err().is_transient());
}

#[tokio::test]
async fn a_new_order_allocates_and_raises_allocated() {
    let clients = Clients {
        read: FakeReadAllocation::answering([Ok(None)]),
        allocate: FakeCommand::answering([Ok(())]),
        deplete: FakeCommand::never(),
        raise: FakeRaise::answering([Ok(())]),
    };
    clients.allocate_order().await.unwrap();
    assert_eq!(clients.allocate.calls(), [command()]);
    assert_eq!(
        clients.raise.calls(),
        [raised(EventName::OrderStockAllocatedEvent)]
    );
}

#[tokio::test]
async fn a_concurrent_allocation_is_re_read_and_its_outcome_raised() {
    for (status, event_name) in [
        (
            AllocationStatus::Allocated,
            EventName::OrderStockAllocatedEvent,
        ),
        (
            AllocationStatus::StockDepleted,
            EventName::OrderStockDepletedEvent,
        ),
    ] {
        let clients = Clients {
            read: FakeReadAllocation::answering([Ok(None), found(status)]),
            allocate: FakeCommand::answering([Err(InventoryFailure::DuplicateStockAllocation {
                key: key(),
            })]),
            deplete: FakeCommand::never(),
            raise: FakeRaise::answering([Ok(())]),
        };
        clients.allocate_order().await.unwrap();
        assert_eq!(clients.read.calls(), [read_arguments(), read_arguments()]);
        assert_eq!(clients.raise.calls(), [raised(event_name)]);
    }
}

#[tokio::test]
async fn a_duplicate_whose_allocation_cannot_be_read_back_is_retried() {
    let clients = Clients {
        read: FakeReadAllocation::answering([Ok(None), Ok(None)]),
        allocate: FakeCommand::answering([Err(InventoryFailure::DuplicateStockAllocation {
            key: key(),
        })]),
        deplete: FakeCommand::never(),
        raise: FakeRaise::never(),
    };
    let failure = clients.allocate_order().await.unwrap_err();
    assert!(matches!(
        failure,
        InventoryFailure::AllocationNotFound { .. }
    ));
    assert!(failure.is_transient());

    let clients = Clients {
        read: FakeReadAllocation::answering([Ok(None), Err(transient_failure())]),
        allocate: FakeCommand::answering([Err(InventoryFailure::DuplicateStockAllocation {
            key: key(),
        })]),
        deplete: FakeCommand::never(),
        raise: FakeRaise::never(),
    };
    assert!(clients.allocate_order().await.unwrap_err().is_transient());
}

#[tokio::test]
async fn depleted_stock_is_recorded_then_raised() {
    let clients = Clients {
        read: FakeReadAllocation::answering([Ok(None)]),
        allocate: FakeCommand::answering([Err(InventoryFailure::DepletedStockAllocation {
            key: key(),
        })]),
        deplete: FakeCommand::answering([Ok(())]),
        raise: FakeRaise::answering([Ok(())]),
    };
    clients.allocate_order().await.unwrap();
    assert_eq!(clients.deplete.calls(), [command()]);
    assert_eq!(
        clients.raise.calls(),
        [raised(EventName::OrderStockDepletedEvent)]
    );
}

#[tokio::test]
async fn a_depletion_racing_an_allocation_raises_what_was_stored() {
    let clients = Clients {
        read: FakeReadAllocation::answering([Ok(None), found(AllocationStatus::Allocated)]),
        allocate: FakeCommand::answering([Err(InventoryFailure::DepletedStockAllocation {
            key: key(),
        })]),
        deplete: FakeCommand::answering([Err(InventoryFailure::DuplicateStockAllocation {
            key: key(),
        })]),
        raise: FakeRaise::answering([Ok(())]),
    };
    clients.allocate_order().await.unwrap();
    assert_eq!(clients.read.calls().len(), 2);
    assert_eq!(
        clients.raise.calls(),
        [raised(EventName::OrderStockAllocatedEvent)]
    );
}

#[tokio::test]
async fn a_failed_depletion_record_raises_nothing() {
    let clients = Clients {
        read: FakeReadAllocation::answering([Ok(None)]),
        allocate: FakeCommand::answering([Err(InventoryFailure::DepletedStockAllocation {
            key: key(),
        })]),
        deplete: FakeCommand::answering([Err(transient_failure())]),
        raise: FakeRaise::never(),
    };
    assert!(clients.allocate_order().await.unwrap_err().is_transient());
}

#[tokio::test]
async fn other_allocation_failures_raise_nothing() {
    for failure in [transient_failure(), permanent_failure()] {
        let transient = failure.is_transient();
        let clients = Clients {
            read: FakeReadAllocation::answering([Ok(None)]),
            allocate: FakeCommand::answering([Err(failure)]),
            deplete: FakeCommand::never(),
            raise: FakeRaise::never(),
        };
        assert_eq!(
            clients.allocate_order().await.unwrap_err().is_transient(),
            transient
        );
    }
}

#[tokio::test]
async fn raising_failures_are_returned() {
    let clients = Clients {
        read: FakeReadAllocation::answering([Ok(None)]),
        allocate: FakeCommand::answering([Ok(())]),
        deplete: FakeCommand::never(),
        raise: FakeRaise::answering([Err(InventoryFailure::DuplicateEventRaised { key: key() })]),
    };
    let failure = clients.allocate_order().await.unwrap_err();
    assert!(matches!(
        failure,
        InventoryFailure::DuplicateEventRaised { .. }
    ));
    assert!(!failure.is_transient());

    let clients = Clients {
        read: FakeReadAllocation::answering([found(AllocationStatus::Allocated)]),
        allocate: FakeCommand::never(),
        deplete: FakeCommand::never(),
        raise: FakeRaise::answering([Err(transient_failure())]),
    };
    assert!(clients.allocate_order().await.unwrap_err().is_transient());
}
