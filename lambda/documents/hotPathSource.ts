/**
 * The layout of a hot-path document `_source`, written and read back here only. Its fixed parts,
 * as byte strings (see `BulkBody.byteString`), are made once per object:
 *
 *   text line:  {"message":<line>,"@timestamp":<event time>,"log":{…,"offset":<n>},"aws":…,"event":{…}}
 *   JSON line:  {"@timestamp":<t>,"log":{…,"offset":<n>},"aws":…,"event":{…},<the line's own fields>}
 *
 * so a source is a few concatenations per line, and a refused one can be turned back into its
 * record (`recover`) for a rebuild or a dead letter.
 */
import { toByteString } from "../byteString";
import type { LogRecord } from "../contract/shapes";

const CLOSE_BRACE = 0x7d;
const COMMA = 0x2c;
const TIMESTAMP_KEY = '{"@timestamp":';
const MESSAGE_KEY = '{"message":';

function isJsonWhitespace(value: number): boolean {
  return value === 0x20 || value === 0x0a || value === 0x0d || value === 0x09;
}

/** What the ECS fields of one object's documents say. */
export interface SourceContext {
  bucket: string;
  key: string;
  region: string;
  /** ISO 8601 time of the notification: `@timestamp` of text lines and of JSON lines without one. */
  eventTime: string;
  /** ISO 8601 time the object was read: `event.ingested`. */
  ingested: string;
  /** `cloud.account.id`: the account the object's key names (read/awsKeyLayout.ts), if any. */
  account?: string;
  /** The data stream the documents name (`data_stream.*`, `event.dataset`, `event.module`). */
  dataStream?: { type: string; dataset: string; namespace: string; module?: string };
}

/**
 * A data stream's fields as JSON text to write into a document: the members it adds to `event`
 * (`,"dataset":…,"module":…`) and its own top-level member (`,"data_stream":{…}`); both empty
 * without one. Made once per object, for the hot path and CloudWatch's events alike.
 */
export function dataStreamJson(dataStream: SourceContext["dataStream"]): {
  eventMembers: string;
  dataStreamMember: string;
} {
  if (dataStream === undefined) return { eventMembers: "", dataStreamMember: "" };
  const { type, dataset, namespace, module } = dataStream;
  return {
    eventMembers: `,"dataset":${JSON.stringify(dataset)}${module ? `,"module":${JSON.stringify(module)}` : ""}`,
    dataStreamMember: `,"data_stream":${JSON.stringify({ type, dataset, namespace })}`,
  };
}

export class HotPathSources {
  /** The event time as JSON. */
  readonly eventTimeJson: string;
  private readonly ecsBefore: string;
  private readonly ecsAfter: string;
  private readonly eventTimeHead: string;
  private readonly textAfterMessage: string;

  constructor(context: SourceContext) {
    this.eventTimeJson = JSON.stringify(context.eventTime);
    const path = JSON.stringify(`s3://${context.bucket}/${context.key}`);
    this.ecsBefore = toByteString(`,"log":{"file":{"path":${path}},"offset":`);
    const { eventMembers: eventDataset, dataStreamMember: dataStreamFields } = dataStreamJson(context.dataStream);
    const account = context.account === undefined ? "" : `,"account":{"id":${JSON.stringify(context.account)}}`;
    this.ecsAfter = toByteString(
      `},"aws":{"s3":{"bucket":{"name":${JSON.stringify(context.bucket)}},"object":{"key":${JSON.stringify(context.key)}}}}` +
        `,"cloud":{"provider":"aws","region":${JSON.stringify(context.region)}${account}},"event":{"ingested":${JSON.stringify(context.ingested)}${eventDataset}}${dataStreamFields}`,
    );
    this.eventTimeHead = `${TIMESTAMP_KEY}${toByteString(this.eventTimeJson)}${this.ecsBefore}`;
    this.textAfterMessage = `,"@timestamp":${toByteString(this.eventTimeJson)}${this.ecsBefore}`;
  }

  /** The source of a text line (a byte string: JSON.stringify escapes it byte for byte). */
  text(line: string, offset: number): string {
    return `${MESSAGE_KEY}${JSON.stringify(line)}${this.textAfterMessage}${offset}${this.ecsAfter}}`;
  }

  /**
   * The source of a JSON object line (a byte string JSON.parse accepted, with none of the fields we
   * add): the ECS fields, then the line's own fields as they are. `timestampJson` undefined: the
   * event time.
   */
  jsonObject(line: string, offset: number, timestampJson?: string): string {
    const head = timestampJson === undefined ? this.eventTimeHead : `${TIMESTAMP_KEY}${timestampJson}${this.ecsBefore}`;
    // JSON.parse accepted an object, so only JSON whitespace lies around its braces.
    const object = line.trim();
    let first = 1;
    while (isJsonWhitespace(object.charCodeAt(first))) first += 1;
    const fields = object.charCodeAt(first) === CLOSE_BRACE ? "}" : `,${object.substring(1)}`;
    return `${head}${offset}${this.ecsAfter}${fields}`;
  }

  /** The record a source of `text` or `jsonObject` was built from: a text line's `message`, or a JSON line's own fields. */
  recover(source: Buffer, offset: number): LogRecord {
    const bytes = source.toString("latin1");
    if (bytes.startsWith(MESSAGE_KEY)) {
      const { message } = JSON.parse(source.toString("utf8")) as { message: string };
      return { offset, nextOffset: offset, text: message };
    }
    // The ECS part holds the key, which cannot contain the whole ECS part: the first match is ours.
    const ecsAt = bytes.indexOf(this.ecsAfter);
    // Only these sources come here; anything else is kept whole rather than lost to a throw.
    if (ecsAt === -1) return { offset, nextOffset: offset, text: source.toString("utf8") };
    const fieldsAt = ecsAt + this.ecsAfter.length;
    const text = `{${source.toString("utf8", source[fieldsAt] === COMMA ? fieldsAt + 1 : fieldsAt)}`;
    try {
      return { offset, nextOffset: offset, text, value: JSON.parse(text) as unknown };
    } catch {
      return { offset, nextOffset: offset, text };
    }
  }
}
