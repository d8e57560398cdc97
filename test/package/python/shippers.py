"""
Two LogShippers in a Python program: a security team's (CloudTrail and VPC flow logs, with its own
retention) and an application team's (WAF's JSON lines, Elasticsearch's side left to the team).
Arguments are spelled as the generated SDK spells them: snake_case keywords, an `...ArgsArgs` class
per argument type (the schema's type names end in `Args`, and the Python generator adds its own),
or plain dictionaries with the same snake_case keys; enumerations as `LogFormat.AWS` or "aws".
"""
import pulumi
import pulumi_s3_log_shipper as s3ls

config = pulumi.Config()
endpoint = config.get("elasticsearchEndpoint") or "https://elasticsearch.example.internal:9200"
logs_bucket = config.get("logsBucket") or "example-security-logs"
# Test clusters only: an http:// endpoint must be allowed explicitly.
insecure_http = config.get_bool("allowInsecureHttp") or False

security = s3ls.LogShipper(
    "security",
    elasticsearch=s3ls.ElasticsearchArgsArgs(
        endpoint=endpoint,
        allow_insecure_http=insecure_http,
        vault=s3ls.VaultSecretArgsArgs(mount="kv", path="elasticsearch/shipper"),
        manage_indices=False,
    ),
    defaults=s3ls.TuningArgsArgs(timeout_seconds=60),
    producers=[
        s3ls.ProducerArgsArgs(
            name="cloudtrail",
            bucket=logs_bucket,
            prefix="AWSLogs/",
            format=s3ls.LogFormat.AWS,
            namespace="security",
            max_receive_count=8,
        ),
        s3ls.ProducerArgsArgs(
            name="vpcflow",
            bucket=logs_bucket,
            prefix="vpcflow/",
            format=s3ls.LogFormat.AWS,
            namespace="network",
        ),
    ],
)

application = s3ls.LogShipper(
    "application",
    elasticsearch={
        "endpoint": endpoint,
        "allow_insecure_http": insecure_http,
        "vault": {"mount": "kv", "path": "elasticsearch/app-shipper"},
        "manage_indices": False,
    },
    producers=[
        {
            "name": "waf",
            "bucket": logs_bucket,
            "prefix": "waf/",
            "format": "ndjson",
            "index": "logs-waf-app",
            "batch_size": 5,
        }
    ],
)

# `s3ls --stack` finds LogShipper outputs among the stack's outputs.
pulumi.export("securityLogShipping", security.outputs)
pulumi.export("applicationLogShipping", application.outputs)
