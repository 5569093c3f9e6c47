"""Tests of scripts/init-database: the data set of docs/contract.md §12.2 and the dry run.

Run from the repository root: python3 -m unittest discover -s scripts/tests
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import io
import json
import subprocess
import sys
import tempfile
import unittest
from collections import Counter
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "init-database"


def load_script():
    """Imports the extension-less script as a module."""
    loader = importlib.machinery.SourceFileLoader("init_database", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    sys.modules[loader.name] = module  # dataclasses look their module up while the class is built
    loader.exec_module(module)
    return module


init_database = load_script()


class RestockDataSetTest(unittest.TestCase):
    def setUp(self):
        self.restocks = init_database.restock_bodies()

    def test_there_are_35_restocks_5_apples_5_grapes_25_oranges(self):
        self.assertEqual(len(self.restocks), 35)
        self.assertEqual(Counter(body["sku"] for body in self.restocks),
                         {"APPLES": 5, "GRAPES": 5, "ORANGES": 25})

    def test_units_per_sku_add_up_to_the_original_totals(self):
        totals = Counter()
        for body in self.restocks:
            totals[body["sku"]] += body["units"]
        self.assertEqual(totals, {"APPLES": 815, "GRAPES": 3750, "ORANGES": 5597})

    def test_lots_are_numbered_per_sku_and_unique(self):
        lots = [body["lotId"] for body in self.restocks]
        self.assertEqual(len(set(lots)), 35)
        self.assertEqual(lots[:5], ["APP001", "APP002", "APP003", "APP004", "APP005"])
        self.assertEqual(lots[5:10], ["GRA001", "GRA002", "GRA003", "GRA004", "GRA005"])
        self.assertEqual(lots[10], "ORA001")
        self.assertEqual(lots[-1], "ORA025")

    def test_a_few_lots_have_the_documented_units(self):
        by_lot = {body["lotId"]: body["units"] for body in self.restocks}
        self.assertEqual(by_lot["APP004"], 175)
        self.assertEqual(by_lot["GRA005"], 1200)
        self.assertEqual(by_lot["ORA009"], 450)
        self.assertEqual(by_lot["ORA012"], 87)
        self.assertEqual(by_lot["ORA025"], 215)

    def test_every_restock_passes_the_api_validation(self):
        for body in self.restocks:
            self.assertEqual(set(body), {"sku", "units", "lotId"})
            self.assertGreaterEqual(len(body["sku"].strip()), 4)
            self.assertGreaterEqual(len(body["lotId"].strip()), 4)
            self.assertIsInstance(body["units"], int)
            self.assertGreaterEqual(body["units"], 1)


class OrderDataSetTest(unittest.TestCase):
    def setUp(self):
        self.orders = init_database.order_bodies()
        self.by_id = {body["orderId"]: body for body in self.orders}

    def test_there_are_75_orders_ord001_to_ord075_in_order(self):
        self.assertEqual([body["orderId"] for body in self.orders],
                         [f"ORD{number:03d}" for number in range(1, 76)])

    def test_skus_cycle_and_users_follow_the_sku(self):
        users = {"APPLES": "MARIA", "GRAPES": "JOHN", "ORANGES": "ALICE"}
        cycle = ["APPLES", "GRAPES", "ORANGES"]
        for index, body in enumerate(self.orders):
            self.assertEqual(body["sku"], cycle[index % 3], body["orderId"])
            self.assertEqual(body["userId"], users[body["sku"]], body["orderId"])
        self.assertEqual(Counter(body["sku"] for body in self.orders),
                         {"APPLES": 25, "GRAPES": 25, "ORANGES": 25})

    def test_depletion_cases_order_1_500_000_units(self):
        huge = sorted(order_id for order_id, body in self.by_id.items() if body["units"] == 1500000)
        self.assertEqual(huge, ["ORD001", "ORD021", "ORD041"])

    def test_forced_rejection_cases_cost_120000_99(self):
        expensive = sorted(order_id for order_id, body in self.by_id.items() if body["price"] == 120000.99)
        self.assertEqual(expensive, ["ORD011", "ORD031", "ORD051"])

    def test_orders_71_and_72_are_cheap_but_normal(self):
        cheap = sorted(order_id for order_id, body in self.by_id.items() if body["price"] < 15)
        self.assertEqual(cheap, ["ORD071", "ORD072"])
        self.assertTrue(all(self.by_id[order_id]["price"] == 0.99 for order_id in cheap))

    def test_a_few_rows_of_the_table(self):
        self.assertEqual((self.by_id["ORD002"]["units"], self.by_id["ORD002"]["price"]), (15, 17.99))
        self.assertEqual((self.by_id["ORD026"]["units"], self.by_id["ORD026"]["price"]), (10, 23.99))
        self.assertEqual((self.by_id["ORD050"]["units"], self.by_id["ORD050"]["price"]), (30, 15.99))
        self.assertEqual((self.by_id["ORD064"]["units"], self.by_id["ORD064"]["price"]), (25, 15.99))
        self.assertEqual((self.by_id["ORD075"]["units"], self.by_id["ORD075"]["price"]), (30, 23.99))

    def test_unit_and_price_sums_match_the_table(self):
        normal = [body for body in self.orders if body["units"] != 1500000]
        self.assertEqual(sum(body["units"] for body in normal), 1470)
        self.assertEqual(round(sum(body["price"] for body in self.orders), 2), 361550.25)

    def test_every_order_passes_the_api_validation(self):
        for body in self.orders:
            self.assertEqual(list(body), ["orderId", "sku", "units", "price", "userId"])
            for key in ("orderId", "sku", "userId"):
                self.assertGreaterEqual(len(body[key].strip()), 4)
            self.assertIsInstance(body["units"], int)
            self.assertGreaterEqual(body["units"], 1)
            self.assertGreaterEqual(body["price"], 0)


class DryRunTest(unittest.TestCase):
    def run_dry(self):
        return subprocess.run(
            [sys.executable, str(SCRIPT), "--dry-run", "--base-url", "http://127.0.0.1:3000/"],
            capture_output=True, text=True, check=True, timeout=60,
        )

    def test_dry_run_is_deterministic(self):
        self.assertEqual(self.run_dry().stdout, self.run_dry().stdout)

    def test_dry_run_prints_35_restocks_then_75_orders(self):
        lines = self.run_dry().stdout.splitlines()
        self.assertEqual(len(lines), 110)
        restock_prefix = "POST http://127.0.0.1:3000/api/v1/inventory/restockSku "
        order_prefix = "POST http://127.0.0.1:3000/api/v1/orders/placeOrder "
        self.assertTrue(all(line.startswith(restock_prefix) for line in lines[:35]))
        self.assertTrue(all(line.startswith(order_prefix) for line in lines[35:]))
        totals = Counter()
        for line in lines[:35]:
            body = json.loads(line[len(restock_prefix):])
            totals[body["sku"]] += body["units"]
        self.assertEqual(totals, {"APPLES": 815, "GRAPES": 3750, "ORANGES": 5597})
        order_ids = [json.loads(line[len(order_prefix):])["orderId"] for line in lines[35:]]
        self.assertEqual(order_ids, [f"ORD{number:03d}" for number in range(1, 76)])

    def test_dry_run_summary_goes_to_stderr(self):
        self.assertIn("35 restocks (APPLES 815, GRAPES 3750, ORANGES 5597 units), 75 orders",
                      self.run_dry().stderr)


class TargetTest(unittest.TestCase):
    def test_base_url_wins_and_loses_its_trailing_slash(self):
        target = init_database.resolve_target("http://example.test:8080/", Path("/nonexistent/.env"))
        self.assertEqual(target.restock_url, "http://example.test:8080/api/v1/inventory/restockSku")
        self.assertEqual(target.place_order_url, "http://example.test:8080/api/v1/orders/placeOrder")

    def test_default_is_the_local_engine(self):
        target = init_database.resolve_target(None, Path("/nonexistent/.env"))
        self.assertEqual(target.list_orders_url, "http://127.0.0.1:3000/api/v1/orders/listOrders")

    def test_dotenv_written_by_deploy_gives_one_url_per_domain(self):
        with tempfile.TemporaryDirectory() as directory:
            dotenv = Path(directory) / ".env"
            dotenv.write_text(
                "INVENTORY_API_BASE_URL=https://inv.example.test\n"
                "ORDERS_API_BASE_URL=https://ord.example.test/\n"
                "PAYMENTS_API_BASE_URL='https://pay.example.test'\n"
                "TESTING_API_BASE_URL=https://test.example.test\n",
                encoding="utf-8",
            )
            target = init_database.resolve_target(None, dotenv)
        self.assertEqual(target.restock_url, "https://inv.example.test/api/v1/inventory/restockSku")
        self.assertEqual(target.place_order_url, "https://ord.example.test/api/v1/orders/placeOrder")
        self.assertEqual(target.list_skus_url, "https://inv.example.test/api/v1/inventory/listSkus")

    def test_dotenv_without_the_orders_url_is_a_configuration_error(self):
        with tempfile.TemporaryDirectory() as directory:
            dotenv = Path(directory) / ".env"
            dotenv.write_text("INVENTORY_API_BASE_URL=https://inv.example.test\n", encoding="utf-8")
            with self.assertRaises(init_database.ConfigurationError):
                init_database.resolve_target(None, dotenv)


class SendBatchTest(unittest.TestCase):
    def test_counts_202_as_accepted_and_everything_else_as_failed(self):
        replies = iter([
            init_database.Reply(202, "{}"),
            init_database.Reply(400, '{"message":"Bad Request"}'),
            init_database.Reply(None, "URLError: refused"),
            init_database.Reply(202, "{}"),
        ])
        sent = []

        def fake_post(url, body, timeout):
            sent.append((url, body))
            return next(replies)

        bodies = [{"n": number} for number in range(4)]
        with contextlib.redirect_stderr(io.StringIO()):
            result = init_database.send_batch("orders", "http://x/api", bodies, 1.0, post=fake_post)
        self.assertEqual(result.accepted, 2)
        self.assertEqual(len(result.failures), 2)
        self.assertIn("HTTP 400", result.failures[0])
        self.assertIn("no answer", result.failures[1])
        self.assertEqual(sent, [("http://x/api", body) for body in bodies])


class StatusTableTest(unittest.TestCase):
    def test_counts_statuses_of_the_data_set_orders_only(self):
        out = io.StringIO()
        init_database.print_status_table(
            ["ORD001", "ORD002", "ORD003"],
            {"ORD001": "ORDER_STOCK_DEPLETED_STATUS", "ORD002": "ORDER_PAYMENT_ACCEPTED_STATUS"},
            [{"sku": "GRAPES", "units": 10}, {"sku": "APPLES", "units": 5}],
            out,
        )
        text = out.getvalue()
        self.assertRegex(text, r"ORDER_STOCK_DEPLETED_STATUS\s+1\n")
        self.assertRegex(text, r"ORDER_PAYMENT_ACCEPTED_STATUS\s+1\n")
        self.assertRegex(text, r"\(not listed yet\)\s+1\n")
        self.assertRegex(text, r"total\s+3\n")
        self.assertLess(text.index("APPLES"), text.index("GRAPES"))


if __name__ == "__main__":
    unittest.main()
