/**
 * The fields of a JSON log record, as the document builder needs them: reading one by name, its
 * time, whether the record already has fields the shipper writes, merging ours into it, and the
 * record's own text when a document fails. Pure, and apart from the builder's hot path.
 */
import { isPlainObject } from "../contract/plainObjects";
import type { LogRecord } from "../contract/shapes";

/** Top-level fields the shipper writes; a log that has one of them takes the merging path. */
const RESERVED_FIELDS = ["@timestamp", "log", "aws", "cloud", "event", "tags", "data_stream"] as const;

/**
 * The record as it was in the object: the line, or the JSON of a json record. Computed only when
 * a document fails (dead letter, `event.original`), never on the hot path.
 */
export function rawText(record: LogRecord): string {
  return record.text ?? JSON.stringify(record.value) ?? "null";
}

export function hasReservedField(value: Record<string, unknown>): boolean {
  for (const field of RESERVED_FIELDS) if (value[field] !== undefined) return true;
  return false;
}

export function deepAssign(target: Record<string, unknown>, fields: Record<string, unknown>): Record<string, unknown> {
  for (const [name, value] of Object.entries(fields)) {
    const existing = target[name];
    target[name] = isPlainObject(value) && isPlainObject(existing) ? deepAssign({ ...existing }, value) : value;
  }
  return target;
}

/** A JSON object's text after its opening brace, as members to follow ours: `,"a":1}`, or `}` when it has none. */
export function membersAfterOurs(objectText: string): string {
  const object = objectText.trim();
  let first = 1;
  while (first < object.length && object.charCodeAt(first) <= 0x20) first += 1;
  return object.charCodeAt(first) === 0x7d ? "}" : `,${object.substring(1)}`;
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
