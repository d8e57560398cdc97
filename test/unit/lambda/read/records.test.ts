import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ObjectFormatError } from "../../../../lambda/errors";
import { GzipMembers } from "../../../../lambda/read/gzip";
import { splitLines } from "../../../../lambda/read/lines";
import { TAG_INVALID_JSON, TAG_TRUNCATED } from "../../../../lambda/contract/tags";
import { detectFormat, lineRecord, readRecords, type RecordBatch } from "../../../../lambda/read/records";
import type { LogFormat } from "../../../../lambda/contract/formats";
import type { LogRecord } from "../../../../lambda/contract/shapes";

async function* chunked(bytes: Buffer, sizes: number[] = [bytes.length]): AsyncGenerator<Buffer> {
  let position = 0;
  let turn = 0;
  while (position < bytes.length) {
    const size = Math.max(1, sizes[turn % sizes.length] ?? bytes.length);
    yield bytes.subarray(position, position + size);
    position += size;
    turn += 1;
  }
}

/** The records of a batch: each line (or json record) made a record one by one, as the general path does. */
function recordsOf(batch: RecordBatch): LogRecord[] {
  if (batch.kind === "json") return batch.records.offsets.map((_, index) => lineRecord("ndjson", batch.records, index));
  return batch.lines.offsets.map((_, index) => lineRecord(batch.format, batch.lines, index));
}

async function collect(
  bytes: Buffer,
  format: LogFormat,
  options: {
    sizes?: number[];
    firstByte?: number;
    start?: number;
    recordsField?: string;
    requireRecordsField?: boolean;
    maxLineBytes?: number;
  } = {},
): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  for await (const batch of readRecords(chunked(bytes, options.sizes), {
    format,
    firstByte: options.firstByte ?? 0,
    ...(options.start !== undefined ? { start: options.start } : {}),
    bucket: "b",
    key: "k",
    ...(options.recordsField ? { recordsField: options.recordsField } : {}),
    ...(options.requireRecordsField ? { requireRecordsField: true } : {}),
    ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}),
  })) {
    records.push(...recordsOf(batch));
  }
  return records;
}

describe("line batches and time", () => {
  it("yields a batch for every chunk, empty for blank lines, each saying where a continuation resumes", async () => {
    // Prepare: a line, a run of blank lines across three chunks, a line.
    const bytes = Buffer.from(`first\n${"\n".repeat(30)}last\n`);
    // Act
    const batches = [];
    for await (const batch of splitLines(chunked(bytes, [10])))
      batches.push({ count: batch.count, resumeOffset: batch.resumeOffset, position: batch.position });
    // Assess: progress is visible while only blank lines go by.
    expect(batches).toEqual([
      { count: 1, resumeOffset: 10, position: 10 },
      { count: 0, resumeOffset: 20, position: 20 },
      { count: 0, resumeOffset: 30, position: 30 },
      { count: 0, resumeOffset: 36, position: 40 },
      { count: 1, resumeOffset: 41, position: 40 }, // "last", completed by the newline of the next chunk
      { count: 0, resumeOffset: 41, position: 41 },
    ]);
  });

  it("never moves the resume offset past a line not yet yielded, and ends at the end", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("a", "bb", "", " ", "\r", "ccc ddd"), { maxLength: 40 }),
        fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }),
        async (lines, sizes) => {
          const bytes = Buffer.from(lines.join("\n") + "\n");
          let previous = 0;
          for await (const batch of splitLines(chunked(bytes, sizes))) {
            expect(batch.resumeOffset).toBeGreaterThanOrEqual(previous);
            // Every line that starts before the resume offset has been yielded by now.
            for (let index = 0; index < batch.count; index += 1)
              expect(batch.nextOffsets[index]).toBeLessThanOrEqual(batch.resumeOffset);
            previous = batch.resumeOffset;
          }
          expect(previous).toBe(bytes.length);
        },
      ),
    );
  });

  it("drops the bytes before a continuation's start, with empty batches while it does", async () => {
    const bytes = Buffer.from("zero\none\ntwo\nthree\n");
    const batches = [];
    for await (const batch of splitLines(chunked(bytes, [4]), { firstByte: 0, skipTo: 9 }))
      batches.push({
        lines: batch.offsets.map((_, index) => batch.text(index)),
        resumeOffset: batch.resumeOffset,
        position: batch.position,
      });
    expect(batches.slice(0, 2)).toEqual([
      { lines: [], resumeOffset: 9, position: 4 },
      { lines: [], resumeOffset: 9, position: 8 },
    ]);
    expect(batches.flatMap((batch) => batch.lines)).toEqual(["two", "three"]);
  });
});

describe("line formats", () => {
  it("gives each line its byte offset and the offset of the next", async () => {
    const records = await collect(Buffer.from("alpha\nbeta\n"), "text");
    expect(records).toEqual([
      { offset: 0, nextOffset: 6, text: "alpha" },
      { offset: 6, nextOffset: 11, text: "beta" },
    ]);
  });

  it("handles CRLF, blank lines, a missing final newline and a BOM", async () => {
    const records = await collect(Buffer.from("\uFEFFfirst\r\n\r\n   \nsecond\r\nlast"), "text");
    expect(records.map((r) => [r.offset, r.text])).toEqual([
      [0, "first"],
      [16, "second"],
      [24, "last"],
    ]);
  });

  it("yields nothing for a zero-byte object", async () => {
    expect(await collect(Buffer.alloc(0), "ndjson")).toEqual([]);
    expect(await collect(Buffer.alloc(0), "json")).toEqual([]);
    expect(await collect(Buffer.alloc(0), "auto")).toEqual([]);
  });

  it("reassembles UTF-8 characters split across chunks", async () => {
    const records = await collect(Buffer.from("héllo ✓ 𝄞\nnext\n"), "text", { sizes: [1, 2, 1, 3] });
    expect(records.map((r) => r.text)).toEqual(["héllo ✓ 𝄞", "next"]);
  });

  it("keeps a line of several MB whole", async () => {
    const big = "x".repeat(6 * 1024 * 1024);
    const records = await collect(Buffer.from(`${big}\nsmall\n`), "text", { sizes: [65_536] });
    expect(records[0]?.text?.length).toBe(big.length);
    expect(records[1]).toMatchObject({ offset: big.length + 1, text: "small" });
  });

  it("truncates a line over the limit, tags it, and keeps later offsets exact", async () => {
    const records = await collect(Buffer.from(`${"y".repeat(100)}\nafter\n`), "text", { sizes: [7], maxLineBytes: 10 });
    expect(records[0]).toEqual({ offset: 0, nextOffset: 101, text: "y".repeat(10), tags: [TAG_TRUNCATED] });
    expect(records[1]).toEqual({ offset: 101, nextOffset: 107, text: "after" });
  });

  it("starts at a given offset (continuations of plain objects)", async () => {
    const whole = Buffer.from("one\ntwo\nthree\n");
    const records = await collect(whole.subarray(4), "text", { firstByte: 4, start: 4 });
    expect(records.map((r) => [r.offset, r.text])).toEqual([
      [4, "two"],
      [8, "three"],
    ]);
  });

  it("indexes an ndjson line that is not JSON as text, tagged", async () => {
    const records = await collect(Buffer.from('{"a":1}\nnot json at all\n{"b":2}\n'), "ndjson");
    expect(records.map((r) => r.value)).toEqual([{ a: 1 }, undefined, { b: 2 }]);
    expect(records[1]).toMatchObject({ text: "not json at all", tags: [TAG_INVALID_JSON] });
  });

  it("yields the same records and offsets however the bytes are chunked", async () => {
    const line = fc.oneof(
      fc.string({ unit: "binary" }).filter((s) => !s.includes("\n")),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.constantFrom("", "  ", "\r", "é✓𝄞"),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 30 }),
        fc.constantFrom("\n", "\r\n"),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 8 }),
        async (lines, eol, finalNewline, sizes) => {
          const bytes = Buffer.from(lines.join(eol) + (finalNewline ? eol : ""));
          const whole = await collect(bytes, "ndjson");
          const pieces = await collect(bytes, "ndjson", { sizes });
          expect(pieces).toEqual(whole);
          // Every offset points at the record's bytes in the stream.
          for (const record of whole) {
            expect(
              bytes.subarray(record.offset, record.nextOffset).toString("utf8").replace(/\n$/, "").replace(/\r$/, ""),
            ).toBe(record.text);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("json format", () => {
  it("expands a top-level array with indexes as offsets", async () => {
    const records = await collect(Buffer.from('[{"a":1},{"a":2}]'), "json");
    expect(records).toEqual([
      { offset: 0, nextOffset: 1, text: '{"a":1}', value: { a: 1 } },
      { offset: 1, nextOffset: 2, text: '{"a":2}', value: { a: 2 } },
    ]);
  });

  it("expands the records field (CloudTrail) and resumes at an index", async () => {
    const cloudTrail = JSON.stringify({ Records: [{ eventName: "A" }, { eventName: "B" }, { eventName: "C" }] });
    const records = await collect(Buffer.from(cloudTrail), "json", { recordsField: "Records", start: 1 });
    expect(records.map((r) => [r.offset, r.value])).toEqual([
      [1, { eventName: "B" }],
      [2, { eventName: "C" }],
    ]);
  });

  it("treats a document without auto's guessed records field as one record", async () => {
    expect(await collect(Buffer.from('{"single":true}'), "json", { recordsField: "Records" })).toEqual([
      { offset: 0, nextOffset: 1, text: '{"single":true}', value: { single: true } },
    ]);
  });

  it("refuses a document without the configured records field (a CloudTrail digest), naming the field", async () => {
    const digest = JSON.stringify({
      awsAccountId: "111122223333",
      digestStartTime: "2026-12-01T00:00:00Z",
      logFiles: [],
    });
    await expect(
      collect(Buffer.from(digest), "json", { recordsField: "Records", requireRecordsField: true }),
    ).rejects.toThrow(/has no array "Records" \(the producer's recordsField\)/);
    await expect(
      collect(Buffer.from(digest), "json", { recordsField: "Records", requireRecordsField: true }),
    ).rejects.toBeInstanceOf(ObjectFormatError);
    // A trail file with no events is a document with an empty Records array: nothing to index, no error.
    expect(
      await collect(Buffer.from('{"Records":[]}'), "json", { recordsField: "Records", requireRecordsField: true }),
    ).toEqual([]);
  });

  it("refuses an object that is not JSON with a format error", async () => {
    await expect(collect(Buffer.from("{ not json"), "json")).rejects.toThrow(ObjectFormatError);
  });
});

describe("auto format", () => {
  it.each([
    ['{"a":1}\n{"a":2}\n', "ndjson"],
    ['{"Records":[{"a":1}]}', "json"],
    ['[\n  {"a": 1}\n]', "json"],
    ['{\n  "Records": [\n    {"a": 1}\n  ]\n}\n', "json"],
    ["2026-11-27T10:00:00Z GET /index.html 200\n", "text"],
    ["[2026-11-27 10:00:00] INFO started\n[2026-11-27 10:00:01] INFO ready\n", "text"],
    ["[INFO] started\n", "text"],
    ['[{"a":1},\n{"a":2}]', "json"],
    ["[1, 2, 3]\n", "json"],
    ["[]", "json"],
  ])("detects %j as %s", (content, format) => {
    expect(detectFormat(Buffer.from(content))).toBe(format);
  });

  it("expands CloudTrail's Records when unconfigured", async () => {
    const records = await collect(Buffer.from('{"Records":[{"eventName":"A"},{"eventName":"B"}]}'), "auto");
    expect(records.map((r) => r.value)).toEqual([{ eventName: "A" }, { eventName: "B" }]);
  });
});

describe("gzip", () => {
  it("inflates every member of a multi-member file", async () => {
    const multi = Buffer.concat([gzipSync("one\ntwo\n"), gzipSync("three\n"), gzipSync("")]);
    const lines: string[] = [];
    const members = new GzipMembers(
      chunked(multi, [5]),
      { compressedOffset: 0, decompressedOffset: 0 },
      { bucket: "b", key: "k" },
    );
    for await (const batch of splitLines(members.inflate()))
      lines.push(...batch.offsets.map((_, index) => batch.text(index)));
    expect(lines).toEqual(["one", "two", "three"]);
  });
});
