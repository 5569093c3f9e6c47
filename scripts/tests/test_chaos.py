"""Tests of scripts/chaos: the plan (seeded, reproducible) and the invariant checker on small
synthetic stores. Nothing here starts ecomm.

Run from the repository root: python3 -m unittest discover -s scripts/tests
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import io
import importlib.util
import json
import sqlite3
import subprocess
import sys
import tempfile
import unittest
from collections import Counter
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "chaos"


def load_script():
    """Imports the extension-less script as a module."""
    loader = importlib.machinery.SourceFileLoader("chaos", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    sys.modules[loader.name] = module  # dataclasses look their module up while the class is built
    loader.exec_module(module)
    return module


chaos = load_script()

NOW = "2025-01-01T00:00:00.000Z"


# ---------------------------------------------------------------------------------------------
# A small synthetic store, shaped like what the engine writes (plain items, keyed by (pk, sk))
# ---------------------------------------------------------------------------------------------


def put(items, item):
    items[(item["pk"], item["sk"])] = item


def event(items, order_id, name, data):
    put(items, {"pk": f"EVENTS#ORDER_ID#{order_id}", "sk": f"EVENT#{name}", "eventName": name,
                "eventData": data, "createdAt": NOW, "updatedAt": NOW, "_tn": "EVENTS#EVENT",
                "_sn": "EVENTS", "gsi1pk": "EVENTS#EVENT", "gsi1sk": f"CREATED_AT#{NOW}"})


def order_record(items, planned, status):
    pk, sk = chaos.order_key(planned.order_id)
    put(items, {"pk": pk, "sk": sk, "orderId": planned.order_id, "orderStatus": status, "sku": planned.sku,
                "units": planned.units, "price": planned.price, "userId": planned.user_id, "_tn": "ORDERS#ORDER"})


def payment_record(items, order_id, status):
    pk, sk = chaos.payment_key(order_id)
    put(items, {"pk": pk, "sk": sk, "orderId": order_id, "paymentStatus": status, "paymentRetries": 0,
                "_tn": "PAYMENTS#ORDER_PAYMENT"})


def allocation_record(items, planned, status):
    pk, sk = chaos.allocation_key(planned.sku, planned.order_id)
    put(items, {"pk": pk, "sk": sk, "orderId": planned.order_id, "sku": planned.sku, "units": planned.units,
                "allocationStatus": status, "_tn": "INVENTORY#ORDER_ALLOCATION"})


def sku_record(items, sku, units):
    pk, sk = chaos.sku_key(sku)
    put(items, {"pk": pk, "sk": sk, "sku": sku, "units": units, "_tn": "INVENTORY#SKU"})


def lot_record(items, sku, lot_id, units):
    put(items, {"pk": f"INVENTORY#SKU#{sku}", "sk": f"LOT_ID#{lot_id}", "sku": sku, "lotId": lot_id,
                "units": units, "_tn": "INVENTORY#RESTOCK_SKU"})


def envelope(item_dynamodb_json) -> str:
    """An SQS body as the embedded pipe writes it (EventBridge envelope around a stream record)."""
    return json.dumps({"version": "0", "detail-type": "DynamoDBStreamRecord",
                       "source": "event-store.dynamodb.stream",
                       "detail": {"eventName": "INSERT", "dynamodb": {"NewImage": item_dynamodb_json}}})


def order_event_image(order_id, name, sku="VALAPPLE"):
    return {"pk": {"S": f"EVENTS#ORDER_ID#{order_id}"}, "sk": {"S": f"EVENT#{name}"}, "eventName": {"S": name},
            "eventData": {"M": {"orderId": {"S": order_id}, "sku": {"S": sku}, "units": {"N": "2"},
                                "price": {"N": "19.99"}, "userId": {"S": "CHAOSUSER"}}},
            "_tn": {"S": "EVENTS#EVENT"}}


class Scenario:
    """A consistent, settled store: 3 valid orders (accepted, rejected, depleted) on one SKU."""

    def __init__(self):
        P = chaos.PlannedOrder
        self.accepted = P("VAL00001", "VALAPPLE", 3, 19.99)
        self.rejected = P("VAL00002", "VALAPPLE", 2, 150000.5)
        self.depleted = P("VAL00003", "VALAPPLE", 1_500_000, 12.5)
        self.expect = chaos.Expectation(
            orders={o.order_id: o for o in (self.accepted, self.rejected, self.depleted)},
            lots={"VALAPPLE": {"LOT00001": 40, "LOT00002": 30}})
        items = {}
        lot_record(items, "VALAPPLE", "LOT00001", 40)
        lot_record(items, "VALAPPLE", "LOT00002", 30)
        sku_record(items, "VALAPPLE", 70 - 3)
        for planned, status, payment, allocation, names in (
            (self.accepted, chaos.ACCEPTED, "PAYMENT_ACCEPTED", "COMPLETED_PAYMENT_ACCEPTED",
             ("ORDER_PLACED_EVENT", "ORDER_CREATED_EVENT", "ORDER_STOCK_ALLOCATED_EVENT",
              "ORDER_PAYMENT_ACCEPTED_EVENT")),
            (self.rejected, chaos.REJECTED, "PAYMENT_REJECTED", "DEALLOCATED_PAYMENT_REJECTED",
             ("ORDER_PLACED_EVENT", "ORDER_CREATED_EVENT", "ORDER_STOCK_ALLOCATED_EVENT",
              "ORDER_PAYMENT_REJECTED_EVENT")),
            (self.depleted, chaos.DEPLETED, None, "STOCK_DEPLETED",
             ("ORDER_PLACED_EVENT", "ORDER_CREATED_EVENT", "ORDER_STOCK_DEPLETED_EVENT")),
        ):
            order_record(items, planned, status)
            if payment:
                payment_record(items, planned.order_id, payment)
            allocation_record(items, planned, allocation)
            for name in names:
                event(items, planned.order_id, name, planned.body())
        # Chaos-only leftovers that are allowed: an order stuck mid-way, its dead letter.
        event(items, "CHX00001", "ORDER_PAYMENT_ACCEPTED_EVENT", {"orderId": "CHX00001"})
        sku_record(items, "CHXSKU01", 4)
        self.items = items
        self.messages = [chaos.QueueMessage(
            "Inventory-CompleteOrderPaymentAcceptedWorker-Dlq", "m-1", 0, True,
            envelope(order_event_image("CHX00001", "ORDER_PAYMENT_ACCEPTED_EVENT", "CHXSKU01")))]
        self.stream_inserts = Counter({key: 1 for key in items if key[0].startswith("EVENTS#")})
        self.log = chaos.RunLog()

    def snapshot(self):
        return chaos.Snapshot(self.items, self.messages, pipe_checkpoint=42, max_stream_seq=42,
                              stream_inserts=self.stream_inserts)

    def check(self):
        return {c.name: c for c in chaos.check_invariants(self.expect, self.snapshot(), self.log)}


def failed(checks):
    return {name: check.violations for name, check in checks.items() if not check.passed}


class InvariantCheckerTest(unittest.TestCase):
    def test_a_consistent_store_passes_every_check(self):
        checks = Scenario().check()
        self.assertEqual(failed(checks), {})
        self.assertGreaterEqual(len(checks), 15)

    def test_a_double_charge_fails(self):
        scenario = Scenario()
        # A second accepted payment record for the same order (under another key).
        put(scenario.items, {"pk": "PAYMENTS#ORDER_ID#VAL00001", "sk": "ORDER_ID#VAL00001#ORDER_PAYMENT#2",
                             "orderId": "VAL00001", "paymentStatus": "PAYMENT_ACCEPTED",
                             "_tn": "PAYMENTS#ORDER_PAYMENT"})
        self.assertEqual(failed(scenario.check()),
                         {"no order is charged twice": ["VAL00001: 2 accepted payments"]})

    def test_accepted_and_rejected_events_for_one_order_fail(self):
        scenario = Scenario()
        event(scenario.items, "VAL00001", "ORDER_PAYMENT_REJECTED_EVENT", scenario.accepted.body())
        scenario.stream_inserts[("EVENTS#ORDER_ID#VAL00001", "EVENT#ORDER_PAYMENT_REJECTED_EVENT")] = 1
        self.assertIn("no order is charged twice", failed(scenario.check()))

    def test_a_negative_stock_fails(self):
        scenario = Scenario()
        sku_record(scenario.items, "CHXSKU01", -2)
        self.assertEqual(failed(scenario.check()), {"stock is never negative": ["CHXSKU01: -2 units"]})

    def test_stock_that_is_not_conserved_fails(self):
        scenario = Scenario()
        sku_record(scenario.items, "VALAPPLE", 69)  # the rejected order's 2 units never came back
        self.assertEqual(list(failed(scenario.check())),
                         ["stock per SKU = restocked once per lot - units of accepted orders"])

    def test_a_lot_counted_twice_fails(self):
        scenario = Scenario()
        lot_record(scenario.items, "VALAPPLE", "LOT00009", 999)
        sku_record(scenario.items, "VALAPPLE", 67 + 999)
        self.assertEqual(set(failed(scenario.check())), {
            "each lot is counted once, with its first units",
            "stock per SKU = restocked once per lot - units of accepted orders"})

    def test_a_non_terminal_order_fails(self):
        scenario = Scenario()
        order_record(scenario.items, scenario.accepted, "ORDER_STOCK_ALLOCATED_STATUS")
        problems = failed(scenario.check())
        self.assertEqual(problems["every valid order is terminal"],
                         ["VAL00001: not terminal: ORDER_STOCK_ALLOCATED_STATUS"])

    def test_a_missing_order_fails(self):
        scenario = Scenario()
        del scenario.items[chaos.order_key("VAL00003")]
        self.assertEqual(failed(scenario.check())["every valid order is terminal"], ["VAL00003: no order record"])

    def test_a_status_that_disagrees_with_the_payment_fails(self):
        scenario = Scenario()
        payment_record(scenario.items, "VAL00002", "PAYMENT_ACCEPTED")
        self.assertEqual(failed(scenario.check()), {
            "order status agrees with payment and allocation records":
                ["VAL00002: ORDER_PAYMENT_REJECTED_STATUS but payment PAYMENT_ACCEPTED (want PAYMENT_REJECTED)"]})

    def test_a_charged_depleted_order_fails(self):
        scenario = Scenario()
        payment_record(scenario.items, "VAL00003", "PAYMENT_REJECTED")
        self.assertIn("order status agrees with payment and allocation records", failed(scenario.check()))

    def test_an_accepted_forced_rejection_fails(self):
        scenario = Scenario()
        order_record(scenario.items, scenario.rejected, chaos.ACCEPTED)
        payment_record(scenario.items, "VAL00002", "PAYMENT_ACCEPTED")
        allocation_record(scenario.items, scenario.rejected, "COMPLETED_PAYMENT_ACCEPTED")
        sku_record(scenario.items, "VALAPPLE", 70 - 3 - 2)
        self.assertEqual(failed(scenario.check()), {
            "forced rejections are never accepted": ["VAL00002: price 150000.5 accepted"]})

    def test_a_later_placement_that_won_fails(self):
        scenario = Scenario()
        order_record(scenario.items, chaos.PlannedOrder("VAL00003", "VALAPPLE", 1, 1, "OTHERUSER"), chaos.DEPLETED)
        self.assertEqual(list(failed(scenario.check())), ["the first placement wins"])

    def test_a_duplicate_event_fails(self):
        scenario = Scenario()
        # Same event name under a second key: two ORDER_CREATED_EVENTs for one order.
        put(scenario.items, {**scenario.items[("EVENTS#ORDER_ID#VAL00001", "EVENT#ORDER_CREATED_EVENT")],
                             "sk": "EVENT#ORDER_CREATED_EVENT#2"})
        self.assertEqual(failed(scenario.check()), {
            "no duplicated event per event name per order": ["VAL00001: 2 x ORDER_CREATED_EVENT"]})

    def test_an_event_inserted_twice_fails_unless_it_was_deleted_in_between(self):
        scenario = Scenario()
        key = ("EVENTS#ORDER_ID#VAL00002", "EVENT#ORDER_PAYMENT_REJECTED_EVENT")
        scenario.stream_inserts[key] = 2
        self.assertEqual(list(failed(scenario.check())),
                         ["duplicates wrote nothing (one INSERT per event key and replay)"])
        scenario.log.deletes[key] = 1  # a delete-and-replay: two INSERTs are expected
        self.assertEqual(failed(scenario.check()), {})

    def test_a_dead_letter_of_a_valid_order_fails(self):
        scenario = Scenario()
        scenario.messages.append(chaos.QueueMessage(
            "Payments-ProcessOrderPaymentWorker-Dlq", "m-2", 0, True,
            envelope(order_event_image("VAL00001", "ORDER_STOCK_ALLOCATED_EVENT"))))
        problems = failed(scenario.check())
        self.assertEqual(list(problems), ["no dead-lettered message of a valid order or SKU"])
        self.assertIn("VAL00001", problems["no dead-lettered message of a valid order or SKU"][0])

    def test_a_dead_letter_of_a_valid_skus_restock_fails(self):
        scenario = Scenario()
        image = {"pk": {"S": "EVENTS#SKU#VALAPPLE"}, "sk": {"S": "EVENT#SKU_RESTOCKED_EVENT#LOT_ID#LOT00001"},
                 "eventName": {"S": "SKU_RESTOCKED_EVENT"},
                 "eventData": {"M": {"sku": {"S": "VALAPPLE"}, "units": {"N": "40"}, "lotId": {"S": "LOT00001"}}}}
        scenario.messages.append(chaos.QueueMessage("Inventory-RestockSkuWorker-Dlq", "m-3", 0, True, envelope(image)))
        self.assertEqual(list(failed(scenario.check())), ["no dead-lettered message of a valid order or SKU"])

    def test_an_unreadable_dead_letter_fails(self):
        scenario = Scenario()
        scenario.messages.append(chaos.QueueMessage("Orders-SyncOrderWorker-Dlq", "m-4", 0, True, "not json"))
        self.assertEqual(list(failed(scenario.check())), ["no dead-lettered message of a valid order or SKU"])

    def test_a_message_left_in_a_worker_queue_fails(self):
        scenario = Scenario()
        scenario.messages.append(chaos.QueueMessage("Orders-SyncOrderWorker", "m-5", 1, False, "{}"))
        self.assertEqual(failed(scenario.check()),
                         {"every worker queue is empty": ["Orders-SyncOrderWorker: 1 in flight"]})

    def test_a_pipe_behind_the_stream_fails(self):
        scenario = Scenario()
        snapshot = scenario.snapshot()
        snapshot.pipe_checkpoint = 40
        checks = {c.name: c for c in chaos.check_invariants(scenario.expect, snapshot, scenario.log)}
        self.assertEqual(failed(checks), {"the pipe caught up with the stream":
                                          ["checkpoint pipe = 40, last stream seq = 42"]})

    def test_hostile_bodies_must_be_answered_4xx(self):
        scenario = Scenario()
        scenario.log.hostile = [chaos.HostileResult("hostile placeOrder: not JSON", 400, "{}"),
                                chaos.HostileResult("hostile placeOrder: price 1e308", 500, "boom"),
                                chaos.HostileResult("hostile listOrders: orderId of 2000 chars", 200, "{}"),
                                chaos.HostileResult("hostile restockSku: 10000 nested arrays", None, "reset")]
        self.assertEqual(failed(scenario.check()), {"hostile bodies answered 4xx": [
            "hostile placeOrder: price 1e308: HTTP 500 boom",
            "hostile listOrders: orderId of 2000 chars: HTTP 200 {}",
            "hostile restockSku: 10000 nested arrays: no answer reset"]})

    def test_run_problems_fail_their_checks(self):
        scenario = Scenario()
        scenario.log.valid_5xx.append("placeOrder VAL00001: HTTP 500")
        scenario.log.unexpected_exits.append("ecomm exited by itself with status 134")
        scenario.log.shutdown_error = "exit status 1 after SIGTERM"
        self.assertEqual(set(failed(scenario.check())), {
            "valid requests answered 202", "the server never died unexpectedly", "SIGTERM stops the server cleanly"})


class SettleProgressTest(unittest.TestCase):
    def test_a_consistent_store_is_settled(self):
        scenario = Scenario()
        progress = chaos.settle_progress(scenario.expect, scenario.snapshot())
        self.assertTrue(progress.settled, progress.describe())
        self.assertEqual((progress.terminal, progress.total), (3, 3))

    def test_an_allocation_not_yet_deallocated_is_not_settled(self):
        scenario = Scenario()
        allocation_record(scenario.items, scenario.rejected, "ALLOCATED")
        progress = chaos.settle_progress(scenario.expect, scenario.snapshot())
        self.assertFalse(progress.settled)
        self.assertEqual(progress.unsettled_allocations, 1)

    def test_dead_letters_do_not_keep_it_unsettled_but_queued_messages_do(self):
        scenario = Scenario()
        self.assertTrue(chaos.settle_progress(scenario.expect, scenario.snapshot()).settled)
        scenario.messages.append(chaos.QueueMessage("Orders-SyncOrderWorker", "m", 0, True, "{}"))
        self.assertFalse(chaos.settle_progress(scenario.expect, scenario.snapshot()).settled)


class DynamoJsonTest(unittest.TestCase):
    def test_plain_converts_every_kind(self):
        item = {"s": {"S": "x"}, "i": {"N": "12"}, "f": {"N": "19.99"}, "b": {"BOOL": True}, "z": {"NULL": True},
                "m": {"M": {"a": {"L": [{"N": "1"}, {"S": "y"}]}}}, "ss": {"SS": ["a", "b"]}}
        self.assertEqual(chaos.plain_item(item), {"s": "x", "i": 12, "f": 19.99, "b": True, "z": None,
                                                  "m": {"a": [1, "y"]}, "ss": ["a", "b"]})

    def test_replay_body_keeps_the_event_as_it_was(self):
        items = {}
        event(items, "VAL00001", "ORDER_PLACED_EVENT", {"orderId": "VAL00001", "units": 2})
        (item,) = items.values()
        self.assertEqual(chaos.replay_body(item), {
            "pk": "EVENTS#ORDER_ID#VAL00001", "sk": "EVENT#ORDER_PLACED_EVENT", "eventName": "ORDER_PLACED_EVENT",
            "eventData": {"orderId": "VAL00001", "units": 2}, "createdAt": NOW, "updatedAt": NOW})
        del item["eventData"]
        self.assertNotIn("eventData", chaos.replay_body(item))

    def test_dead_letter_subjects_reads_the_envelope(self):
        body = envelope(order_event_image("VAL00007", "ORDER_CREATED_EVENT"))
        self.assertEqual(chaos.dead_letter_subjects(body), ({"VAL00007"}, set()))


class SnapshotTest(unittest.TestCase):
    """load_snapshot on a file with the documented layout (services/store-sqlite/README.md)."""

    def test_reads_items_messages_checkpoint_and_stream(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "ecomm.sqlite3"
            connection = sqlite3.connect(path)
            connection.executescript("""
                CREATE TABLE items (pk TEXT NOT NULL, sk TEXT NOT NULL, gsi1pk TEXT, gsi1sk TEXT,
                                    item TEXT NOT NULL, PRIMARY KEY (pk, sk)) WITHOUT ROWID;
                CREATE TABLE stream (seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL,
                                     pk TEXT NOT NULL, sk TEXT NOT NULL, new_image TEXT,
                                     created_at_ms INTEGER NOT NULL, size_bytes INTEGER NOT NULL);
                CREATE TABLE checkpoints (name TEXT PRIMARY KEY, seq INTEGER NOT NULL,
                                          updated_at_ms INTEGER NOT NULL) WITHOUT ROWID;
                CREATE TABLE messages (id INTEGER PRIMARY KEY AUTOINCREMENT, queue TEXT NOT NULL,
                                       message_id TEXT NOT NULL, body TEXT NOT NULL, sent_at_ms INTEGER NOT NULL,
                                       visible_at_ms INTEGER NOT NULL, receive_count INTEGER NOT NULL DEFAULT 0,
                                       receipt_handle TEXT, first_received_at_ms INTEGER);
            """)
            image = order_event_image("VAL00001", "ORDER_PLACED_EVENT")
            connection.execute("INSERT INTO items (pk, sk, item) VALUES (?, ?, ?)",
                               ("EVENTS#ORDER_ID#VAL00001", "EVENT#ORDER_PLACED_EVENT", json.dumps(image)))
            for kind in ("INSERT", "REMOVE", "INSERT"):
                connection.execute("INSERT INTO stream (kind, pk, sk, created_at_ms, size_bytes) VALUES (?, ?, ?, 0, 1)",
                                   (kind, "EVENTS#ORDER_ID#VAL00001", "EVENT#ORDER_PLACED_EVENT"))
            connection.execute("INSERT INTO stream (kind, pk, sk, created_at_ms, size_bytes) "
                               "VALUES ('INSERT', 'ORDERS#ORDER_ID#VAL00001', 'ORDER_ID#VAL00001', 0, 1)")
            connection.execute("INSERT INTO checkpoints VALUES ('pipe', 3, 0)")
            connection.execute("INSERT INTO messages (queue, message_id, body, sent_at_ms, visible_at_ms) "
                               "VALUES ('Orders-SyncOrderWorker', 'm-1', '{}', 0, 0)")
            connection.commit()
            connection.close()

            snapshot = chaos.load_snapshot(path)
        item = snapshot.items[("EVENTS#ORDER_ID#VAL00001", "EVENT#ORDER_PLACED_EVENT")]
        self.assertEqual(item["eventData"]["units"], 2)
        self.assertEqual((snapshot.pipe_checkpoint, snapshot.max_stream_seq), (3, 4))
        self.assertEqual(snapshot.stream_inserts,
                         Counter({("EVENTS#ORDER_ID#VAL00001", "EVENT#ORDER_PLACED_EVENT"): 2}))
        self.assertEqual([(m.queue, m.visible) for m in snapshot.messages], [("Orders-SyncOrderWorker", True)])


class PlanTest(unittest.TestCase):
    def test_the_same_seed_yields_the_same_plan(self):
        self.assertEqual(chaos.build_plan(7, 300, 3), chaos.build_plan(7, 300, 3))

    def test_another_seed_yields_another_plan(self):
        first, second = chaos.build_plan(7, 300, 3), chaos.build_plan(8, 300, 3)
        self.assertNotEqual(first.phases, second.phases)
        self.assertNotEqual(first.payment_seed, second.payment_seed)

    def test_the_dry_run_is_deterministic(self):
        def dry():
            return subprocess.run([sys.executable, str(SCRIPT), "--dry-run", "--seed", "11", "--orders", "50",
                                   "--kills", "2"], capture_output=True, text=True, check=True, timeout=60).stdout
        self.assertEqual(dry(), dry())

    def test_orders_cover_every_outcome_and_ids_are_unique(self):
        plan = chaos.build_plan(3, 500, 3)
        ids = [order.order_id for order in plan.orders]
        self.assertEqual(len(ids), len(set(ids)), "order ids are unique")
        self.assertEqual(len(ids), 500)
        self.assertTrue(all(order_id.startswith(chaos.VALID_ORDER_PREFIX) for order_id in ids))
        self.assertTrue(any(order.price == 0 for order in plan.orders))
        self.assertTrue(any(order.price >= 100_000 for order in plan.orders))
        self.assertTrue(any(order.units >= 5_000 for order in plan.orders))
        self.assertTrue(all(order.sku in chaos.VALID_SKUS for order in plan.orders))

    def test_every_valid_order_is_placed_and_every_lot_restocked(self):
        plan = chaos.build_plan(4, 120, 1)
        bodies = [json.loads(op.body) for _, ops in plan.phases for op in ops
                  if op.kind == "send" and op.expect == "202" and op.path in (chaos.PLACE_ORDER_PATH, chaos.RESTOCK_PATH)]
        placed = {body["orderId"]: body for body in bodies if "orderId" in body and body.get("userId") != "OTHERUSER"}
        self.assertTrue(set(plan.expectation().orders) <= set(placed))
        restocked = {(body["sku"], body["lotId"]) for body in bodies if "lotId" in body}
        for sku, lots in plan.lots:
            self.assertTrue({(sku, lot) for lot, _ in lots} <= restocked)
        # The first restock of every valid lot comes in phase 1, its other-units duplicate later.
        first_phase = {json.loads(op.body)["lotId"]: json.loads(op.body)["units"]
                       for op in plan.phases[0][1] if op.path == chaos.RESTOCK_PATH}
        for sku, lots in plan.lots:
            for lot, units in lots:
                self.assertEqual(first_phase[lot], units)

    def test_chaos_and_hostile_traffic_never_touches_valid_orders_or_skus(self):
        plan = chaos.build_plan(5, 200, 2)
        valid_ids = set(plan.expectation().orders)
        for _, ops in plan.phases:
            for op in ops:
                if op.kind != "send" or op.path != chaos.RAW_EVENT_PATH or op.expect != "202":
                    continue
                body = json.loads(op.body)
                order_id = body["pk"].removeprefix("EVENTS#ORDER_ID#")
                if order_id in valid_ids:  # only unknown (unrouted) event names for valid orders
                    self.assertIn(body["eventName"], chaos.UNKNOWN_EVENT_NAMES)
                else:
                    self.assertNotIn((body.get("eventData") or {}).get("sku"), chaos.VALID_SKUS)
        hostile = [op for _, ops in plan.phases for op in ops if op.expect == "4xx"]
        self.assertEqual({op.path for op in hostile}, set(chaos.API_PATHS))
        for op in hostile:
            for sku in chaos.VALID_SKUS:
                self.assertNotIn(sku, op.body)
            for order_id in list(valid_ids)[:50]:
                self.assertNotIn(f'"{order_id}"', op.body)

    def test_kill_points_fall_inside_the_traffic(self):
        plan = chaos.build_plan(9, 400, 3)
        self.assertEqual(len(plan.kill_points), 3)
        self.assertEqual(list(plan.kill_points), sorted(set(plan.kill_points)))
        self.assertTrue(all(0 < point < plan.total_ops for point in plan.kill_points))
        self.assertEqual(chaos.build_plan(9, 400, 0).kill_points, ())

    def test_hostile_bodies_include_the_documented_cases(self):
        labels = {op.label for op in chaos.hostile_ops()}
        for expected in ("hostile placeOrder: price 1e308", "hostile placeOrder: orderId of 2000 chars",
                         "hostile simulateRawEvent: eventData 70 nested objects",
                         "hostile restockSku: empty body", "hostile listOrders: empty array",
                         "hostile listOrderPayments: orderId of 5000 chars"):
            self.assertIn(expected, labels)
        invalid_utf8 = [op for op in chaos.hostile_ops() if op.label.endswith("invalid UTF-8")][0]
        self.assertIn(b"\xff", chaos.hostile_bytes(invalid_utf8.body))

    def test_shorten_runs_keeps_long_ids_readable(self):
        self.assertEqual(chaos.shorten_runs('{"orderId":"' + "I" * 2000 + '"}'), '{"orderId":"I…(×2000)"}')
        self.assertEqual(chaos.shorten_runs("[" * 70 + "1" + "]" * 70), "[…(×70)1]…(×70)")
        self.assertEqual(chaos.shorten_runs("VAL00001"), "VAL00001")

    def test_json_with_raw_writes_numbers_verbatim(self):
        self.assertEqual(chaos.json_with_raw({"a": 1, "price": 5}, {"price": "1e-320"}), '{"a":1,"price":1e-320}')


class SkipHostileTest(unittest.TestCase):
    def test_leaves_out_only_the_matching_hostile_bodies(self):
        plan = chaos.build_plan(6, 100, 1)
        trimmed = chaos.skip_hostile(plan, ["eventData 70 nested"])
        removed = {op.label for _, ops in plan.phases for op in ops} - {op.label for _, ops in trimmed.phases for op in ops}
        self.assertEqual(removed, {"hostile simulateRawEvent: eventData 70 nested objects",
                                   "hostile simulateRawEvent: eventData 70 nested arrays"})
        self.assertEqual(trimmed.orders, plan.orders)
        self.assertEqual(trimmed.kill_points, plan.kill_points)

    def test_hostile_leaves_out_all_of_them_and_nothing_else(self):
        plan = chaos.build_plan(6, 100, 1)
        trimmed = chaos.skip_hostile(plan, ["hostile"])
        self.assertFalse(any(op.expect == "4xx" for _, ops in trimmed.phases for op in ops))
        self.assertEqual(sum(1 for _, ops in trimmed.phases for op in ops if op.expect == "202"),
                         sum(1 for _, ops in plan.phases for op in ops if op.expect == "202"))
        self.assertIs(chaos.skip_hostile(plan, []), plan)


class LogSummaryTest(unittest.TestCase):
    def test_groups_error_lines_and_masks_what_varies(self):
        lines = [
            "\x1b[2m2026-12-02T06:26:51.582941Z\x1b[0m \x1b[31mERROR\x1b[0m \x1b[2mlocal::pipe\x1b[0m\x1b[2m:\x1b[0m "
            "pipe step failed; retrying error=recursion limit exceeded at line 1 column 485",
            "2026-12-02T06:26:52.585311Z ERROR local::pipe: pipe step failed; retrying error=recursion limit "
            "exceeded at line 1 column 485",
            "2026-12-02T06:26:52.585311Z  WARN local::poller: something else",
            "--- chaos: start #2: ecomm serve",
            "2026-12-02T06:25:24.8Z ERROR local::poller: moves to the DLQ message_id=e3a229b5-ebc9-41cc-9c9f-eed8b6b252ef "
            "pk=EVENTS#ORDER_ID#" + "I" * 2000,
        ]
        groups = chaos.summarize_log(lines)
        self.assertEqual(groups["local::pipe: pipe step failed; retrying error=recursion limit exceeded at line N "
                                "column N"], 2)
        self.assertEqual(sum(groups.values()), 3)
        self.assertTrue(all(len(message) <= 240 for message in groups))
        self.assertTrue(any("<uuid>" in message and "I…" in message for message in groups))


def item_text(item: dict) -> str:
    """An item as the store keeps it: DynamoDB JSON, attribute names sorted, compact."""
    def attribute(value):
        if isinstance(value, str):
            return {"S": value}
        if isinstance(value, bool):
            return {"BOOL": value}
        if isinstance(value, (int, float)):
            return {"N": str(value)}
        if isinstance(value, dict):
            return {"M": {key: attribute(inner) for key, inner in value.items()}}
        raise TypeError(value)
    return json.dumps({key: attribute(value) for key, value in item.items()}, sort_keys=True, separators=(",", ":"))


def order_rows(**changes) -> dict:
    order = {"pk": "ORDERS#ORDER_ID#VAL00001", "sk": "ORDER_ID#VAL00001", "orderId": "VAL00001",
             "orderStatus": chaos.ACCEPTED, "units": 3, "updatedAt": NOW, "_tn": "ORDERS#ORDER", **changes}
    sku = {"pk": "INVENTORY#SKU#VALAPPLE", "sk": "SKU#VALAPPLE", "sku": "VALAPPLE", "units": 67,
           "_tn": "INVENTORY#SKU"}
    return {(item["pk"], item["sk"]): item_text(item) for item in (order, sku)}


class ItemDiffTest(unittest.TestCase):
    def test_identical_snapshots_have_no_change(self):
        self.assertEqual(chaos.diff_items(order_rows(), order_rows()), [])
        self.assertEqual(chaos.diff_items({}, {}), [])

    def test_an_updated_at_alone_is_a_change(self):
        later = "2025-01-01T00:00:05.000Z"
        (change,) = chaos.diff_items(order_rows(), order_rows(updatedAt=later))
        self.assertEqual((change.kind, change.pk, change.sk, change.type_name, change.attributes),
                         ("changed", "ORDERS#ORDER_ID#VAL00001", "ORDER_ID#VAL00001", "ORDERS#ORDER", ("updatedAt",)))
        self.assertEqual(change.detail, f'updatedAt: "{NOW}" → "{later}"')
        self.assertEqual(change.describe(), "changed ORDERS#ORDER_ID#VAL00001 | ORDER_ID#VAL00001 [ORDERS#ORDER]: "
                                            f'updatedAt: "{NOW}" → "{later}"')

    def test_changed_added_and_missing_attributes_are_named(self):
        after = order_rows(orderStatus=chaos.REJECTED, paymentRetries=1)
        before = order_rows()
        before_item = json.loads(before[("ORDERS#ORDER_ID#VAL00001", "ORDER_ID#VAL00001")])
        del before_item["units"]
        before[("ORDERS#ORDER_ID#VAL00001", "ORDER_ID#VAL00001")] = json.dumps(before_item)
        (change,) = chaos.diff_items(before, after)
        self.assertEqual(change.attributes, ("orderStatus", "paymentRetries", "units"))
        self.assertIn(f'orderStatus: "{chaos.ACCEPTED}" → "{chaos.REJECTED}"', change.detail)
        self.assertIn("paymentRetries: (absent) → 1", change.detail)
        self.assertIn("units: (absent) → 3", change.detail)

    def test_added_and_removed_items(self):
        before, after = order_rows(), order_rows()
        removed_key = ("INVENTORY#SKU#VALAPPLE", "SKU#VALAPPLE")
        del after[removed_key]
        after[("PAYMENTS#ORDER_ID#VAL00001", "ORDER_ID#VAL00001#ORDER_PAYMENT")] = item_text(
            {"pk": "PAYMENTS#ORDER_ID#VAL00001", "sk": "ORDER_ID#VAL00001#ORDER_PAYMENT",
             "paymentStatus": "PAYMENT_ACCEPTED", "_tn": "PAYMENTS#ORDER_PAYMENT"})
        changes = chaos.diff_items(before, after)
        self.assertEqual([(c.kind, c.pk, c.type_name) for c in changes],
                         [("removed", "INVENTORY#SKU#VALAPPLE", "INVENTORY#SKU"),
                          ("added", "PAYMENTS#ORDER_ID#VAL00001", "PAYMENTS#ORDER_PAYMENT")])
        self.assertIn('"units":67', changes[0].detail)
        self.assertIn('"paymentStatus":"PAYMENT_ACCEPTED"', changes[1].detail)

    def test_text_that_differs_with_the_same_attributes_is_still_a_change(self):
        before = order_rows()
        key = ("INVENTORY#SKU#VALAPPLE", "SKU#VALAPPLE")
        after = dict(before)
        after[key] = json.dumps(json.loads(before[key]), sort_keys=False, indent=1)
        (change,) = chaos.diff_items(before, after)
        self.assertEqual((change.kind, change.attributes, change.detail),
                         ("changed", (), "same attributes, the stored text differs"))

    def test_long_values_are_shortened(self):
        (change,) = chaos.diff_items(order_rows(), order_rows(userId="I" * 2000))
        self.assertIn("I…(×2000)", change.describe())
        self.assertLess(len(change.describe()), 400)

    def test_changes_are_grouped_by_type_and_attribute(self):
        before = {**order_rows(), **{("ORDERS#ORDER_ID#VAL00002", "ORDER_ID#VAL00002"): item_text(
            {"pk": "ORDERS#ORDER_ID#VAL00002", "sk": "ORDER_ID#VAL00002", "updatedAt": NOW, "_tn": "ORDERS#ORDER"})}}
        after = {key: text.replace(NOW, "2026-01-01T00:00:00.000Z") for key, text in before.items()}
        del after[("INVENTORY#SKU#VALAPPLE", "SKU#VALAPPLE")]
        groups = chaos.group_item_changes(chaos.diff_items(before, after))
        self.assertEqual(groups, Counter({("changed", "ORDERS#ORDER", "updatedAt"): 2,
                                          ("removed", "INVENTORY#SKU", ""): 1}))

    def test_changes_of_chaos_only_items_are_allowed_and_every_other_is_a_violation(self):
        def rows(status):
            items = [{"pk": "ORDERS#ORDER_ID#CHX00001", "sk": "ORDER_ID#CHX00001", "orderStatus": status},
                     {"pk": "INVENTORY#SKU#CHXSKU01", "sk": "SKU#CHXSKU01#ORDER_ID#CHX00001#ORDER_ALLOCATION",
                      "allocationStatus": status},
                     {"pk": "ORDERS#ORDER_ID#VAL00001", "sk": "ORDER_ID#VAL00001", "orderStatus": status}]
            return {(item["pk"], item["sk"]): item_text(item) for item in items}
        violations, allowed = chaos.split_item_changes(chaos.diff_items(rows("A"), rows("B")))
        self.assertEqual([change.pk for change in violations], ["ORDERS#ORDER_ID#VAL00001"])
        self.assertEqual([change.pk for change in allowed], ["INVENTORY#SKU#CHXSKU01", "ORDERS#ORDER_ID#CHX00001"])

    def test_load_item_rows_and_replay_progress_read_the_file(self):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "ecomm.sqlite3"
            connection = sqlite3.connect(path)
            connection.execute("CREATE TABLE items (pk TEXT NOT NULL, sk TEXT NOT NULL, item TEXT NOT NULL, "
                               "PRIMARY KEY (pk, sk)) WITHOUT ROWID")
            for (pk, sk), text in order_rows().items():
                connection.execute("INSERT INTO items VALUES (?, ?, ?)", (pk, sk, text))
            connection.commit()
            self.assertEqual(chaos.load_item_rows(path), order_rows())
            self.assertIsNone(chaos.read_replay_progress(path, "chaos-replay-1"))  # no replays table yet
            connection.execute("CREATE TABLE replays (name TEXT PRIMARY KEY, position TEXT, delivered INTEGER, "
                               "done INTEGER)")
            connection.execute("INSERT INTO replays VALUES ('chaos-replay-1', 'CREATED_AT#x', 400, 0)")
            connection.commit()
            connection.close()
            self.assertEqual(chaos.read_replay_progress(path, "chaos-replay-1"),
                             {"name": "chaos-replay-1", "position": "CREATED_AT#x", "delivered": 400, "done": 0})
            self.assertIsNone(chaos.read_replay_progress(path, "other"))


class ReplayRunTest(unittest.TestCase):
    def test_the_summary_is_read_loosely(self):
        self.assertEqual(chaos.parse_replay_summary(
            "replay chaos-final: 1234 event(s) delivered as 2345 message(s) in 0.8 s (1234 matching)"), (1234, 2345))
        self.assertEqual(chaos.parse_replay_summary("replay x: 1 event delivered as 3 messages in 0 s"), (1, 3))
        self.assertIsNone(chaos.parse_replay_summary("replay x is already done (12 events delivered)"))

    def test_every_run_must_exit_0_except_the_one_killed_on_purpose(self):
        R = chaos.ReplayRun
        runs = [R("chaos-replay-1", "killed", -9, 0.3, killed=True, progress={"delivered": 200}),
                R("chaos-replay-1", "resume", 0, 1.0, output="replay chaos-replay-1: 5 events delivered as 9 messages"),
                R("chaos-replay-1", "rerun", 0, 0.1, output="replay chaos-replay-1 is already done"),
                R("chaos-replay-2", "killed", 0, 0.1),  # finished before the kill: fine
                R("chaos-replay-3", "run", 1, 2.0, stderr_tail="Error: the store failed"),
                R("chaos-final", "final", None, 900.0, timed_out=True)]
        self.assertEqual(chaos.replay_violations(runs), [
            "chaos-replay-3 [run]: exit 1 after 2.00 s; stderr: Error: the store failed",
            "chaos-final [final]: did not finish within 900 s (killed); stderr: "])
        self.assertIn("progress kept: {'delivered': 200}", runs[0].describe())
        self.assertIn("finished before the kill", runs[3].describe())

    def test_replay_checks_appear_only_when_replays_ran(self):
        scenario = Scenario()
        self.assertNotIn("replays completed", scenario.check())
        self.assertNotIn("a full replay changes nothing", scenario.check())
        scenario.log.replays.append(chaos.ReplayRun("chaos-replay-1", "run", 0, 1.0))
        scenario.log.final_replay = chaos.FinalReplay([], items_compared=10)
        checks = scenario.check()
        self.assertTrue(checks["replays completed"].passed)
        self.assertTrue(checks["a full replay changes nothing"].passed)
        scenario.log.replays.append(chaos.ReplayRun("chaos-replay-2", "run", 2, 1.0))
        scenario.log.final_replay = chaos.FinalReplay(["changed ORDERS#ORDER_ID#VAL00001 | …"])
        self.assertEqual(set(failed(scenario.check())), {"replays completed", "a full replay changes nothing"})

    def test_a_killed_replay_is_resumed_then_rerun(self):
        fake = """#!/bin/sh
# ecomm replay --name NAME --data-dir DIR --rate RATE
if [ -e "$5/started-$3" ]; then
  echo "replay progress" >&2
  echo "replay $3: 4 event(s) delivered as 9 message(s) in 0.0 s"
else
  touch "$5/started-$3"
  exec sleep 30
fi
"""
        with tempfile.TemporaryDirectory() as directory:
            data_dir = Path(directory)
            binary = data_dir / "ecomm"
            binary.write_text(fake)
            binary.chmod(0o755)
            connection = sqlite3.connect(data_dir / chaos.DATABASE_FILE)
            connection.execute("CREATE TABLE items (pk TEXT, sk TEXT, gsi1pk TEXT, item TEXT)")
            connection.executemany("INSERT INTO items VALUES (?, ?, ?, '{}')",
                                   [(f"EVENTS#ORDER_ID#{n}", "EVENT#X", "EVENTS#EVENT") for n in range(500)])
            connection.execute("CREATE TABLE replays (name TEXT PRIMARY KEY, delivered INTEGER, done INTEGER)")
            connection.execute("INSERT INTO replays VALUES ('chaos-replay-1', 200, 0)")
            connection.commit()
            connection.close()
            run = chaos.ChaosRun(chaos.build_plan(1, 10, 0), None, binary, data_dir, threads=1, request_timeout=1,
                                 request_deadline=1, err=open("/dev/null", "w"), replay_timeout=20)
            run.replay(chaos.Op("replay", "replay chaos-replay-1", target="chaos-replay-1", rate=2000, kill_at=0.5))
            run.err.close()
        self.assertEqual([(r.role, r.exit_code, r.killed) for r in run.log.replays],
                         [("killed", -9, True), ("resume", 0, False), ("rerun", 0, False)])
        self.assertEqual(run.log.replays[0].kill_after_s, chaos.replay_kill_delay(0.5, 500, 2000))
        self.assertEqual(run.log.replays[0].progress, {"name": "chaos-replay-1", "delivered": 200, "done": 0})
        self.assertEqual(run.log.replays[1].summary, (4, 9))
        self.assertEqual(run.log.replays[1].stderr_tail, "replay progress")
        self.assertEqual(chaos.replay_violations(run.log.replays), [])

    def test_the_kill_delay_scales_with_the_events_and_the_rate(self):
        self.assertEqual(chaos.replay_kill_delay(0.5, 2000, 2000), round(0.5 * (chaos.REPLAY_STARTUP_S + 1.0), 3))
        self.assertEqual(chaos.replay_kill_delay(0.5, 0, 2000), round(0.5 * chaos.REPLAY_STARTUP_S, 3))
        self.assertLess(chaos.replay_kill_delay(0.5, 10_000, 0), chaos.replay_kill_delay(0.5, 10_000, 2000))

    def test_replay_command(self):
        self.assertEqual(chaos.replay_command(Path("/bin/ecomm"), "chaos-final", Path("/d"), 0),
                         ["/bin/ecomm", "replay", "--name", "chaos-final", "--data-dir", "/d", "--rate", "0"])


class ReplayPlanTest(unittest.TestCase):
    @staticmethod
    def late_phase(plan):
        name, ops = plan.phases[3]
        assert name == "tamper (late)"
        return ops

    def test_the_replays_are_in_the_late_phase_and_one_is_killed(self):
        plan = chaos.build_plan(7, 300, 2, 3)
        self.assertEqual(plan, chaos.build_plan(7, 300, 2, 3))
        replays = chaos.replay_ops(plan)
        self.assertEqual(sorted(op.target for op in replays),
                         ["chaos-replay-1", "chaos-replay-2", "chaos-replay-3"])
        late = self.late_phase(plan)
        self.assertTrue(all(op in late for op in replays))
        self.assertTrue(all(late.index(op) <= len(late) // 2 for op in replays), "in the first half")
        self.assertTrue(all(op.rate == chaos.DEFAULT_REPLAY_RATE for op in replays))
        killed = [op for op in replays if op.kill_at > 0]
        self.assertEqual(len(killed), 1)
        low, high = chaos.REPLAY_KILL_FRACTION
        self.assertTrue(low <= killed[0].kill_at <= high)

    def test_the_draws_are_deterministic_per_seed(self):
        def drawn(seed):
            plan = chaos.build_plan(seed, 300, 2, 2)
            return [(self.late_phase(plan).index(op), op.target, op.kill_at) for op in chaos.replay_ops(plan)]
        self.assertEqual(drawn(5), drawn(5))
        self.assertNotEqual([drawn(seed) for seed in range(5)], [drawn(5)] * 5)

    def test_the_default_is_one_replay_which_is_killed_and_resumed(self):
        (replay,) = chaos.replay_ops(chaos.build_plan(7, 300, 2))
        self.assertEqual(replay.target, "chaos-replay-1")
        self.assertGreater(replay.kill_at, 0)

    def test_zero_replays_disables_them_and_leaves_the_rest_of_the_plan_alone(self):
        without = chaos.build_plan(7, 300, 2, 0)
        with_replays = chaos.build_plan(7, 300, 2, 2)
        self.assertEqual(chaos.replay_ops(without), [])
        stripped = tuple((name, tuple(op for op in ops if op.kind != "replay")) for name, ops in with_replays.phases)
        self.assertEqual(stripped, without.phases)
        self.assertEqual((without.orders, without.lots, without.kill_pauses, without.payment_seed),
                         (with_replays.orders, with_replays.lots, with_replays.kill_pauses, with_replays.payment_seed))

    def test_a_server_kill_falls_inside_the_late_phase_while_the_replays_run(self):
        for seed in range(20):
            plan = chaos.build_plan(seed, 200, 2, 1)
            start = sum(len(ops) for _, ops in plan.phases[:3])
            end = start + len(plan.phases[3][1])
            self.assertTrue(any(start < point < end for point in plan.kill_points), (seed, plan.kill_points))
            self.assertEqual(list(plan.kill_points), sorted(set(plan.kill_points)))
            self.assertEqual(len(plan.kill_points), 2)
        self.assertEqual(chaos.build_plan(3, 200, 0, 1).kill_points, ())

    def test_the_dry_run_shows_the_replays(self):
        def dry(*extra):
            return subprocess.run([sys.executable, str(SCRIPT), "--dry-run", "--seed", "11", "--orders", "50",
                                   "--kills", "1", *extra], capture_output=True, text=True, check=True,
                                  timeout=60).stdout
        shown = dry("--replays", "2")
        self.assertIn("ecomm replay --name chaos-replay-1 --rate 2000", shown)
        self.assertIn("ecomm replay --name chaos-replay-2 --rate 2000", shown)
        self.assertEqual(shown.count("kill -9 at"), 2)  # in the label and the detail of the killed one
        self.assertNotIn("ecomm replay", dry("--replays", "0"))

    def test_replay_options(self):
        args = chaos.parse_args(["--seed", "5", "--replays", "0", "--no-final-replay", "--replay-rate", "500"])
        self.assertEqual((args.replays, args.replay_rate, args.no_final_replay), (0, 500, True))
        self.assertEqual(chaos.reproduce_line(args, 5), "reproduce: scripts/chaos --seed 5 --orders 2000 --kills 3 "
                                                        "--replays 0 --replay-rate 500 --no-final-replay")
        defaults = chaos.parse_args([])
        self.assertEqual((defaults.replays, defaults.replay_rate, defaults.no_final_replay), (1, 2000, False))
        with contextlib.redirect_stderr(io.StringIO()):
            for bad in (["--replays", "-1"], ["--replay-rate", "-5"]):
                with self.assertRaises(SystemExit):
                    chaos.parse_args(bad)

    def test_a_binary_without_replay_is_a_usage_error(self):
        with tempfile.TemporaryDirectory() as directory:
            binary = Path(directory) / "ecomm"
            binary.write_text("#!/bin/sh\necho \"error: unrecognized subcommand '$1'\" >&2\nexit 2\n")
            binary.chmod(0o755)
            result = subprocess.run([sys.executable, str(SCRIPT), "--ecomm-bin", str(binary), "--seed", "1"],
                                    capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2)
        self.assertIn("has no `replay` subcommand", result.stderr)


class CommandLineTest(unittest.TestCase):
    def test_reproduce_line_has_the_documented_form(self):
        args = chaos.parse_args(["--seed", "5", "--orders", "200", "--kills", "1"])
        self.assertEqual(chaos.reproduce_line(args, 5), "reproduce: scripts/chaos --seed 5 --orders 200 --kills 1")

    def test_a_missing_binary_is_a_usage_error(self):
        result = subprocess.run([sys.executable, str(SCRIPT), "--ecomm-bin", "/nonexistent/ecomm", "--seed", "1"],
                                capture_output=True, text=True, timeout=60)
        self.assertEqual(result.returncode, 2)
        self.assertIn("seed 1", result.stderr)


if __name__ == "__main__":
    unittest.main()
