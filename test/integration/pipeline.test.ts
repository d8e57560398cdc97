/**
 * The real bundle against real Elasticsearch (8.x and 9.x) and moto, through a Lambda-like SQS
 * poller, with the emulator set up the way the Pulumi program sets up AWS.
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { execFileSync } from "node:child_process";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OBJECTS_PROCESSED } from "../../lambda/contract/metricNames";
import { parseMessageBody } from "../../lambda/queue/notifications";
import {
  awsClients,
  deployLocalStack,
  queueDepth,
  type AwsClients,
  type LocalProducer,
  type LocalStackConfig,
} from "../../scripts/local/localPipeline";
import { s3ls, writeOutputsFile } from "../helpers/operatorCli";
import { emittedForProducer } from "../helpers/emf";
import {
  elasticsearchInfo,
  majorsUnderTest,
  resetMoto,
  startElasticsearch,
  startMoto,
  stopElasticsearch,
  type ElasticsearchInfo,
} from "../../scripts/local/services";

/** Producers as a stack config lists them; the program deploys them into the emulator. */
function stackConfig(major: string, entries: Array<Record<string, unknown>>): LocalStackConfig {
  return {
    defaults: { timeoutSeconds: 10, maxReceiveCount: 5, batchSize: 10 },
    producers: entries.map((entry) => ({
      ...entry,
      name: `es${major}-${String(entry.name)}`,
      index: `es${major}-${String(entry.index)}`,
    })),
  };
}

function ndjsonLines(count: number, prefix: string): string {
  return (
    Array.from({ length: count }, (_, n) =>
      JSON.stringify({
        "event.id": `${prefix}-${n}`,
        seq: n,
        ts: 1764237600 + n,
        source: { ip: `198.51.100.${n % 250}` },
      }),
    ).join("\n") + "\n"
  );
}

describe.each(majorsUnderTest())("Elasticsearch %s.x", (major) => {
  let es: ElasticsearchInfo;
  let client: Client;
  let aws: AwsClients;
  let awsEndpoint: string;
  const bucket = `es${major}-acme-logs`;
  const trailBucket = `es${major}-acme-trail`;
  let pipelines: Map<string, LocalProducer>;
  let outputsFile: string;

  const count = async (index: string): Promise<number> => {
    const exists = await client.indices.exists({ index });
    if (!exists) return 0;
    await client.indices.refresh({ index });
    return (await client.count({ index })).count;
  };
  /** Log lines (by their own `event.id`) stored more than once; exact on a single shard. */
  const repeatedLines = async (index: string): Promise<string[]> => {
    await client.indices.refresh({ index });
    const response = await client.search({
      index,
      size: 0,
      aggs: { lines: { terms: { field: "event.id.keyword", min_doc_count: 2, size: 10 } } },
    });
    return (response.aggregations?.lines as { buckets: Array<{ key: string }> }).buckets.map((bucket) => bucket.key);
  };
  const put = (key: string, body: Buffer | string, target = bucket) =>
    aws.s3.send(new PutObjectCommand({ Bucket: target, Key: key, Body: body }));
  const pipeline = (name: string): LocalProducer => {
    const found = pipelines.get(`es${major}-${name}`);
    if (!found) throw new Error(`no pipeline ${name}`);
    return found;
  };
  /**
   * Keeps polling `name`'s queue until its DLQ holds `expected` messages: moto moves a message to
   * the DLQ only on a receive after maxReceiveCount, so "queue empty" can precede "DLQ filled".
   */
  const untilDeadLettered = async (name: string, expected: number, maxMs = 120_000): Promise<number> => {
    const entry = pipeline(name);
    const end = Date.now() + maxMs;
    let depth = await queueDepth(aws.sqs, entry.deadLetterQueueUrl);
    while (depth < expected && Date.now() < end) {
      if ((await entry.poller.pollOnce(1)) === 0) await new Promise((resolve) => setTimeout(resolve, 250));
      depth = await queueDepth(aws.sqs, entry.deadLetterQueueUrl);
    }
    return depth;
  };
  const drainAll = async (maxMs = 120_000) => {
    for (const entry of pipelines.values())
      expect(await entry.poller.drain(maxMs), `${entry.producer.name} drained`).toBe(true);
  };

  beforeAll(async () => {
    awsEndpoint = await startMoto();
    await resetMoto();
    es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    // The node keeps its data between runs: start from no test indices.
    await client.indices.delete({ index: `es${major}-*`, ignore_unavailable: true, allow_no_indices: true });
    aws = awsClients(awsEndpoint);
    const configured = stackConfig(major, [
      { name: "waf", bucket, prefix: "waf/", index: "logs-waf", format: "ndjson", timestampField: "ts" },
      { name: "alb", bucket, prefix: "alb/", index: "logs-alb", format: "text" },
      {
        name: "trail",
        bucket: trailBucket,
        index: "logs-trail",
        format: "json",
        recordsField: "Records",
        timestampField: "eventTime",
        deadLetterIndex: `es${major}-logs-failed`,
      },
      { name: "strict", bucket, prefix: "strict/", index: "logs-strict", format: "ndjson" },
      { name: "outage", bucket, prefix: "outage/", index: "logs-outage", format: "ndjson" },
      { name: "busy", bucket, prefix: "busy/", index: "logs-busy", format: "ndjson", batchSize: 10 },
    ]);
    const local = await deployLocalStack({ awsEndpoint, elasticsearch: es }, configured, {
      stack: `integration-${major}`,
      retryBaseDelaySeconds: 1,
      echoLogs: process.env.S3LS_ECHO_LOGS === "1",
    });
    pipelines = new Map(local.producers.map((entry) => [entry.producer.name, entry]));
    outputsFile = writeOutputsFile(local.outputs, awsEndpoint);
    // A mapping that makes a string in `seq` a conflict, for the dead-letter scenarios.
    for (const index of [`es${major}-logs-strict`, `es${major}-logs-trail`]) {
      await client.indices.create({
        index,
        mappings: { properties: { seq: { type: "long" }, eventVersion: { type: "long" } } },
      });
    }
  });

  afterAll(async () => {
    for (const entry of pipelines?.values() ?? []) entry.function.kill();
    await client?.close();
  });

  it("acknowledges the s3:TestEvent moto sends when the notification is configured", async () => {
    // Prepare: the test event is the only message in the fresh queue.
    const { queueUrl, poller } = pipeline("waf");
    const peeked = await aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(peeked.Messages?.map((m) => JSON.parse(m.Body ?? "{}").Event)).toEqual(["s3:TestEvent"]);
    for (const message of peeked.Messages ?? [])
      await aws.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    // Act
    await drainAll();
    // Assess: acknowledged (deleted), nothing indexed, nothing dead-lettered.
    expect(poller.stats.deleted).toBe(1);
    expect(await count(`es${major}-logs-waf`)).toBe(0);
    expect(await queueDepth(aws.sqs, pipeline("waf").deadLetterQueueUrl)).toBe(0);
  });

  it("indexes gzip ndjson, plain text and json-with-Records objects with exact counts and fields", async () => {
    // Prepare
    await put("waf/2026/11/27/waf-1.log.gz", gzipSync(ndjsonLines(1_000, "waf")));
    await put("alb/2026/11/27/alb 1+x.log", "GET /a 200\r\nGET /b 404\r\n\r\nPOST /c 500");
    const trail = {
      Records: Array.from({ length: 25 }, (_, n) => ({
        eventVersion: "1.08",
        eventName: `Call${n}`,
        eventTime: `2026-11-27T10:${String(n).padStart(2, "0")}:00Z`,
      })),
    };
    await put("AWSLogs/123/CloudTrail/trail.json.gz", gzipSync(JSON.stringify(trail)), trailBucket);
    // Act
    await drainAll();
    // Assess
    expect(await count(`es${major}-logs-waf`)).toBe(1_000);
    expect(await count(`es${major}-logs-alb`)).toBe(3);
    expect(await count(`es${major}-logs-trail`)).toBe(25);
    const waf = await client.search<Record<string, unknown>>({
      index: `es${major}-logs-waf`,
      query: { term: { seq: 7 } },
    });
    expect(waf.hits.hits[0]?._source).toMatchObject({
      "@timestamp": "2025-11-27T10:00:07.000Z",
      log: { file: { path: `s3://${bucket}/waf/2026/11/27/waf-1.log.gz` } },
      aws: { s3: { bucket: { name: bucket }, object: { key: "waf/2026/11/27/waf-1.log.gz" } } },
      cloud: { provider: "aws", region: "eu-west-1" },
    });
    const alb = await client.search<Record<string, unknown>>({
      index: `es${major}-logs-alb`,
      query: { match_phrase: { message: "GET /b 404" } },
    });
    expect(alb.hits.hits[0]?._source).toMatchObject({
      aws: { s3: { object: { key: "alb/2026/11/27/alb 1+x.log" } } },
      log: { offset: 12 },
    });
    const call = await client.search<Record<string, unknown>>({
      index: `es${major}-logs-trail`,
      query: { term: { "eventName.keyword": "Call3" } },
    });
    expect(call.hits.hits[0]?._source).toMatchObject({ "@timestamp": "2026-11-27T10:03:00.000Z", log: { offset: 3 } });
    // The function ran on the Node the host was given (.ci/run: Node 22, Lambda's nodejs22.x).
    const functionNode = process.env.S3LS_FUNCTION_NODE
      ? /^v\d+/.exec(execFileSync(process.env.S3LS_FUNCTION_NODE, ["--version"], { encoding: "utf8" }))?.[0]
      : process.version.split(".")[0];
    expect(pipeline("waf").function.nodeVersion?.split(".")[0]).toBe(functionNode);
    // What the silence alarm (expectedIntervalMinutes) watches: emitted per producer, with its dimensions.
    for (const name of ["waf", "alb", "trail"])
      expect(
        emittedForProducer(pipeline(name).function.logs, OBJECTS_PROCESSED, `es${major}-${name}`),
        name,
      ).toBeGreaterThanOrEqual(1);
  });

  it("adds no document when a notification arrives twice or a message is redelivered mid-object", async () => {
    const { queueUrl, poller, function: fn } = pipeline("waf");
    const before = await count(`es${major}-logs-waf`);
    // The same notification twice.
    await put("waf/dup.log", ndjsonLines(200, "dup"));
    const received = await aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 2 }),
    );
    const notification = received.Messages?.find((message) => {
      const parsed = parseMessageBody(message.Body ?? "");
      return parsed.kind === "objects" && parsed.objects[0]?.key === "waf/dup.log";
    });
    expect(notification).toBeDefined();
    await aws.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: notification?.Body ?? "" }));
    for (const message of received.Messages ?? [])
      await aws.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    await drainAll();
    expect(await count(`es${major}-logs-waf`)).toBe(before + 200);

    // A redelivery mid-object: the function is killed part-way (as a timeout or crash would), the
    // message becomes visible again and the object is read again from the start.
    await put("waf/big.log.gz", gzipSync(ndjsonLines(60_000, "big")));
    const invocation = poller.pollOnce(5);
    const until = Date.now() + 30_000;
    while ((await count(`es${major}-logs-waf`)) < before + 200 + 5_000 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    const handles = poller.inFlight;
    fn.kill();
    await invocation;
    // Redelivery: the message reappears (here at once instead of after the visibility timeout).
    for (const handle of handles)
      await aws.sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: handle, VisibilityTimeout: 0 }),
      );
    const partial = (await count(`es${major}-logs-waf`)) - before - 200;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(60_000);
    expect(handles).toHaveLength(1);
    await drainAll(240_000);
    expect(await count(`es${major}-logs-waf`)).toBe(before + 200 + 60_000);
    expect(await repeatedLines(`es${major}-logs-waf`)).toEqual([]);
  });

  it("sends an unrecognised message to the DLQ with the reason in the logs", async () => {
    const { queueUrl, deadLetterQueueUrl, function: fn } = pipeline("alb");
    await aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: JSON.stringify({ hello: "from a misconfigured producer" }),
      }),
    );
    await drainAll();
    expect(await untilDeadLettered("alb", 1)).toBe(1);
    expect(await queueDepth(aws.sqs, deadLetterQueueUrl)).toBe(1);
    const failures = fn.logs.filter((line) => line.includes('"message failed"'));
    expect(
      failures.some(
        (line) =>
          line.includes("unrecognised message: not an S3 notification") && line.includes("misconfigured producer"),
      ),
    ).toBe(true);
  });

  it("puts a mapping conflict into the dead-letter index when configured, otherwise the message into the DLQ", async () => {
    const conflict = `{"seq":1,"eventVersion":1}\n{"seq":"not a number","eventVersion":2}\n{"seq":3,"eventVersion":3}\n`;
    // With deadLetterIndex (trail, json records).
    await put(
      "AWSLogs/123/CloudTrail/conflict.json",
      JSON.stringify({ Records: [{ eventVersion: 1 }, { eventVersion: "one point oh" }, { eventVersion: 3 }] }),
      trailBucket,
    );
    // Without (strict, ndjson).
    await put("strict/conflict.log", conflict);
    await drainAll();
    await client.indices.refresh({ index: `es${major}-logs-failed` });
    const failed = await client.search<Record<string, unknown>>({ index: `es${major}-logs-failed` });
    expect(failed.hits.hits).toHaveLength(1);
    expect(failed.hits.hits[0]?._source).toMatchObject({
      message: '{"eventVersion":"one point oh"}',
      error: { type: "document_parsing_exception" },
      log: { file: { path: `s3://${trailBucket}/AWSLogs/123/CloudTrail/conflict.json` }, offset: 1 },
    });
    expect(await queueDepth(aws.sqs, pipeline("trail").deadLetterQueueUrl)).toBe(0);
    expect(await count(`es${major}-logs-strict`)).toBe(2);
    expect(await untilDeadLettered("strict", 1)).toBe(1);
  });

  it("retries while Elasticsearch is down, dead-letters after maxReceiveCount, and after s3ls shows why and redrives has every document exactly once", async () => {
    const { deadLetterQueueUrl, poller } = pipeline("outage");
    const index = `es${major}-logs-outage`;
    const producer = `es${major}-outage`;
    await stopElasticsearch(major);
    try {
      await put("outage/a.log", ndjsonLines(300, "outage-a"));
      await put("outage/b.log.gz", gzipSync(ndjsonLines(700, "outage-b")));
      expect(await poller.drain(180_000)).toBe(true);
      expect(poller.stats.invocationErrors).toBeGreaterThan(0);
      expect(await untilDeadLettered("outage", 2)).toBe(2);
    } finally {
      await startElasticsearch(major);
    }
    es = await elasticsearchInfo(major);
    // The on-call loop: status says what needs attention, dlq list says why, redrive sends it back.
    const troubled = await s3ls(["status", "--producer", producer, "--outputs", outputsFile, "--json"]);
    expect(troubled.code, troubled.stderr).toBe(1);
    expect(
      troubled.json<{ producers: Array<{ deadLetterQueue: { visible: number }; attention: string[] }> }>().producers[0],
    ).toMatchObject({
      deadLetterQueue: { visible: 2 },
      attention: [expect.stringContaining("2 message(s) in the dead-letter queue")],
    });
    const listed = await s3ls(["dlq", "list", "--producer", producer, "--outputs", outputsFile, "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const letters = listed.json<{
      deadLetters: Array<{
        messageId: string;
        objects: Array<{ key: string; size: number }>;
        reason: string | null;
        receiveCount: number;
      }>;
    }>().deadLetters;
    expect(letters.flatMap((letter) => letter.objects.map((object) => object.key)).sort()).toEqual([
      "outage/a.log",
      "outage/b.log.gz",
    ]);
    for (const letter of letters) {
      expect(letter.reason, "the reason comes from the function's log group").toMatch(/Elasticsearch/);
      expect(letter.receiveCount).toBeGreaterThanOrEqual(5);
      expect(letter.objects[0]?.size).toBeGreaterThan(0);
    }
    const dryRun = await s3ls([
      "dlq",
      "redrive",
      "--producer",
      producer,
      "--dry-run",
      "--outputs",
      outputsFile,
      "--json",
    ]);
    expect(dryRun.json()).toMatchObject({ method: "dry-run", moved: 2 });
    expect(await queueDepth(aws.sqs, deadLetterQueueUrl), "a dry run moves nothing").toBe(2);
    // …and receives nothing: the next look finds each receive count one up (its own), not two.
    const relisted = await s3ls(["dlq", "list", "--producer", producer, "--outputs", outputsFile, "--json"]);
    const countsBefore = new Map(letters.map((letter) => [letter.messageId, letter.receiveCount]));
    for (const letter of relisted.json<{ deadLetters: Array<{ messageId: string; receiveCount: number }> }>()
      .deadLetters) {
      expect(letter.receiveCount).toBe((countsBefore.get(letter.messageId) ?? Number.NaN) + 1);
    }
    // One object's story: in the dead-letter queue, why, and the command that sends it back.
    type Traced = { verdict: { kind: string; reason?: string; command?: string; detail?: string } };
    const failed = await s3ls(["trace", `s3://${bucket}/outage/a.log`, "--outputs", outputsFile, "--json"]);
    expect(failed.code, failed.stderr).toBe(1);
    expect(failed.json<Traced>().verdict).toEqual({
      kind: "failed",
      reason: expect.stringMatching(/^in the dead-letter queue \(1 message\(s\)\): .*Elasticsearch/) as string,
      command: `fix the cause, then s3ls dlq redrive --producer ${producer}`,
    });
    const redriven = await s3ls(["dlq", "redrive", "--producer", producer, "--outputs", outputsFile, "--json"]);
    expect(redriven.code, redriven.stderr).toBe(0);
    // moto has no StartMessageMoveTask: the command moves them by receive → send → delete.
    expect(redriven.json()).toMatchObject({ method: "receive-send-delete", moved: 2, failed: 0 });
    expect(await poller.drain(120_000)).toBe(true);
    expect(await count(index)).toBe(1_000);
    expect(await repeatedLines(index)).toEqual([]);
    expect(await queueDepth(aws.sqs, deadLetterQueueUrl)).toBe(0);
    const again = await s3ls(["dlq", "redrive", "--producer", producer, "--outputs", outputsFile, "--json"]);
    expect(again.json(), "re-running is harmless").toMatchObject({ moved: 0, failed: 0 });
    const fine = await s3ls(["status", "--producer", producer, "--outputs", outputsFile]);
    expect(fine.code, fine.stdout).toBe(0);
    const shipped = await s3ls(["trace", `s3://${bucket}/outage/b.log.gz`, "--outputs", outputsFile, "--count-lines"]);
    expect(shipped.code, shipped.stdout + shipped.stderr).toBe(0);
    expect(shipped.stdout).toContain("shipped completely: 700 documents for 700 lines");
  });

  it("indexes every document exactly once through real 429 rejections", async () => {
    const { poller } = pipeline("busy");
    const index = `es${major}-logs-busy`;
    const before = await client.nodes.stats({ metric: "thread_pool" });
    const rejectedBefore = Object.values(before.nodes).reduce(
      (sum, node) => sum + Number(node.thread_pool?.write?.rejected ?? 0),
      0,
    );
    for (let n = 0; n < 10; n += 1) await put(`busy/part-${n}.log`, ndjsonLines(3_000, `busy-${n}`));
    expect(await poller.drain(240_000)).toBe(true);
    const after = await client.nodes.stats({ metric: "thread_pool" });
    const rejectedAfter = Object.values(after.nodes).reduce(
      (sum, node) => sum + Number(node.thread_pool?.write?.rejected ?? 0),
      0,
    );
    expect(rejectedAfter - rejectedBefore, "the node rejected some writes with 429").toBeGreaterThan(0);
    expect(await count(index)).toBe(30_000);
    expect(await repeatedLines(index)).toEqual([]);
    expect(await queueDepth(aws.sqs, pipeline("busy").deadLetterQueueUrl)).toBe(0);
  });
});
