/**
 * Every stack-config rule, through the whole program under mocks: a broken config stops the
 * program with a `pulumi.RunError` naming the key and the fix, before any resource exists.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { LOG_FORMATS } from "../../lambda/contract/formats";
import { toConfigMap } from "../../scripts/offlineMocks";
import { runProgram } from "./harness";

const elasticsearch = {
  endpoint: "https://es.example.com:443",
  vault: { mount: "secret", path: "logging/elasticsearch" },
  adminVault: { mount: "secret", path: "logging/elasticsearch-admin" },
};
const producer = (overrides: Record<string, unknown> = {}) => ({
  name: "waf",
  bucket: "acme-waf-logs",
  index: "logs-waf-default",
  format: "ndjson",
  ...overrides,
});

function stack(config: Record<string, unknown>): Record<string, string> {
  return toConfigMap({
    "aws:region": "eu-west-1",
    "s3-log-shipper:elasticsearch": elasticsearch,
    "s3-log-shipper:producers": [producer()],
    ...config,
  });
}

async function refusal(config: Record<string, unknown>): Promise<string> {
  const outcome = await runProgram(stack(config)).then(
    (run) => ({ resources: run.resources.length }),
    (error: unknown) => error,
  );
  expect(pulumi.RunError.isInstance(outcome), `expected a RunError, got ${JSON.stringify(outcome)}`).toBe(true);
  return (outcome as Error).message;
}

beforeEach(() => {
  // The program reads config at import: every case imports it afresh.
  vi.resetModules();
});

describe("stack config validation", () => {
  it("accepts the minimal config and creates resources", async () => {
    const run = await runProgram(stack({}));
    expect(run.ofType("aws:lambda/function:Function")).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "maxReceiveCount below 5",
      { "s3-log-shipper:producers": [producer(), producer({ name: "alb", bucket: "other", maxReceiveCount: 3 })] },
      "producers[1] (alb): maxReceiveCount must be at least 5, got 3",
    ],
    [
      "a timeout above 900 s",
      { "s3-log-shipper:producers": [producer({ timeoutSeconds: 901 })] },
      "producers[0] (waf): timeoutSeconds must be at most 900, got 901",
    ],
    [
      "a timeout below 10 s",
      { "s3-log-shipper:defaults": { timeoutSeconds: 5 } },
      "defaults.timeoutSeconds: must be at least 10, got 5",
    ],
    [
      "a keyPattern with bucket notifications",
      { "s3-log-shipper:producers": [producer({ keyPattern: "AWSLogs/o-*/*/CloudTrail/*" })] },
      "producers[0] (waf): keyPattern needs notifications: eventbridge or sns",
    ],
    [
      "a keyPattern beside a prefix",
      { "s3-log-shipper:producers": [producer({ notifications: "eventbridge", keyPattern: "a/*", prefix: "a/" })] },
      "producers[0] (waf): keyPattern replaces prefix and suffix: set either keyPattern or prefix/suffix, not both",
    ],
    [
      "a ? in a keyPattern",
      { "s3-log-shipper:producers": [producer({ notifications: "eventbridge", keyPattern: "AWSLogs/?/*" })] },
      "producers[0] (waf): keyPattern must not contain ?",
    ],
    [
      "sns without a topic",
      { "s3-log-shipper:producers": [producer({ notifications: "sns" })] },
      "producers[0] (waf): snsTopicArn is required with notifications: sns",
    ],
    [
      "a topic without sns",
      { "s3-log-shipper:producers": [producer({ snsTopicArn: "arn:aws:sns:eu-west-1:111122223333:log-events" })] },
      "producers[0] (waf): snsTopicArn only applies to notifications: sns, but notifications is bucket",
    ],
    [
      "a topic that is not an SNS topic ARN",
      { "s3-log-shipper:producers": [producer({ notifications: "sns", snsTopicArn: "log-events" })] },
      "producers[0] (waf): snsTopicArn must be an SNS topic ARN like",
    ],
    [
      "an unknown notification source",
      { "s3-log-shipper:producers": [producer({ notifications: "kinesis" })] },
      'producers[0] (waf): notifications must be one of bucket, eventbridge, sns, got "kinesis"',
    ],
    [
      "a key ARN that is not one",
      { "s3-log-shipper:producers": [producer({ objectKmsKeyArns: ["alias/aws/s3"] })] },
      "producers[0] (waf): objectKmsKeyArns.0 must be a KMS key ARN like",
    ],
    [
      "a bucketAccount naming no account",
      { "s3-log-shipper:producers": [producer({ bucketAccount: "logarchive" })] },
      'producers (waf): bucketAccount "logarchive" names no entry of s3-log-shipper:accounts (there is none)',
    ],
    [
      "a bucketAccount named like an Object property",
      { "s3-log-shipper:producers": [producer({ bucketAccount: "constructor" })] },
      'producers (waf): bucketAccount "constructor" names no entry of s3-log-shipper:accounts',
    ],
    [
      "an account whose role is not a role ARN",
      { "s3-log-shipper:accounts": { logarchive: { roleArn: "arn:aws:iam::222233334444:user/deployer" } } },
      "accounts.logarchive.roleArn: must be the ARN of the role `pulumi up` assumes in that account",
    ],
    [
      "one bucket in two accounts",
      {
        "s3-log-shipper:accounts": { logarchive: { roleArn: "arn:aws:iam::222233334444:role/deployer" } },
        "s3-log-shipper:producers": [
          producer({ prefix: "a/" }),
          producer({ name: "alb", prefix: "b/", bucketAccount: "logarchive" }),
        ],
      },
      "producers (waf, alb): both read bucket acme-waf-logs but name different bucketAccount (the stack's own / logarchive)",
    ],
    [
      "a readRoleArn that is not a role ARN",
      { "s3-log-shipper:producers": [producer({ readRoleArn: "reader" })] },
      "producers[0] (waf): readRoleArn must be the ARN of a role the function assumes",
    ],
    [
      "a duplicate name",
      { "s3-log-shipper:producers": [producer(), producer({ bucket: "other" })] },
      "producers[1] (waf): name is already used by producers[0]",
    ],
    [
      "a bad name",
      { "s3-log-shipper:producers": [producer({ name: "WAF_logs" })] },
      "producers[0] (WAF_logs): name must match",
    ],
    [
      "overlapping filters on one bucket",
      {
        "s3-log-shipper:producers": [
          producer({ prefix: "AWSLogs/" }),
          producer({ name: "alb", prefix: "AWSLogs/elb/" }),
        ],
      },
      "producers (waf, alb): both read bucket acme-waf-logs with overlapping filters",
    ],
    [
      "an unknown format",
      { "s3-log-shipper:producers": [producer({ format: "csv" })] },
      `producers[0] (waf): format must be one of ${LOG_FORMATS.join(", ")}, got "csv"`,
    ],
    [
      "recordsField with a line format",
      { "s3-log-shipper:producers": [producer({ recordsField: "Records" })] },
      "producers[0] (waf): recordsField only applies to format json or auto",
    ],
    [
      "an http endpoint without allowInsecureHttp",
      { "s3-log-shipper:elasticsearch": { ...elasticsearch, endpoint: "http://es.internal:9200" } },
      "elasticsearch.endpoint: must use https",
    ],
    [
      "both endpoint and cloudId",
      {
        "s3-log-shipper:elasticsearch": { ...elasticsearch, cloudId: "acme:ZXUtd2VzdC0xLmF3cy5mb3VuZC5pbyRhYmMkZGVm" },
      },
      "elasticsearch: set exactly one of endpoint and cloudId",
    ],
    [
      "neither endpoint nor cloudId",
      { "s3-log-shipper:elasticsearch": { vault: elasticsearch.vault } },
      "elasticsearch: set exactly one of endpoint and cloudId",
    ],
    ["a missing elasticsearch key", { "s3-log-shipper:elasticsearch": undefined }, "elasticsearch: missing"],
    ["no producers", { "s3-log-shipper:producers": [] }, "producers: must list at least one producer"],
    [
      "a misspelled key",
      { "s3-log-shipper:producers": [producer({ maxRecieveCount: 8 })] },
      'producers[0] (waf): unknown key "maxRecieveCount"; did you mean "maxReceiveCount"?',
    ],
    [
      "an invalid e-mail",
      { "s3-log-shipper:alerts": { emails: ["secops"] } },
      'alerts.emails[0]: must be e-mail addresses, got "secops"',
    ],
    [
      "batchSize above 10 without a window",
      { "s3-log-shipper:producers": [producer({ batchSize: 100 })] },
      "producers[0] (waf): batchSize above 10 needs batchWindowSeconds of at least 1",
    ],
    [
      "an upper-case index",
      { "s3-log-shipper:producers": [producer({ index: "Logs-WAF" })] },
      "producers[0] (waf): index must be a valid index name",
    ],
    [
      "maxConcurrency below the AWS minimum",
      { "s3-log-shipper:producers": [producer({ maxConcurrency: 1 })] },
      "producers[0] (waf): maxConcurrency must be at least 2, got 1",
    ],
    [
      "a misspelt top-level key (read from all of the stack's config)",
      { "s3-log-shipper:alert": { emails: ["secops@example.com"] } },
      "s3-log-shipper:alert: not a setting of this program, so it would be ignored; did you mean s3-log-shipper:alerts?",
    ],
    [
      "a wildcard bucket",
      { "s3-log-shipper:producers": [producer({ bucket: "*" })] },
      "producers[0] (waf): bucket must be a bucket name",
    ],
    [
      "a wildcard in a prefix",
      { "s3-log-shipper:producers": [producer({ prefix: "AWSLogs/*/" })] },
      "producers[0] (waf): prefix must not contain * or ?",
    ],
    [
      "an endpoint with credentials",
      { "s3-log-shipper:elasticsearch": { ...elasticsearch, endpoint: "https://shipper:secret@es.example.com" } },
      "elasticsearch.endpoint: must not carry credentials",
    ],
    [
      "a silence alarm shorter than 5 minutes",
      { "s3-log-shipper:defaults": { expectedIntervalMinutes: 2 } },
      "defaults.expectedIntervalMinutes: must be at least 5, got 2",
    ],
    [
      "a silence alarm longer than a day",
      { "s3-log-shipper:producers": [producer({ expectedIntervalMinutes: 2_000 })] },
      "producers[0] (waf): expectedIntervalMinutes must be at most 1440, got 2000",
    ],
    [
      "more receives than the queues' retention allows",
      { "s3-log-shipper:producers": [producer({ timeoutSeconds: 900, maxReceiveCount: 500 })] },
      "producers[0] (waf): maxReceiveCount must be at most 95 with timeoutSeconds 900",
    ],
  ])("refuses %s", async (_case, config, message) => {
    const cleaned = Object.fromEntries(Object.entries(config).filter(([, value]) => value !== undefined));
    const base = stack(cleaned);
    for (const [key, value] of Object.entries(config)) if (value === undefined) delete base[key];
    const outcome = await runProgram(base).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(pulumi.RunError.isInstance(outcome)).toBe(true);
    expect((outcome as Error).message).toContain(message);
  });

  it("allows http with allowInsecureHttp: true", async () => {
    const run = await runProgram(
      stack({
        "s3-log-shipper:elasticsearch": {
          ...elasticsearch,
          endpoint: "http://es.internal:9200",
          allowInsecureHttp: true,
        },
      }),
    );
    expect(run.ofType("aws:lambda/function:Function")).toHaveLength(1);
  });

  it("lists every problem at once", async () => {
    const message = await refusal({ "s3-log-shipper:producers": [producer({ maxReceiveCount: 2, format: "xml" })] });
    expect(message).toContain("maxReceiveCount must be at least 5, got 2");
    expect(message).toContain(`format must be one of ${LOG_FORMATS.join(", ")}, got "xml"`);
  });
});
