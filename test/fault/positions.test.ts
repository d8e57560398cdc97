/**
 * Fault tier — positions: continuations resume where they left off, in the unit of the object's
 * format, and ids follow the content actually read (versions, "null" versions, overwrites).
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseMessageBody } from "../../lambda/queue/notifications";
import { BUCKET, FaultWorld, ndjsonObject, textObject } from "../helpers/faultWorld";

const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

/** A json document of `count` records `{ line: "<tag>#<n>" }`, optionally under `Records`. */
function jsonDocument(tag: string, count: number, recordsField?: string): { content: string; lines: string[] } {
  const lines = Array.from({ length: count }, (_, n) => `${tag}#${n}`);
  const records = lines.map((line, n) => ({ line, n, eventName: "PutObject", padding: "p".repeat(60) }));
  return { content: JSON.stringify(recordsField ? { [recordsField]: records } : records), lines };
}

/** Continuation messages the function sent itself, parsed. */
function continuationsOf(scenario: { logs: Array<Record<string, unknown>> }): unknown[] {
  return scenario.logs.filter((line) => line.message === "object continued").map((line) => line.next);
}

describe("continuations resume in the unit of the format", () => {
  it("continues a json document at the next record, across several invocations", async () => {
    // Prepare: 4,000 records, Elasticsearch slow enough that one invocation cannot ship them all.
    const scenario = await world.slowScenario({ producer: { format: "json" } });
    const { content, lines } = jsonDocument("json", 4_000);
    scenario.putAndNotify("cloudtrail.json", content);

    // Act
    await scenario.run();

    // Assess: continued at record indexes, every record once, nothing in the DLQ.
    expect(continuationsOf(scenario).length).toBeGreaterThan(0);
    expect(continuationsOf(scenario)).toContainEqual(expect.objectContaining({ unit: "record", gzip: false }));
    scenario.expectEachLineOnce({ "cloudtrail.json": lines });
    expect(scenario.sqs.deadLetters).toEqual([]);
  }, 90_000);

  it("continues a gzip CloudTrail file read as auto at the next record", async () => {
    const scenario = await world.slowScenario({ producer: { format: "auto" } });
    const { content, lines } = jsonDocument("trail", 3_000, "Records");
    scenario.putAndNotify("AWSLogs/trail.json.gz", gzipSync(content));

    await scenario.run();

    expect(continuationsOf(scenario)).toContainEqual(expect.objectContaining({ unit: "record", gzip: true }));
    scenario.expectEachLineOnce({ "AWSLogs/trail.json.gz": lines });
    expect(scenario.sqs.deadLetters).toEqual([]);
  }, 90_000);

  it("keeps the format auto decided at the start, even where a later line looks like a JSON array", async () => {
    // Prepare: text whose second half starts each line with `[{` — sniffed there, it would be json.
    const scenario = await world.slowScenario({ producer: { format: "auto" } });
    const plain = textObject("plain", 2_000);
    const bracketed = Array.from({ length: 2_000 }, (_, n) => `[{"looks":"like json"}] line ${n}`);
    scenario.putAndNotify("app.log", plain.content + bracketed.join("\n") + "\n");

    await scenario.run();

    expect(continuationsOf(scenario)).toContainEqual(expect.objectContaining({ unit: "line", format: "text" }));
    scenario.expectEachLineOnce({ "app.log": [...plain.lines, ...bracketed] });
  }, 90_000);

  it("reads continuations written before the unit was stated (version 1) as byte offsets for line formats", async () => {
    // Prepare: what the previous version left in the queue at the deploy, for plain and gzip objects.
    const scenario = await world.scenario({ producer: { format: "ndjson" } });
    const plain = ndjsonObject("v1-plain", 100);
    const gzip = ndjsonObject("v1-gzip", 100);
    const storedPlain = world.aws.putObject(BUCKET, "v1.log", plain.content);
    const storedGzip = world.aws.putObject(BUCKET, "v1.log.gz", gzipSync(gzip.content));
    const lineStart = (content: string, line: number): number =>
      Buffer.byteLength(content.split("\n").slice(0, line).join("\n")) + 1;
    scenario.send(
      JSON.stringify({
        s3LogShipperContinuation: {
          version: 1,
          objects: [
            {
              bucket: BUCKET,
              key: "v1.log",
              eTag: storedPlain.eTag,
              gzip: false,
              eventTime: "2026-11-27T10:00:00Z",
              startOffset: lineStart(plain.content, 40),
            },
            {
              bucket: BUCKET,
              key: "v1.log.gz",
              eTag: storedGzip.eTag,
              gzip: true,
              eventTime: "2026-11-27T10:00:00Z",
              startOffset: lineStart(gzip.content, 70),
            },
          ],
        },
      }),
    );

    await scenario.run();

    // Assess: the lines from each offset on, once; the earlier ones were shipped before the deploy.
    scenario.expectEachLineOnce({ "v1.log": plain.lines.slice(40), "v1.log.gz": gzip.lines.slice(70) });
    expect(world.aws.getObjectRequests.find((request) => request.key === "v1.log")?.range).toBe(
      `bytes=${lineStart(plain.content, 40)}-`,
    );
  }, 30_000);

  it("reads a version 1 continuation of a json object as a record index", async () => {
    const scenario = await world.scenario({ producer: { format: "json" } });
    const { content, lines } = jsonDocument("v1-json", 100);
    const stored = world.aws.putObject(BUCKET, "v1.json", content);
    scenario.send(
      JSON.stringify({
        s3LogShipperContinuation: {
          version: 1,
          objects: [
            {
              bucket: BUCKET,
              key: "v1.json",
              eTag: stored.eTag,
              gzip: false,
              eventTime: "2026-11-27T10:00:00Z",
              startOffset: 60,
            },
          ],
        },
      }),
    );

    await scenario.run();

    scenario.expectEachLineOnce({ "v1.json": lines.slice(60) });
    expect(world.aws.getObjectRequests.map((request) => request.range)).toEqual([undefined]); // the document is read whole
  });

  it("continues a plain object twice and more with one ranged GET each, every line once", async () => {
    const scenario = await world.slowScenario({
      producer: { format: "text" },
      documentsPerRequest: 1_000,
      delayMs: 200,
    });
    const { content, lines } = textObject("alb", 30_000);
    scenario.putAndNotify("alb.log", content);

    const result = await scenario.run();

    expect(result.invocations).toBeGreaterThanOrEqual(3);
    scenario.expectEachLineOnce({ "alb.log": lines });
    const ranges = world.aws.getObjectRequests.map((request) => request.range);
    expect(ranges.filter((range) => range === undefined)).toHaveLength(1);
    expect(ranges.filter((range) => range !== undefined)).toHaveLength(result.invocations - 1);
  }, 90_000);
});

describe("document ids follow the content read", () => {
  it('ships both contents of a key overwritten while versioning is suspended (version id "null")', async () => {
    // Prepare: two writes of one key, both version "null"; same line lengths, so same offsets.
    const scenario = await world.scenario();
    world.aws.setVersioning(BUCKET, "suspended");
    const first = ndjsonObject("first", 50);
    scenario.putAndNotify("waf.log", first.content);
    await scenario.run();
    const second = ndjsonObject("secnd", 50);
    scenario.putAndNotify("waf.log", second.content);

    // Act
    await scenario.run();

    // Assess
    expect(world.aws.objects.get(`${BUCKET}/waf.log`)?.versionId).toBe("null");
    scenario.expectEachLineOnce({ "waf.log": [...first.lines, ...second.lines] });
    expect(world.aws.getObjectRequests.every((request) => request.versionId === undefined)).toBe(true);
  }, 30_000);

  it("ships every version of an overwritten key in a versioned bucket, each continuation pinned to its version", async () => {
    const scenario = await world.slowScenario({
      producer: { format: "ndjson" },
      documentsPerRequest: 1_000,
      delayMs: 200,
    });
    world.aws.setVersioning(BUCKET, "enabled");
    const first = ndjsonObject("ver1", 6_000);
    const one = world.aws.putObject(BUCKET, "big.log", first.content);
    const second = ndjsonObject("ver2", 6_000);
    const two = world.aws.putObject(BUCKET, "big.log", second.content);
    scenario.notify(
      { key: "big.log", versionId: one.versionId ?? "", eTag: one.eTag.replace(/"/g, "") },
      { key: "big.log", versionId: two.versionId ?? "", eTag: two.eTag.replace(/"/g, "") },
    );

    await scenario.run();

    scenario.expectEachLineOnce({ "big.log": [...first.lines, ...second.lines] });
    expect(
      world.aws.getObjectRequests.every(
        (request) => request.versionId === one.versionId || request.versionId === two.versionId,
      ),
    ).toBe(true);
  }, 90_000);

  it("ships a redelivered notification's lines once", async () => {
    const scenario = await world.scenario();
    const { content, lines } = ndjsonObject("again", 200);
    world.aws.putObject(BUCKET, "again.log", content);
    scenario.notify("again.log", "again.log");

    await scenario.run();

    scenario.expectEachLineOnce({ "again.log": lines });
    expect(scenario.logged("object shipped").map((line) => line.duplicates)).toEqual([0, 200]);
  });
});

describe("continuation bodies", () => {
  it("carry the decided format and a member start for gzip objects", async () => {
    const scenario = await world.slowScenario({ producer: { format: "auto" } });
    const members = Array.from({ length: 4 }, (_, n) => ndjsonObject(`m${n}`, 1_000));
    scenario.putAndNotify("multi.log.gz", Buffer.concat(members.map((member) => gzipSync(member.content))));

    await scenario.run();

    const continued = continuationsOf(scenario) as Array<{
      unit: string;
      format: string;
      member?: { compressedOffset: number };
    }>;
    expect(continued.length).toBeGreaterThan(0);
    for (const resume of continued)
      expect(resume).toMatchObject({ unit: "line", format: "ndjson", gzip: true, member: expect.any(Object) });
    expect(
      parseMessageBody(
        JSON.stringify({
          s3LogShipperContinuation: {
            version: 2,
            objects: [{ bucket: BUCKET, key: "k", eventTime: "t", resume: continued[0] }],
          },
        }),
      ).kind,
    ).toBe("objects");
    scenario.expectEachLineOnce({ "multi.log.gz": members.flatMap((member) => member.lines) });
  }, 90_000);
});
