/**
 * Fault tier — json objects streamed record by record through the function as deployed: a
 * continuation resumes right after the last record shipped (a ranged GET for a plain object, the
 * gzip member for a compressed one) instead of reading the object again; a continuation written
 * before records were streamed (an index alone) still resumes; a document that breaks halfway ships
 * the records before the break and fails naming the byte; a record too large for a line is cut and
 * tagged.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUCKET, FaultWorld, INDEX } from "../helpers/faultWorld";

const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

/** A CloudTrail-shaped document of `count` records `{ line: "<tag>#<n>", … }` under Records. */
function trail(tag: string, count: number): { content: string; lines: string[] } {
  const lines = Array.from({ length: count }, (_, n) => `${tag}#${n}`);
  const records = lines.map((line, n) => ({
    line,
    eventVersion: "1.09",
    eventName: n % 2 === 0 ? "PutObject" : "GetObject",
    requestParameters: { bucketName: "acme", key: `a/b/${n}.log`, note: 'quote " and backslash \\' },
  }));
  return { content: JSON.stringify({ Records: records }), lines };
}

function continuations(scenario: { logs: Array<Record<string, unknown>> }): Array<Record<string, unknown>> {
  return scenario.logs
    .filter((line) => line.message === "object continued")
    .map((line) => line.next as Record<string, unknown>);
}

describe("json objects, streamed", () => {
  it("continues a plain json object with a ranged GET after the last record shipped, reading each byte about once", async () => {
    // Prepare: slow Elasticsearch, so the object takes several invocations.
    const scenario = await world.slowScenario({ producer: { format: "json", recordsField: "Records" } });
    const { content, lines } = trail("plain", 6_000);
    scenario.putAndNotify("AWSLogs/trail.json", content);
    // Act
    const result = await scenario.run();
    // Assess: every record once; each continuation names the byte its resume reads from.
    expect(result.invocations).toBeGreaterThan(1);
    scenario.expectEachLineOnce({ "AWSLogs/trail.json": lines });
    const points = continuations(scenario);
    expect(points.length).toBeGreaterThan(0);
    for (const point of points)
      expect(point).toMatchObject({ unit: "record", gzip: false, byteOffset: expect.any(Number) as unknown });
    const ranges = world.aws.getObjectRequests.map((request) => request.range);
    expect(ranges).toEqual([undefined, ...points.map((point) => `bytes=${String(point.byteOffset)}-`)]);
    // What the function read (bytes in its object lines): the object once, plus what was in flight
    // when each invocation stopped — not the object again per invocation, as a whole-document parse must.
    const read = scenario
      .logged("object shipped")
      .concat(scenario.logged("object continued"))
      .reduce((total, line) => total + Number(line.bytes ?? 0), 0);
    expect(read).toBeLessThan(content.length * 1.1);
  }, 120_000);

  it("continues a gzip json object from its member, every record once", async () => {
    const scenario = await world.slowScenario({ producer: { format: "json", recordsField: "Records" } });
    const { content, lines } = trail("gzip", 4_000);
    // Two members, as a writer that appends does: the resume inflates from the member holding the point.
    const half = content.length >> 1;
    scenario.putAndNotify(
      "AWSLogs/trail.json.gz",
      Buffer.concat([gzipSync(content.slice(0, half)), gzipSync(content.slice(half))]),
    );

    await scenario.run();

    scenario.expectEachLineOnce({ "AWSLogs/trail.json.gz": lines });
    const points = continuations(scenario);
    expect(points.length).toBeGreaterThan(0);
    for (const point of points)
      expect(point).toMatchObject({
        unit: "record",
        gzip: true,
        byteOffset: expect.any(Number) as unknown,
        member: expect.any(Object) as unknown,
      });
    expect(points.some((point) => (point.member as { compressedOffset: number }).compressedOffset > 0)).toBe(true);
  }, 120_000);

  it("resumes a continuation that names only the record index (written before records were streamed)", async () => {
    const scenario = await world.scenario({ producer: { format: "json", recordsField: "Records" } });
    const { content, lines } = trail("index-only", 200);
    const stored = world.aws.putObject(BUCKET, "AWSLogs/old.json", content);
    scenario.send(
      JSON.stringify({
        s3LogShipperContinuation: {
          version: 2,
          objects: [
            {
              bucket: BUCKET,
              key: "AWSLogs/old.json",
              eTag: stored.eTag,
              eventTime: "2026-12-01T10:00:00Z",
              resume: { unit: "record", recordIndex: 150, recordsField: "Records", gzip: false },
            },
          ],
        },
      }),
    );

    await scenario.run();

    scenario.expectEachLineOnce({ "AWSLogs/old.json": lines.slice(150) });
    // The same ids as when the document was parsed whole: the record index.
    const offsets = world.elasticsearch.documents(INDEX).map((document) => (document.log as { offset: number }).offset);
    expect(offsets.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, n) => 150 + n));
  });

  it("ships the records before a break in the document once, then fails the message naming the byte", async () => {
    const scenario = await world.scenario({ producer: { format: "json", recordsField: "Records" } });
    const { content, lines } = trail("broken", 500);
    // Garbage between two records: nothing after it can be read as the records array.
    const cut = content.indexOf('{"line":"broken#300"');
    const broken = `${content.slice(0, cut)}#${content.slice(cut)}`;
    scenario.putAndNotify("AWSLogs/broken.json", broken);

    await scenario.run();

    scenario.expectEachLineOnce(
      { "AWSLogs/broken.json": lines.slice(0, 300) },
      { inDeadLetterQueue: ["AWSLogs/broken.json"] },
    );
    expect(world.elasticsearch.documents(INDEX)).toHaveLength(300);
    expect(scenario.deadLetterReasons()[0]).toMatch(
      new RegExp(`not a JSON document: an unexpected "#" where a value was expected at decompressed byte ${cut}`),
    );
  });

  it("indexes a record whose own content is not JSON as text, tagged, and ships the records after it", async () => {
    const scenario = await world.scenario({ producer: { format: "json", recordsField: "Records" } });
    const { content, lines } = trail("odd", 20);
    const cut = content.indexOf('"odd#10"');
    scenario.putAndNotify("AWSLogs/odd.json", `${content.slice(0, cut)}#${content.slice(cut)}`);

    await scenario.run();

    const documents = world.elasticsearch.documents(INDEX);
    expect(documents).toHaveLength(20);
    const odd = documents.find((document) => typeof document.message === "string");
    expect(odd?.tags).toEqual(["_shipper_invalid_json"]);
    expect(String(odd?.message)).toContain('{"line":#"odd#10"');
    expect(documents.filter((document) => document.line !== undefined).map((document) => document.line)).toEqual(
      lines.filter((line) => line !== "odd#10"),
    );
  });

  it("cuts a record over the line limit, tags it, and ships the records after it", async () => {
    // An explicit line limit, as config takes it (the budget then runs fewer messages at once).
    const scenario = await world.scenario({
      producer: { format: "json", recordsField: "Records", maxLineBytes: 8 * 1024 * 1024 },
    });
    const huge = { line: "huge#0", blob: "x".repeat(9 * 1024 * 1024) };
    const after = Array.from({ length: 3 }, (_, n) => ({ line: `after#${n}` }));
    scenario.putAndNotify("AWSLogs/huge.json", JSON.stringify({ Records: [huge, ...after] }));

    await scenario.run();

    const documents = world.elasticsearch.documents(INDEX);
    expect(documents).toHaveLength(4);
    const cut = documents.find((document) => typeof document.message === "string");
    expect(cut?.tags).toEqual(["_shipper_truncated"]);
    expect(String(cut?.message)).toHaveLength(8 * 1024 * 1024);
    expect(documents.filter((document) => String(document.line).startsWith("after#"))).toHaveLength(3);
  }, 60_000);
});
