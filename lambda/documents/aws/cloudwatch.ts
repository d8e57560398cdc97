/**
 * CloudWatch Logs subscription data as Kinesis Data Firehose delivers it to S3: each document
 * (read/concatenatedJson.ts) is one subscription record — `messageType`, `owner`, `logGroup`,
 * `logStream`, `subscriptionFilters` and its `logEvents` (`id`, `timestamp` in ms, `message`).
 * A `CONTROL_MESSAGE` (CloudWatch checking the destination) holds no log. Each event becomes one
 * document carrying the record's group, stream, owner and filters; a message that is itself a JSON
 * object is parsed as ndjson lines are (its fields at the top), any other message is `message`.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/ValidateLogEventFlow.html
 */
import { isPlainObject } from "../../contract/plainObjects";
import { EcsDocument } from "./ecs";

/** One log event of a record, as CloudWatch sent it. */
export interface CloudWatchEvent {
  /** Its place in the record's `logEvents`. */
  index: number;
  id?: string;
  /** ISO 8601, from the event's epoch milliseconds. */
  timestamp?: string;
  message: string;
}

export type CloudWatchRecord =
  /** `shared`: the ECS fields every event of the record carries (group, stream, owner, filters). */
  | { kind: "events"; shared: Record<string, unknown>; events: CloudWatchEvent[] }
  /** A control message: acknowledged, nothing to index. */
  | { kind: "control" }
  | { kind: "unparsed"; reason: string };

/** The events of one Firehose record (the JSON text of one document). */
export function cloudWatchRecord(text: string): CloudWatchRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: "unparsed", reason: "not JSON" };
  }
  if (!isPlainObject(value)) return { kind: "unparsed", reason: "not a JSON object" };
  if (value.messageType === "CONTROL_MESSAGE") return { kind: "control" };
  if (!Array.isArray(value.logEvents)) return { kind: "unparsed", reason: "no logEvents array" };
  const shared = new EcsDocument();
  shared.put("cloud.provider", "aws").put("event.kind", "event");
  shared.put("aws.cloudwatch.log_group", typeof value.logGroup === "string" ? value.logGroup : undefined);
  shared.put("aws.cloudwatch.log_stream", typeof value.logStream === "string" ? value.logStream : undefined);
  shared.put(
    "aws.cloudwatch.subscription_filters",
    Array.isArray(value.subscriptionFilters)
      ? value.subscriptionFilters.filter((f) => typeof f === "string")
      : undefined,
  );
  shared.put("aws.cloudwatch.message_type", typeof value.messageType === "string" ? value.messageType : undefined);
  shared.put("cloud.account.id", typeof value.owner === "string" ? value.owner : undefined);
  const events = value.logEvents.map((event: unknown, index: number): CloudWatchEvent => {
    const record = isPlainObject(event) ? event : {};
    const message = typeof record.message === "string" ? record.message : JSON.stringify(record.message ?? null);
    const millis = typeof record.timestamp === "number" ? record.timestamp : Number(record.timestamp);
    const timestamp =
      Number.isFinite(millis) && Math.abs(millis) < 8.64e15 ? new Date(millis).toISOString() : undefined;
    return {
      index,
      message,
      ...(typeof record.id === "string" && record.id !== "" ? { id: record.id } : {}),
      ...(timestamp ? { timestamp } : {}),
    };
  });
  return { kind: "events", shared: shared.fields, events };
}

/** A message that is itself a JSON object, parsed; undefined for any other message. */
export function jsonMessage(message: string): Record<string, unknown> | undefined {
  let at = 0;
  while (at < message.length && message.charCodeAt(at) <= 0x20) at += 1;
  if (message.charCodeAt(at) !== 0x7b) return undefined;
  try {
    const parsed: unknown = JSON.parse(message);
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined; // a message that only looks like JSON stays the message
  }
}

/**
 * One event's fields for the general path: the record's shared fields, then the message's own
 * (a JSON object's fields at the top, any other message as `message`), its id as `event.id`.
 */
export function eventFields(
  shared: Record<string, unknown>,
  event: CloudWatchEvent,
  parsed: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const fields = merged(shared, parsed ?? { message: event.message });
  if (event.id !== undefined) setEventId(fields, event.id);
  return fields;
}

/** `over` merged into a copy of `base`, object by object; where both name a value, `over`'s wins. */
function merged(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(base)) result[name] = isPlainObject(value) ? merged(value, {}) : value;
  for (const [name, value] of Object.entries(over)) {
    const existing = result[name];
    result[name] = isPlainObject(existing) && isPlainObject(value) ? merged(existing, value) : value;
  }
  return result;
}

function setEventId(fields: Record<string, unknown>, id: string): void {
  const event = isPlainObject(fields.event) ? fields.event : {};
  if (event.id === undefined) fields.event = { ...event, id };
}
