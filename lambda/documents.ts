/**
 * Builds Elasticsearch documents from log records: ECS fields, `@timestamp`, and a deterministic
 * `_id`. At-least-once delivery plus ids derived only from (bucket, key, object version, offset)
 * makes documents exactly-once: a redelivery reproduces the same ids and `create` answers 409.
 */
import { createHash } from "node:crypto";
import { isPlainObject } from "./records";
import type { LogRecord, PreparedDocument } from "./types";

export const TAG_TIMESTAMP_FALLBACK = "_shipper_timestamp_fallback";

/** What every document of one object shares. */
export interface ObjectContext {
  bucket: string;
  key: string;
  /** Version id, else ETag, of the object actually read. */
  identity: string;
  region: string;
  /** ISO 8601 time of the notification; `@timestamp` when no timestamp field gives one. */
  eventTime: string;
  timestampField?: string;
  /** ISO 8601 time the object was read: `event.ingested`. */
  ingested: string;
}

/** Deterministic document id: same object version and offset, same id. */
export function documentId(bucket: string, key: string, identity: string, offset: number): string {
  return createHash("sha256").update(`${bucket}\n${key}\n${identity}\n${offset}`).digest("base64url");
}

/** Builds the document for one record. Never throws: odd input becomes a tagged document. */
export function buildDocument(record: LogRecord, context: ObjectContext): PreparedDocument {
  const tags = record.tags ? [...record.tags] : [];
  const raw = record.text ?? JSON.stringify(record.value) ?? "null";
  // Objects are indexed as they are; anything else (text, a non-JSON line, a JSON scalar) as `message`.
  const document: Record<string, unknown> = isPlainObject(record.value) ? record.value : { message: raw };

  const timestamp = context.timestampField ? parseTimestamp(valueAt(document, context.timestampField)) : undefined;
  if (context.timestampField && timestamp === undefined) tags.push(TAG_TIMESTAMP_FALLBACK);

  let conflict = false;
  const setIn = (namespace: string, fields: Record<string, unknown>): void => {
    const existing = document[namespace];
    if (existing === undefined || isPlainObject(existing)) {
      document[namespace] = deepAssign(existing ?? {}, fields);
    } else {
      conflict = true; // the log uses an ECS namespace as a scalar; event.original keeps it
      document[namespace] = fields;
    }
  };
  document["@timestamp"] = timestamp ?? context.eventTime;
  setIn("log", { file: { path: `s3://${context.bucket}/${context.key}` }, offset: record.offset });
  setIn("aws", { s3: { bucket: { name: context.bucket }, object: { key: context.key } } });
  setIn("cloud", { provider: "aws", region: context.region });
  setIn("event", { ingested: context.ingested });
  if (conflict) setIn("event", { original: raw });
  if (tags.length > 0) {
    const existing = document.tags;
    document.tags = Array.isArray(existing) ? [...(existing as unknown[]), ...tags] : tags;
  }

  return {
    id: documentId(context.bucket, context.key, context.identity, record.offset),
    source: JSON.stringify(document),
    offset: record.offset,
    raw,
  };
}

function deepAssign(target: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  for (const [name, value] of Object.entries(fields)) {
    const existing = target[name];
    target[name] = isPlainObject(value) && isPlainObject(existing) ? deepAssign(existing, value) : value;
  }
  return target;
}

/** Reads a field by name, first as a literal key (`"a.b"`), then as a dotted path. */
export function valueAt(document: Record<string, unknown>, field: string): unknown {
  if (field in document) return document[field];
  let current: unknown = document;
  for (const part of field.split(".")) {
    if (!isPlainObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

/** Epoch values below this are seconds, above it milliseconds (1e11 s is the year 5138). */
const EPOCH_SECONDS_LIMIT = 1e11;

/** Parses ISO 8601 or epoch seconds/milliseconds (number or numeric string) into ISO 8601. */
export function parseTimestamp(value: unknown): string | undefined {
  let millis: number;
  if (typeof value === "number") {
    millis = Math.abs(value) < EPOCH_SECONDS_LIMIT ? value * 1000 : value;
  } else if (typeof value === "string" && /^\d+(\.\d+)?$/.test(value.trim())) {
    const number = Number(value);
    millis = number < EPOCH_SECONDS_LIMIT ? number * 1000 : number;
  } else if (typeof value === "string" && value.trim().length > 0) {
    millis = Date.parse(value);
  } else {
    return undefined;
  }
  if (!Number.isFinite(millis)) return undefined;
  const date = new Date(millis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
