"""Tests of scripts/init-database: the data set of docs/contract.md §12.2, the dry run and the
SigV4 signing of requests to a deployed stage (AWS's published test-suite vectors).

Run from the repository root: python3 -m unittest discover -s scripts/tests
"""

from __future__ import annotations

import contextlib
import http.server
import importlib.machinery
import importlib.util
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import unittest
from unittest import mock
from collections import Counter
from datetime import datetime, timezone
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


class PagedList:
    """A fake list API over `items`: pages of `body["limit"]` items (default 50), each full page
    with a nextToken naming the position after it, as the engine and DynamoDB do (a full last page
    is followed by an empty page without a token). Records every request body."""

    def __init__(self, items, key, fail_page=None):
        self.items, self.key, self.fail_page = items, key, fail_page
        self.bodies = []

    def __call__(self, url, body, timeout):
        self.bodies.append(dict(body))
        if len(self.bodies) == self.fail_page:
            return init_database.Reply(503, '{"message":"Service Unavailable"}')
        start = int(body["nextToken"].removeprefix("after-")) if "nextToken" in body else 0
        limit = body.get("limit", 50)
        page = self.items[start:start + limit]
        answer = {self.key: page}
        if len(page) == limit:
            answer["nextToken"] = f"after-{start + limit}"
        return init_database.Reply(200, json.dumps(answer))


class ReadPagesTest(unittest.TestCase):
    """read_pages against PagedList: pages of `limit` items, a full page with a token."""

    def test_reads_every_page_with_the_same_body_and_the_previous_token(self):
        orders = [{"orderId": f"ORD{number:03d}"} for number in range(25)]
        api = PagedList(orders, "orders")
        self.assertEqual(init_database.read_pages("http://front/listOrders", {"limit": 10}, "orders", 1.0, post=api),
                         (200, {"orders": orders}, 3))
        self.assertEqual(api.bodies, [{"limit": 10}, {"limit": 10, "nextToken": "after-10"},
                                      {"limit": 10, "nextToken": "after-20"}])

    def test_a_full_last_page_ends_with_an_empty_page_and_a_selector_with_one_page(self):
        api = PagedList([{"sku": "A"}, {"sku": "B"}], "skus")
        self.assertEqual(init_database.read_pages("u", {"limit": 2, "sortDirection": "desc"}, "skus", 1.0, post=api),
                         (200, {"skus": [{"sku": "A"}, {"sku": "B"}]}, 2))
        self.assertEqual(api.bodies[-1], {"limit": 2, "sortDirection": "desc", "nextToken": "after-2"})
        one = init_database.read_pages(
            "u", {"orderId": "X"}, "orderPayments", 1.0,
            post=lambda url, body, timeout: init_database.Reply(200, '{"orderPayments":[{"orderId":"X"}]}'))
        self.assertEqual(one, (200, {"orderPayments": [{"orderId": "X"}]}, 1))

    def test_a_refused_page_gives_its_status_and_says_which_page(self):
        api = PagedList([{"orderId": str(number)} for number in range(30)], "orders", fail_page=2)
        status, answer, pages = init_database.read_pages("u", {"limit": 10}, "orders", 1.0, post=api)
        self.assertEqual((status, pages), (503, 2))
        self.assertIn("page 2 (nextToken after-10…)", answer)
        self.assertIn("Service Unavailable", answer)
        first = PagedList([], "orders", fail_page=1)
        self.assertEqual(init_database.read_pages("u", {"limit": 10}, "orders", 1.0, post=first),
                         (503, {"message": "Service Unavailable"}, 1))
        not_json = init_database.read_pages("u", {}, "orders", 1.0,
                                            post=lambda url, body, timeout: init_database.Reply(502, "Bad Gateway"))
        self.assertEqual(not_json, (502, "Bad Gateway", 1))

    def test_malformed_pages_a_repeated_token_and_too_many_pages_are_not_200_lists(self):
        for body in ('{"orders": {}}', "[]", "not json", '{"skus": []}',
                     '{"orders": [], "nextToken": 1}', '{"orders": [], "nextToken": ""}'):
            with self.subTest(body=body):
                status, answer, pages = init_database.read_pages(
                    "u", {"limit": 10}, "orders", 1.0, post=lambda url, b, t, body=body: init_database.Reply(200, body))
                self.assertEqual((status, pages), (200, 1))
                self.assertEqual(answer, f"not a orders list with at most a nextToken string: {body}")
        looping = lambda url, body, timeout: init_database.Reply(200, '{"orders": [], "nextToken": "same"}')
        status, answer, pages = init_database.read_pages("u", {"limit": 10}, "orders", 1.0, post=looping)
        self.assertEqual((status, pages), (200, 2))
        self.assertIn("second time", answer)
        api = PagedList([{"orderId": str(number)} for number in range(10)], "orders")
        self.assertEqual(init_database.read_pages("u", {"limit": 1}, "orders", 1.0, post=api, max_pages=4),
                         (None, "more than 4 pages", 4))
        self.assertEqual(len(api.bodies), 4)


class FetchListTest(unittest.TestCase):
    ORDERS = [{"orderId": f"P{number:05d}", "orderStatus": "ORDER_PAYMENT_ACCEPTED_STATUS"}
              for number in range(2500)]

    def test_follows_next_token_and_returns_each_of_2500_orders_once(self):
        api = PagedList(self.ORDERS, "orders")
        orders = init_database.fetch_list("http://x/listOrders", {"limit": 1000}, "orders", 1.0, post=api)
        self.assertEqual(len(orders), 2500)
        self.assertEqual(Counter(order["orderId"] for order in orders),
                         Counter(order["orderId"] for order in self.ORDERS))
        self.assertEqual(api.bodies, [{"limit": 1000}, {"limit": 1000, "nextToken": "after-1000"},
                                      {"limit": 1000, "nextToken": "after-2000"}])

    def test_a_full_last_page_is_followed_by_an_empty_page_without_a_token(self):
        api = PagedList(self.ORDERS[:2000], "orders")
        orders = init_database.fetch_list("http://x/listOrders", {"limit": 1000, "sortDirection": "desc"},
                                          "orders", 1.0, post=api)
        self.assertEqual(len(orders), 2000)
        self.assertEqual(len(api.bodies), 3)
        self.assertEqual(api.bodies[-1], {"limit": 1000, "sortDirection": "desc", "nextToken": "after-2000"})

    def test_a_failing_second_page_is_none(self):
        api = PagedList(self.ORDERS, "orders", fail_page=2)
        self.assertIsNone(init_database.fetch_list("http://x/listOrders", {"limit": 1000}, "orders", 1.0, post=api))
        self.assertEqual(len(api.bodies), 2)

    def test_malformed_pages_are_none(self):
        for body in ('{"skus": {}}', "[]", "not json", '{"orders": []}',
                     '{"skus": [], "nextToken": 7}', '{"skus": [], "nextToken": ""}'):
            with self.subTest(body=body):
                def post(url, request, timeout, body=body):
                    return init_database.Reply(200, body)
                self.assertIsNone(init_database.fetch_list("http://x/listSkus", {}, "skus", 1.0, post=post))

    def test_a_repeated_token_stops_the_loop(self):
        sent = []

        def post(url, body, timeout):
            sent.append(body)
            return init_database.Reply(200, json.dumps({"skus": [{"sku": "A"}], "nextToken": "same"}))

        self.assertIsNone(init_database.fetch_list("http://x/listSkus", {"limit": 1}, "skus", 1.0, post=post))
        self.assertEqual(len(sent), 2)

    def test_more_pages_than_max_pages_is_none(self):
        api = PagedList([{"sku": f"S{number}"} for number in range(10)], "skus")
        self.assertIsNone(init_database.fetch_list("http://x/listSkus", {"limit": 1}, "skus", 1.0, post=api,
                                                   max_pages=5))
        self.assertEqual(len(api.bodies), 5)
        self.assertEqual(len(init_database.fetch_list("http://x/listSkus", {"limit": 1}, "skus", 1.0,
                                                      post=PagedList(api.items, "skus"), max_pages=11)), 10)

    def test_wait_sees_data_set_orders_on_the_third_page(self):
        others = [{"orderId": f"OTHER{number:04d}", "orderStatus": "ORDER_PLACED_STATUS"} for number in range(2200)]
        ours = [{"orderId": body["orderId"], "orderStatus": "ORDER_PAYMENT_ACCEPTED_STATUS"}
                for body in init_database.order_bodies()]
        api = PagedList(others + ours, "orders")
        target = init_database.Target("http://inv", "http://ord", "test")
        with contextlib.redirect_stderr(io.StringIO()):
            done, statuses = init_database.wait_for_terminal_orders(
                target, [body["orderId"] for body in init_database.order_bodies()], 0.0, 0.01, 1.0, post=api)
        self.assertTrue(done)
        self.assertEqual(len(statuses), 75)
        self.assertEqual(len(api.bodies), 3)


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


# ---------------------------------------------------------------------------------------------
# SigV4
# ---------------------------------------------------------------------------------------------

# The example credentials and request time of AWS's SigV4 test suite (aws-sig-v4-test-suite).
SUITE_CREDENTIALS = init_database.AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
SUITE_TIME = datetime(2015, 8, 30, 12, 36, 0, tzinfo=timezone.utc)
SUITE_TOKEN = (
    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8Y"
    "UuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6"
    "fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQ"
    "wj2ICCR/oLxBA=="
)
API_URL = "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com"
ENV_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                   "AWS_SESSION_TOKEN": "SESSION"}


def suite_sign(method, headers=None, body=b"", credentials=SUITE_CREDENTIALS):
    return init_database.sigv4_headers(method, "https://example.amazonaws.com/", headers or {}, body, credentials,
                                       "us-east-1", "service", SUITE_TIME)


class SigV4TestSuiteTest(unittest.TestCase):
    """AWS's published vectors reproduced exactly (region us-east-1, service "service")."""

    def test_get_vanilla(self):
        headers = suite_sign("GET")
        self.assertEqual(headers["X-Amz-Date"], "20150830T123600Z")
        self.assertEqual(
            headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")

    def test_post_x_www_form_urlencoded(self):
        headers = suite_sign("POST", {"Content-Type": "application/x-www-form-urlencoded"}, b"Param1=value1")
        self.assertEqual(
            headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=content-type;host;x-amz-date, "
            "Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")

    def test_post_sts_header_before_signs_the_session_token(self):
        credentials = init_database.AwsCredentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                                                   SUITE_TOKEN)
        headers = suite_sign("POST", credentials=credentials)
        self.assertEqual(headers["X-Amz-Security-Token"], SUITE_TOKEN)
        self.assertEqual(
            headers["Authorization"],
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date;x-amz-security-token, "
            "Signature=85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")

    def test_header_values_are_trimmed_and_query_parameters_sorted(self):
        trimmed = suite_sign("GET", {"My-Header1": " value1", "My-Header2": '"a   b   c"'})
        self.assertTrue(trimmed["Authorization"].endswith(
            "SignedHeaders=host;my-header1;my-header2;x-amz-date, "
            "Signature=acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"))
        query = init_database.sigv4_headers("GET", "https://example.amazonaws.com/?Param2=value2&Param1=value1", {},
                                            b"", SUITE_CREDENTIALS, "us-east-1", "service", SUITE_TIME)
        self.assertTrue(query["Authorization"].endswith(
            "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"))


class _CapturingHandler(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        type(self).seen.append({name.lower(): value for name, value in self.headers.items()})
        body = b'{"skus":[]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class SigningTargetsTest(unittest.TestCase):
    def test_the_region_comes_from_an_api_gateway_host(self):
        self.assertEqual(init_database.execute_api_region(API_URL + "/api/v1/orders/placeOrder"), "eu-west-1")
        self.assertIsNone(init_database.execute_api_region("http://127.0.0.1:3000"))
        self.assertIsNone(init_database.execute_api_region("https://shop.example.com"))

    def test_local_urls_are_recognised(self):
        for url in ("http://127.0.0.1:3000", "http://localhost:3000/x", "http://[::1]:3000", "http://127.0.0.2"):
            self.assertTrue(init_database.is_local_url(url), url)
        for url in (API_URL, "http://10.0.0.5:3000", "https://localhost.example.com"):
            self.assertFalse(init_database.is_local_url(url), url)

    def test_a_local_base_url_is_never_signed(self):
        for mode in init_database.SIGN_MODES:
            self.assertIsNone(init_database.request_signer(["http://127.0.0.1:3000"], mode, ENV_CREDENTIALS), mode)

    def test_a_local_base_url_gets_no_authorization_header_even_from_a_signer(self):
        _CapturingHandler.seen = []
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CapturingHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        no_proxy = {name: "" for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY")}
        try:
            url = f"http://127.0.0.1:{server.server_address[1]}/api/v1/inventory/listSkus"
            signer = init_database.RequestSigner(SUITE_CREDENTIALS, fallback_region="eu-west-1")
            with mock.patch.dict(os.environ, no_proxy):
                reply = init_database.post_json(url, {}, 5.0, signer=signer)
                unsigned = init_database.post_json(url, {}, 5.0)
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual((reply.status, unsigned.status), (200, 200))
        for headers in _CapturingHandler.seen:
            self.assertNotIn("authorization", headers)
            self.assertFalse([name for name in headers if name.startswith("x-amz-")], headers)
            self.assertEqual(headers["content-type"], "application/json")

    def test_an_api_gateway_url_is_signed_for_execute_api_in_its_region(self):
        signer = init_database.request_signer([API_URL, API_URL], "auto", ENV_CREDENTIALS)
        self.assertIsNotNone(signer)
        self.assertEqual(signer.credentials.source, "the environment")
        headers = signer("POST", API_URL + "/api/v1/orders/placeOrder", init_database.REQUEST_HEADERS, b"{}")
        self.assertEqual(headers["Content-Type"], "application/json")
        self.assertEqual(headers["X-Amz-Security-Token"], "SESSION")
        self.assertRegex(
            headers["Authorization"],
            r"^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/\d{8}/eu-west-1/execute-api/aws4_request, "
            r"SignedHeaders=content-type;host;origin;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$")
        self.assertEqual(headers["Host"], "a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com")
        self.assertNotIn("Authorization", init_database.REQUEST_HEADERS)

    def test_no_sign_and_other_hosts_in_auto_mode_are_not_signed(self):
        self.assertIsNone(init_database.request_signer([API_URL], "never", ENV_CREDENTIALS))
        self.assertIsNone(init_database.request_signer(["https://shop.example.com"], "auto", ENV_CREDENTIALS))

    def test_sign_always_signs_a_custom_domain_in_aws_region(self):
        signer = init_database.request_signer(["https://shop.example.com"], "always",
                                              dict(ENV_CREDENTIALS, AWS_REGION="ap-south-1"))
        headers = signer("POST", "https://shop.example.com/api/v1/inventory/listSkus", {}, b"{}")
        self.assertIn("/ap-south-1/execute-api/aws4_request", headers["Authorization"])
        with self.assertRaisesRegex(init_database.ConfigurationError, "AWS_REGION"):
            init_database.request_signer(["https://shop.example.com"], "always", ENV_CREDENTIALS)


class CredentialsTest(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory()
        self.addCleanup(directory.cleanup)
        self.home = Path(directory.name)
        (self.home / ".aws").mkdir()

    def test_the_environment_comes_first(self):
        (self.home / ".aws" / "credentials").write_text("[default]\naws_access_key_id = FILE\n"
                                                        "aws_secret_access_key = S\n", encoding="utf-8")
        credentials = init_database.load_credentials(ENV_CREDENTIALS, self.home)
        self.assertEqual((credentials.access_key_id, credentials.session_token), ("AKIDEXAMPLE", "SESSION"))

    def test_static_keys_of_aws_profile_from_the_credentials_then_the_config_file(self):
        (self.home / ".aws" / "credentials").write_text(
            "[default]\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = S0\n"
            "[dev]\naws_access_key_id = DEVKEY\naws_secret_access_key = S1\naws_session_token = T1\n",
            encoding="utf-8")
        (self.home / ".aws" / "config").write_text(
            "[profile ops]\naws_access_key_id = OPSKEY\naws_secret_access_key = S2\n", encoding="utf-8")
        dev = init_database.load_credentials({"AWS_PROFILE": "dev"}, self.home)
        self.assertEqual((dev.access_key_id, dev.secret_access_key, dev.session_token), ("DEVKEY", "S1", "T1"))
        self.assertIn("profile dev", dev.source)
        self.assertEqual(init_database.load_credentials({}, self.home).access_key_id, "DEFAULTKEY")
        self.assertEqual(init_database.load_credentials({"AWS_PROFILE": "ops"}, self.home).access_key_id, "OPSKEY")

    def test_an_sso_profile_points_to_export_credentials(self):
        (self.home / ".aws" / "config").write_text("[profile dev]\nsso_session = corp\nregion = eu-west-1\n",
                                                   encoding="utf-8")
        with self.assertRaisesRegex(init_database.ConfigurationError,
                                    r"sso_session.*aws configure export-credentials --profile dev --format env"):
            init_database.load_credentials({"AWS_PROFILE": "dev"}, self.home)

    def test_no_credentials_is_a_configuration_error_that_mentions_no_sign(self):
        with self.assertRaisesRegex(init_database.ConfigurationError, "no AWS credentials.*--no-sign"):
            init_database.load_credentials({}, self.home)
        with self.assertRaisesRegex(init_database.ConfigurationError, "together"):
            init_database.load_credentials({"AWS_ACCESS_KEY_ID": "A"}, self.home)
        with self.assertRaises(init_database.ConfigurationError):
            init_database.request_signer([API_URL], "auto", {"HOME": str(self.home)}, self.home)


if __name__ == "__main__":
    unittest.main()
