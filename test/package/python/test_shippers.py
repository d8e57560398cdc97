"""
The Python program's unit test, with Pulumi's mocks: each LogShipper is one remote component
registration (the package's provider builds its children at deploy time, so a program's test sees
the component, not its queues and functions), with the arguments Python spells in snake_case
arriving under the schema's camelCase names, and the component's outputs readable as typed objects.
"""
import importlib
import sys

import pulumi
import pytest
from pulumi.runtime import mocks as pulumi_mocks

LOG_SHIPPER = "s3-log-shipper:index:LogShipper"


class ShipperMocks(pulumi.runtime.Mocks):
    """Records every registration, and answers a LogShipper as its provider would: with `outputs`."""

    def __init__(self):
        self.registered = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.registered.append(args)
        if args.typ != LOG_SHIPPER:
            return f"{args.name}-id", args.inputs
        producers = {
            producer["name"]: {
                "bucket": producer["bucket"],
                "queueUrl": f"https://sqs.eu-west-1.amazonaws.com/123456789012/{args.name}-{producer['name']}",
                "functionName": f"{args.name}-{producer['name']}",
            }
            for producer in args.inputs["producers"]
        }
        outputs = {"producers": producers, "region": "eu-west-1", "alarmTopicArn": f"arn:aws:sns:::{args.name}"}
        return None, {"outputs": outputs}

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}


# Whether each registration asked for a remote component: the mocks' arguments leave that flag out.
remote_flags = []
_register = pulumi_mocks.MockMonitor.RegisterResource


def _recording_register(self, request):
    remote_flags.append((request.type, request.name, request.remote))
    return _register(self, request)


pulumi_mocks.MockMonitor.RegisterResource = _recording_register
mocks = ShipperMocks()
pulumi.runtime.set_mocks(mocks, project="python-consumer", stack="test", preview=False)

import shippers  # noqa: E402  (the program runs once the mocks are in place)


def shipper_registrations():
    return {args.name: args for args in mocks.registered if args.typ == LOG_SHIPPER}


def after_registration(check):
    """Runs `check` once both components are registered (registration is asynchronous)."""
    return pulumi.Output.all(shippers.security.urn, shippers.application.urn).apply(lambda _: check())


@pulumi.runtime.test
def test_each_log_shipper_is_one_remote_component_registration():
    def check():
        assert sorted(shipper_registrations()) == ["application", "security"]
        assert [name for name, count in _counts().items() if count != 1] == []
        assert sorted((name, remote) for typ, name, remote in remote_flags if typ == LOG_SHIPPER) == [
            ("application", True),
            ("security", True),
        ]
        # Its children are the provider's to make: the program registers nothing else.
        assert [args.typ for args in mocks.registered if args.typ != LOG_SHIPPER] == []

    return after_registration(check)


def _counts():
    counts = {}
    for args in mocks.registered:
        counts[args.name] = counts.get(args.name, 0) + 1
    return counts


@pulumi.runtime.test
def test_arguments_arrive_under_the_schemas_names():
    def check():
        security = shipper_registrations()["security"].inputs
        assert security["elasticsearch"] == {
            "endpoint": "https://elasticsearch.example.internal:9200",
            "allowInsecureHttp": False,
            "vault": {"mount": "kv", "path": "elasticsearch/shipper"},
            "manageIndices": False,
        }
        assert security["defaults"] == {"timeoutSeconds": 60}
        assert security["producers"][0] == {
            "name": "cloudtrail",
            "bucket": "example-security-logs",
            "prefix": "AWSLogs/",
            "format": "aws",
            "namespace": "security",
            "maxReceiveCount": 8,
        }
        assert [producer["name"] for producer in security["producers"]] == ["cloudtrail", "vpcflow"]

    return after_registration(check)


@pulumi.runtime.test
def test_dictionaries_with_snake_case_keys_arrive_the_same_way():
    def check():
        application = shipper_registrations()["application"].inputs
        assert application["elasticsearch"]["allowInsecureHttp"] is False
        assert application["elasticsearch"]["manageIndices"] is False
        assert application["producers"] == [
            {
                "name": "waf",
                "bucket": "example-security-logs",
                "prefix": "waf/",
                "format": "ndjson",
                "index": "logs-waf-app",
                "batchSize": 5,
            }
        ]

    return after_registration(check)


@pulumi.runtime.test
def test_outputs_are_readable_as_typed_objects():
    def check(security, application):
        assert sorted(security.producers) == ["cloudtrail", "vpcflow"]
        assert security.producers["cloudtrail"].function_name == "security-cloudtrail"
        assert security.producers["vpcflow"].queue_url.endswith("/security-vpcflow")
        assert application.producers["waf"].bucket == "example-security-logs"
        assert application.region == "eu-west-1"

    # One apply each: Output.all would hand the typed objects over as plain dictionaries.
    return shippers.security.outputs.apply(
        lambda security: shippers.application.outputs.apply(lambda application: check(security, application))
    )


def test_a_missing_required_argument_is_refused_with_its_name():
    import pulumi_s3_log_shipper as s3ls

    with pytest.raises(TypeError, match="Missing required property 'elasticsearch'"):
        s3ls.LogShipper("no-cluster", producers=[{"name": "waf", "bucket": "b", "format": "ndjson"}])


def test_a_misspelled_argument_is_refused_with_its_name():
    import pulumi_s3_log_shipper as s3ls

    with pytest.raises(TypeError, match="bukcet"):
        s3ls.ProducerArgsArgs(name="waf", bukcet="b", format=s3ls.LogFormat.NDJSON)
    with pytest.raises(TypeError, match="producer"):
        s3ls.LogShipper("typo", elasticsearch={"vault": {"mount": "kv", "path": "p"}}, producer=[])
