/**
 * Fault tier — streams and time: every invocation ends before Lambda's timeout whatever the bytes
 * are (long runs of blank lines, deep gzip objects) or however S3 and Elasticsearch misbehave
 * (stalls, cuts, short answers, hangs), and trailing bytes after a gzip member are never ignored.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { BUCKET, FaultWorld, ndjsonObject, textObject } from "../helpers/faultWorld";

const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

describe("time is checked wherever it passes", () => {
  it("gets through a small gzip object that inflates to a huge run of blank lines, each invocation in time", async () => {
    // Prepare: ~128 KB of gzip that inflates to 128 MiB of newlines, then a few lines. (At 160 MiB the
    // last invocation had to inflate the whole run again within this 3 s context's working time, which
    // this 2-core VM missed on slow moments: a test of the machine's speed, not of the function.)
    const scenario = await world.scenario({ producer: { format: "text" }, contextMs: 3_000 });
    const tail = textObject("after-blanks", 5);
    const bomb = gzipSync(Buffer.concat([Buffer.alloc(128 * 1024 * 1024, 0x0a), Buffer.from(tail.content)]), {
      level: 9,
    });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    scenario.putAndNotify("blanks.log.gz", bomb);

    // Act: run() fails if an invocation outlives its 3 s.
    const result = await scenario.run();

    // Assess: several invocations, progress carried across, the lines at the end shipped once.
    expect(result.invocations).toBeGreaterThan(1);
    scenario.expectEachLineOnce({ "blanks.log.gz": tail.lines });
  }, 180_000);

  it("resumes a multi-member gzip object at the member holding its position, not at byte 0", async () => {
    // Prepare: 30 members of 1,000 lines; Elasticsearch slow enough for several invocations.
    const scenario = await world.slowScenario({
      producer: { format: "ndjson" },
      documentsPerRequest: 1_000,
      delayMs: 200,
    });
    const members = Array.from({ length: 30 }, (_, n) => ndjsonObject(`member${n}`, 1_000));
    const compressed = members.map((member) => gzipSync(member.content));
    const starts = compressed.map((_, n) => compressed.slice(0, n).reduce((total, part) => total + part.length, 0));
    scenario.putAndNotify("firehose.log.gz", Buffer.concat(compressed));

    // Act
    const result = await scenario.run();

    // Assess: after the first GET, every read starts with a ranged GET at a member start.
    expect(result.invocations).toBeGreaterThan(2);
    const ranges = world.aws.getObjectRequests.map((request) => request.range);
    expect(ranges[0]).toBeUndefined();
    for (const range of ranges.slice(1)) {
      expect(range).toMatch(/^bytes=\d+-$/);
      expect(starts).toContain(Number(/\d+/.exec(range ?? "")?.[0]));
    }
    scenario.expectEachLineOnce({ "firehose.log.gz": members.flatMap((member) => member.lines) });
  }, 120_000);

  it("fails in time, with the reason, when a continuation cannot even inflate to its start", async () => {
    // Prepare: a single-member object and a continuation deep into it; far too little time to get there.
    const scenario = await world.scenario({ producer: { format: "text" }, contextMs: 2_600 });
    const bytes = Buffer.concat([Buffer.alloc(512 * 1024 * 1024, 0x0a), Buffer.from("the end\n")]);
    const stored = world.aws.putObject(BUCKET, "deep.log.gz", gzipSync(bytes, { level: 1 }));
    scenario.send(
      JSON.stringify({
        s3LogShipperContinuation: {
          version: 2,
          objects: [
            {
              bucket: BUCKET,
              key: "deep.log.gz",
              eTag: stored.eTag,
              eventTime: "2026-11-27T10:00:00Z",
              resume: {
                unit: "line",
                format: "text",
                byteOffset: bytes.length - 8,
                gzip: true,
                member: { compressedOffset: 0, decompressedOffset: 0 },
              },
            },
          ],
        },
      }),
    );

    // Act: every receive fails in time; the message ends in the DLQ.
    const result = await scenario.run();

    // Assess
    expect(result.invocationErrors).toBe(0); // permanent: raising the timeout is the fix, not waiting
    expect(scenario.deadLetterReasons()).toEqual([
      expect.stringMatching(
        /s3:\/\/acme-fault-logs\/deep\.log\.gz: time ran out inflating up to the continuation's start at decompressed byte \d+ \(got to \d+\); raise timeoutSeconds/,
      ),
    ]);
  }, 120_000);

  it("treats an S3 body that stalls as a broken connection and resumes", async () => {
    const scenario = await world.scenario({
      producer: { format: "ndjson" },
      contextMs: 4_000,
      environment: { S3_IDLE_TIMEOUT_MS: 500 },
    });
    const { content, lines } = ndjsonObject("stall", 2_000);
    world.aws.putObject(BUCKET, "stall.log", content);
    world.aws.s3Fault = (_request, number) => (number === 1 ? { kind: "stall", afterBytes: 50_000 } : undefined);
    scenario.notify("stall.log");

    await scenario.run();

    expect(world.aws.getObjectRequests.map((request) => request.range)).toEqual([undefined, "bytes=50000-"]);
    scenario.expectEachLineOnce({ "stall.log": lines });
  }, 30_000);

  it("reports a message still waiting when the time is nearly over as failed, naming the object, before Lambda would stop it", async () => {
    // Prepare: S3 stalls the first read for longer than the invocation (the idle timeout is 20 s).
    const scenario = await world.scenario({ producer: { format: "ndjson" }, contextMs: 3_000 });
    const { content, lines } = ndjsonObject("watchdog", 2_000);
    world.aws.s3Fault = (_request, number) => (number === 1 ? { kind: "stall", afterBytes: 50_000 } : undefined);
    scenario.putAndNotify("watchdog.log", content);

    // Act: run() fails if an invocation outlives its 3 s.
    await scenario.run();

    // Assess: the first receive failed in time with the object in its reason; the next one shipped it.
    expect(scenario.logged("message failed")).toEqual([
      expect.objectContaining({
        reason:
          "s3://acme-fault-logs/watchdog.log: did not finish before the function's time ran out (stuck waiting on S3, SQS or Elasticsearch)",
      }),
    ]);
    scenario.expectEachLineOnce({ "watchdog.log": lines });

    // The given-up read, released, stops at its next check: one more object line, nothing sent.
    const objectLines = () =>
      scenario.logs.filter((line) => String(line.message).startsWith("object ") && line.key === "watchdog.log");
    expect(objectLines()).toHaveLength(1); // the redelivery's
    await scenario.capturing(async () => {
      world.aws.releaseStalls();
      await vi.waitFor(() => expect(objectLines()).toHaveLength(2), { timeout: 5_000 });
      // Its continuation would be sent right after that line: give a send on loopback ample time.
      await new Promise((resolve) => setTimeout(resolve, 300));
    });
    expect(objectLines()[1]).toMatchObject({ message: "object continued", messageId: objectLines()[0]?.messageId });
    expect(scenario.sqs.depth, "the given-up work sent a continuation").toBe(0);
  }, 30_000);

  it("answers before the timeout while Elasticsearch hangs, and ships everything once it answers again", async () => {
    const scenario = await world.scenario({ producer: { format: "ndjson" }, contextMs: 3_000 });
    world.elasticsearch.requestBehaviour = (number) =>
      number <= 3 ? { kind: "delay", ms: 4_000 } : { kind: "normal" };
    const { content, lines } = ndjsonObject("hang", 500);
    scenario.putAndNotify("hang.log", content);

    const result = await scenario.run();

    expect(result.invocationErrors).toBeGreaterThan(0); // "Elasticsearch unavailable" is what fails invocations
    scenario.expectEachLineOnce({ "hang.log": lines });
  }, 60_000);
});

describe("broken S3 reads resume without losing or repeating lines", () => {
  it("resumes after connections cut twice in one object", async () => {
    const scenario = await world.scenario({ producer: { format: "text" } });
    const { content, lines } = textObject("cut", 5_000);
    world.aws.putObject(BUCKET, "cut.log", content);
    world.aws.s3Fault = (_request, number) => (number <= 2 ? { kind: "cut", afterBytes: 100_000 } : undefined);
    scenario.notify("cut.log");

    await scenario.run();

    expect(world.aws.getObjectRequests.map((request) => request.range)).toEqual([
      undefined,
      "bytes=100000-",
      "bytes=200000-",
    ]);
    scenario.expectEachLineOnce({ "cut.log": lines });
  });

  it("resumes when a body ends cleanly but short of the announced length", async () => {
    const scenario = await world.scenario({ producer: { format: "text" } });
    const { content, lines } = textObject("short", 3_000);
    world.aws.putObject(BUCKET, "short.log", content);
    world.aws.s3Fault = (_request, number) => (number === 1 ? { kind: "short", afterBytes: 123_457 } : undefined);
    scenario.notify("short.log");

    await scenario.run();

    expect(world.aws.getObjectRequests.map((request) => request.range)).toEqual([undefined, "bytes=123457-"]);
    scenario.expectEachLineOnce({ "short.log": lines });
  });

  it("resumes a gzip object cut mid-member within the same inflate", async () => {
    const scenario = await world.scenario({ producer: { format: "ndjson" } });
    const { content, lines } = ndjsonObject("gzcut", 5_000);
    const compressed = gzipSync(content);
    world.aws.putObject(BUCKET, "gzcut.log.gz", compressed);
    world.aws.s3Fault = (_request, number) =>
      number === 1 ? { kind: "cut", afterBytes: Math.floor(compressed.length / 2) } : undefined;
    scenario.notify("gzcut.log.gz");

    await scenario.run();

    scenario.expectEachLineOnce({ "gzcut.log.gz": lines });
  });
});

describe("bytes after a gzip member", () => {
  it("skips zero padding and reads the member after it", async () => {
    const scenario = await world.scenario({ producer: { format: "ndjson" } });
    const first = ndjsonObject("before-padding", 100);
    const second = ndjsonObject("after-padding", 100);
    scenario.putAndNotify(
      "padded.log.gz",
      Buffer.concat([gzipSync(first.content), Buffer.alloc(4096), gzipSync(second.content), Buffer.alloc(512)]),
    );

    await scenario.run();

    scenario.expectEachLineOnce({ "padded.log.gz": [...first.lines, ...second.lines] });
  });

  it.each([
    ["garbage right after a member", Buffer.from("this is not gzip")],
    ["zero padding, then garbage", Buffer.concat([Buffer.alloc(100), Buffer.from("this is not gzip either")])],
  ])("fails the object on %s, naming it, instead of acknowledging it", async (_case, trailing) => {
    const scenario = await world.scenario({ producer: { format: "ndjson" } });
    const { content, lines } = ndjsonObject("trailing", 100);
    scenario.putAndNotify("trailing.log.gz", Buffer.concat([gzipSync(content), trailing]));

    const result = await scenario.run();

    expect(result.invocationErrors).toBe(0);
    scenario.expectEachLineOnce({ "trailing.log.gz": lines }, { inDeadLetterQueue: ["trailing.log.gz"] });
    expect(scenario.deadLetterReasons()).toEqual([expect.stringContaining("unexpected data after a gzip member")]);
  });

  it("fails a member whose CRC does not match, as permanent", async () => {
    const scenario = await world.scenario({ producer: { format: "ndjson" } });
    const compressed = gzipSync(ndjsonObject("crc", 100).content);
    compressed.writeUInt32LE((compressed.readUInt32LE(compressed.length - 8) + 1) >>> 0, compressed.length - 8);
    scenario.putAndNotify("crc.log.gz", compressed);

    const result = await scenario.run();

    expect(result.invocationErrors).toBe(0);
    expect(scenario.deadLetterReasons()).toEqual([
      expect.stringContaining(
        "s3://acme-fault-logs/crc.log.gz: ObjectFormatError: gzip member at compressed byte 0: CRC-32 mismatch",
      ),
    ]);
  });
});
