import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ObjectRef } from "../../../../lambda/contract/shapes";
import { continuationBody } from "../../../../lambda/queue/continuation";
import { decodeObjectKey, parseMessageBody } from "../../../../lambda/queue/notifications";
import {
  eventBridgeEvent,
  ODD_KEYS,
  s3FormEncoded,
  s3Notification,
  s3Record,
  s3TestEvent,
  snsWrapped,
} from "../../../helpers/events";

describe("parseMessageBody", () => {
  it("reads a direct S3 notification with one record", () => {
    // Act
    const parsed = parseMessageBody(
      s3Notification(s3Record("acme-waf-logs", "AWSLogs/waf.log.gz", { versionId: "v1", size: 77 })),
    );
    // Assess
    expect(parsed).toEqual({
      kind: "objects",
      source: "s3",
      objects: [
        {
          bucket: "acme-waf-logs",
          key: "AWSLogs/waf.log.gz",
          versionId: "v1",
          eTag: "d41d8cd98f00b204e9800998ecf8427e",
          size: 77,
          eventTime: "2026-11-27T10:00:00.000Z",
        },
      ],
    });
  });

  it("reads every record of a notification with many", () => {
    const parsed = parseMessageBody(
      s3Notification(s3Record("b", "one.log"), s3Record("b", "two.log"), s3Record("b", "three.log")),
    );
    expect(parsed.kind === "objects" && parsed.objects.map((o) => o.key)).toEqual(["one.log", "two.log", "three.log"]);
  });

  it("decodes keys: + is a space, %2B a plus, UTF-8 escapes", () => {
    const parsed = parseMessageBody(
      s3Notification(s3Record("b", "logs/red+flower%2B1%3A00+%C3%A9t%C3%A9+%E2%9C%93.log")),
    );
    expect(parsed.kind === "objects" && parsed.objects[0]?.key).toBe("logs/red flower+1:00 été ✓.log");
  });

  it("unwraps an SNS envelope around an S3 notification", () => {
    const parsed = parseMessageBody(snsWrapped(s3Notification(s3Record("b", "k.log"))));
    expect(parsed.kind).toBe("objects");
    expect(parsed.kind === "objects" && parsed.source).toBe("sns-s3");
  });

  // Keys that read as another key when decoded once too often, or fail to decode (issue 31).
  describe.each(ODD_KEYS)("the key %j", (key) => {
    it("is the real key from a direct notification (form-encoded by S3)", () => {
      const parsed = parseMessageBody(s3Notification(s3Record("b", s3FormEncoded(key))));
      expect(parsed).toMatchObject({ kind: "objects", source: "s3", objects: [{ key }] });
    });

    it("is the real key from an SNS-wrapped notification (form-encoded by S3)", () => {
      const parsed = parseMessageBody(snsWrapped(s3Notification(s3Record("b", s3FormEncoded(key)))));
      expect(parsed).toMatchObject({ kind: "objects", source: "sns-s3", objects: [{ key }] });
    });

    it("is the key as it came from EventBridge (not encoded)", () => {
      const parsed = parseMessageBody(eventBridgeEvent("b", key));
      expect(parsed).toMatchObject({ kind: "objects", source: "eventbridge", objects: [{ key }] });
    });
  });

  it("reads an EventBridge Object Created event", () => {
    const parsed = parseMessageBody(eventBridgeEvent("acme-alb-logs", "alb/2026/11/27/file+1.log"));
    expect(parsed).toMatchObject({
      kind: "objects",
      source: "eventbridge",
      objects: [
        {
          bucket: "acme-alb-logs",
          key: "alb/2026/11/27/file+1.log",
          versionId: "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e",
          eventTime: "2026-11-27T10:00:00Z",
        },
      ],
    });
  });

  it("reads moto's EventBridge event too: time in epoch seconds, a null version id for an unversioned bucket", () => {
    const event = JSON.parse(eventBridgeEvent("acme-trail", "AWSLogs/o-abc/x.json.gz")) as Record<string, unknown> & {
      detail: { object: Record<string, unknown> };
    };
    event.time = 1_764_237_600;
    event.detail.object["version-id"] = null;
    const parsed = parseMessageBody(JSON.stringify(event));
    expect(parsed).toMatchObject({
      kind: "objects",
      objects: [{ key: "AWSLogs/o-abc/x.json.gz", eventTime: "2025-11-27T10:00:00.000Z" }],
    });
    expect(parsed.kind === "objects" && parsed.objects[0]?.versionId).toBeUndefined();
  });

  it("refuses an EventBridge event whose epoch-seconds time no date can hold, with a reason", () => {
    const event = JSON.parse(eventBridgeEvent("acme-trail", "k.json")) as Record<string, unknown>;
    event.time = 1e20;
    expect(parseMessageBody(JSON.stringify(event))).toMatchObject({
      kind: "invalid",
      reason: expect.stringContaining("time"),
    });
  });

  it("acknowledges the s3:TestEvent, plain and SNS-wrapped, with nothing to ship", () => {
    expect(parseMessageBody(s3TestEvent())).toMatchObject({ kind: "ignore" });
    expect(parseMessageBody(snsWrapped(s3TestEvent()))).toMatchObject({ kind: "ignore" });
  });

  it("skips non-create events", () => {
    for (const eventName of ["ObjectRemoved:Delete", "ObjectRestore:Completed", "LifecycleExpiration:Delete"]) {
      expect(parseMessageBody(s3Notification(s3Record("b", "k", { eventName })))).toMatchObject({ kind: "ignore" });
    }
    expect(parseMessageBody(eventBridgeEvent("b", "k", "Object Deleted"))).toMatchObject({ kind: "ignore" });
  });

  it("ships only the created objects of a mixed notification", () => {
    const parsed = parseMessageBody(
      s3Notification(s3Record("b", "gone", { eventName: "ObjectRemoved:Delete" }), s3Record("b", "new")),
    );
    expect(parsed.kind === "objects" && parsed.objects.map((o) => o.key)).toEqual(["new"]);
  });

  it.each<[string, ObjectRef["resume"]]>([
    [
      "a line position in a gzip member",
      {
        unit: "line",
        format: "ndjson",
        byteOffset: 123_456,
        gzip: true,
        member: { compressedOffset: 9_000, decompressedOffset: 100_000 },
      },
    ],
    ["a line position in a plain object", { unit: "line", format: "text", byteOffset: 77, gzip: false }],
    ["a record index", { unit: "record", recordIndex: 1_500, gzip: true }],
  ])("reads its own continuation messages back with %s", (_case, resume) => {
    const object: ObjectRef = {
      bucket: "b",
      key: "big.log",
      eTag: '"abc"',
      eventTime: "2026-11-27T10:00:00Z",
      ...(resume ? { resume } : {}),
    };
    expect(
      parseMessageBody(continuationBody([object, { bucket: "b", key: "next.log", eventTime: "2026-11-27T10:00:00Z" }])),
    ).toEqual({
      kind: "objects",
      source: "continuation",
      objects: [object, { bucket: "b", key: "next.log", eventTime: "2026-11-27T10:00:00Z" }],
    });
  });

  it("still reads version 1 continuations (in the queue during a deploy), keeping the offset's unit open", () => {
    const body = JSON.stringify({
      s3LogShipperContinuation: {
        version: 1,
        objects: [
          { bucket: "b", key: "big.log", eTag: '"abc"', eventTime: "t", startOffset: 42, gzip: true },
          { bucket: "b", key: "n", eventTime: "t", startOffset: 0 },
        ],
      },
    });
    expect(parseMessageBody(body)).toEqual({
      kind: "objects",
      source: "continuation",
      objects: [
        { bucket: "b", key: "big.log", eTag: '"abc"', eventTime: "t", resume: { unit: "v1", offset: 42, gzip: true } },
        { bucket: "b", key: "n", eventTime: "t" },
      ],
    });
  });

  it('drops the version id "null" of objects written while versioning is suspended', () => {
    const parsed = parseMessageBody(s3Notification(s3Record("b", "k.log", { versionId: "null", eTag: "e1" })));
    expect(parsed.kind === "objects" && parsed.objects[0]).toEqual({
      bucket: "b",
      key: "k.log",
      eTag: "e1",
      size: 1024,
      eventTime: "2026-11-27T10:00:00.000Z",
    });
  });

  it.each([
    ["not JSON", "hello world", "body is not JSON"],
    ["a JSON array", "[1,2]", "not a JSON object"],
    ["an unknown object", JSON.stringify({ foo: "bar" }), "not an S3 notification"],
    ["empty Records", JSON.stringify({ Records: [] }), "Records is not a non-empty array"],
    [
      "a record without s3",
      JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", eventTime: "t" }] }),
      "Records[0]",
    ],
    [
      "an SNS message that is not JSON",
      JSON.stringify({ Type: "Notification", Message: "plain text" }),
      "SNS Message is not JSON",
    ],
    ["a malformed key escape", s3Notification(s3Record("b", "bad%E0%A4%A.log")), "malformed URL-encoded key"],
    [
      "a malformed continuation",
      JSON.stringify({ s3LogShipperContinuation: { version: 1, objects: [{ bucket: "b" }] } }),
      "malformed continuation",
    ],
  ])("refuses %s with a reason and the start of the body", (_name, body, reason) => {
    const parsed = parseMessageBody(body);
    expect(parsed.kind).toBe("invalid");
    expect(parsed.kind === "invalid" && parsed.reason).toContain(reason);
    expect(parsed.kind === "invalid" && parsed.reason).toContain(body.slice(0, 20));
  });

  it("never throws and always classifies, whatever the body", () => {
    const bodies = fc.oneof(
      fc.string(),
      fc.json(),
      fc.jsonValue().map((value) => JSON.stringify({ Records: [value] })),
      fc.jsonValue().map((value) => JSON.stringify({ Type: "Notification", Message: JSON.stringify(value) })),
      fc
        .record({ "detail-type": fc.string(), source: fc.constant("aws.s3"), detail: fc.jsonValue() })
        .map((v) => JSON.stringify(v)),
    );
    fc.assert(
      fc.property(bodies, (body) => {
        const parsed = parseMessageBody(body);
        return ["objects", "ignore", "invalid"].includes(parsed.kind);
      }),
      { numRuns: 2_000 },
    );
  });
});

describe("decodeObjectKey", () => {
  it("round-trips any key encoded the way S3 encodes it", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1 }), (key) => {
        const encoded = encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
        return decodeObjectKey(encoded) === key;
      }),
    );
  });
});
