import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DocumentBuilder, type ObjectContext } from "../../../../lambda/documents/builder";
import { parseTimestamp } from "../../../../lambda/documents/jsonFields";
import { documentId, objectIdPrefix } from "../../../../lambda/documents/ids";
import { TAG_INVALID_JSON, TAG_TIMESTAMP_FALLBACK } from "../../../../lambda/contract/tags";
import type { DocumentSink } from "../../../../lambda/contract/sink";
import type { LineFormat } from "../../../../lambda/contract/formats";
import { readRecords } from "../../../../lambda/read/records";
import type { PreparedDocument } from "../../../../lambda/contract/shapes";

const build = (record: Parameters<DocumentBuilder["build"]>[0], objectContext: ObjectContext) =>
  new DocumentBuilder(objectContext).build(record);

const context: ObjectContext = {
  bucket: "acme-waf-logs",
  key: "AWSLogs/waf.log",
  identity: '"etag-1"',
  region: "eu-west-1",
  eventTime: "2026-11-27T10:00:00.000Z",
  ingested: "2026-11-27T10:00:05.000Z",
};

describe("buildDocument", () => {
  it("adds the ECS fields to a JSON line and keeps its own fields", () => {
    // Act
    const value = { action: "BLOCK", httpRequest: { clientIp: "198.51.100.7" } };
    const document = build({ offset: 42, nextOffset: 80, text: JSON.stringify(value), value }, context);
    // Assess
    expect(JSON.parse(document.source)).toEqual({
      action: "BLOCK",
      httpRequest: { clientIp: "198.51.100.7" },
      "@timestamp": "2026-11-27T10:00:00.000Z",
      log: { file: { path: "s3://acme-waf-logs/AWSLogs/waf.log" }, offset: 42 },
      aws: { s3: { bucket: { name: "acme-waf-logs" }, object: { key: "AWSLogs/waf.log" } } },
      cloud: { provider: "aws", region: "eu-west-1" },
      event: { ingested: "2026-11-27T10:00:05.000Z" },
    });
    expect(document.id).toBe(documentId(objectIdPrefix("acme-waf-logs", "AWSLogs/waf.log", '"etag-1"'), 42));
    expect(document.offset).toBe(42);
  });

  it("puts a text line in message", () => {
    const document = JSON.parse(build({ offset: 0, nextOffset: 10, text: "GET / 200" }, context).source);
    expect(document.message).toBe("GET / 200");
  });

  it("keeps an invalid ndjson line as message with its tag", () => {
    const document = JSON.parse(
      build({ offset: 0, nextOffset: 5, text: "oops", tags: [TAG_INVALID_JSON] }, context).source,
    );
    expect(document).toMatchObject({ message: "oops", tags: [TAG_INVALID_JSON] });
  });

  it("merges into a log's own ECS objects and keeps a clashing scalar in event.original", () => {
    const merged = JSON.parse(
      build({ offset: 0, nextOffset: 1, text: "", value: { event: { action: "login" } } }, context).source,
    );
    expect(merged.event).toEqual({ action: "login", ingested: "2026-11-27T10:00:05.000Z" });

    const raw = '{"log":"a plain string"}';
    const clashing = JSON.parse(
      build({ offset: 0, nextOffset: 1, text: raw, value: { log: "a plain string" } }, context).source,
    );
    expect(clashing.log.offset).toBe(0);
    expect(clashing.event.original).toBe(raw);
  });

  it("takes @timestamp from the timestamp field, or falls back to the event time with a tag", () => {
    const withField = { ...context, timestampField: "meta.time" };
    expect(
      JSON.parse(build({ offset: 0, nextOffset: 1, value: { meta: { time: 1764237600 } } }, withField).source)[
        "@timestamp"
      ],
    ).toBe("2025-11-27T10:00:00.000Z");
    const fallback = JSON.parse(build({ offset: 0, nextOffset: 1, value: { meta: {} } }, withField).source);
    expect(fallback["@timestamp"]).toBe(context.eventTime);
    expect(fallback.tags).toEqual([TAG_TIMESTAMP_FALLBACK]);
  });
});

/** What the builder hands the indexer, appended as bulk lines (`hot`) or as a built string. */
class RecordingSink implements DocumentSink {
  readonly documents: Array<{ id: string; offset: number; source: string; hot: boolean }> = [];
  // Little room, so a batch is handed over in several parts.
  readonly roomDocuments = 3;
  readonly roomBytes = 64 * 1024;

  add(document: PreparedDocument): undefined {
    this.documents.push({ id: document.id, offset: document.offset, source: document.source, hot: false });
    return undefined;
  }

  actionLine(id: string): string {
    return `${id}\n`;
  }

  appendLines(lines: string, offsets: number[], ends: number[]): undefined {
    expect(offsets.length).toBeLessThanOrEqual(this.roomDocuments);
    let start = 0;
    ends.forEach((end, position) => {
      const [id = "", source = ""] = lines.slice(start, end - 1).split("\n");
      // A byte string: its characters are the document's UTF-8 bytes.
      this.documents.push({
        id,
        offset: offsets[position] ?? -1,
        source: Buffer.from(source, "latin1").toString("utf8"),
        hot: true,
      });
      start = end;
    });
    return undefined;
  }
}

/** Runs `content` through the reader and the builder's line path. */
async function appendLines(
  builder: DocumentBuilder,
  content: Buffer,
  format: LineFormat,
): Promise<RecordingSink["documents"]> {
  const sink = new RecordingSink();
  async function* once(): AsyncGenerator<Buffer> {
    yield content;
  }
  for await (const batch of readRecords(once(), { format, firstByte: 0, bucket: context.bucket, key: context.key })) {
    if (batch.kind !== "lines") throw new Error("expected lines");
    await builder.appendLines(batch.format, batch.lines, sink);
  }
  return sink.documents;
}

describe("the hot path", () => {
  it("gives the same document as parsing and merging, for any JSON object line", async () => {
    const builder = new DocumentBuilder({ ...context, timestampField: "ts" });
    const line = fc
      .dictionary(
        fc.string().filter((k) => k !== "__proto__"),
        fc.jsonValue(),
        { maxKeys: 6 },
      )
      .chain((value) =>
        fc.record({
          value: fc.constant(value),
          ts: fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: undefined }),
          pad: fc.constantFrom("", " ", "\t "),
        }),
      );
    let hot = 0;
    await fc.assert(
      fc.asyncProperty(line, async ({ value, ts, pad }) => {
        const object = ts === undefined ? value : { ...value, ts };
        const text = `${pad}${JSON.stringify(object, null, ts !== undefined && ts % 2 === 0 ? 1 : undefined).replace(/\n/g, " ")}${pad}`;
        const [document] = await appendLines(builder, Buffer.from(`${text}\n`), "ndjson");
        const merged = builder.mergedSource({ offset: 0, nextOffset: 0, text, value: JSON.parse(text) as unknown });
        expect(JSON.parse(document?.source ?? "") as unknown).toEqual(JSON.parse(merged));
        if (document?.hot) hot += 1;
      }),
      { numRuns: 500 },
    );
    // Lines without a usable `ts`, or with a field the shipper writes, took the general path.
    expect(hot).toBeGreaterThan(100);
  });

  it("writes a text line exactly as JSON.stringify would, for any valid UTF-8", async () => {
    const builder = new DocumentBuilder(context);
    const text = fc
      .string({ unit: "binary", minLength: 1 })
      .filter(
        (s) =>
          !s.includes("\n") &&
          s.trim().length > 0 &&
          s === s.trimStart() &&
          Buffer.from(s).toString() === s &&
          !s.endsWith("\r"),
      );
    await fc.assert(
      fc.asyncProperty(text, async (line) => {
        const [document] = await appendLines(builder, Buffer.from(`${line}\n`), "text");
        expect(document?.hot).toBe(true);
        expect(document?.source).toBe(builder.mergedSource({ offset: 0, nextOffset: 0, text: line }));
      }),
      { numRuns: 500 },
    );
  });

  it("takes the general path for invalid UTF-8, which becomes U+FFFD", async () => {
    const builder = new DocumentBuilder(context);
    const documents = await appendLines(builder, Buffer.from([0x61, 0xff, 0x62, 0x0a, 0x63, 0x0a]), "text");
    expect(documents.map((d) => [d.hot, JSON.parse(d.source).message])).toEqual([
      [false, "a\uFFFDb"],
      [false, "c"],
    ]);
  });

  it("recovers a refused line's record from its source, and rebuilds duplicate keys by merging", async () => {
    const builder = new DocumentBuilder(context);
    const [spliced] = await appendLines(builder, Buffer.from('{"a":1,"a":2}\n'), "ndjson");
    const [text] = await appendLines(builder, Buffer.from('GET / "quoted" \\ 200\n'), "text");
    expect(spliced?.source).toContain('"a":1,"a":2');
    const record = builder.recoverRecord(Buffer.from(spliced?.source ?? ""), 0);
    expect(record).toMatchObject({ text: '{"a":1,"a":2}', value: { a: 2 } });
    const rebuilt = builder.rebuild({ id: spliced?.id ?? "", offset: 0, record }, "Duplicate field 'a'");
    expect(JSON.parse(rebuilt ?? "{}")).toMatchObject({ a: 2, log: { offset: 0 } });
    expect(rebuilt).not.toContain('"a":1');
    // Other refusals are not fixed by merging.
    expect(
      builder.rebuild({ id: spliced?.id ?? "", offset: 0, record }, "failed to parse field [a] of type [long]"),
    ).toBeUndefined();

    // A text line comes back exactly, and cannot have duplicate keys.
    expect(text?.hot).toBe(true);
    const textRecord = builder.recoverRecord(Buffer.from(text?.source ?? ""), 14);
    expect(textRecord.text).toBe('GET / "quoted" \\ 200');
    expect(
      builder.rebuild({ id: text?.id ?? "", offset: 14, record: textRecord }, "Duplicate field 'a'"),
    ).toBeUndefined();

    // A source it cannot read back is kept whole: a failure path must not throw the line away.
    expect(builder.recoverRecord(Buffer.from('{"@timestamp":"x","cut'), 3)).toEqual({
      offset: 3,
      nextOffset: 3,
      text: '{"@timestamp":"x","cut',
    });
  });
});

describe("documentId", () => {
  it("is the same for a redelivery and different for another version or offset", () => {
    const id = documentId(objectIdPrefix("b", "k", "v1"), 10);
    expect(documentId(objectIdPrefix("b", "k", "v1"), 10)).toBe(id);
    expect(documentId(objectIdPrefix("b", "k", "v2"), 10)).not.toBe(id);
    expect(documentId(objectIdPrefix("b", "k", "v1"), 11)).not.toBe(id);
    expect(documentId(objectIdPrefix("b", "k2", "v1"), 10)).not.toBe(id);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}[0-9a-z]+$/);
  });
});

describe("parseTimestamp", () => {
  it.each([
    ["2026-11-27T10:00:00Z", "2026-11-27T10:00:00.000Z"],
    ["2026-11-27T11:00:00+01:00", "2026-11-27T10:00:00.000Z"],
    [1764237600, "2025-11-27T10:00:00.000Z"],
    [1764237600123, "2025-11-27T10:00:00.123Z"],
    ["1764237600", "2025-11-27T10:00:00.000Z"],
    ["1764237600.5", "2025-11-27T10:00:00.500Z"],
  ])("parses %j", (input, expected) => {
    expect(parseTimestamp(input)).toBe(expected);
  });

  it.each([[undefined], [null], [""], ["yesterday"], [{}], [Number.NaN]])("refuses %j", (input) => {
    expect(parseTimestamp(input)).toBeUndefined();
  });
});
