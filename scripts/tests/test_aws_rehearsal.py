"""Tests of scripts/aws-rehearsal: the EventBridge pattern matcher, the CloudFormation intrinsic
resolver and model, SQS queue and event-source-mapping semantics, the Pipe's and API Gateway's
event shapes (all without processes), and the Lambda Runtime API emulator against small Python
stand-ins for a bootstrap. Nothing here starts DynamoDB Local or a Rust binary.

Run from the repository root: python3 -m unittest discover -s scripts/tests
"""

from __future__ import annotations

import base64
import copy
import hashlib
import importlib.machinery
import importlib.util
import json
import stat
import sys
import tempfile
import types
import unittest
from unittest import mock
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "aws-rehearsal"
REAL_TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "cdk.out" / "ecommRs-dev.template.json"


def load_script():
    """Imports the extension-less script as a module."""
    loader = importlib.machinery.SourceFileLoader("aws_rehearsal", str(SCRIPT))
    module = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    sys.modules[loader.name] = module  # dataclasses look their module up while the class is built
    loader.exec_module(module)
    return module


rehearsal = load_script()
matches = rehearsal.matches

STREAM_ARN = "arn:aws:dynamodb:ddblocal:000000000000:table/t-dev-Table/stream/2026-01-01T00:00:00.000"

# The shapes of infra/cdk.out/ecommRs-dev.template.json, cut down to one worker and one API (the
# Pipe's filter and the rule's pattern are the synthesized ones).
PIPE_FILTER = '{"eventName":["INSERT"],"dynamodb":{"NewImage":{"_tn":{"S":["EVENTS#EVENT"]}}}}'
TEMPLATE = {
    "Resources": {
        "TableCD117FA1": {"Type": "AWS::DynamoDB::Table", "Properties": {
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
            "StreamSpecification": {"StreamViewType": "NEW_IMAGE"},
            "TableName": "t-dev-Table",
            "Tags": [{"Key": "stage", "Value": "dev"}],
            "TimeToLiveSpecification": {"AttributeName": "expiresAt", "Enabled": True},
        }},
        "Bus": {"Type": "AWS::Events::EventBus", "Properties": {"Name": "t-dev-Bus"}},
        "Secret": {"Type": "AWS::SecretsManager::Secret", "Properties": {
            "GenerateSecretString": {"ExcludePunctuation": True, "PasswordLength": 64}}},
        "PipeDlq": {"Type": "AWS::SQS::Queue", "Properties": {"MessageRetentionPeriod": 1209600}},
        "Pipe": {"Type": "AWS::Pipes::Pipe", "Properties": {
            "Source": {"Fn::GetAtt": ["TableCD117FA1", "StreamArn"]},
            "SourceParameters": {
                "DynamoDBStreamParameters": {"DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["PipeDlq", "Arn"]}},
                                             "MaximumRetryAttempts": 10, "StartingPosition": "TRIM_HORIZON"},
                "FilterCriteria": {"Filters": [{"Pattern": PIPE_FILTER}]},
            },
            "Target": {"Fn::GetAtt": ["Bus", "Arn"]},
            "TargetParameters": {"EventBridgeEventBusParameters": {
                "DetailType": "DynamoDBStreamRecord", "Source": "event-store.dynamodb.stream"}},
        }},
        "WorkerDlq": {"Type": "AWS::SQS::Queue", "Properties": {"QueueName": "t-dev-Worker-Dlq"}},
        "WorkerQueue": {"Type": "AWS::SQS::Queue", "Properties": {
            "QueueName": "t-dev-Worker-Queue",
            "RedrivePolicy": {"deadLetterTargetArn": {"Fn::GetAtt": ["WorkerDlq", "Arn"]}, "maxReceiveCount": 10},
            "VisibilityTimeout": 60,
        }},
        "WorkerRule": {"Type": "AWS::Events::Rule", "Properties": {
            "EventBusName": {"Ref": "Bus"},
            "EventPattern": {
                "source": ["event-store.dynamodb.stream"],
                "detail-type": ["DynamoDBStreamRecord"],
                "detail": {
                    "eventSourceARN": [{"Fn::GetAtt": ["TableCD117FA1", "StreamArn"]}],
                    "eventSource": ["aws:dynamodb"],
                    "eventName": ["INSERT"],
                    "dynamodb": {"NewImage": {"eventName": {"S": ["ORDER_PAYMENT_ACCEPTED_EVENT"]}}},
                },
            },
            "State": "ENABLED",
            "Targets": [{"Arn": {"Fn::GetAtt": ["WorkerQueue", "Arn"]},
                         "DeadLetterConfig": {"Arn": {"Fn::GetAtt": ["WorkerDlq", "Arn"]}}, "Id": "Target0"}],
        }},
        "WorkerFunction": {"Type": "AWS::Lambda::Function", "Properties": {
            "Code": {"S3Bucket": {"Fn::Sub": "cdk-assets-${AWS::AccountId}-${AWS::Region}"}, "S3Key": "abc123.zip"},
            "Environment": {"Variables": {"TABLE_NAME": {"Ref": "TableCD117FA1"}, "MODE": "random"}},
            "FunctionName": "t-dev-Worker",
            "Handler": "bootstrap",
            "LoggingConfig": {"ApplicationLogLevel": "INFO", "LogFormat": "JSON", "LogGroup": {"Ref": "WorkerLogs"}},
            "MemorySize": 256,
            "Timeout": 10,
        }},
        "WorkerLogs": {"Type": "AWS::Logs::LogGroup", "Properties": {"RetentionInDays": 30}},
        "WorkerMapping": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {
            "BatchSize": 10,
            "EventSourceArn": {"Fn::GetAtt": ["WorkerQueue", "Arn"]},
            "FunctionName": {"Ref": "WorkerFunction"},
            "FunctionResponseTypes": ["ReportBatchItemFailures"],
            "MaximumBatchingWindowInSeconds": 0,
            "ScalingConfig": {"MaximumConcurrency": 2},
        }},
        "Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {
            "CorsConfiguration": {"AllowHeaders": ["Content-Type", "X-Correlation-Id"], "AllowMethods": ["POST", "OPTIONS"],
                                  "AllowOrigins": ["*"], "ExposeHeaders": ["*"]},
            "Name": "t-dev-Api", "ProtocolType": "HTTP"}},
        "ApiIntegration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {
            "ApiId": {"Ref": "Api"}, "IntegrationType": "AWS_PROXY",
            "IntegrationUri": {"Fn::GetAtt": ["ApiFunction", "Arn"]}, "PayloadFormatVersion": "2.0"}},
        "ApiRoute": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {
            "ApiId": {"Ref": "Api"}, "AuthorizationType": "AWS_IAM", "RouteKey": "POST /api/v1/things/doIt",
            "Target": {"Fn::Join": ["", ["integrations/", {"Ref": "ApiIntegration"}]]}}},
        "ApiFunction": {"Type": "AWS::Lambda::Function", "Properties": {
            "Code": {"S3Key": "def456.zip"}, "FunctionName": "t-dev-Api-DoIt", "Timeout": 5}},
    }
}


def stream_record(event_name="INSERT", tn="EVENTS#EVENT", name="ORDER_PAYMENT_ACCEPTED_EVENT", with_image=True):
    """A record as DynamoDB Streams' GetRecords returns it (DynamoDB Local's shape)."""
    dynamodb = {
        "ApproximateCreationDateTime": 1796228520.0,
        "Keys": {"sk": {"S": f"EVENT#{name}"}, "pk": {"S": "EVENTS#ORDER_ID#ORD001"}},
        "SequenceNumber": "000000000000000000001",
        "SizeBytes": 25,
        "StreamViewType": "NEW_IMAGE",
    }
    if with_image:
        dynamodb["NewImage"] = {"pk": {"S": "EVENTS#ORDER_ID#ORD001"}, "sk": {"S": f"EVENT#{name}"},
                                "_tn": {"S": tn}, "eventName": {"S": name},
                                "eventData": {"M": {"units": {"N": "20"}, "price": {"N": "15.99"}}}}
    return {"eventID": "4a5c44f4", "eventName": event_name, "eventVersion": "1.1", "eventSource": "aws:dynamodb",
            "awsRegion": "ddblocal", "dynamodb": dynamodb}


def model_of(template=None, stream_arn=STREAM_ARN):
    return rehearsal.build_model(copy.deepcopy(template or TEMPLATE), "t-dev", Path("/cdk.out"), stream_arn)


def bus_event(model, record):
    source = rehearsal.pipe_source_record(record, model.stream_arn)
    return rehearsal.eventbridge_event(source, model.pipe.detail_type, model.pipe.source, model.pipe.resources)


class FakeClock:
    def __init__(self, now=1000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


# ---------------------------------------------------------------------------------------------
# EventBridge patterns
# ---------------------------------------------------------------------------------------------


class PatternMatcherTest(unittest.TestCase):
    def test_exact_values_match_only_themselves_and_their_type(self):
        self.assertTrue(matches({"a": ["x", "y"]}, {"a": "y"}))
        self.assertFalse(matches({"a": ["x"]}, {"a": "z"}))
        self.assertTrue(matches({"n": [5]}, {"n": 5.0}))
        self.assertFalse(matches({"n": [5]}, {"n": "5"}))
        self.assertFalse(matches({"s": ["5"]}, {"s": 5}))
        self.assertTrue(matches({"b": [True]}, {"b": True}))
        self.assertFalse(matches({"b": [True]}, {"b": 1}))
        self.assertTrue(matches({"z": [None]}, {"z": None}))

    def test_every_field_must_match_and_nested_objects_recurse(self):
        pattern = {"source": ["s"], "detail": {"dynamodb": {"NewImage": {"eventName": {"S": ["E1", "E2"]}}}}}
        event = {"source": "s", "detail": {"dynamodb": {"NewImage": {"eventName": {"S": "E2"}}}}}
        self.assertTrue(matches(pattern, event))
        self.assertFalse(matches(pattern, dict(event, source="other")))
        self.assertFalse(matches(pattern, {"source": "s", "detail": {"dynamodb": {"NewImage": {"eventName": {"N": "1"}}}}}))

    def test_fields_the_pattern_does_not_name_are_ignored(self):
        self.assertTrue(matches({"a": ["x"]}, {"a": "x", "b": {"c": 1}, "d": [1, 2]}))

    def test_an_array_in_the_event_matches_when_any_element_does(self):
        self.assertTrue(matches({"tags": ["red"]}, {"tags": ["blue", "red"]}))
        self.assertFalse(matches({"tags": ["red"]}, {"tags": ["blue"]}))
        self.assertFalse(matches({"tags": ["red"]}, {"tags": []}))
        self.assertTrue(matches({"items": {"kind": ["k"]}}, {"items": [{"kind": "j"}, {"kind": "k"}]}))

    def test_a_missing_field_matches_only_exists_false(self):
        self.assertFalse(matches({"a": ["x"]}, {}))
        self.assertFalse(matches({"a": {"b": ["x"]}}, {"c": 1}))
        self.assertFalse(matches({"a": {"b": ["x"]}}, {"a": "not an object"}))
        self.assertTrue(matches({"a": [{"exists": False}]}, {}))
        self.assertFalse(matches({"a": [{"exists": False}]}, {"a": None}))
        self.assertTrue(matches({"a": [{"exists": True}]}, {"a": None}))
        self.assertFalse(matches({"a": [{"exists": True}]}, {}))
        self.assertTrue(matches({"a": {"b": [{"exists": False}]}}, {}))

    def test_leaf_matchers_never_match_an_object(self):
        self.assertFalse(matches({"a": ["x"]}, {"a": {"x": 1}}))
        self.assertFalse(matches({"a": [{"exists": True}]}, {"a": {"x": 1}}))

    def test_prefix_suffix_equals_ignore_case(self):
        self.assertTrue(matches({"pk": [{"prefix": "EVENTS#"}]}, {"pk": "EVENTS#ORDER_ID#1"}))
        self.assertFalse(matches({"pk": [{"prefix": "EVENTS#"}]}, {"pk": "ORDERS#1"}))
        self.assertFalse(matches({"pk": [{"prefix": "1"}]}, {"pk": 12}))
        self.assertTrue(matches({"f": [{"suffix": ".png"}]}, {"f": "a.png"}))
        self.assertTrue(matches({"f": [{"prefix": {"equals-ignore-case": "ev"}}]}, {"f": "EVENT"}))
        self.assertTrue(matches({"f": [{"equals-ignore-case": "insert"}]}, {"f": "INSERT"}))

    def test_anything_but(self):
        self.assertTrue(matches({"s": [{"anything-but": "REMOVE"}]}, {"s": "INSERT"}))
        self.assertFalse(matches({"s": [{"anything-but": "REMOVE"}]}, {"s": "REMOVE"}))
        self.assertFalse(matches({"s": [{"anything-but": ["A", "B"]}]}, {"s": "B"}))
        self.assertTrue(matches({"s": [{"anything-but": ["A", "B"]}]}, {"s": "C"}))
        self.assertFalse(matches({"s": [{"anything-but": {"prefix": "EV"}}]}, {"s": "EVENT"}))
        self.assertTrue(matches({"s": [{"anything-but": {"prefix": "EV"}}]}, {"s": "ORDER"}))
        self.assertFalse(matches({"s": [{"anything-but": "A"}]}, {}))

    def test_numeric(self):
        pattern = {"n": [{"numeric": [">", 0, "<=", 5]}]}
        self.assertTrue(matches(pattern, {"n": 5}))
        self.assertFalse(matches(pattern, {"n": 0}))
        self.assertFalse(matches(pattern, {"n": "3"}))
        self.assertTrue(matches({"n": [{"numeric": ["=", 1.5]}]}, {"n": 1.5}))

    def test_or(self):
        pattern = {"$or": [{"a": ["x"]}, {"b": ["y"]}]}
        self.assertTrue(matches(pattern, {"b": "y"}))
        self.assertFalse(matches(pattern, {"a": "y", "b": "x"}))

    def test_patterns_outside_the_implemented_syntax_are_refused(self):
        for bad in ({"a": "x"}, {"a": []}, {"a": [{"wildcard": "x*"}]}, {"a": [{"cidr": "10.0.0.0/8"}]},
                    {"a": [{"numeric": [">"]}]}, {}, ["x"], {"$or": [{"a": ["x"]}]}):
            with self.subTest(bad=bad):
                with self.assertRaises(rehearsal.PatternError):
                    rehearsal.validate_pattern(bad)
        rehearsal.validate_pattern(json.loads(PIPE_FILTER))


class TemplatePatternsTest(unittest.TestCase):
    """The template's own Pipe filter and a rule's pattern, on records and events."""

    def setUp(self):
        self.model = model_of()
        self.pipe_filter = self.model.pipe.filters[0]
        self.rule = self.model.rules[0]

    def test_the_pipe_filter_keeps_only_event_item_inserts(self):
        self.assertEqual(self.pipe_filter, json.loads(PIPE_FILTER))
        arn = self.model.stream_arn
        self.assertTrue(matches(self.pipe_filter, rehearsal.pipe_source_record(stream_record(), arn)))
        self.assertFalse(matches(self.pipe_filter, rehearsal.pipe_source_record(stream_record("MODIFY"), arn)))
        self.assertFalse(matches(self.pipe_filter, rehearsal.pipe_source_record(stream_record(tn="ORDERS#ORDER"), arn)))
        self.assertFalse(matches(self.pipe_filter, rehearsal.pipe_source_record(stream_record(with_image=False), arn)))

    def test_the_rule_pattern_resolves_the_stream_arn_and_routes_by_event_name(self):
        self.assertEqual(self.rule.pattern["detail"]["eventSourceARN"], [STREAM_ARN])
        self.assertTrue(matches(self.rule.pattern, bus_event(self.model, stream_record())))
        self.assertFalse(matches(self.rule.pattern, bus_event(self.model, stream_record(name="ORDER_PLACED_EVENT"))))
        self.assertFalse(matches(self.rule.pattern, bus_event(self.model, stream_record("MODIFY"))))

    def test_the_rule_needs_what_the_pipe_adds_and_the_envelope(self):
        event = bus_event(self.model, stream_record())
        del event["detail"]["eventSourceARN"]  # the GetRecords shape, without what the Pipe adds
        self.assertFalse(matches(self.rule.pattern, event))
        self.assertFalse(matches(self.rule.pattern, dict(bus_event(self.model, stream_record()), source="other")))
        other_stream = model_of(stream_arn=STREAM_ARN.replace("2026", "2027"))
        self.assertFalse(matches(self.rule.pattern, bus_event(other_stream, stream_record())))

    @unittest.skipUnless(REAL_TEMPLATE.is_file(), "infra/cdk.out is not synthesized (cd infra && npm run synth dev)")
    def test_the_synthesized_template(self):
        template = json.loads(REAL_TEMPLATE.read_text())
        model = rehearsal.build_model(template, "ecommRs-dev", REAL_TEMPLATE.parent, STREAM_ARN)
        record = rehearsal.pipe_source_record(stream_record(), STREAM_ARN)
        self.assertTrue(any(matches(p, record) for p in model.pipe.filters))
        self.assertFalse(any(matches(p, rehearsal.pipe_source_record(stream_record("MODIFY"), STREAM_ARN))
                             for p in model.pipe.filters))
        event = bus_event(model, stream_record())
        routed = sorted(model.queues[arn].name for rule in model.rules if matches(rule.pattern, event)
                        for arn in rule.target_queue_arns)
        self.assertEqual(len(routed), 2, routed)  # SyncOrder and CompleteOrderPaymentAccepted
        self.assertTrue(any("SyncOrderWorker" in name for name in routed))
        self.assertTrue(any("CompleteOrderPaymentAcceptedWorker" in name for name in routed))
        unknown = bus_event(model, stream_record(name="ORDER_REFUNDED_EVENT"))
        self.assertFalse(any(matches(rule.pattern, unknown) for rule in model.rules))


# ---------------------------------------------------------------------------------------------
# CloudFormation intrinsics and the model
# ---------------------------------------------------------------------------------------------


class ResolverTest(unittest.TestCase):
    def setUp(self):
        self.resolver = rehearsal.Resolver(copy.deepcopy(TEMPLATE), "t-dev",
                                           {("TableCD117FA1", "StreamArn"): STREAM_ARN})

    def test_ref(self):
        r = self.resolver
        self.assertEqual(r.resolve({"Ref": "TableCD117FA1"}), "t-dev-Table")
        self.assertEqual(r.resolve({"Ref": "WorkerFunction"}), "t-dev-Worker")
        self.assertEqual(r.resolve({"Ref": "WorkerQueue"}),
                         "https://sqs.us-east-1.amazonaws.com/000000000000/t-dev-Worker-Queue")
        self.assertEqual(r.resolve({"Ref": "AWS::Region"}), "us-east-1")
        self.assertEqual(r.resolve({"Ref": "AWS::AccountId"}), "000000000000")
        self.assertEqual(r.resolve({"Ref": "WorkerLogs"}), "t-dev-WorkerLogs")  # no name: <stack>-<LogicalId>

    def test_get_att(self):
        r = self.resolver
        self.assertEqual(r.resolve({"Fn::GetAtt": ["WorkerQueue", "Arn"]}),
                         "arn:aws:sqs:us-east-1:000000000000:t-dev-Worker-Queue")
        self.assertEqual(r.resolve({"Fn::GetAtt": "WorkerDlq.Arn"}), "arn:aws:sqs:us-east-1:000000000000:t-dev-Worker-Dlq")
        self.assertEqual(r.resolve({"Fn::GetAtt": ["PipeDlq", "Arn"]}), "arn:aws:sqs:us-east-1:000000000000:t-dev-PipeDlq")
        self.assertEqual(r.resolve({"Fn::GetAtt": ["WorkerFunction", "Arn"]}),
                         "arn:aws:lambda:us-east-1:000000000000:function:t-dev-Worker")
        self.assertEqual(r.resolve({"Fn::GetAtt": ["Bus", "Arn"]}),
                         "arn:aws:events:us-east-1:000000000000:event-bus/t-dev-Bus")
        self.assertEqual(r.resolve({"Fn::GetAtt": ["TableCD117FA1", "StreamArn"]}), STREAM_ARN)

    def test_join_and_sub(self):
        r = self.resolver
        self.assertEqual(r.resolve({"Fn::Join": ["", ["integrations/", {"Ref": "ApiIntegration"}]]}),
                         "integrations/ApiIntegration")
        self.assertEqual(r.resolve({"Fn::Sub": "cdk-${AWS::AccountId}-${AWS::Region}"}), "cdk-000000000000-us-east-1")
        self.assertEqual(r.resolve({"Fn::Sub": "${WorkerQueue.Arn}|${TableCD117FA1}|${!Literal}"}),
                         "arn:aws:sqs:us-east-1:000000000000:t-dev-Worker-Queue|t-dev-Table|${Literal}")
        self.assertEqual(r.resolve({"Fn::Sub": ["${X}-${AWS::Region}", {"X": {"Ref": "Bus"}}]}), "t-dev-Bus-us-east-1")

    def test_nested_values_resolve_and_plain_values_stay(self):
        value = {"a": [{"Ref": "Bus"}, 1, None], "b": {"c": {"Fn::GetAtt": ["WorkerQueue", "QueueName"]}}}
        self.assertEqual(self.resolver.resolve(value), {"a": ["t-dev-Bus", 1, None], "b": {"c": "t-dev-Worker-Queue"}})

    def test_secrets_manager_references_get_one_drawn_value_per_secret(self):
        reference = {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "Secret"}, ":SecretString:::}}"]]}
        resolved = self.resolver.resolve_dynamic_references(
            self.resolver.resolve({"A": reference, "B": reference, "TABLE_NAME": {"Ref": "TableCD117FA1"}}))
        self.assertEqual(resolved["A"], resolved["B"])
        self.assertGreaterEqual(len(resolved["A"]), 32)
        self.assertNotIn("resolve", resolved["A"])
        self.assertEqual(resolved["TABLE_NAME"], "t-dev-Table")
        pinned = {"Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": "Secret"},
                                    ":SecretString:::EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE}}"]]}
        self.assertEqual(self.resolver.resolve_dynamic_references({"C": self.resolver.resolve(pinned)})["C"],
                         resolved["A"])
        with self.assertRaises(rehearsal.TemplateError):
            self.resolver.resolve_dynamic_references({"A": "{{resolve:secretsmanager:Bus:SecretString:::}}"})

    def test_what_it_cannot_resolve_is_an_error(self):
        for value in ({"Fn::If": ["c", 1, 2]}, {"Ref": "Nope"}, {"Fn::GetAtt": ["WorkerQueue", "Nope"]}):
            with self.subTest(value=value):
                with self.assertRaises(rehearsal.TemplateError):
                    self.resolver.resolve(value)


class ModelTest(unittest.TestCase):
    def test_everything_is_read_from_the_template(self):
        model = model_of()
        self.assertEqual(model.table.name, "t-dev-Table")
        self.assertEqual(model.table.create_request["StreamSpecification"],
                         {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.assertNotIn("Tags", model.table.create_request)
        self.assertEqual(model.table.dropped, ["PointInTimeRecoverySpecification", "TimeToLiveSpecification", "Tags"])
        queue = model.queues["arn:aws:sqs:us-east-1:000000000000:t-dev-Worker-Queue"]
        self.assertEqual((queue.visibility_timeout_s, queue.max_receive_count, queue.dead_letter_arn),
                         (60.0, 10, "arn:aws:sqs:us-east-1:000000000000:t-dev-Worker-Dlq"))
        self.assertEqual(model.dead_letter_arns, {"arn:aws:sqs:us-east-1:000000000000:t-dev-Worker-Dlq",
                                                  "arn:aws:sqs:us-east-1:000000000000:t-dev-PipeDlq"})
        worker = model.functions["t-dev-Worker"]
        self.assertEqual(worker.bootstrap, Path("/cdk.out/asset.abc123/bootstrap"))
        self.assertEqual(worker.variables, {"TABLE_NAME": "t-dev-Table", "MODE": "random"})
        self.assertEqual((worker.timeout_s, worker.memory_mb, worker.log_format, worker.log_level, worker.log_group),
                         (10.0, 256, "JSON", "INFO", "t-dev-WorkerLogs"))
        api_function = model.functions["t-dev-Api-DoIt"]
        self.assertEqual((api_function.timeout_s, api_function.memory_mb, api_function.log_format), (5.0, 128, None))
        mapping, = model.mappings
        self.assertEqual((mapping.function_name, mapping.batch_size, mapping.report_batch_item_failures,
                          mapping.maximum_concurrency), ("t-dev-Worker", 10, True, 2))
        self.assertEqual((model.pipe.starting_position, model.pipe.target_bus, model.pipe.detail_type, model.pipe.source),
                         ("TRIM_HORIZON", "t-dev-Bus", "DynamoDBStreamRecord", "event-store.dynamodb.stream"))
        rule, = model.rules
        self.assertEqual((rule.bus, rule.target_queue_arns), ("t-dev-Bus", [queue.arn]))
        route, = model.routes
        self.assertEqual((route.method, route.path, route.function_name), ("POST", "/api/v1/things/doIt", "t-dev-Api-DoIt"))

    def test_stack_name_comes_from_the_template_file(self):
        self.assertEqual(rehearsal.stack_name_of(Path("cdk.out/ecommRs-dev.template.json")), "ecommRs-dev")

    def test_iam_authorization_is_served_unchecked_with_a_note_and_other_authorizers_are_refused(self):
        self.assertTrue(any("AWS_IAM" in note and "not rehearsed" in note for note in model_of().notes))
        template = copy.deepcopy(TEMPLATE)
        template["Resources"]["ApiRoute"]["Properties"]["AuthorizationType"] = "NONE"
        model = model_of(template)
        self.assertEqual(len(model.routes), 1)
        self.assertFalse(any("AWS_IAM" in note for note in model.notes))
        for authorization in ("CUSTOM", "JWT"):
            template["Resources"]["ApiRoute"]["Properties"]["AuthorizationType"] = authorization
            with self.assertRaisesRegex(rehearsal.TemplateError, f"{authorization} authorizers are not rehearsed"):
                model_of(template)

    def test_unrehearsable_wiring_is_refused(self):
        template = copy.deepcopy(TEMPLATE)
        template["Resources"]["WorkerRule"]["Properties"]["Targets"][0]["InputTransformer"] = {}
        with self.assertRaises(rehearsal.TemplateError):
            model_of(template)
        template = copy.deepcopy(TEMPLATE)
        template["Resources"]["TableCD117FA1"]["Properties"]["SomethingNew"] = 1
        with self.assertRaises(rehearsal.TemplateError):
            model_of(template)


# ---------------------------------------------------------------------------------------------
# SQS queues and what an event source mapping does with a batch
# ---------------------------------------------------------------------------------------------


class QueueTest(unittest.TestCase):
    def setUp(self):
        self.clock = FakeClock()
        self.dlq = rehearsal.Queue("w-Dlq", "arn:dlq", 30.0, self.clock)
        self.queue = rehearsal.Queue("w-Queue", "arn:queue", 0.6, self.clock)
        self.queue.set_redrive(self.dlq, 3)

    def test_a_received_message_is_invisible_until_its_visibility_timeout_passes(self):
        message_id = self.queue.send("body")
        first, = self.queue.receive(10)
        self.assertEqual((first.message_id, first.receive_count), (message_id, 1))
        self.assertEqual(self.queue.receive(10), [])
        self.assertEqual(self.queue.depth(), (0, 1))
        self.clock.advance(0.59)
        self.assertEqual(self.queue.receive(10), [])
        self.clock.advance(0.02)
        again, = self.queue.receive(10)
        self.assertEqual(again.receive_count, 2)
        self.assertNotEqual(again.receipt_handle, first.receipt_handle)
        self.assertEqual(again.first_receive_ms, first.first_receive_ms)

    def test_batches_are_at_most_the_size_asked_for(self):
        for n in range(12):
            self.queue.send(f"m{n}")
        self.assertEqual(len(self.queue.receive(10)), 10)
        self.assertEqual([m.body for m in self.queue.receive(10)], ["m10", "m11"])

    def test_only_the_latest_receipt_handle_deletes(self):
        self.queue.send("body")
        first, = self.queue.receive(1)
        self.clock.advance(1)
        second, = self.queue.receive(1)
        self.assertFalse(self.queue.delete(first.receipt_handle))
        self.assertTrue(self.queue.delete(second.receipt_handle))
        self.assertEqual(self.queue.depth(), (0, 0))

    def test_the_receive_that_would_exceed_max_receive_count_moves_the_message_to_the_dlq(self):
        message_id = self.queue.send("poison")
        for count in (1, 2, 3):
            message, = self.queue.receive(10)
            self.assertEqual(message.receive_count, count)
            self.clock.advance(0.6)
        self.assertEqual(self.queue.receive(10), [])  # the 4th receive moves it instead
        self.assertEqual(self.queue.depth(), (0, 0))
        dead, = self.dlq.snapshot()
        self.assertEqual((dead.message_id, dead.body, dead.receive_count), (message_id, "poison", 3))
        self.assertEqual(self.queue.stats["dead-lettered"], 1)

    def test_a_message_redelivered_while_still_processed_is_counted(self):
        self.queue.send("slow")
        message, = self.queue.receive(1)
        self.queue.hold([message.message_id], True)
        self.clock.advance(0.7)
        self.queue.receive(1)
        self.assertEqual(self.queue.stats["received while still processed"], 1)

    def test_time_compression_scales_the_wait_before_a_retry_not_the_invocation(self):
        queue = rehearsal.Queue("q", "arn:q", 60.0, self.clock, time_scale=0.01)
        queue.send("m")
        message, = queue.receive(1)
        queue.hold([message.message_id], True)
        self.clock.advance(5.0)  # a slow invocation: well past the scaled 0.6 s, within the real 60 s
        self.assertEqual(queue.receive(1), [])
        self.assertEqual(queue.depth(), (0, 1))
        queue.hold([message.message_id], False)  # failed: left for a retry
        self.clock.advance(0.54)  # (60 - 5) x 0.01 = 0.55 s to wait
        self.assertEqual(queue.receive(1), [])
        self.clock.advance(0.02)
        again, = queue.receive(1)
        self.assertEqual(again.receive_count, 2)
        self.assertEqual(queue.stats["received while still processed"], 0)

    def test_a_held_message_comes_back_after_the_real_visibility_timeout(self):
        queue = rehearsal.Queue("q", "arn:q", 60.0, self.clock, time_scale=0.01)
        queue.send("m")
        message, = queue.receive(1)
        queue.hold([message.message_id], True)
        self.clock.advance(60.0)
        again, = queue.receive(1)
        self.assertEqual(again.receive_count, 2)
        self.assertEqual(queue.stats["received while still processed"], 1)

    def test_sqs_event_has_the_event_source_mapping_shape(self):
        self.queue.send('{"a":1}')
        event = rehearsal.sqs_event(self.queue.receive(1), "arn:queue")
        record, = event["Records"]
        self.assertEqual(record["md5OfBody"], hashlib.md5(b'{"a":1}').hexdigest())
        self.assertEqual(record["attributes"]["ApproximateReceiveCount"], "1")
        self.assertEqual(set(record["attributes"]), {"ApproximateReceiveCount", "SentTimestamp", "SenderId",
                                                     "ApproximateFirstReceiveTimestamp"})
        self.assertTrue(all(isinstance(v, str) for v in record["attributes"].values()))
        self.assertEqual((record["eventSource"], record["eventSourceARN"], record["awsRegion"],
                          record["messageAttributes"]),
                         ("aws:sqs", "arn:queue", "us-east-1", {}))


class SettleBatchTest(unittest.TestCase):
    IDS = ["m1", "m2", "m3"]

    def settle(self, body, report=True, kind="response"):
        outcome = rehearsal.Outcome(kind, body.encode() if isinstance(body, str) else body)
        return rehearsal.settle_batch(self.IDS, report, outcome)

    def test_full_successes(self):
        for body in ('{"batchItemFailures":[]}', "{}", "null", "", '{"batchItemFailures":null}'):
            with self.subTest(body=body):
                self.assertEqual(self.settle(body), (self.IDS, [], None))

    def test_listed_items_stay_for_a_retry_and_the_rest_are_deleted(self):
        deleted, kept, problem = self.settle('{"batchItemFailures":[{"itemIdentifier":"m2"}]}')
        self.assertEqual((deleted, kept, problem), (["m1", "m3"], ["m2"], None))

    def test_an_invalid_response_fails_the_whole_batch(self):
        for body in ("not json", '{"batchItemFailures":[{"itemIdentifier":"nope"}]}',
                     '{"batchItemFailures":[{"itemIdentifier":""}]}', '{"batchItemFailures":[{"itemIdentifier":null}]}',
                     '{"batchItemFailures":[{"id":"m1"}]}', '[1]'):
            with self.subTest(body=body):
                deleted, kept, problem = self.settle(body)
                self.assertEqual((deleted, kept), ([], self.IDS))
                self.assertTrue(problem)

    def test_an_invocation_error_timeout_or_crash_fails_the_whole_batch(self):
        for kind in ("error", "timeout", "crash", "init-error"):
            with self.subTest(kind=kind):
                deleted, kept, problem = self.settle("", kind=kind)
                self.assertEqual((deleted, kept), ([], self.IDS))
                self.assertIn(kind, problem)

    def test_without_report_batch_item_failures_any_answer_deletes_the_batch(self):
        self.assertEqual(self.settle('{"batchItemFailures":[{"itemIdentifier":"m2"}]}', report=False),
                         (self.IDS, [], None))


# ---------------------------------------------------------------------------------------------
# The Pipe, the bus and the HTTP front
# ---------------------------------------------------------------------------------------------


class PipeAndBusTest(unittest.TestCase):
    def test_the_pipe_adds_the_stream_arn_and_whole_seconds(self):
        record = stream_record()
        source = rehearsal.pipe_source_record(record, STREAM_ARN)
        self.assertEqual(source["eventSourceARN"], STREAM_ARN)
        self.assertEqual(source["dynamodb"]["ApproximateCreationDateTime"], 1796228520)
        self.assertIsInstance(source["dynamodb"]["ApproximateCreationDateTime"], int)
        self.assertEqual(record["dynamodb"]["ApproximateCreationDateTime"], 1796228520.0)  # input untouched
        self.assertNotIn("eventSourceARN", record)
        self.assertEqual({k: v for k, v in source.items() if k not in ("eventSourceARN", "dynamodb")},
                         {k: v for k, v in record.items() if k != "dynamodb"})

    def test_the_eventbridge_envelope(self):
        event = rehearsal.eventbridge_event({"x": 1}, "DT", "src", [], when=0, event_id="id-1")
        self.assertEqual(event, {"version": "0", "id": "id-1", "detail-type": "DT", "source": "src",
                                 "account": "000000000000", "time": "1970-01-01T00:00:00Z", "region": "us-east-1",
                                 "resources": [], "detail": {"x": 1}})

    def test_the_bus_sends_the_event_json_to_each_matching_rules_queues(self):
        model = model_of()
        queues = {arn: rehearsal.Queue(spec.name, arn, 1.0) for arn, spec in model.queues.items()}
        bus = rehearsal.Bus(model.pipe.target_bus, model.rules, queues)
        event = bus_event(model, stream_record())
        self.assertEqual(bus.put(event), ["WorkerRule"])
        worker_queue = queues["arn:aws:sqs:us-east-1:000000000000:t-dev-Worker-Queue"]
        message, = worker_queue.receive(10)
        self.assertEqual(json.loads(message.body), event)
        self.assertEqual(bus.put(bus_event(model, stream_record(name="ORDER_PLACED_EVENT"))), [])
        self.assertEqual(rehearsal.Bus("other-bus", model.rules, queues).put(event), [])


class HttpFrontTest(unittest.TestCase):
    def setUp(self):
        self.route = model_of().routes[0]

    def test_api_gateway_v2_event(self):
        headers = [("Content-Type", "application/json"), ("X-Multi", "a"), ("x-multi", "b"), ("Connection", "close"),
                   ("Cookie", "a=1; b=2"), ("User-Agent", "ua"), ("Host", "127.0.0.1:1234")]
        event = rehearsal.api_gateway_event(self.route, "POST", "/api/v1/things/doIt?x=1&x=2&y=", headers,
                                            b'{"k":"v"}', "127.0.0.1", "req-1", 1700000000.5)
        self.assertEqual((event["version"], event["routeKey"], event["rawPath"], event["rawQueryString"]),
                         ("2.0", "POST /api/v1/things/doIt", "/api/v1/things/doIt", "x=1&x=2&y="))
        self.assertEqual(event["headers"]["content-type"], "application/json")
        self.assertEqual(event["headers"]["x-multi"], "a,b")
        self.assertNotIn("connection", event["headers"])
        self.assertNotIn("cookie", event["headers"])
        self.assertEqual(event["cookies"], ["a=1", "b=2"])
        self.assertEqual(event["queryStringParameters"], {"x": "1,2", "y": ""})
        context = event["requestContext"]
        self.assertEqual((context["http"]["method"], context["http"]["path"], context["http"]["sourceIp"],
                          context["http"]["userAgent"], context["requestId"], context["stage"], context["timeEpoch"]),
                         ("POST", "/api/v1/things/doIt", "127.0.0.1", "ua", "req-1", "$default", 1700000000500))
        self.assertEqual(context["time"], "14/Nov/2023:22:13:20 +0000")
        self.assertEqual((event["body"], event["isBase64Encoded"]), ('{"k":"v"}', False))

    def test_a_body_of_a_non_text_type_is_base64_encoded_and_no_body_is_left_out(self):
        form = [("Content-Type", "application/x-www-form-urlencoded")]
        event = rehearsal.api_gateway_event(self.route, "POST", "/p", form, b"a=1", "127.0.0.1", "r", 0)
        self.assertEqual((event["body"], event["isBase64Encoded"]), (base64.b64encode(b"a=1").decode(), True))
        event = rehearsal.api_gateway_event(self.route, "POST", "/p", [], None, "127.0.0.1", "r", 0)
        self.assertNotIn("body", event)
        self.assertFalse(event["isBase64Encoded"])

    def test_the_function_answer_becomes_the_http_answer(self):
        body = json.dumps({"statusCode": 202, "headers": {"content-type": "application/json", "x-correlation-id": "c"},
                           "multiValueHeaders": {}, "body": '{"ok":true}', "isBase64Encoded": False,
                           "cookies": ["s=1"]}).encode()
        status, headers, data = rehearsal.http_answer(rehearsal.Outcome("response", body))
        self.assertEqual((status, data), (202, b'{"ok":true}'))
        self.assertIn(("x-correlation-id", "c"), headers)
        self.assertIn(("Set-Cookie", "s=1"), headers)
        binary = json.dumps({"statusCode": 200, "body": base64.b64encode(b"\x00\x01").decode(), "isBase64Encoded": True})
        self.assertEqual(rehearsal.http_answer(rehearsal.Outcome("response", binary.encode()))[2], b"\x00\x01")
        self.assertEqual(rehearsal.http_answer(rehearsal.Outcome("response", b'{"plain":1}'))[::2], (200, b'{"plain":1}'))
        for outcome in (rehearsal.Outcome("error", b"{}"), rehearsal.Outcome("timeout"),
                        rehearsal.Outcome("response", b"nope")):
            self.assertEqual(rehearsal.http_answer(outcome)[::2], (500, b'{"message":"Internal Server Error"}'))

    def test_routes(self):
        routes = [self.route]
        self.assertIs(rehearsal.match_route(routes, "POST", "/api/v1/things/doIt")[0], self.route)
        self.assertIsNone(rehearsal.match_route(routes, "GET", "/api/v1/things/doIt")[0])
        self.assertIsNone(rehearsal.match_route(routes, "POST", "/api/v1/things/other")[0])
        templated = rehearsal.RouteSpec("Api", "id", "GET /items/{id}", "GET", "/items/{id}", "f", "2.0")
        route, parameters = rehearsal.match_route([templated], "GET", "/items/42")
        self.assertEqual((route, parameters), (templated, {"id": "42"}))

    def test_cors(self):
        cors = model_of().apis["Api"].cors
        preflight = dict(rehearsal.cors_headers(cors, "https://x", preflight=True))
        self.assertEqual(preflight["Access-Control-Allow-Origin"], "*")
        self.assertEqual(preflight["Access-Control-Allow-Methods"], "POST,OPTIONS")
        self.assertEqual(preflight["Access-Control-Allow-Headers"], "content-type,x-correlation-id")
        answer = dict(rehearsal.cors_headers(cors, "https://x", preflight=False))
        self.assertEqual(answer["Access-Control-Expose-Headers"], "*")
        self.assertEqual(rehearsal.cors_headers(cors, None, preflight=False), [])


# ---------------------------------------------------------------------------------------------
# The Lambda Runtime API emulator, against small Python stand-ins for a bootstrap
# ---------------------------------------------------------------------------------------------

FAKE_RUNTIME = """#!{python}
import json, os, sys, time, urllib.request
api = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
mode = os.environ["FAKE_MODE"]
if mode == "init-error":
    urllib.request.urlopen(urllib.request.Request(api + "/init/error", data=b'{{"errorType":"Boom"}}', method="POST"))
    sys.exit(1)
while True:
    with urllib.request.urlopen(api + "/invocation/next") as response:
        request_id = response.headers["Lambda-Runtime-Aws-Request-Id"]
        arn = response.headers["Lambda-Runtime-Invoked-Function-Arn"]
        assert arn.endswith(":function:" + os.environ["AWS_LAMBDA_FUNCTION_NAME"])
        assert int(response.headers["Lambda-Runtime-Deadline-Ms"]) > time.time() * 1000
        event = json.loads(response.read())
    if event.get("sleep"):
        time.sleep(event["sleep"])
    if mode == "error":
        urllib.request.urlopen(urllib.request.Request(api + "/invocation/" + request_id + "/error",
                               data=b'{{"errorType":"Oops"}}', method="POST"))
    else:
        answer = json.dumps({{"echo": event, "pid": os.getpid()}}).encode()
        urllib.request.urlopen(urllib.request.Request(api + "/invocation/" + request_id + "/response",
                                                      data=answer, method="POST"))
"""


class ReadThroughTheFrontTest(unittest.TestCase):
    """The rehearsal reads the list APIs with scripts/init-database's read_pages (tested there)."""

    def test_every_list_is_read_to_its_last_page_a_few_items_a_page(self):
        init_database = rehearsal.load_sibling("init-database", "init_database")
        lists = {"listOrders": ("orders", [{"orderId": f"ORD{n:03d}"} for n in range(25)]),
                 "listSkus": ("skus", [{"sku": "APPLES"}, {"sku": "GRAPES"}]),
                 "listOrderPayments": ("orderPayments", [{"orderId": "ORD024"}])}
        sent = []

        def post(url, body, timeout):
            sent.append((url.rsplit("/", 1)[-1], dict(body)))
            key, items = lists[url.rsplit("/", 1)[-1]]
            start = int(body.get("nextToken", "0"))
            limit = body.get("limit", 50)
            page = items[start:start + limit]
            return init_database.Reply(200, json.dumps(
                {key: page, **({"nextToken": str(start + limit)} if len(page) == limit else {})}))

        fake = types.SimpleNamespace(init_database=init_database, post=post,
                                     front=types.SimpleNamespace(base_url="http://front"),
                                     order_bodies=[{"orderId": "ORD024"}], api_reads={}, front_answers={},
                                     request=lambda *args: (404, {}, b""))
        with mock.patch.object(rehearsal, "log"):
            rehearsal.Rehearsal.read_through_the_front(fake)
        self.assertEqual(fake.api_reads, {
            "/api/v1/orders/listOrders": (200, {"orders": lists["listOrders"][1]}),
            "/api/v1/inventory/listSkus": (200, {"skus": lists["listSkus"][1]}),
            "/api/v1/payments/listOrderPayments": (200, {"orderPayments": lists["listOrderPayments"][1]})})
        limit = rehearsal.LIST_PAGE_LIMIT
        self.assertEqual([body for name, body in sent if name == "listOrders"],
                         [{"limit": limit}, {"limit": limit, "nextToken": "10"}, {"limit": limit, "nextToken": "20"}])


class RuntimeApiTest(unittest.TestCase):
    def setUp(self):
        self.directory = tempfile.TemporaryDirectory()
        self.addCleanup(self.directory.cleanup)
        self.root = Path(self.directory.name)
        bootstrap = self.root / "bootstrap"
        bootstrap.write_text(FAKE_RUNTIME.format(python=sys.executable))
        bootstrap.chmod(bootstrap.stat().st_mode | stat.S_IEXEC)
        self.spec = rehearsal.FunctionSpec("Fn", "t-dev-Fn", "arn:aws:lambda:us-east-1:000000000000:function:t-dev-Fn",
                                           bootstrap, 2.0, 128, {}, "JSON", "INFO", "/aws/lambda/t-dev-Fn", "bootstrap")

    def instance(self, mode):
        environment = rehearsal.function_environment(self.spec, "http://127.0.0.1:9", "KEY", self.root)
        environment["FAKE_MODE"] = mode
        instance = rehearsal.FunctionInstance(self.spec, 1, environment, self.root, rehearsal.FunctionStats())
        self.addCleanup(instance.stop)
        return instance

    def test_an_invocation_is_answered_through_the_runtime_api(self):
        instance = self.instance("echo")
        instance.start()
        outcome = instance.invoke(b'{"hello":1}')
        self.assertEqual(outcome.kind, "response", outcome.detail)
        self.assertEqual(json.loads(outcome.body)["echo"], {"hello": 1})
        self.assertEqual(instance.invoke(b"{}").kind, "response")
        self.assertEqual(instance.stats.counts["cold starts"], 1)

    def test_a_reported_error_is_an_error(self):
        instance = self.instance("error")
        outcome = instance.invoke(b"{}")
        self.assertEqual((outcome.kind, json.loads(outcome.body)), ("error", {"errorType": "Oops"}))

    def test_a_timeout_kills_the_process_and_the_next_invocation_cold_starts(self):
        instance = self.instance("echo")
        instance.start()
        first_pid = instance.process.pid
        outcome = instance.invoke(b'{"sleep": 5}')
        self.assertEqual(outcome.kind, "timeout")
        self.assertLess(outcome.duration_s, 4)
        self.assertIsNone(instance.process)
        answer = instance.invoke(b"{}")
        self.assertEqual(answer.kind, "response")
        self.assertNotEqual(json.loads(answer.body)["pid"], first_pid)
        self.assertEqual(instance.stats.counts["cold starts"], 2)

    def test_an_init_error_is_reported_with_the_log(self):
        instance = self.instance("init-error")
        with self.assertRaises(rehearsal.InitError) as raised:
            instance.start()
        self.assertIn("/init/error", str(raised.exception))
        self.assertEqual(instance.invoke(b"{}").kind, "init-error")

    def test_the_environment_is_lambdas_plus_the_templates(self):
        environment = rehearsal.function_environment(
            rehearsal.FunctionSpec("Fn", "t-dev-Fn", "arn", Path("/a/bootstrap"), 10, 256, {"TABLE_NAME": "t"},
                                   "JSON", "INFO", "/g", "bootstrap"),
            "http://127.0.0.1:5", "KEY", Path("/home"))
        self.assertEqual({k: environment[k] for k in ("AWS_ENDPOINT_URL_DYNAMODB", "AWS_REGION", "AWS_ACCESS_KEY_ID",
                                                       "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                                       "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_LOG_FORMAT",
                                                       "AWS_LAMBDA_LOG_LEVEL", "TABLE_NAME")},
                         {"AWS_ENDPOINT_URL_DYNAMODB": "http://127.0.0.1:5", "AWS_REGION": "us-east-1",
                          "AWS_ACCESS_KEY_ID": "KEY", "AWS_LAMBDA_FUNCTION_NAME": "t-dev-Fn",
                          "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                          "AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "INFO", "TABLE_NAME": "t"})
        self.assertNotIn("AWS_LAMBDA_RUNTIME_API", environment)  # set per process


class CommandLineTest(unittest.TestCase):
    def test_a_missing_template_is_a_usage_error_naming_the_synth_command(self):
        import contextlib
        import io
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            status = rehearsal.main(["--template", "/nonexistent/x.template.json", "--stage", "qa"])
        self.assertEqual(status, 2)
        self.assertIn("npm run synth qa", err.getvalue())


if __name__ == "__main__":
    unittest.main()
