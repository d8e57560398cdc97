/**
 * Builds Elasticsearch documents from log records: ECS fields, `@timestamp`, and a deterministic
 * `_id`. At-least-once delivery plus ids derived only from (bucket, key, object version, offset)
 * makes documents exactly-once: a redelivery reproduces the same ids and `create` answers 409.
 *
 * Hot path (`appendLines`): a text line is JSON-escaped into `message`; a JSON line whose top level
 * has none of the fields we add is parsed (to know that) but not re-serialised: its own text
 * follows the ECS fields, which are fixed per object but for the offset and so made once (the
 * layout is `hotPathSource.ts`'s; the request layout around it `bulkLayout.ts`'s).
 * Everything else — tags, clashing fields, invalid UTF-8, json documents — takes the general path
 * (`build`, parse-and-merge).
 */
import { isAscii } from "node:buffer";
import type { DocumentSink } from "../contract/sink";
import { documentId, objectIdPrefix } from "./ids";
import {
  TAG_INVALID_JSON,
  TAG_ORIGINAL_KEPT,
  TAG_PARSE_FAILURE,
  TAG_TIMESTAMP_FALLBACK,
  TAG_TRUNCATED,
} from "../contract/tags";
import type { AwsLineParser } from "./aws/lineParsers";
import { cloudWatchRecord, eventFields, jsonMessage, type CloudWatchEvent } from "./aws/cloudwatch";
import { cloudTrailFields } from "./aws/cloudtrail";
import { wafFields } from "./aws/waf";
import type { ParsedFields, ParsedLine } from "./aws/ecs";
import { dataStreamJson, HotPathSources } from "./hotPathSource";
import type { LineBatch } from "../read/lines";
import { isPlainObject } from "../contract/plainObjects";
import { lineRecord } from "../read/records";
import { awsKeyOrigin } from "../read/awsKeyLayout";
import type { LineFormat } from "../contract/formats";
import type { LineFilter } from "../contract/lineFilter";
import type { DocumentRef, LogRecord, PreparedDocument } from "../contract/shapes";
import type { Destination } from "../contract/destination";
import { deepAssign, hasReservedField, membersAfterOurs, parseTimestamp, rawText, valueAt } from "./jsonFields";

/**
 * Hot-path documents are concatenated and written to the body this many at a time: one write per
 * document pays the native call each time, one per batch flattens a string too large for the young
 * generation. 16 measured fastest (a 48 MB text object: 270 ms against 460 and 550).
 */
const EMIT_EVERY = 16;

/** What every document of one object shares. */
export interface ObjectContext {
  bucket: string;
  key: string;
  /** Version id, else ETag, of the object actually read. */
  identity: string;
  /** The function's region: `cloud.region` where neither the log nor its key (read/awsKeyLayout.ts) names one. */
  region: string;
  /** `cloud.account.id` of parsed lines that do not name their own; by default the account the key names, if any. */
  account?: string;
  /** ISO 8601 time of the notification; `@timestamp` when no timestamp field gives one. */
  eventTime: string;
  timestampField?: string;
  /** ISO 8601 time the object was read: `event.ingested`. */
  ingested: string;
  /** Parsed formats: keep the raw line in `event.original`. */
  preserveOriginal?: boolean;
  /** The data stream the object's documents name (`data_stream.*`, `event.dataset`, `event.module`). */
  dataStream?: DataStreamFields;
}

/** What a document says of the data stream it belongs to (contract/destination.ts). */
export type DataStreamFields = NonNullable<Destination["dataStream"]>;

/** The JSON records reshaped into the fields of Elastic's AWS integration. */
const SHAPERS: Record<"waf" | "cloudtrail", (record: Record<string, unknown>) => ParsedFields> = {
  waf: wafFields,
  cloudtrail: cloudTrailFields,
};

/** Builds documents for one object. */
export class DocumentBuilder {
  private readonly idPrefix: string;
  private sources: HotPathSources;
  /** Lines and records the filter dropped. Ids and offsets are the kept lines' own, whatever was dropped. */
  linesDropped = 0;
  /** Lines of a parsed format that did not parse (indexed as text, tagged). */
  linesUnparsed = 0;
  /** CloudWatch Logs control messages: acknowledged, nothing indexed. */
  controlMessages = 0;
  /** The object's fields as JSON text, for parsed lines (made at the first). */
  private contextJson: ContextJson | undefined;

  private context: ObjectContext;

  constructor(
    context: ObjectContext,
    private readonly filter?: LineFilter,
  ) {
    // Where AWS's key layout names the log's account and region, they are the log's, not the function's.
    const origin = awsKeyOrigin(context.key);
    this.context = {
      ...context,
      ...(origin.region ? { region: origin.region } : {}),
      ...(origin.account && context.account === undefined ? { account: origin.account } : {}),
    };
    this.idPrefix = objectIdPrefix(context.bucket, context.key, context.identity);
    this.sources = new HotPathSources(this.context);
  }

  /**
   * Names the data stream every document of the object carries (`data_stream.*`, `event.dataset`,
   * `event.module`): known once the object's format is (shipObject.ts), before its first document.
   */
  useDataStream(dataStream: DataStreamFields): void {
    this.context = { ...this.context, dataStream };
    this.sources = new HotPathSources(this.context);
    this.contextJson = undefined;
  }

  /**
   * Appends every line of `lines` to `sink` as a document; resolves when the sink has room again.
   *
   * The hot path reads the batch as one byte string (one character per byte): a line is a substring
   * of it, JSON.stringify escapes a text line byte for byte (it leaves characters above 0x7f as
   * they are, so UTF-8 passes through unchanged), and documents reach the request body a few at a
   * time (EMIT_EVERY). Only V8 builtins touch the bytes; a JavaScript loop over them is several
   * times slower (bench/). Truncated lines, invalid UTF-8 and JSON lines that need merging are
   * built by `build`.
   */
  async appendLines(format: LineFormat, lines: LineBatch, sink: DocumentSink): Promise<void> {
    const { count, starts, ends: lineEnds } = lines;
    if (count === 0) return;
    const base = starts[0] as number;
    const top = lineEnds[count - 1] as number;
    const region = lines.bytes.toString("latin1", base, top);
    // ASCII reads the same as bytes and as UTF-8, so JSON.parse can take a line from the region.
    const ascii = lines.utf8 && isAscii(lines.bytes.subarray(base, top));
    let out = "";
    let offsets: number[] = [];
    let ends: number[] = [];
    // Returns the sink's backpressure: awaiting only a real one keeps microtasks off the hot path.
    const emit = (): Promise<void> | undefined => {
      if (offsets.length === 0) return undefined;
      const backpressure = sink.appendLines(out, offsets, ends);
      out = "";
      offsets = [];
      ends = [];
      return backpressure;
    };

    const { filter } = this;
    for (let index = 0; index < count; index += 1) {
      const offset = lines.offsets[index] as number;
      let source: string | undefined;
      let value: unknown; // an ndjson line, parsed
      const plain = lines.utf8 && !lines.mustMerge(index);
      // The filter reads the line as text (UTF-8 decoded), not as the byte string the hot path copies.
      if (filter !== undefined) {
        const text =
          plain && ascii
            ? region.substring((starts[index] as number) - base, (lineEnds[index] as number) - base)
            : lines.text(index);
        if (!filter.keeps(text)) {
          this.linesDropped += 1;
          continue;
        }
      }
      if (plain) {
        const line = region.substring((starts[index] as number) - base, (lineEnds[index] as number) - base);
        if (format === "text") {
          source = this.sources.text(line, offset);
        } else {
          try {
            value = JSON.parse(ascii ? line : lines.text(index));
            source = this.jsonLineSource(line, value, offset);
          } catch {
            // Not JSON: the general path tags it (and parses it once more: rare, not worth a flag).
          }
        }
      }
      if (source === undefined) {
        await emit();
        const backpressure = sink.add(this.build(lineRecord(format, lines, index, value)));
        if (backpressure) await backpressure;
        continue;
      }
      out += `${sink.actionLine(documentId(this.idPrefix, offset))}${source}\n`;
      offsets.push(offset);
      ends.push(out.length);
      if (offsets.length >= EMIT_EVERY || offsets.length >= sink.roomDocuments || out.length >= sink.roomBytes) {
        const backpressure = emit();
        if (backpressure) await backpressure;
      }
    }
    await emit();
  }

  /**
   * The hot-path source of a JSON line (a byte string) whose top level has none of the fields we
   * add. Undefined when it needs merging.
   */
  private jsonLineSource(line: string, value: unknown, offset: number): string | undefined {
    if (!isPlainObject(value) || hasReservedField(value)) return undefined;
    if (!this.context.timestampField) return this.sources.jsonObject(line, offset);
    const timestamp = parseTimestamp(valueAt(value, this.context.timestampField));
    // A field that does not parse takes the general path, which tags it.
    return timestamp === undefined ? undefined : this.sources.jsonObject(line, offset, `"${timestamp}"`);
  }

  /**
   * Appends the documents of a batch of one of AWS's line formats: header lines are read by the
   * parser and are no documents; a line that does not parse is indexed as text, tagged. A parsed
   * line's source is written by its shape (aws/jsonShape.ts), the object's fields filled in, and
   * carries its raw line for a dead letter. Returns how many documents the batch made.
   */
  async appendParsedLines(parser: AwsLineParser, lines: LineBatch, sink: DocumentSink): Promise<number> {
    let documents = 0;
    for (let index = 0; index < lines.count; index += 1) {
      const text = lines.text(index);
      const truncated = lines.truncated(index);
      // A header is read whatever the filters say: the lines after it need it.
      if (!truncated && parser.readHeader(text)) continue;
      if (!this.keepsText(text)) continue;
      documents += 1;
      const offset = lines.offsets[index] as number;
      const nextOffset = lines.nextOffsets[index] as number;
      const parsed = truncated ? undefined : parsedOrNot(parser, text);
      let document: PreparedDocument;
      if (parsed === undefined) {
        this.linesUnparsed += 1;
        document = this.build({ offset, nextOffset, text, tags: [truncated ? TAG_TRUNCATED : TAG_PARSE_FAILURE] });
      } else if (this.context.timestampField) {
        // The configured field is looked up in the parsed document: the general path.
        const value = JSON.parse(parsed.document.json()) as Record<string, unknown>;
        document = this.build({
          offset,
          nextOffset,
          text,
          value,
          ...(parsed.timestamp ? { timestamp: parsed.timestamp } : {}),
        });
      } else {
        document = {
          id: documentId(this.idPrefix, offset),
          offset,
          // A refusal dead-letters the line as AWS wrote it.
          record: { offset, nextOffset, text },
          source: this.parsedSource(parsed, offset, text),
        };
      }
      const backpressure = sink.add(document);
      if (backpressure) await backpressure;
    }
    return documents;
  }

  /** A parsed line's source: its own fields and the object's, one JSON text. */
  private parsedSource(parsed: ParsedLine, offset: number, text: string): string {
    const { document } = parsed;
    const { context } = document;
    const fields = (this.contextJson ??= contextJsonOf(this.context));
    document.setJson(
      context["@timestamp"],
      parsed.timestamp === undefined ? fields.eventTime : `"${parsed.timestamp}"`,
    );
    document.setJson(context["log.file.path"], fields.path).setJson(context["log.offset"], String(offset));
    document.setJson(context["aws.s3.bucket.name"], fields.bucket).setJson(context["aws.s3.object.key"], fields.key);
    document.setJson(context["cloud.provider"], '"aws"');
    // A log that names its own region keeps it; the function's is the fallback.
    if (!document.has(context["cloud.region"])) document.setJson(context["cloud.region"], fields.region);
    if (fields.account !== undefined && !document.has(context["cloud.account.id"]))
      document.setJson(context["cloud.account.id"], fields.account);
    document.setJson(context["event.ingested"], fields.ingested);
    const { dataStream } = this.context;
    if (dataStream) {
      document.setJson(context["data_stream.type"], fields.dataStreamType as string);
      document.setJson(context["data_stream.dataset"], fields.dataset as string);
      document.setJson(context["data_stream.namespace"], fields.namespace as string);
      document.setJson(context["event.dataset"], fields.dataset as string);
      if (fields.module !== undefined) document.setJson(context["event.module"], fields.module);
    }
    if (this.context.preserveOriginal) document.set(context["event.original"], text);
    return document.json();
  }

  /**
   * Appends the log events of a batch of Firehose records (CloudWatch Logs): a document per event,
   * placed at its record's offset plus its index in the record; control messages make none, a record
   * that does not parse makes one, as text, tagged. Returns how many documents the batch made.
   */
  async appendCloudWatch(lines: LineBatch, sink: DocumentSink): Promise<number> {
    let documents = 0;
    for (let index = 0; index < lines.count; index += 1) {
      const offset = lines.offsets[index] as number;
      const nextOffset = lines.nextOffsets[index] as number;
      const text = lines.text(index);
      const record = lines.truncated(index) ? undefined : cloudWatchRecord(text);
      if (record?.kind === "control") {
        this.controlMessages += 1;
        continue;
      }
      if (record?.kind !== "events") {
        if (!this.keepsText(text)) continue;
        this.linesUnparsed += 1;
        documents += 1;
        const tags = [lines.truncated(index) ? TAG_TRUNCATED : TAG_PARSE_FAILURE];
        // Bytes that are no record run to their line end: the message without it.
        const message = text.replace(/[\r\n]+$/, "");
        const backpressure = sink.add(this.build({ offset, nextOffset, text: message, tags }));
        if (backpressure) await backpressure;
        continue;
      }
      const ecs = this.cloudWatchFields(record.shared);
      for (const event of record.events) {
        const { message } = event;
        if (!this.keepsText(message)) continue;
        documents += 1;
        // Each event's place: its record's start plus its index (a record is longer than its event count).
        const at = offset + event.index;
        const parsed = jsonMessage(message);
        const timestamp = event.timestamp ? { timestamp: event.timestamp } : {};
        let document: PreparedDocument;
        if (this.context.timestampField || (parsed !== undefined && hasReservedField(parsed))) {
          // A message with ECS objects of its own is merged; a timestamp field is looked up: the general path.
          const value = eventFields(record.shared, event, parsed);
          document = this.build({ offset: at, nextOffset, text: message, value, ...timestamp });
        } else {
          const source =
            parsed === undefined
              ? `{${ecs(event, at)},"message":${JSON.stringify(message)}}`
              : `{${ecs(event, at)}${membersAfterOurs(message)}`;
          document = {
            id: documentId(this.idPrefix, at),
            offset: at,
            record: { offset: at, nextOffset, text: message, ...(parsed ? { value: parsed } : {}), ...timestamp },
            source,
          };
        }
        const backpressure = sink.add(document);
        if (backpressure) await backpressure;
      }
    }
    return documents;
  }

  /**
   * The ECS members of a record's events, as JSON text to write before each event's own: the same
   * fields the general path merges (the record's group, stream, owner and filters; the object's).
   */
  private cloudWatchFields(shared: Record<string, unknown>): (event: CloudWatchEvent, offset: number) => string {
    const fields = (this.contextJson ??= contextJsonOf(this.context));
    const aws = isPlainObject(shared.aws) ? shared.aws : {};
    const cloud = isPlainObject(shared.cloud) ? shared.cloud : {};
    const cloudwatch = aws.cloudwatch === undefined ? "" : `,"cloudwatch":${JSON.stringify(aws.cloudwatch)}`;
    // The record's owner; else the account the key names, as on every path.
    const account =
      cloud.account !== undefined
        ? `,"account":${JSON.stringify(cloud.account)}`
        : fields.account === undefined
          ? ""
          : `,"account":{"id":${fields.account}}`;
    const head = `,"log":{"file":{"path":${fields.path}},"offset":`;
    const tail =
      `},"aws":{"s3":{"bucket":{"name":${fields.bucket}},"object":{"key":${fields.key}}}${cloudwatch}}` +
      `,"cloud":{"provider":"aws","region":${fields.region}${account}},"event":{"ingested":${fields.ingested},"kind":"event"`;
    const preserve = this.context.preserveOriginal;
    const { eventMembers, dataStreamMember } = dataStreamJson(this.context.dataStream);
    return (event, offset) =>
      `"@timestamp":${event.timestamp ? `"${event.timestamp}"` : fields.eventTime}${head}${offset}${tail}` +
      `${event.id === undefined ? "" : `,"id":${JSON.stringify(event.id)}`}` +
      `${preserve ? `,"original":${JSON.stringify(event.message)}` : ""}${eventMembers}}${dataStreamMember}`;
  }

  /**
   * Appends JSON records reshaped as Elastic's AWS integration shapes them (`waf` lines, `cloudtrail`
   * records). A record that is not a JSON object is indexed as ndjson's are (as text, tagged).
   */
  async appendEnrichedJson(format: "waf" | "cloudtrail", lines: LineBatch, sink: DocumentSink): Promise<void> {
    for (let index = 0; index < lines.count; index += 1) {
      const text = lines.text(index);
      if (!this.keepsText(text)) continue;
      const offset = lines.offsets[index] as number;
      const nextOffset = lines.nextOffsets[index] as number;
      let record: LogRecord;
      if (lines.truncated(index)) record = { offset, nextOffset, text, tags: [TAG_TRUNCATED] };
      else {
        let value: unknown;
        try {
          value = JSON.parse(text) as unknown;
        } catch {
          value = undefined;
        }
        if (isPlainObject(value)) {
          // The record reshaped as the integration shapes it (aws/cloudtrail.ts, aws/waf.ts); its own text
          // stays the dead letter's and, with preserveOriginal, `event.original`.
          const shaped = SHAPERS[format](value);
          record = {
            offset,
            nextOffset,
            text,
            value: shaped.fields,
            ...(shaped.timestamp ? { timestamp: shaped.timestamp } : {}),
            ...(shaped.keepOriginal ? { keepOriginal: true, tags: [TAG_ORIGINAL_KEPT] } : {}),
          };
        } else
          record =
            value === undefined
              ? { offset, nextOffset, text, tags: [TAG_INVALID_JSON] }
              : { offset, nextOffset, text, value };
      }
      const backpressure = sink.add(this.build(record));
      if (backpressure) await backpressure;
    }
  }

  /** Whether the filter keeps `text`; counts it when not. */
  private keepsText(text: string): boolean {
    if (this.filter === undefined || this.filter.keeps(text)) return true;
    this.linesDropped += 1;
    return false;
  }

  /** Whether a `json` record passes the filter (on its JSON text); counts it when not. */
  keeps(record: LogRecord): boolean {
    if (this.filter === undefined || this.filter.keeps(rawText(record))) return true;
    this.linesDropped += 1;
    return false;
  }

  /** The record a hot-path source was built from, read back when Elasticsearch refused it (for a rebuild or a dead letter). */
  recoverRecord(source: Buffer, offset: number): LogRecord {
    return this.sources.recover(source, offset);
  }

  /** Builds the document for one record (the general path). Never throws: odd input becomes a tagged document. */
  build(record: LogRecord): PreparedDocument {
    // `record` rides along so a refusal can be dead-lettered with it.
    return {
      id: documentId(this.idPrefix, record.offset),
      offset: record.offset,
      record,
      source: this.mergedSource(record),
    };
  }

  /**
   * The general path: merge into the parsed record. Also rebuilds a hot-path document Elasticsearch
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
    const fieldTimestamp =
      fromField && context.timestampField ? parseTimestamp(valueAt(document, context.timestampField)) : undefined;
    if (fromField && fieldTimestamp === undefined && record.timestamp === undefined) tags.push(TAG_TIMESTAMP_FALLBACK);
    // The configured field first, then the log's own time (a parsed format's), then the event's.
    const timestamp = fieldTimestamp ?? record.timestamp;

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
    // A log that names its own region or account (a parsed format's) keeps it; the key's, and for the
    // region the function's, are the fallback.
    const cloud = isPlainObject(document.cloud) ? document.cloud : {};
    setIn("cloud", {
      provider: "aws",
      ...(cloud.region === undefined ? { region: context.region } : {}),
      ...(cloud.account === undefined && context.account !== undefined ? { account: { id: context.account } } : {}),
    });
    const { dataStream } = context;
    setIn("event", {
      ingested: context.ingested,
      ...(dataStream
        ? { dataset: dataStream.dataset, ...(dataStream.module ? { module: dataStream.module } : {}) }
        : {}),
    });
    if (dataStream)
      setIn("data_stream", { type: dataStream.type, dataset: dataStream.dataset, namespace: dataStream.namespace });
    if (
      conflict ||
      record.keepOriginal ||
      (context.preserveOriginal && record.text !== undefined && isPlainObject(record.value))
    )
      setIn("event", { original: raw });
    if (tags.length > 0) {
      const existing = document.tags;
      document.tags = Array.isArray(existing) ? [...(existing as unknown[]), ...tags] : tags;
    }
    return JSON.stringify(document);
  }

  /**
   * Rebuilds a hot-path JSON line by merging, when Elasticsearch refused it for a reason merging
   * fixes (duplicate keys in the line: JSON.parse keeps the last, Elasticsearch refuses).
   */
  rebuild(document: DocumentRef, reason: string): string | undefined {
    const { record } = document;
    // Only a line copied as it was (JSON object text) can carry duplicate keys; merged sources cannot.
    if (record.text === undefined || !isPlainObject(record.value) || !/duplicate field/i.test(reason)) return undefined;
    return this.mergedSource(record);
  }
}

/**
 * The parser's answer, or undefined when it threw: the property tests find no line that makes one
 * throw, but should one, the line is indexed as unparsed text (and counted) rather than failing the
 * object for the bug.
 */
function parsedOrNot(parser: AwsLineParser, line: string): ParsedLine | undefined {
  try {
    return parser.parse(line);
  } catch {
    return undefined;
  }
}

/** The object's fields every parsed line carries, as JSON text. */
interface ContextJson {
  eventTime: string;
  path: string;
  bucket: string;
  key: string;
  region: string;
  account?: string;
  ingested: string;
  /** The data stream's parts as JSON strings, when the object names one (parsed lines set them one by one). */
  dataStreamType?: string;
  dataset?: string;
  namespace?: string;
  module?: string;
}

function contextJsonOf(context: ObjectContext): ContextJson {
  const { dataStream } = context;
  return {
    ...(dataStream
      ? {
          dataStreamType: JSON.stringify(dataStream.type),
          dataset: JSON.stringify(dataStream.dataset),
          namespace: JSON.stringify(dataStream.namespace),
          ...(dataStream.module ? { module: JSON.stringify(dataStream.module) } : {}),
        }
      : {}),
    eventTime: JSON.stringify(context.eventTime),
    path: JSON.stringify(`s3://${context.bucket}/${context.key}`),
    bucket: JSON.stringify(context.bucket),
    key: JSON.stringify(context.key),
    region: JSON.stringify(context.region),
    ...(context.account === undefined ? {} : { account: JSON.stringify(context.account) }),
    ingested: JSON.stringify(context.ingested),
  };
}
