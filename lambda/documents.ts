/**
 * Builds Elasticsearch documents from log records: ECS fields, `@timestamp`, and a deterministic
 * `_id`. At-least-once delivery plus ids derived only from (bucket, key, object version, offset)
 * makes documents exactly-once: a redelivery reproduces the same ids and `create` answers 409.
 *
 * Hot path: a JSON line whose top level has none of the fields we add is not re-serialised; the
 * ECS fields (mostly fixed per object, so pre-serialised once) are spliced in front of its own
 * text. Everything else — text lines, tags, clashing fields — takes the general path.
 */
import { createHash } from "node:crypto";
import { isPlainObject } from "./records";
import type { DocumentRef, LogRecord, PreparedDocument } from "./types";

export const TAG_TIMESTAMP_FALLBACK = "_shipper_timestamp_fallback";

/** Top-level fields the shipper writes; a log that has one of them takes the merging path. */
const RESERVED_FIELDS = ["@timestamp", "log", "aws", "cloud", "event", "tags"] as const;

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

/** Length of the per-object part of an id: 22 base64url characters = 132 bits of SHA-256. */
const OBJECT_ID_LENGTH = 22;

/**
 * The per-object part of every document id: a hash of bucket, key and object version. The id is
 * this followed by the record's offset in base 36 — one hash per object instead of one per line,
 * unique within the object because offsets are, and ids of one object share a prefix, which
 * Lucene looks up faster than random ids.
 */
export function objectIdPrefix(bucket: string, key: string, identity: string): string {
  return createHash("sha256").update(`${bucket}\n${key}\n${identity}`).digest("base64url").slice(0, OBJECT_ID_LENGTH);
}

/** Deterministic document id: same object version (prefix) and offset, same id. */
export function documentId(objectPrefix: string, offset: number): string {
  return objectPrefix + offset.toString(36);
}

/** Builds documents for one object. */
export class DocumentBuilder {
  private readonly idPrefix: string;
  private readonly eventTimeJson: string;
  private readonly ecsBeforeOffset: string;
  private readonly ecsAfterOffset: string;

  constructor(private readonly context: ObjectContext) {
    this.idPrefix = objectIdPrefix(context.bucket, context.key, context.identity);
    this.eventTimeJson = JSON.stringify(context.eventTime);
    const path = JSON.stringify(`s3://${context.bucket}/${context.key}`);
    this.ecsBeforeOffset = `,"log":{"file":{"path":${path}},"offset":`;
    this.ecsAfterOffset =
      `},"aws":{"s3":{"bucket":{"name":${JSON.stringify(context.bucket)}},"object":{"key":${JSON.stringify(context.key)}}}}` +
      `,"cloud":{"provider":"aws","region":${JSON.stringify(context.region)}},"event":{"ingested":${JSON.stringify(context.ingested)}}`;
  }

  /** Builds the document for one record. Never throws: odd input becomes a tagged document. */
  build(record: LogRecord): PreparedDocument {
    const id = documentId(this.idPrefix, record.offset);
    const value = record.value;
    if (record.tags === undefined) {
      if (record.text !== undefined && isPlainObject(value) && !hasReservedField(value)) {
        const timestamp = this.timestampJson(value);
        if (timestamp !== undefined) {
          const text = record.text.trim();
          const fields = text.slice(1, -1);
          const rest = fields.trim().length > 0 ? `,${fields}` : "";
          // `record` rides along so a refusal can be rebuilt by merging (see rebuild).
          return { id, offset: record.offset, record, source: `{"@timestamp":${timestamp}${this.ecsBeforeOffset}${record.offset}${this.ecsAfterOffset}${rest}}` };
        }
      } else if (value === undefined && record.text !== undefined) {
        return { id, offset: record.offset, record, source: `{"message":${JSON.stringify(record.text)},"@timestamp":${this.eventTimeJson}${this.ecsBeforeOffset}${record.offset}${this.ecsAfterOffset}}` };
      }
    }
    return { id, offset: record.offset, record, source: this.mergedSource(record) };
  }

  /**
   * The general path: parse-and-merge. Also used to rebuild a spliced document Elasticsearch
   * refused (a line with duplicate keys is valid for JSON.parse but not for Elasticsearch).
   */
  mergedSource(record: LogRecord): string {
    const raw = rawText(record);
    const tags = record.tags ? [...record.tags] : [];
    // Objects are indexed as they are; anything else (text, a non-JSON line, a JSON scalar) as `message`.
    const document: Record<string, unknown> = isPlainObject(record.value) ? { ...record.value } : { message: raw };
    const { context } = this;
    // A timestamp field only means something inside a JSON object; text lines take the event time.
    const fromField = Boolean(context.timestampField) && isPlainObject(record.value);
    const timestamp = fromField && context.timestampField ? parseTimestamp(valueAt(document, context.timestampField)) : undefined;
    if (fromField && timestamp === undefined) tags.push(TAG_TIMESTAMP_FALLBACK);

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
    return JSON.stringify(document);
  }

  /**
   * Rebuilds a spliced document by merging, when Elasticsearch refused the splice for a reason
   * merging fixes (duplicate keys in the line: JSON.parse keeps the last, Elasticsearch refuses).
   */
  rebuild(document: DocumentRef, reason: string): string | undefined {
    const { record } = document;
    // Only a spliced line (JSON object text) can carry duplicate keys; merged sources cannot.
    if (record.text === undefined || !isPlainObject(record.value) || !/duplicate field/i.test(reason)) return undefined;
    return this.mergedSource(record);
  }

  /** `@timestamp` as JSON for the hot path, or undefined when the field does not parse (general path tags it). */
  private timestampJson(value: Record<string, unknown>): string | undefined {
    if (!this.context.timestampField) return this.eventTimeJson;
    const timestamp = parseTimestamp(valueAt(value, this.context.timestampField));
    return timestamp === undefined ? undefined : `"${timestamp}"`;
  }
}

/**
 * The record as it was in the object: the line, or the JSON of a json record. Computed only when
 * a document fails (dead letter, `event.original`), never on the hot path.
 */
export function rawText(record: LogRecord): string {
  return record.text ?? JSON.stringify(record.value) ?? "null";
}

function hasReservedField(value: Record<string, unknown>): boolean {
  for (const field of RESERVED_FIELDS) if (value[field] !== undefined) return true;
  return false;
}

function deepAssign(target: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  for (const [name, value] of Object.entries(fields)) {
    const existing = target[name];
    target[name] = isPlainObject(value) && isPlainObject(existing) ? deepAssign({ ...existing }, value) : value;
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
