/**
 * `s3ls trace` against scripted AWS answers (the object, the function's log lines, the dead-letter
 * queue) and a scripted Elasticsearch `_count`: each verdict, its command, and the exit code.
 */
import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { s3ls, writeOutputsFile } from "../../helpers/operatorCli";
import { ScriptedAws } from "../../helpers/scriptedAws";
import { ScriptedElasticsearch } from "../../helpers/scriptedElasticsearch";

const ACCOUNT = "123456789012";
const PARAMETER = "/s3-log-shipper/unit/elasticsearch";
const KEY = "AWSLogs/waf 17+.log.gz";
const OBJECT = `s3://acme-logs/${KEY}`;
const WRITTEN = new Date(Date.now() - 3_600_000);

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

function outputsFile(): string {
  return writeOutputsFile(
    {
      region: "eu-west-1",
      alarmTopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:alarms`,
      credentialsParameterName: PARAMETER,
      elasticsearch: { endpoint: esUrl },
      producers: {
        waf: {
          bucket: "acme-logs",
          prefix: "AWSLogs/",
          suffix: "",
          queueUrl: `${awsUrl}/${ACCOUNT}/waf-queue`,
          queueArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:waf-queue`,
          deadLetterQueueUrl: `${awsUrl}/${ACCOUNT}/waf-dlq`,
          deadLetterQueueArn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:waf-dlq`,
          functionName: "waf-function",
          logGroupName: "/aws/lambda/waf-function",
          alarmNames: [],
          deployed: {
            index: "logs-waf",
            format: "ndjson",
            maxReceiveCount: 5,
            visibilityTimeoutSeconds: 1800,
            messageRetentionSeconds: 1_209_600,
            objectKmsKeyArns: [],
          },
        },
      },
    },
    awsUrl,
  );
}

/** A summary line as the function logs it (Powertools JSON, the object's bucket and key bound). */
function logLine(message: string, fields: Record<string, unknown>, minutesAfterWrite: number) {
  return {
    timestamp: WRITTEN.getTime() + minutesAfterWrite * 60_000,
    message: JSON.stringify({ level: "INFO", message, bucket: "acme-logs", key: KEY, messageId: "m-1", ...fields }),
  };
}

const counts = { indexed: 0, duplicates: 0, deadLettered: 0, failed: 0, linesDropped: 0, bytes: 100 };

function script(options: {
  events?: Array<{ timestamp: number; message: string }>;
  deadLetters?: unknown[];
  documents?: number;
  body?: string;
}) {
  let received = 0;
  aws
    .on("s3:HeadObject", { headers: { "last-modified": WRITTEN.toUTCString(), "content-length": "100" } })
    .on("Logs_20140328.FilterLogEvents", { body: { events: options.events ?? [] } })
    .on("AmazonSQS.ReceiveMessage", () => ({ body: { Messages: received++ === 0 ? (options.deadLetters ?? []) : [] } }))
    .on("AmazonSQS.ChangeMessageVisibilityBatch", { body: { Successful: [], Failed: [] } })
    .on("AmazonSSM.GetParameter", {
      body: {
        Parameter: { Name: PARAMETER, Value: JSON.stringify({ username: "shipper", password: "trace-secret" }) },
      },
    });
  if (options.body !== undefined)
    aws.on("s3:GetObject", {
      body: options.body,
      headers: { etag: '"e1"', "content-length": String(Buffer.byteLength(options.body)) },
    });
  elasticsearch.on("POST /logs-waf/_count", 200, { count: options.documents ?? 0 });
}

beforeEach(() => {
  aws.reset();
  elasticsearch.reset();
});

describe("s3ls trace", () => {
  it("says shipped completely when the function shipped it and Elasticsearch holds its documents", async () => {
    script({
      events: [
        logLine("object continued", { ...counts, indexed: 600 }, 1),
        logLine("object shipped", { ...counts, indexed: 400 }, 2),
      ],
      documents: 1000,
    });

    const run = await s3ls(["trace", OBJECT, "--outputs", outputsFile()]);

    expect(run.code).toBe(0);
    expect(run.stdout).toContain("  producer     waf; written");
    expect(run.stdout).toMatch(/function {5}\S+ object continued: 600 indexed/);
    expect(run.stdout).toMatch(/function {5}\S+ object shipped: 400 indexed/);
    expect(run.stdout).toContain("  dead letters none name it");
    expect(run.stdout).toContain(
      "shipped completely: the function reported it shipped (1000 documents created); Elasticsearch holds 1000",
    );
    // The documents are found by the object's path, on the keyword field either mapping gives it.
    expect(JSON.parse(elasticsearch.requests.find((r) => r.route === "POST /logs-waf/_count")?.body ?? "{}")).toEqual({
      query: {
        bool: {
          should: [{ term: { "log.file.path": OBJECT } }, { term: { "log.file.path.keyword": OBJECT } }],
          minimum_should_match: 1,
        },
      },
    });
  });

  it("says failed, with the reason and the redrive command, when a dead letter names it", async () => {
    const notificationOf = (key: string, size?: number) =>
      JSON.stringify({
        Records: [
          {
            eventSource: "aws:s3",
            eventName: "ObjectCreated:Put",
            eventTime: WRITTEN.toISOString(),
            s3: {
              bucket: { name: "acme-logs" },
              object: { key: encodeURIComponent(key).replace(/%20/g, "+"), ...(size ? { size } : {}) },
            },
          },
        ],
      });
    const notification = notificationOf(KEY, 100);
    // Another object's dead letter, without a size: not this trace's, so nothing is read for it.
    const other = notificationOf("AWSLogs/other.log.gz");
    script({
      events: [
        logLine(
          "object failed",
          { ...counts, reason: "Elasticsearch unavailable: ConnectionError", transient: true },
          1,
        ),
      ],
      deadLetters: [
        {
          MessageId: "m-1",
          ReceiptHandle: "r-1",
          Body: notification,
          MD5OfBody: createHash("md5").update(notification).digest("hex"),
          Attributes: { ApproximateReceiveCount: "5", SentTimestamp: String(WRITTEN.getTime()) },
        },
        {
          MessageId: "m-2",
          ReceiptHandle: "r-2",
          Body: other,
          MD5OfBody: createHash("md5").update(other).digest("hex"),
          Attributes: { ApproximateReceiveCount: "5", SentTimestamp: String(WRITTEN.getTime()) },
        },
      ],
    });

    const run = await s3ls(["trace", OBJECT, "--outputs", outputsFile(), "--json"]);
    expect(
      aws.calls.filter((call) => call === "s3:HeadObject"),
      "the trace's own HEAD only",
    ).toHaveLength(1);

    expect(run.code).toBe(1);
    expect(run.json<{ verdict: unknown }>().verdict).toEqual({
      kind: "failed",
      reason: "in the dead-letter queue (1 message(s)): Elasticsearch unavailable: ConnectionError",
      command: "fix the cause, then s3ls dlq redrive --producer waf",
    });
  });

  it("says never seen, with doctor and the reship command, when nothing names it", async () => {
    script({});

    const run = await s3ls(["trace", OBJECT, "--outputs", outputsFile()]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `never seen: no function line, dead letter or document names it; check s3ls doctor --producer waf, then s3ls reship ${OBJECT}`,
    );
  });

  it("counts the object's lines with --count-lines and says shipped partly, n of m", async () => {
    const body = ['{"a":1}', '{"a":2}', "", '{"a":3}', '{"a":4}', '{"a":5}'].join("\n") + "\n";
    script({ events: [logLine("object shipped", { ...counts, indexed: 5 }, 1)], documents: 3, body });

    const run = await s3ls(["trace", OBJECT, "--outputs", outputsFile(), "--count-lines"]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain("  documents    3 (the object holds 5 lines or records)");
    expect(run.stdout).toContain(
      `shipped partly: 3 of 5 documents (5 lines; multiline events make fewer documents than lines); s3ls reship ${OBJECT}`,
    );
  });

  it("says in progress while a continuation is still to run", async () => {
    script({ events: [logLine("object continued", { ...counts, indexed: 10 }, 1)], documents: 10 });

    const run = await s3ls(["trace", OBJECT, "--outputs", outputsFile()]);

    expect(run.code).toBe(1);
    expect(run.stdout).toContain("in progress: continued in a new message");
  });

  it("refuses an object no producer reads, naming each producer's filter", async () => {
    script({});

    const run = await s3ls(["trace", "s3://other-bucket/x.log", "--outputs", outputsFile()]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "no producer of this stack reads s3://other-bucket/x.log (bucket, prefix and suffix of each: waf s3://acme-logs/AWSLogs/*)",
    );
  });
});
