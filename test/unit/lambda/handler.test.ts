import { gzipSync } from "node:zlib";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { environmentVariables } from "../../../lambda/contract/env";
import { parseMessageBody } from "../../../lambda/queue/notifications";
import { validateConfig } from "../../../pipeline/validation/config";
import type { ProducerConfig } from "../../../pipeline/validation/schema";
import { functionEnvironment } from "../../../pipeline/function/functionEnvironment";
import { FakeAws, fakeAwsEnvironment } from "../../helpers/fakeAws";
import { FakeElasticsearch } from "../../helpers/fakeElasticsearch";
import { lambdaContext, s3Notification, s3Record, s3TestEvent, sqsEvent, sqsRecord } from "../../helpers/events";
import { captureFunctionLogs } from "../../helpers/quietLogs";

const BUCKET = "acme-waf-logs";
const INDEX = "logs-waf-default";
const QUEUE_URL = "http://127.0.0.1/123456789012/s3-log-shipper-waf";

const elasticsearch = new FakeElasticsearch();
const aws = new FakeAws();
let handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;
let BatchFailedError: new (...args: never[]) => Error;

beforeAll(async () => {
  const esUrl = await elasticsearch.start();
  const awsUrl = await aws.start();
  // Written as the program writes it (the function's own contract), with test-only run-time settings.
  const { producers, elasticsearch: esConfig } = validateConfig({
    elasticsearch: {
      endpoint: esUrl,
      allowInsecureHttp: true,
      requestTimeoutSeconds: 2,
      vault: { mount: "secret", path: "unit" },
      manageIndices: false,
    },
    producers: [{ name: "waf", bucket: BUCKET, index: INDEX, format: "ndjson", timeoutSeconds: 300 }],
  });
  const deployed = functionEnvironment({
    producer: producers[0] as ProducerConfig,
    elasticsearch: esConfig,
    parameterName: "/s3-log-shipper/unit/elasticsearch",
    queueUrl: QUEUE_URL,
  });
  delete deployed.NODE_OPTIONS; // V8 flags for the deployed function, not for this test process
  Object.assign(process.env, {
    ...deployed,
    ...fakeAwsEnvironment(awsUrl),
    ...environmentVariables({ ES_BULK_MAX_DOCUMENTS: 500 }),
    POWERTOOLS_LOG_LEVEL: "ERROR",
    POWERTOOLS_METRICS_DISABLED: "true",
  });
  aws.parameters.set(
    "/s3-log-shipper/unit/elasticsearch",
    JSON.stringify({ username: "shipper", password: "not-a-real-password" }),
  );
  ({ handler, BatchFailedError } = await import("../../../lambda/handler.js"));
});
afterAll(async () => {
  await elasticsearch.stop();
  await aws.stop();
});
captureFunctionLogs();
beforeEach(async () => {
  await elasticsearch.reset();
  aws.resetS3();
  aws.sentMessages.length = 0;
  aws.visibilityChanges.length = 0;
  aws.failSendMessage = false;
});

function ndjson(lines: number, prefix = "event"): string {
  return (
    Array.from({ length: lines }, (_, n) => JSON.stringify({ id: `${prefix}-${n}`, n, padding: "p".repeat(40) })).join(
      "\n",
    ) + "\n"
  );
}

describe("handler", () => {
  it("fails exactly the unknown body and the permanently rejected object in a mixed batch", async () => {
    // Prepare
    aws.putObject(BUCKET, "good.log.gz", gzipSync(ndjson(50)));
    aws.putObject(BUCKET, "bad.log", '{"n":"not a number"}\n{"n":1}\n');
    elasticsearch.itemBehaviour = (item) =>
      item.source.n === "not a number"
        ? { status: 400, type: "document_parsing_exception", reason: "failed to parse field [n] of type [long]" }
        : undefined;
    const good = sqsRecord(s3Notification(s3Record(BUCKET, "good.log.gz")), { messageId: "good" });
    const test = sqsRecord(s3TestEvent(BUCKET), { messageId: "test-event" });
    const unknown = sqsRecord(JSON.stringify({ hello: "world" }), { messageId: "unknown", receiveCount: 3 });
    const rejected = sqsRecord(s3Notification(s3Record(BUCKET, "bad.log")), { messageId: "rejected" });

    // Act
    const response = await handler(sqsEvent(good, test, unknown, rejected), lambdaContext());

    // Assess
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(["rejected", "unknown"]);
    expect(elasticsearch.documents(INDEX)).toHaveLength(51);
    // Failed messages had their redelivery paced: backoff by receive count, below the visibility timeout.
    const paced = new Map(aws.visibilityChanges.map((c) => [c.receiptHandle, c.visibilityTimeout]));
    expect([...paced.keys()].sort()).toEqual(["receipt-rejected", "receipt-unknown"]);
    expect(paced.get("receipt-rejected")).toBeGreaterThanOrEqual(15);
    expect(paced.get("receipt-rejected")).toBeLessThanOrEqual(30);
    expect(paced.get("receipt-unknown")).toBeGreaterThanOrEqual(60);
    expect(paced.get("receipt-unknown")).toBeLessThanOrEqual(120);
  });

  it("indexes nothing twice when the same notification arrives again", async () => {
    aws.putObject(BUCKET, "twice.log", ndjson(20));
    const body = s3Notification(s3Record(BUCKET, "twice.log"));
    await handler(sqsEvent(sqsRecord(body)), lambdaContext());
    const response = await handler(sqsEvent(sqsRecord(body)), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(elasticsearch.documents(INDEX)).toHaveLength(20);
  });

  it("throws when every message fails because Elasticsearch is down, so Lambda backs off", async () => {
    aws.putObject(BUCKET, "down.log", ndjson(5));
    elasticsearch.requestBehaviour = () => ({ kind: "status", status: 503 });
    const message = sqsRecord(s3Notification(s3Record(BUCKET, "down.log")), { messageId: "down" });
    await expect(handler(sqsEvent(message), lambdaContext(20_000))).rejects.toThrow(/failed transiently/);
    expect(aws.visibilityChanges.map((c) => c.receiptHandle)).toEqual(["receipt-down"]);
  });

  it("continues a large object in a new message when time runs short, at the exact offset reached", async () => {
    // Prepare: a context with little time; the fake ES answers slowly so the read cannot finish.
    const content = ndjson(20_000, "big");
    aws.putObject(BUCKET, "big.log", content);
    elasticsearch.requestBehaviour = () => ({ kind: "delay", ms: 150 });
    const first = sqsRecord(s3Notification(s3Record(BUCKET, "big.log")), { messageId: "big" });

    // Act: invoke, then keep invoking with each continuation until none is sent.
    let response = await handler(sqsEvent(first), lambdaContext(3_000));
    let invocations = 1;
    while (aws.sentMessages.length > 0 && invocations < 50) {
      expect(response.batchItemFailures).toEqual([]);
      const next = aws.sentMessages.shift();
      if (!next) break;
      const parsed = parseMessageBody(next.body);
      expect(parsed.kind).toBe("objects");
      expect(next.queueUrl).toBe(QUEUE_URL);
      response = await handler(sqsEvent(sqsRecord(next.body)), lambdaContext(3_000));
      invocations += 1;
    }

    // Assess: several invocations, every line exactly once.
    expect(invocations).toBeGreaterThan(1);
    expect(response.batchItemFailures).toEqual([]);
    const ids = elasticsearch.documents(INDEX).map((d) => d.id);
    expect(ids).toHaveLength(20_000);
    expect(new Set(ids).size).toBe(20_000);
    // Only the first invocation read from byte 0; every continuation made one ranged GET.
    expect(aws.getObjectRequests.map((request) => request.range).filter((range) => range === undefined)).toHaveLength(
      1,
    );
    expect(
      aws.getObjectRequests.map((request) => request.range).filter((range) => range?.startsWith("bytes=")),
    ).toHaveLength(invocations - 1);
  }, 120_000);

  it("acknowledges a continuation whose object was replaced since, without indexing the new content from the middle", async () => {
    // Prepare: a continuation that started on one version of the object, which has been overwritten.
    const first = aws.putObject(BUCKET, "replaced.log", ndjson(100, "old"));
    aws.putObject(BUCKET, "replaced.log", ndjson(100, "new"));
    const continuation = JSON.stringify({
      s3LogShipperContinuation: {
        version: 1,
        objects: [
          {
            bucket: BUCKET,
            key: "replaced.log",
            eTag: first.eTag,
            eventTime: "2026-11-27T10:00:00Z",
            startOffset: 500,
          },
        ],
      },
    });
    // Act
    const response = await handler(sqsEvent(sqsRecord(continuation, { messageId: "replaced" })), lambdaContext());
    // Assess
    expect(response.batchItemFailures).toEqual([]);
    expect(elasticsearch.documents(INDEX)).toHaveLength(0);
  });

  it("acknowledges a continuation that starts exactly at the end of a plain object", async () => {
    const stored = aws.putObject(BUCKET, "ended.log", ndjson(3, "end"));
    const continuation = JSON.stringify({
      s3LogShipperContinuation: {
        version: 1,
        objects: [
          {
            bucket: BUCKET,
            key: "ended.log",
            eTag: stored.eTag,
            gzip: false,
            eventTime: "2026-11-27T10:00:00Z",
            startOffset: stored.body.length,
          },
        ],
      },
    });
    const response = await handler(sqsEvent(sqsRecord(continuation)), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(elasticsearch.documents(INDEX)).toHaveLength(0);
  });

  it("fails the message instead of acknowledging it when the continuation cannot be sent", async () => {
    // Prepare: a large object that needs a continuation, beside a small one that ships (so the
    // invocation does not throw: not every message failed).
    aws.putObject(BUCKET, "big2.log", ndjson(20_000, "b2"));
    aws.putObject(BUCKET, "small2.log", ndjson(5, "s2"));
    elasticsearch.requestBehaviour = () => ({ kind: "delay", ms: 150 });
    aws.failSendMessage = true;
    const big = sqsRecord(s3Notification(s3Record(BUCKET, "big2.log")), { messageId: "no-continuation" });
    const small = sqsRecord(s3Notification(s3Record(BUCKET, "small2.log")), { messageId: "small" });
    // Act
    const response = await handler(sqsEvent(big, small), lambdaContext(3_000));
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "no-continuation" }]);
    expect(aws.visibilityChanges.map((change) => change.receiptHandle)).toEqual(["receipt-no-continuation"]);
  }, 30_000);

  it("throws when the only message failed because its continuation could not be sent (transient)", async () => {
    aws.putObject(BUCKET, "big3.log", ndjson(20_000, "b3"));
    elasticsearch.requestBehaviour = () => ({ kind: "delay", ms: 150 });
    aws.failSendMessage = true;
    await expect(
      handler(sqsEvent(sqsRecord(s3Notification(s3Record(BUCKET, "big3.log")))), lambdaContext(3_000)),
    ).rejects.toThrow(BatchFailedError);
  }, 30_000);

  it("resumes with a ranged GET when S3 cuts the connection mid-object, without duplicates", async () => {
    const content = ndjson(3_000, "cut");
    aws.putObject(BUCKET, "cut.log", content);
    aws.s3Fault = (_request, number) =>
      number === 1 ? { kind: "cut", afterBytes: Math.floor(content.length / 2) } : undefined;
    const response = await handler(sqsEvent(sqsRecord(s3Notification(s3Record(BUCKET, "cut.log")))), lambdaContext());
    expect(response.batchItemFailures).toEqual([]);
    expect(aws.getObjectRequests.map((request) => request.range).filter((r) => r !== undefined)).toHaveLength(1);
    const ids = elasticsearch.documents(INDEX).map((d) => d.id);
    expect(new Set(ids).size).toBe(3_000);
    expect(ids).toHaveLength(3_000);
  });

  it("resumes a gzip object cut mid-stream by continuing the same inflate", async () => {
    const compressed = gzipSync(ndjson(3_000, "gz"));
    aws.putObject(BUCKET, "cut.log.gz", compressed);
    aws.s3Fault = (_request, number) =>
      number === 1 ? { kind: "cut", afterBytes: Math.floor(compressed.length / 2) } : undefined;
    const response = await handler(
      sqsEvent(sqsRecord(s3Notification(s3Record(BUCKET, "cut.log.gz")))),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(elasticsearch.documents(INDEX)).toHaveLength(3_000);
  });

  it("fails a notification for an object that does not exist, with the reason", async () => {
    const response = await handler(
      sqsEvent(
        sqsRecord(s3Notification(s3Record(BUCKET, "missing.log")), { messageId: "missing" }),
        sqsRecord(s3TestEvent()),
      ),
      lambdaContext(),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "missing" }]);
  });

  it("never logs the credentials, at DEBUG, on stdout or stderr, on success and failure paths", async () => {
    // Prepare: a fresh function whose logger is created at DEBUG (the level is read when it is made).
    const output: string[] = [];
    const capture = (chunk: string | Uint8Array): boolean => {
      output.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
      return true;
    };
    const stdout = vi.spyOn(process.stdout, "write").mockImplementation(capture);
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(capture);
    process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
    try {
      vi.resetModules();
      const fresh = (await import("../../../lambda/handler.js")) as { handler: typeof handler };
      aws.putObject(BUCKET, "secret-check.log", ndjson(3));
      elasticsearch.requestBehaviour = (number) =>
        number === 1 ? { kind: "status", status: 401 } : { kind: "normal" };
      // Act: one shipped object (after a 401 and a credentials re-read), one unknown body, one missing object.
      await fresh.handler(
        sqsEvent(
          sqsRecord(s3Notification(s3Record(BUCKET, "secret-check.log"))),
          sqsRecord("garbage"),
          sqsRecord(s3Notification(s3Record(BUCKET, "absent.log"))),
        ),
        lambdaContext(),
      );
    } finally {
      stdout.mockRestore();
      stderr.mockRestore();
      process.env.POWERTOOLS_LOG_LEVEL = "ERROR";
    }
    // Assess: the logs were captured (debug, info and error lines), and none holds the password.
    const written = output.join("");
    expect(written).toContain('"level":"DEBUG"');
    expect(written).toContain('"message":"object shipped"');
    expect(written).toContain('"message":"message failed"');
    expect(written).not.toContain("not-a-real-password");
    expect(written).not.toContain(Buffer.from("shipper:not-a-real-password").toString("base64"));
  });
});

describe("a redelivery after its documents rolled over into another backing index", () => {
  /** Every document the destination holds, in any backing index. */
  const held = () =>
    [...elasticsearch.stored.entries()]
      .filter(([name]) => name === INDEX || name.startsWith(`${INDEX}#`))
      .reduce((sum, [, documents]) => sum + documents.size, 0);
  const deliver = async (options: { receiveCount?: number; marked?: boolean } = {}) => {
    const record = sqsRecord(s3Notification(s3Record(BUCKET, "rolled.log")), {
      receiveCount: options.receiveCount ?? 1,
    });
    if (options.marked) record.messageAttributes = { "s3ls-redelivery": { dataType: "String", stringValue: "true" } };
    return handler(sqsEvent(record), lambdaContext());
  };

  beforeEach(() => {
    aws.putObject(BUCKET, "rolled.log", ndjson(1_200, "rolled")); // three batches of 500 at most
  });

  it("asks the destination which ids it holds, skips them and indexes nothing twice; a first delivery asks nothing", async () => {
    expect(await deliver()).toEqual({ batchItemFailures: [] });
    expect(elasticsearch.searches, "a first delivery pays nothing extra").toEqual([]);
    expect(held()).toBe(1_200);
    elasticsearch.rollOver(INDEX);

    expect(await deliver({ receiveCount: 2 })).toEqual({ batchItemFailures: [] });

    expect(held()).toBe(1_200);
    expect(elasticsearch.stored.get(INDEX)?.size ?? 0).toBe(0);
    expect(elasticsearch.searches.map((search) => search.index)).toEqual([INDEX, INDEX, INDEX]);
    expect(elasticsearch.searches.flatMap((search) => search.ids)).toHaveLength(1_200);
  });

  it("asks for a message s3ls reship or redrive marked, whatever its receive count", async () => {
    await deliver();
    elasticsearch.rollOver(INDEX);
    await deliver({ marked: true });
    expect(held()).toBe(1_200);
    expect(elasticsearch.searches).toHaveLength(3);
  });

  it("sends only the documents no backing index holds: a partly shipped object finishes once", async () => {
    await deliver();
    elasticsearch.rollOver(INDEX);
    // What a partial first delivery left: the last 200 documents never arrived.
    const backing = [...elasticsearch.stored.keys()].find((name) => name.startsWith(`${INDEX}#`)) ?? "";
    const documents = elasticsearch.stored.get(backing);
    for (const id of [...(documents?.keys() ?? [])].slice(1_000)) documents?.delete(id);
    await deliver({ receiveCount: 3 });
    expect(elasticsearch.stored.get(INDEX)?.size).toBe(200);
    expect(held()).toBe(1_200);
  });

  it("without the read privilege ships everything all the same, asking once per object, never losing a line", async () => {
    await deliver();
    elasticsearch.rollOver(INDEX);
    elasticsearch.searchStatus = 403;
    expect(await deliver({ receiveCount: 2 })).toEqual({ batchItemFailures: [] });
    expect(elasticsearch.searches).toHaveLength(1);
    // Indexed again in the new write index: what deduplication across rollovers exists to prevent.
    expect(elasticsearch.stored.get(INDEX)?.size).toBe(1_200);
  });
});
