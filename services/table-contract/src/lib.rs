//! THE storage contract: every [`kernel::table::Table`] adapter must pass these cases, and each
//! case states what Amazon DynamoDB really does (the same suite runs against DynamoDB Local).
//!
//! Each case is a `pub async fn case(table: &dyn Table, ns: &str)`; `ns` prefixes every key and
//! index partition it writes, so all cases can share one table (pk/sk strings, GSI
//! [`kernel::table::GSI1_NAME`] on gsi1pk/gsi1sk, projection ALL). An adapter's
//! `tests/contract.rs` is one macro call generating one `#[tokio::test]` per case:
//!
//! ```ignore
//! // `fixture` is an async fn (or closure returning a future) whose output derefs to a Table
//! // (e.g. a struct holding the adapter and its temp dir, or an `Arc<dyn Table>`).
//! table_contract::table_contract_tests!(fixture);
//! ```
//!
//! The calling crate needs `tokio` (with `macros` and `rt`) as a (dev-)dependency.
//!
//! Reads of the index and eventually consistent reads are retried for a bounded time until they
//! show what was written (DynamoDB propagates them asynchronously); nothing else is retried.

// This crate is a test suite shipped as a library: failing an assertion is its job.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "contract assertions panic by design, like the tests that call them"
)]

pub mod cases;
mod support;

pub use support::unique_ns;

/// Generates one `#[tokio::test]` per contract case. `$factory` is called once per test as
/// `($factory)().await`; the result must deref to a `Table` (kept alive for the whole case).
#[macro_export]
macro_rules! table_contract_tests {
    ($factory:expr) => {
        $crate::__table_contract_cases!(
            $factory;
            put_and_get_round_trip_every_attribute_type,
            eventually_consistent_get_sees_the_item,
            get_of_a_missing_item_returns_none,
            put_replaces_the_whole_item,
            conditional_put_creates_an_absent_item,
            conditional_put_on_an_existing_item_fails_and_returns_the_old_item_only_when_asked,
            conditional_put_with_item_exists_fails_on_a_missing_item,
            put_without_a_valid_key_is_invalid,
            update_upserts_a_missing_item_and_returns_all_new,
            update_without_return_values_returns_nothing,
            update_leaves_other_attributes_untouched,
            update_set_if_not_exists_keeps_existing_values,
            update_add_adds_and_subtracts_exact_decimals,
            update_add_from_zero_starts_a_missing_counter,
            update_add_to_a_missing_attribute_is_invalid_and_writes_nothing,
            update_add_to_a_non_number_is_invalid,
            update_of_a_key_attribute_is_invalid,
            update_condition_failure_returns_the_old_item_only_when_asked,
            update_with_item_exists_does_not_create_a_missing_item,
            update_with_item_not_exists_creates_once,
            condition_equals_compares_numbers_by_value_and_type,
            condition_not_equals_holds_for_an_absent_attribute,
            condition_greater_or_equal_compares_numbers_by_value,
            condition_attribute_exists_and_and,
            transact_write_applies_every_member,
            transact_write_cancellation_reports_aligned_reasons_and_writes_nothing,
            transact_write_reports_every_failing_member,
            transact_write_returns_old_items_when_asked,
            transact_write_condition_check_failure_cancels,
            transact_write_touching_one_item_twice_is_invalid,
            transact_write_stock_allocation,
            delete_returns_the_old_item,
            query_table_partition_in_sort_key_order,
            query_gsi_orders_by_gsi1sk_and_skips_items_without_index_keys,
            query_gsi_follows_updates_of_the_index_keys,
            query_table_pages_resume_after_the_last_evaluated_key,
            query_gsi_pages_through_equal_sort_keys_once,
            query_with_a_start_key_of_another_partition_is_invalid,
            query_gsi_rejects_consistent_reads,
            query_rejects_a_zero_limit,
            numbers_keep_their_exact_decimal_values,
            values_nest_at_most_32_levels,
            key_attributes_have_size_limits,
            items_hold_at_most_400_kb,
            transact_write_holds_at_most_4_mb,
            numbers_outside_dynamodb_range_are_invalid,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __table_contract_cases {
    ($factory:expr; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let fixture = ($factory)().await;
                let ns = $crate::unique_ns(stringify!($case));
                $crate::cases::$case(&*fixture, &ns).await;
            }
        )*
    };
}
