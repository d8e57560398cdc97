/**
 * Classifies an SQS message body. Returns a tagged result for every input and never throws:
 * an unrecognised body is `invalid` (the message fails, is retried and ends in the DLQ with a
 * log line), never silently dropped — the most-reported bug of other S3 shippers.
 */
import * as z from "zod/mini";
import type { ObjectRef, ParsedMessage } from "../contract/shapes";
import { CONTINUATION_KEY, continuationObjects, continuationSchema } from "./continuation";
import { realVersion } from "../read/objectIdentity";

/** How much of an unrecognised body a log line shows. */
export const BODY_PREVIEW_CHARS = 300;

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
const nonEmpty = () => z.string().check(z.minLength(1));

const s3RecordSchema = z.object({
  eventSource: z.optional(z.string()),
  eventName: z.string(),
  eventTime: z.string(),
  s3: z.object({
    bucket: z.object({ name: nonEmpty() }),
    object: z.object({
      key: nonEmpty(),
      size: z.optional(z.number()),
      eTag: z.optional(z.string()),
      versionId: z.optional(z.string()),
    }),
  }),
});
const s3NotificationSchema = z.object({ Records: z.array(z.unknown()).check(z.minLength(1)) });

// The test event S3 sends when a notification configuration is put (same page as above).
const s3TestEventSchema = z.object({ Event: z.literal("s3:TestEvent") });

// https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html
const snsEnvelopeSchema = z.object({ Type: z.literal("Notification"), Message: z.string() });

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html
const eventBridgeSchema = z.object({
  "detail-type": z.string(),
  source: z.literal("aws.s3"),
  // AWS sends ISO 8601; moto epoch seconds (docs/development.md "Local services"): both are the event's time.
  // Bounded to what a Date holds, so a hostile number is refused here, not thrown later.
  time: z.union([z.string(), z.number().check(z.gte(0), z.lte(8.64e12))]),
  detail: z.object({
    bucket: z.object({ name: nonEmpty() }),
    object: z.object({
      key: nonEmpty(),
      size: z.optional(z.number()),
      etag: z.optional(z.string()),
      // Absent for an unversioned bucket (moto sends null).
      "version-id": z.optional(z.nullable(z.string())),
    }),
  }),
});

/** Parses one SQS message body into the objects to ship, or says why there are none. */
export function parseMessageBody(body: string): ParsedMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return invalid("body is not JSON", body);
  }
  return classify(json, body, false);
}

function classify(json: unknown, body: string, viaSns: boolean): ParsedMessage {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return invalid("body is not a JSON object", body);
  }

  const sns = snsEnvelopeSchema.safeParse(json);
  if (sns.success) {
    if (viaSns) return invalid("SNS envelope inside an SNS envelope", body);
    let inner: unknown;
    try {
      inner = JSON.parse(sns.data.Message);
    } catch {
      return invalid("SNS Message is not JSON", body);
    }
    return classify(inner, body, true);
  }

  if (s3TestEventSchema.safeParse(json).success) {
    return { kind: "ignore", reason: "s3:TestEvent (sent when a notification configuration is saved)" };
  }

  if ("Records" in json) return fromS3Records(json, body, viaSns);

  if ("detail-type" in json) return fromEventBridge(json, body);

  if (CONTINUATION_KEY in json) {
    const continuation = continuationSchema.safeParse(json);
    if (!continuation.success) return invalid(`malformed continuation: ${firstIssue(continuation.error)}`, body);
    return { kind: "objects", objects: continuationObjects(continuation.data), source: "continuation" };
  }

  return invalid("not an S3 notification, SNS envelope, EventBridge event or continuation", body);
}

function fromS3Records(json: object, body: string, viaSns: boolean): ParsedMessage {
  const envelope = s3NotificationSchema.safeParse(json);
  if (!envelope.success) return invalid(`Records is not a non-empty array`, body);

  const objects: ObjectRef[] = [];
  const skipped: string[] = [];
  for (const [index, candidate] of envelope.data.Records.entries()) {
    const record = s3RecordSchema.safeParse(candidate);
    if (!record.success)
      return invalid(`Records[${index}] is not an S3 event record: ${firstIssue(record.error)}`, body);
    const { eventName, eventTime, s3 } = record.data;
    if (!eventName.startsWith("ObjectCreated:")) {
      skipped.push(eventName);
      continue;
    }
    const key = decodeObjectKey(s3.object.key);
    if (key === undefined) return invalid(`Records[${index}] has a malformed URL-encoded key`, body);
    objects.push({
      bucket: s3.bucket.name,
      key,
      ...realVersion(s3.object.versionId),
      ...(s3.object.eTag ? { eTag: s3.object.eTag } : {}),
      ...(s3.object.size !== undefined ? { size: s3.object.size } : {}),
      eventTime,
    });
  }
  if (objects.length === 0) return { kind: "ignore", reason: `no ObjectCreated record (${skipped.join(", ")})` };
  return { kind: "objects", objects, source: viaSns ? "sns-s3" : "s3" };
}

function fromEventBridge(json: object, body: string): ParsedMessage {
  const event = eventBridgeSchema.safeParse(json);
  if (!event.success) return invalid(`not an S3 EventBridge event: ${firstIssue(event.error)}`, body);
  const { detail, time } = event.data;
  if (event.data["detail-type"] !== "Object Created") {
    return { kind: "ignore", reason: `EventBridge ${event.data["detail-type"]}` };
  }
  // Taken as it is, unlike a direct notification's key (fromS3Records). S3 documents the encoding
  // for the notifications it sends to SQS, SNS and Lambda only ("The object key name value is URL
  // encoded", https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html);
  // its EventBridge page describes `detail.object.key` with no encoding and shows plain keys
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html), and EventBridge rules
  // match `prefix`/`wildcard` patterns against that same value. moto agrees: quote_plus(key) for
  // notifications, the key itself for EventBridge (moto/s3/notifications.py). Decoding it read
  // `a+b.log` as `a b.log` — another object, or NoSuchKey — so an odd key never shipped (issue 31).
  const key = detail.object.key;
  return {
    kind: "objects",
    source: "eventbridge",
    objects: [
      {
        bucket: detail.bucket.name,
        key,
        ...realVersion(detail.object["version-id"] ?? undefined),
        ...(detail.object.etag ? { eTag: detail.object.etag } : {}),
        ...(detail.object.size !== undefined ? { size: detail.object.size } : {}),
        eventTime: typeof time === "number" ? new Date(time * 1000).toISOString() : time,
      },
    ],
  };
}

/**
 * Decodes the key of a direct (or SNS-wrapped) S3 notification: form encoding, so `+` is a space
 * and `%2B` a plus, UTF-8 percent escapes. Returns undefined for a malformed escape instead of
 * throwing. Not for EventBridge events, whose keys are not encoded (fromEventBridge).
 */
export function decodeObjectKey(encoded: string): string | undefined {
  try {
    return decodeURIComponent(encoded.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

function invalid(reason: string, body: string): ParsedMessage {
  return { kind: "invalid", reason: `${reason}; body starts: ${body.slice(0, BODY_PREVIEW_CHARS)}` };
}

function firstIssue(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  const issue = error.issues[0];
  if (!issue) return "unknown shape";
  return `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`;
}
