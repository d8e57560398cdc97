/**
 * `s3ls doctor` against scripted AWS and Elasticsearch answers on their real wire protocols: each
 * check's verdict, the exit code, the --json shape, and the stored password never printed.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { s3ls, writeOutputsFile } from "../../helpers/operatorCli";
import { jsonError, s3Error, S3_XMLNS, ScriptedAws } from "../../helpers/scriptedAws";
import { ScriptedElasticsearch } from "../../helpers/scriptedElasticsearch";
import { NEEDED_TYPES } from "../../../cli/doctor/indexTemplate";

const ACCOUNT = "123456789012";
const QUEUE_ARN = `arn:aws:sqs:eu-west-1:${ACCOUNT}:waf-queue`;
const DLQ_ARN = `arn:aws:sqs:eu-west-1:${ACCOUNT}:waf-dlq`;
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/5f0c2a1e-8d7b-4c1a-9e3f-2b6d4a8c0e11`;
const PASSWORD = "doctor-s3cr3t-never-printed";
const PARAMETER = "/s3-log-shipper/unit/elasticsearch";

const aws = new ScriptedAws();
const elasticsearch = new ScriptedElasticsearch();
let awsUrl = "";
let esUrl = "";

beforeAll(async () => {
  awsUrl = await aws.start();
  esUrl = await elasticsearch.start();
});
afterAll(async () => {
  await aws.stop();
  await elasticsearch.stop();
});

type Producer = Record<string, unknown>;

function producer(overrides: Producer = {}, deployed: Producer = {}): Producer {
  return {
    bucket: "acme-logs",
    prefix: "AWSLogs/",
    suffix: ".gz",
    notifications: "bucket",
    queueUrl: `${awsUrl}/${ACCOUNT}/waf-queue`,
    queueArn: QUEUE_ARN,
    deadLetterQueueUrl: `${awsUrl}/${ACCOUNT}/waf-dlq`,
    deadLetterQueueArn: DLQ_ARN,
    functionName: "waf-function",
    logGroupName: "/aws/lambda/waf-function",
    alarmNames: [],
    deployed: {
      index: "logs-waf",
      format: "ndjson",
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 1800,
      messageRetentionSeconds: 1_209_600,
      objectKmsKeyArns: [KEY_ARN],
      expectedIntervalMinutes: 60,
      destinations: ["logs-waf"],
      managedTemplates: true,
      retentionDays: 30,
      ...deployed,
    },
    ...overrides,
  };
}

function outputs(producers: Record<string, Producer>, extra: Producer = {}): string {
  return writeOutputsFile(
    {
      region: "eu-west-1",
      alarmTopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:alarms`,
      credentialsParameterName: PARAMETER,
      elasticsearch: { endpoint: esUrl },
      producers,
      ...extra,
    },
    awsUrl,
  );
}

function notificationXml(entries: string, eventBridge = false): string {
  return `<NotificationConfiguration ${S3_XMLNS}>${entries}${eventBridge ? "<EventBridgeConfiguration></EventBridgeConfiguration>" : ""}</NotificationConfiguration>`;
}

function queueEntry(id: string, queueArn: string, prefix: string, suffix: string): string {
  const rules = [
    prefix ? `<FilterRule><Name>Prefix</Name><Value>${prefix}</Value></FilterRule>` : "",
    suffix ? `<FilterRule><Name>Suffix</Name><Value>${suffix}</Value></FilterRule>` : "",
  ].join("");
  return `<QueueConfiguration><Id>${id}</Id><Queue>${queueArn}</Queue><Event>s3:ObjectCreated:*</Event>${rules ? `<Filter><S3Key>${rules}</S3Key></Filter>` : ""}</QueueConfiguration>`;
}

function encryptionXml(algorithm: string, key?: string): string {
  return `<ServerSideEncryptionConfiguration ${S3_XMLNS}><Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${algorithm}</SSEAlgorithm>${key ? `<KMSMasterKeyID>${key}</KMSMasterKeyID>` : ""}</ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>`;
}

function listingXml(objects: Array<{ key: string; at: Date }>): string {
  const contents = objects
    .map(
      (o) =>
        `<Contents><Key>${o.key}</Key><LastModified>${o.at.toISOString()}</LastModified><ETag>"e"</ETag><Size>10</Size><StorageClass>STANDARD</StorageClass></Contents>`,
    )
    .join("");
  return `<ListBucketResult ${S3_XMLNS}><Name>acme-logs</Name><Prefix>AWSLogs/</Prefix><KeyCount>${objects.length}</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated>${contents}</ListBucketResult>`;
}

function snsAttributes(attributes: Record<string, string>): string {
  const entries = Object.entries(attributes)
    .map(([key, value]) => `<entry><key>${key}</key><value>${value}</value></entry>`)
    .join("");
  return `<GetSubscriptionAttributesResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><GetSubscriptionAttributesResult><Attributes>${entries}</Attributes></GetSubscriptionAttributesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></GetSubscriptionAttributesResponse>`;
}

/** Every answer of a producer wired as deployed. */
function wiredRight(): void {
  aws
    .on("s3:GetBucketNotificationConfiguration", {
      body: notificationXml(
        queueEntry("s3-log-shipper-unit-waf", QUEUE_ARN, "AWSLogs/", ".gz") +
          queueEntry("other-siem", `arn:aws:sqs:eu-west-1:${ACCOUNT}:siem`, "elb/", ""),
      ),
    })
    .on("AmazonSQS.GetQueueAttributes", {
      body: {
        Attributes: {
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: DLQ_ARN, maxReceiveCount: 5 }),
          VisibilityTimeout: "1800",
          MessageRetentionPeriod: "1209600",
        },
      },
    })
    .on("lambda:ListEventSourceMappings", {
      body: { EventSourceMappings: [{ UUID: "esm-1", State: "Enabled", EventSourceArn: QUEUE_ARN, BatchSize: 10 }] },
    })
    .on("s3:GetBucketEncryption", { body: encryptionXml("aws:kms", KEY_ARN) })
    .on("AmazonSSM.GetParameter", {
      body: {
        Parameter: {
          Name: PARAMETER,
          Type: "SecureString",
          Value: JSON.stringify({ username: "shipper", password: PASSWORD }),
        },
      },
    })
    .on("s3:ListObjectsV2", { body: listingXml([{ key: "AWSLogs/a.gz", at: new Date(Date.now() - 10 * 60_000) }]) });
  elasticsearch
    .on("GET /_security/_authenticate", 200, { username: "shipper", roles: ["shipper"] })
    .on("POST /_security/user/_has_privileges", 200, { has_all_requested: true, username: "shipper", index: {} })
    .on("GET /_data_stream/logs-waf", 404, { error: { type: "index_not_found_exception" }, status: 404 })
    .on("HEAD /logs-waf", 404)
    .on("GET /_index_template", 200, { index_templates: [LOGS_TEMPLATE, OUR_TEMPLATE] })
    .on(FIELD_MAPPING, 200, {
      // Written before the template (guessed types), then rolled over: the newest index takes the writes.
      ".ds-logs-waf-2026.12.01-000001": { mappings: { "source.ip": { mapping: { ip: { type: "keyword" } } } } },
      ".ds-logs-waf-2026.12.07-000002": { mappings: { "source.ip": { mapping: { ip: { type: "ip" } } } } },
    });
}

const LOGS_TEMPLATE = {
  name: "logs",
  index_template: { index_patterns: ["logs-*"], priority: 100, data_stream: {} },
};
const OUR_TEMPLATE = {
  name: "s3-log-shipper-logs-waf",
  index_template: {
    index_patterns: ["logs-waf"],
    priority: 250,
    data_stream: {},
    template: { lifecycle: { data_retention: "30d" } },
    _meta: { managed_by: "s3-log-shipper", owner: "unit/s3-log-shipper" },
  },
};
const FIELD_MAPPING = `GET /logs-waf/_mapping/field/${encodeURIComponent(Object.keys(NEEDED_TYPES).join(","))}`;

beforeEach(() => {
  aws.reset();
  elasticsearch.reset();
  wiredRight();
});

describe("s3ls doctor", () => {
  it("prints one ok line per check and exits 0 when the wiring is as deployed", async () => {
    const file = outputs({ waf: producer() });

    const run = await s3ls(["doctor", "--outputs", file]);

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'ok source        bucket acme-logs notifies the queue: queue entry "s3-log-shipper-unit-waf"',
    );
    expect(run.stdout).toContain(
      "ok queue         queue waf-queue: dead letters after 5 receives, visibility 1800 s, retention 14 days",
    );
    expect(run.stdout).toContain("ok mapping       event source mapping esm-1 is Enabled (batch 10)");
    expect(run.stdout).toContain(
      `ok encryption    bucket acme-logs encrypts with KMS key ${KEY_ARN}, which is in objectKmsKeyArns`,
    );
    expect(run.stdout).toContain(`ok elasticsearch ${esUrl} answers; shipper authenticates`);
    expect(run.stdout).toContain("ok elasticsearch shipper may create_doc in logs-waf");
    expect(run.stdout).toContain(
      "ok elasticsearch shipper may read logs-waf: a redelivery finds what any backing index already holds",
    );
    expect(run.stdout).toContain(
      "ok elasticsearch index template s3-log-shipper-logs-waf matches logs-waf (a data stream is created on the first document)",
    );
    expect(run.stdout).toMatch(
      /ok freshness {5}newest object s3:\/\/acme-logs\/AWSLogs\/a.gz is 10 min old \(expected every 60 min\)/,
    );
    expect(run.stdout).toContain("all 1 producer(s) wired right");
    expect(aws.unscripted).toEqual([]);
    // The privileges asked are the function's own: create_doc on the producer's index, and read for redeliveries.
    expect(
      JSON.parse(elasticsearch.requests.find((r) => r.route === "POST /_security/user/_has_privileges")?.body ?? "{}"),
    ).toEqual({
      index: [{ names: ["logs-waf"], privileges: ["create_doc", "read"] }],
    });
  });

  it("gives --json one object per producer with each check's verdict", async () => {
    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() }), "--json"]);

    const report = run.json<{
      producers: Array<{ producer: string; checks: Array<{ check: string; verdict: string; detail: string }> }>;
    }>();
    expect(report.producers.map((p) => p.producer)).toEqual(["waf"]);
    expect(report.producers[0]?.checks.map((c) => [c.check, c.verdict])).toEqual([
      ["source", "ok"],
      ["queue", "ok"],
      ["mapping", "ok"],
      ["encryption", "ok"],
      ["elasticsearch", "ok"],
      ["elasticsearch", "ok"],
      ["elasticsearch", "ok"],
      ["elasticsearch", "ok"],
      ["template", "ok"],
      ["freshness", "ok"],
    ]);
  });

  describe("the destination's index template", () => {
    const templateLine = async (deployed: Record<string, unknown> = {}) => {
      const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer({}, deployed) })]);
      return {
        code: run.code,
        line: run.stdout.split("\n").find((line) => /^ {2}\S+ +template /.test(line)) ?? run.stdout,
      };
    };

    it("is ok when the stack's template applies, keeps the documents as long as the stack says, and the newest index types source.ip as ip", async () => {
      const { code, line } = await templateLine();
      expect(line).toBe(
        "  ok template      logs-waf: template s3-log-shipper-logs-waf applies; kept 30 days; source.ip ip in .ds-logs-waf-2026.12.07-000002",
      );
      expect(code).toBe(0);
    });

    it("names a template of higher priority that shadows the stack's", async () => {
      const shadow = { name: "legacy-logs", index_template: { index_patterns: ["logs-w*"], priority: 500 } };
      elasticsearch.on("GET /_index_template", 200, { index_templates: [LOGS_TEMPLATE, OUR_TEMPLATE, shadow] });
      const { code, line } = await templateLine();
      expect(line).toContain(
        "!  template      logs-waf: template legacy-logs (priority 500) applies instead of s3-log-shipper-logs-waf (250): give it a lower priority or a narrower pattern",
      );
      expect(code).toBe(1);
    });

    it("says pulumi up --refresh puts back a template someone deleted", async () => {
      elasticsearch.on("GET /_index_template", 200, { index_templates: [LOGS_TEMPLATE] });
      const { line } = await templateLine();
      expect(line).toContain(
        "!  template      logs-waf: no index template s3-log-shipper-logs-waf; documents get guessed mappings: pulumi up --refresh puts it back",
      );
    });

    it("names a field the newest index typed wrong and the rollover that fixes it", async () => {
      elasticsearch.on(FIELD_MAPPING, 200, {
        ".ds-logs-waf-2026.12.07-000001": { mappings: { "source.ip": { mapping: { ip: { type: "keyword" } } } } },
      });
      const { line } = await templateLine();
      expect(line).toContain(
        "!  template      logs-waf: source.ip is keyword, not ip in .ds-logs-waf-2026.12.07-000001 (written before a template typed it): POST logs-waf/_rollover",
      );
    });

    it("names a retention the template does not hold", async () => {
      const { line } = await templateLine({ retentionDays: 90 });
      expect(line).toContain(
        "!  template      logs-waf: the template keeps documents 30d, the stack says 90 days: pulumi up --refresh",
      );
    });

    it("with manageIndices false, reports the template that applies without failing", async () => {
      const { code, line } = await templateLine({ managedTemplates: false });
      expect(line).toContain(
        "ok template      logs-waf: template s3-log-shipper-logs-waf applies (manageIndices: false, managed elsewhere)",
      );
      expect(code).toBe(0);
    });

    it("says ? when the credential may not read the templates, and for a stack deployed before the check", async () => {
      elasticsearch.on("GET /_index_template", 403, { error: { type: "security_exception" }, status: 403 });
      expect((await templateLine()).line).toMatch(/\? {2}template {6}could not read the index templates: 403/);
      elasticsearch.on("GET /_index_template", 200, { index_templates: [LOGS_TEMPLATE, OUR_TEMPLATE] });
      const before = await s3ls(["doctor", "--outputs", outputs({ waf: producer({}, { destinations: undefined }) })]);
      expect(before.stdout).toContain("?  template      the stack outputs do not name the destinations");
      expect(before.code).toBe(0);
    });
  });

  it("reads the stored credentials and logs in once per run, whatever the number of producers", async () => {
    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer(), alb: producer({ prefix: "alb/" }) })]);

    expect(run.stdout.match(/ok elasticsearch .* answers; shipper authenticates/g)).toHaveLength(2);
    expect(aws.calls.filter((call) => call === "AmazonSSM.GetParameter")).toHaveLength(1);
    expect(elasticsearch.requests.filter((request) => request.route === "GET /_security/_authenticate")).toHaveLength(
      1,
    );
  });

  it("names a configuration that lost the stack's entry, and the foreign entry overlapping it; exit 1", async () => {
    aws.on("s3:GetBucketNotificationConfiguration", {
      body: notificationXml(
        queueEntry("someone-elses", `arn:aws:sqs:eu-west-1:${ACCOUNT}:their-queue`, "AWSLogs/", ""),
      ),
    });

    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `!  source        bucket acme-logs's notification configuration has no entry for queue ${QUEUE_ARN} (another tool wrote the configuration?)`,
    );
    expect(run.stdout).toContain(
      `queue entry "someone-elses" → arn:aws:sqs:eu-west-1:${ACCOUNT}:their-queue (prefix "AWSLogs/", suffix "") overlaps its filter`,
    );
    expect(run.stdout).toContain("pulumi up --refresh restores the entry");
    expect(run.stdout).toContain("1 of 1 producer(s) have a failing check: waf");
  });

  it("names an entry whose filter is no longer the deployed one", async () => {
    aws.on("s3:GetBucketNotificationConfiguration", {
      body: notificationXml(queueEntry("s3-log-shipper-unit-waf", QUEUE_ARN, "AWSLogs/", ".log")),
    });

    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /! {2}source +queue entry "s3-log-shipper-unit-waf" .* \(prefix "AWSLogs\/", suffix "\.log"\) .* is not what the stack deployed/,
    );
  });

  it("names a drifted queue: visibility timeout and a removed redrive policy", async () => {
    aws.on("AmazonSQS.GetQueueAttributes", {
      body: { Attributes: { VisibilityTimeout: "30", MessageRetentionPeriod: "1209600" } },
    });

    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "!  queue         queue waf-queue drifted: no redrive policy (a message that keeps failing is never dead-lettered); visibility timeout 30 s (deployed 1800 s); pulumi up --refresh restores it",
    );
  });

  it("names a disabled event source mapping with the command that enables it", async () => {
    aws.on("lambda:ListEventSourceMappings", {
      body: { EventSourceMappings: [{ UUID: "esm-1", State: "Disabled", EventSourceArn: QUEUE_ARN, BatchSize: 10 }] },
    });

    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "!  mapping       event source mapping esm-1 is Disabled: nothing reads the queue (a silent stop); aws lambda update-event-source-mapping --uuid esm-1 --enabled",
    );
  });

  it.each<[string, string, string, RegExp]>([
    [
      "a key not in objectKmsKeyArns",
      "aws:kms",
      `arn:aws:kms:eu-west-1:${ACCOUNT}:key/0000-other`,
      /^ {2}! {2}encryption +bucket acme-logs encrypts new objects with KMS key .*key\/0000-other, which the function may not use: .*add the key's ARN to the producer's objectKmsKeyArns/m,
    ],
    [
      "the listed key by its bare id",
      "aws:kms",
      "5f0c2a1e-8d7b-4c1a-9e3f-2b6d4a8c0e11",
      /^ {2}ok encryption +bucket acme-logs encrypts with KMS key 5f0c2a1e-/m,
    ],
    [
      "a key named by alias",
      "aws:kms",
      "alias/logs",
      /^ {2}\? {2}encryption +bucket acme-logs names its KMS key by alias \(alias\/logs\)/m,
    ],
    ["SSE-S3", "AES256", "", /^ {2}ok encryption +bucket acme-logs encrypts new objects with AES256 \(SSE-S3\)/m],
  ])("reads the bucket's default encryption: %s", async (_, algorithm, key, line) => {
    aws.on("s3:GetBucketEncryption", { body: encryptionXml(algorithm, key || undefined) });

    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(run.stdout).toMatch(line);
  });

  it("names credentials that do not authenticate, without printing them", async () => {
    elasticsearch.on("GET /_security/_authenticate", 401, {
      error: { type: "security_exception", reason: "unable to authenticate user [shipper]" },
      status: 401,
    });

    const text = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);
    const json = await s3ls(["doctor", "--outputs", outputs({ waf: producer() }), "--json"]);

    expect(text.code).toBe(1);
    expect(text.stdout).toContain(`the credentials in SSM ${PARAMETER} do not authenticate (401)`);
    // They were sent (Basic shipper:<password>), and appear in nothing printed.
    expect(elasticsearch.authorizations).toContain(`Basic ${Buffer.from(`shipper:${PASSWORD}`).toString("base64")}`);
    for (const run of [text, json]) {
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
      expect(run.stdout + run.stderr).not.toContain(Buffer.from(`shipper:${PASSWORD}`).toString("base64"));
    }
  });

  it("names a user that may not create documents, and an index nothing prepares", async () => {
    elasticsearch
      .on("POST /_security/user/_has_privileges", 200, { has_all_requested: false, username: "shipper", index: {} })
      .on("GET /_index_template", 200, { index_templates: [] });

    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      "!  elasticsearch shipper may not create_doc in logs-waf: every bulk item is refused (403)",
    );
    expect(run.stdout).toContain("!  elasticsearch no data stream, index or index template for logs-waf");
  });

  it("names a user that may write but not read: deduplication across rollovers is off", async () => {
    elasticsearch.on("POST /_security/user/_has_privileges", 200, {
      has_all_requested: false,
      username: "shipper",
      index: { "logs-waf": { create_doc: true, read: false } },
    });
    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("ok elasticsearch shipper may create_doc in logs-waf");
    expect(run.stdout).toContain(
      "!  elasticsearch shipper may not read logs-waf: a redelivery after a rollover indexes its documents again (deduplication across rollovers is off); give its role the index privilege read on logs-waf",
    );
  });

  it("finds the producer's data stream, and on a cluster without the data stream API its index", async () => {
    elasticsearch.on("GET /_data_stream/logs-waf", 200, { data_streams: [{ name: "logs-waf" }] });
    const stream = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);
    elasticsearch
      .on("GET /_data_stream/logs-waf", 405, {
        error: "Incorrect HTTP method for uri [/_data_stream/logs-waf]",
        status: 405,
      })
      .on("HEAD /logs-waf", 200);
    const index = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(stream.stdout).toContain("ok elasticsearch data stream logs-waf exists");
    expect(index.stdout).toContain("ok elasticsearch index logs-waf exists");
  });

  it("names an endpoint that does not answer", async () => {
    const file = outputs({ waf: producer() }, { elasticsearch: { endpoint: "http://127.0.0.1:1" } });

    const run = await s3ls(["doctor", "--outputs", file]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /! {2}elasticsearch http:\/\/127\.0\.0\.1:1 does not answer \(ConnectionError: .*\): the function cannot ship/,
    );
  });

  it("names a producer that stopped writing", async () => {
    aws.on("s3:ListObjectsV2", {
      body: listingXml([
        { key: "AWSLogs/old.gz", at: new Date(Date.now() - 3 * 3_600_000) },
        { key: "AWSLogs/older.gz", at: new Date(Date.now() - 5 * 3_600_000) },
      ]),
    });

    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /! {2}freshness +newest object s3:\/\/acme-logs\/AWSLogs\/old.gz is 18\d min old, older than expectedIntervalMinutes 60: the producer stopped writing here/,
    );
  });

  it("lists what the operator may not read with ?, which is not a failure", async () => {
    aws
      .on("s3:GetBucketNotificationConfiguration", s3Error(403, "AccessDenied", "Access Denied"))
      .on("AmazonSSM.GetParameter", jsonError(400, "AccessDeniedException"));

    const run = await s3ls(["doctor", "--outputs", outputs({ waf: producer() })]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "?  source        cannot read bucket acme-logs's notification configuration with your credentials (AccessDenied); s3:GetBucketNotification reads it",
    );
    expect(run.stdout).toContain(
      `?  elasticsearch cannot read the stored credentials ${PARAMETER} with your credentials (AccessDeniedException)`,
    );
    expect(run.stdout).toContain("all 1 producer(s) wired right (2 check(s) your credentials could not run: ?)");
  });

  it("checks an eventbridge producer's bucket switch, rule and target", async () => {
    const cloudtrail = producer(
      { notifications: "eventbridge", prefix: "", suffix: "", keyPattern: "AWSLogs/o-*/*" },
      { eventRuleName: "cloudtrail-objects-rule-1a2b" },
    );
    aws
      .on("s3:GetBucketNotificationConfiguration", { body: notificationXml("", true) })
      .on("AWSEvents.DescribeRule", { body: { Name: "cloudtrail-objects-rule-1a2b", State: "DISABLED" } })
      .on("AWSEvents.ListTargetsByRule", { body: { Targets: [{ Id: "q", Arn: QUEUE_ARN }] } });

    const disabled = await s3ls(["doctor", "--outputs", outputs({ cloudtrail })]);
    aws.on("AWSEvents.DescribeRule", jsonError(400, "ResourceNotFoundException", "Rule does not exist"));
    const missing = await s3ls(["doctor", "--outputs", outputs({ cloudtrail })]);
    aws.on("s3:GetBucketNotificationConfiguration", { body: notificationXml("") });
    const switchedOff = await s3ls(["doctor", "--outputs", outputs({ cloudtrail })]);

    expect(disabled.code).toBe(1);
    expect(disabled.stdout).toContain("ok source        bucket acme-logs sends its events to EventBridge");
    expect(disabled.stdout).toContain("aws events enable-rule --name cloudtrail-objects-rule-1a2b");
    expect(missing.stdout).toContain("EventBridge rule cloudtrail-objects-rule-1a2b does not exist (deleted?)");
    expect(switchedOff.stdout).toContain("bucket acme-logs does not send its events to EventBridge");
  });

  it("leaves an EventBridge rule in the bucket's account to that account's credentials (?)", async () => {
    const archived = producer(
      { notifications: "eventbridge", prefix: "", suffix: "", keyPattern: "AWSLogs/*" },
      { eventRuleName: "elb-objects-rule-9f", bucketAccount: "logarchive", bucketAccountId: "222233334444" },
    );
    aws.on("s3:GetBucketNotificationConfiguration", { body: notificationXml("", true) });

    const run = await s3ls(["doctor", "--outputs", outputs({ elb: archived })]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "?  source        EventBridge rule elb-objects-rule-9f lives in the bucket's account 222233334444 (bucketAccount logarchive), not the stack's: check it with that account's credentials",
    );
    expect(aws.calls).not.toContain("AWSEvents.DescribeRule");
  });

  it("checks an sns producer's subscription: a filter policy nobody deployed drops events", async () => {
    const subscription = `arn:aws:sns:eu-west-1:${ACCOUNT}:bucket-events:5d1c`;
    const shared = producer({ notifications: "sns" }, { snsSubscriptionArn: subscription });
    aws.on("query:GetSubscriptionAttributes", {
      body: snsAttributes({
        Endpoint: QUEUE_ARN,
        TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:bucket-events`,
        PendingConfirmation: "false",
        FilterPolicy: '{"eventName":["Put"]}',
      }),
    });

    const filtered = await s3ls(["doctor", "--outputs", outputs({ shared })]);
    aws.on("query:GetSubscriptionAttributes", {
      body: snsAttributes({
        Endpoint: QUEUE_ARN,
        TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:bucket-events`,
        PendingConfirmation: "false",
      }),
    });
    const right = await s3ls(["doctor", "--outputs", outputs({ shared })]);

    expect(filtered.code).toBe(1);
    expect(filtered.stdout).toContain(
      `SNS subscription ${subscription} has a filter policy ({"eventName":["Put"]}) the stack did not set`,
    );
    expect(right.stdout).toContain(
      `ok source        SNS subscription ${subscription} delivers arn:aws:sns:eu-west-1:${ACCOUNT}:bucket-events's events to the queue`,
    );
  });

  it("says what a stack deployed before doctor cannot show, and fails nothing for it", async () => {
    const old = producer();
    delete old.deployed;
    const file = writeOutputsFile(
      {
        region: "eu-west-1",
        alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:a",
        credentialsParameterName: PARAMETER,
        producers: { waf: old },
      },
      awsUrl,
    );

    const run = await s3ls(["doctor", "--outputs", file]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      "?  queue         the stack outputs do not hold the queue's deployed settings (deployed before s3ls doctor): pulumi up adds them",
    );
    expect(run.stdout).toContain(
      "?  elasticsearch the stack outputs do not name the cluster (deployed before s3ls doctor): pulumi up adds them",
    );
  });
});
