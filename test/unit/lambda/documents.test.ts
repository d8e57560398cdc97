import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { documentId, DocumentBuilder, objectIdPrefix, parseTimestamp, TAG_TIMESTAMP_FALLBACK, type ObjectContext } from "../../../lambda/documents";
import { TAG_INVALID_JSON } from "../../../lambda/records";

const build = (record: Parameters<DocumentBuilder["build"]>[0], objectContext: ObjectContext) => new DocumentBuilder(objectContext).build(record);

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
    const document = JSON.parse(build({ offset: 0, nextOffset: 5, text: "oops", tags: [TAG_INVALID_JSON] }, context).source);
    expect(document).toMatchObject({ message: "oops", tags: [TAG_INVALID_JSON] });
  });

  it("merges into a log's own ECS objects and keeps a clashing scalar in event.original", () => {
    const merged = JSON.parse(build({ offset: 0, nextOffset: 1, text: "", value: { event: { action: "login" } } }, context).source);
    expect(merged.event).toEqual({ action: "login", ingested: "2026-11-27T10:00:05.000Z" });

    const raw = '{"log":"a plain string"}';
    const clashing = JSON.parse(build({ offset: 0, nextOffset: 1, text: raw, value: { log: "a plain string" } }, context).source);
    expect(clashing.log.offset).toBe(0);
    expect(clashing.event.original).toBe(raw);
  });

  it("takes @timestamp from the timestamp field, or falls back to the event time with a tag", () => {
    const withField = { ...context, timestampField: "meta.time" };
    expect(JSON.parse(build({ offset: 0, nextOffset: 1, value: { meta: { time: 1764237600 } } }, withField).source)["@timestamp"]).toBe("2025-11-27T10:00:00.000Z");
    const fallback = JSON.parse(build({ offset: 0, nextOffset: 1, value: { meta: {} } }, withField).source);
    expect(fallback["@timestamp"]).toBe(context.eventTime);
    expect(fallback.tags).toEqual([TAG_TIMESTAMP_FALLBACK]);
  });
});

describe("the spliced hot path", () => {
  it("gives the same document as parsing and merging, for any JSON object line", () => {
    const builder = new DocumentBuilder({ ...context, timestampField: "ts" });
    const line = fc
      .dictionary(fc.string().filter((k) => k !== "__proto__"), fc.jsonValue(), { maxKeys: 6 })
      .chain((value) => fc.record({ value: fc.constant(value), ts: fc.option(fc.integer({ min: 0, max: 2_000_000_000 }), { nil: undefined }), pad: fc.constantFrom("", " ", "  ") }));
    fc.assert(
      fc.property(line, ({ value, ts, pad }) => {
        const object = ts === undefined ? value : { ...value, ts };
        const text = `${pad}${JSON.stringify(object)}${pad}`;
        const record = { offset: 7, nextOffset: 9, text, value: JSON.parse(text) as unknown };
        const fast = JSON.parse(builder.build(record).source) as unknown;
        const merged = JSON.parse(builder.mergedSource(record)) as unknown;
        expect(fast).toEqual(merged);
      }),
      { numRuns: 500 },
    );
  });

  it("rebuilds a line Elasticsearch refused for duplicate keys, by merging", () => {
    const builder = new DocumentBuilder(context);
    const text = '{"a":1,"a":2}';
    const document = builder.build({ offset: 0, nextOffset: 14, text, value: JSON.parse(text) as unknown });
    expect(document.source).toContain('"a":1,"a":2');
    const rebuilt = builder.rebuild(document, "Duplicate field 'a'");
    // A text line cannot have been spliced: nothing to rebuild.
    expect(builder.rebuild(builder.build({ offset: 0, nextOffset: 5, text: "text" }), "Duplicate field 'a'")).toBeUndefined();
    expect(JSON.parse(rebuilt ?? "{}")).toMatchObject({ a: 2 });
    expect(rebuilt).not.toContain('"a":1');
    expect(builder.rebuild(document, "failed to parse field [a] of type [long]")).toBeUndefined();
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
