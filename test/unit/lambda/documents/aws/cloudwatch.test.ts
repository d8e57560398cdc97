/**
 * CloudWatch Logs subscription data delivered to S3 by Firehose:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html ("Example 3:
 * Subscription filters with Amazon Data Firehose": each record is a DATA_MESSAGE with `owner`,
 * `logGroup`, `logStream`, `subscriptionFilters` and `logEvents` of `id`, `timestamp` (ms), `message`;
 * records arrive gzip-compressed and Firehose writes them to the object one after another, so an
 * object is concatenated JSON documents, often one gzip member each)
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/ValidateLogEventFlow.html (CONTROL_MESSAGE)
 */
import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { documentsOf } from "../../../../helpers/formatDocuments";
import { TAG_PARSE_FAILURE } from "../../../../../lambda/contract/tags";
import { GzipMembers } from "../../../../../lambda/read/gzip";
import { CLOUDWATCH_DATA as DATA, CLOUDWATCH_CONTROL as CONTROL } from "../../../../helpers/awsDocumentedLogs";

/** Inflates an object the way the function does, member by member (read/gzip.ts). */
async function inflated(object: Buffer): Promise<Buffer> {
  async function* once(): AsyncGenerator<Buffer> {
    yield object;
  }
  const parts: Buffer[] = [];
  for await (const part of new GzipMembers(
    once(),
    { compressedOffset: 0, decompressedOffset: 0 },
    { bucket: "b", key: "k" },
  ).inflate())
    parts.push(part);
  return Buffer.concat(parts);
}

describe("cloudwatch", () => {
  it("makes a document per log event, carrying the group, stream, owner and filters; control messages none", async () => {
    const object = Buffer.concat([gzipSync(JSON.stringify(CONTROL)), gzipSync(JSON.stringify(DATA))]);
    const run = await documentsOf(await inflated(object), "cloudwatch");
    expect(run.controlMessages).toBe(1);
    expect(run.documents).toHaveLength(3);
    const [trail, text, broken] = run.documents.map((document) => document.source);
    const carried = {
      cloud: { account: { id: "123456789012" }, provider: "aws" },
      aws: {
        cloudwatch: {
          log_group: "CloudTrail",
          log_stream: "123456789012_CloudTrail_us-east-1",
          subscription_filters: ["Destination"],
          message_type: "DATA_MESSAGE",
        },
      },
    };
    // A JSON message is parsed as an ndjson line is: its fields at the top.
    expect(trail).toMatchObject({
      ...carried,
      "@timestamp": "2015-05-28T15:27:35.000Z",
      eventName: "DescribeInstances",
      userIdentity: { type: "Root" },
      event: { id: "31953106606966983378809025079804211143289615424298221568" },
    });
    expect(trail).not.toHaveProperty("message");
    expect(text).toMatchObject({ ...carried, message: "plain text event" });
    expect(broken).toMatchObject({ message: "{not json", "@timestamp": "2015-05-28T15:27:35.001Z" });
    // Each event has its own place, and so its own id.
    expect(new Set(run.documents.map((document) => document.id)).size).toBe(3);
    expect(run.records).toBe(3);
  });

  it("merges a JSON message that has ECS objects of its own, never writing a key twice", async () => {
    // A structured log in ECS form (what an ECS logging library writes): its own event, cloud, log and tags.
    const own = {
      "@timestamp": "2020-01-01T00:00:00.000Z",
      event: { action: "login", outcome: "failure" },
      cloud: { region: "us-east-1" },
      log: { level: "warn" },
      tags: ["app"],
      message: "login refused",
    };
    const record = { ...DATA, logEvents: [{ id: "e-1", timestamp: 1432826855000, message: JSON.stringify(own) }] };
    const run = await documentsOf(JSON.stringify(record), "cloudwatch");
    expect(run.documents).toHaveLength(1);
    const [document] = run.documents;
    expect(document?.source).toMatchObject({
      event: { action: "login", outcome: "failure", id: "e-1", ingested: expect.any(String) },
      cloud: { region: "us-east-1", provider: "aws", account: { id: "123456789012" } },
      log: { level: "warn", offset: 0 },
      aws: { cloudwatch: { log_group: "CloudTrail" } },
      tags: ["app"],
      message: "login refused",
    });
    // Elasticsearch refuses a document with a key twice; JSON.parse would hide it.
    for (const key of ['"@timestamp":', '"event":', '"cloud":', '"log":', '"aws":', '"tags":', '"message":'])
      expect(document?.raw.split(key).length, key).toBe(2);
  });

  it("reads documents however the bytes arrive: split across chunks, pretty-printed, newline-separated", async () => {
    const content = Buffer.from(
      `${JSON.stringify(DATA)}${JSON.stringify(CONTROL, null, 2)}\n${JSON.stringify({ ...DATA, logGroup: "second" })}`,
    );
    const whole = await documentsOf(content, "cloudwatch");
    for (const chunkBytes of [1, 7, 64]) {
      const split = await documentsOf(content, "cloudwatch", { chunkBytes });
      expect(split.documents).toEqual(whole.documents);
    }
    expect(
      whole.documents.map(
        (document) => (document.source.aws as { cloudwatch: { log_group: string } }).cloudwatch.log_group,
      ),
    ).toEqual(["CloudTrail", "CloudTrail", "CloudTrail", "second", "second", "second"]);
  });

  it("indexes bytes that are no subscription record once, as text, tagged, and reads on", async () => {
    const content = `${JSON.stringify(DATA)}garbage here\n{"messageType":"DATA_MESSAGE","logEvents":"not a list"}${JSON.stringify(DATA)}`;
    const run = await documentsOf(content, "cloudwatch");
    const tagged = run.documents.filter((document) => document.source.tags !== undefined);
    expect(tagged.map((document) => document.source.tags)).toEqual([[TAG_PARSE_FAILURE], [TAG_PARSE_FAILURE]]);
    expect(tagged[0]?.source.message).toBe("garbage here");
    expect(run.documents).toHaveLength(8);
    expect(run.linesUnparsed).toBe(2);
  });

  it("resumes at a record's start: the same documents, the same ids", async () => {
    const content = Buffer.from(`${JSON.stringify(DATA)}${JSON.stringify({ ...DATA, logStream: "next" })}`);
    const whole = await documentsOf(content, "cloudwatch");
    const resumed = await documentsOf(content, "cloudwatch", { start: JSON.stringify(DATA).length });
    expect(resumed.documents).toEqual(whole.documents.slice(3));
  });

  it("makes exactly one document of any bytes that are not records, and never throws", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 200 }).filter((text) => !text.includes("\n") && text.trim() !== ""),
        async (text) => {
          const run = await documentsOf(`${text}\n`, "cloudwatch");
          // Whatever it is, it is indexed (as events when it happens to be a record, else once as text).
          expect(run.documents.length).toBeGreaterThanOrEqual(1);
          if (!text.trimStart().startsWith("{") && !text.trimStart().startsWith("["))
            expect(run.documents).toHaveLength(1);
        },
      ),
    );
  });
});
