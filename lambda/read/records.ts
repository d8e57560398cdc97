/**
 * Turns a decompressed byte stream into log records according to the producer's format:
 * `text` (a line is a record), `ndjson` (a line is a JSON document; a line that is not JSON is still
 * a record, tagged), `json` (one JSON document: a top-level array, the array in `recordsField`, or
 * the document itself, streamed record by record: jsonRecords.ts) and `auto` (decided from the
 * first bytes).
 */
import { isPlainObject } from "../contract/plainObjects";
import { peek } from "./byteStreams";
import { ObjectFormatError } from "../errors";
import { TAG_INVALID_JSON, TAG_TRUNCATED } from "../contract/tags";
import { DEFAULTS } from "../contract/env";
import { splitLines, type LineBatch } from "./lines";
import { jsonRecordBatches, type JsonRecordBatch } from "./jsonRecords";
import type { LineFormat, LogFormat, RecordFormat, ResolvedFormat } from "../contract/formats";
import { awsFormatForKey, looksLikeCloudWatchRecords } from "./awsKeyLayout";
import { concatenatedJsonDocuments } from "./concatenatedJson";
import type { LogRecord } from "../contract/shapes";

/** The first bytes of a Parquet file. */
const PARQUET_MAGIC = Buffer.from("PAR1");

/** What to change, per format AWS can also deliver as Parquet. */
const PARQUET_ADVICE: Partial<Record<ResolvedFormat, string>> = {
  // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html ("log file format")
  vpcflow: "deliver the flow log in the Text log file format (the shipper reads text lines)",
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html ("Output file format")
  cloudfront:
    "deliver CloudFront's standard logs (v2) in the w3c, JSON or plain output format (the shipper reads text lines)",
};

/** How many bytes `auto` looks at to decide the format. */
export const SNIFF_BYTES = 64 * 1024;

export interface ReadRecordsOptions {
  format: LogFormat;
  /** json only: expand this array field (CloudTrail's `Records`). */
  recordsField?: string;
  /**
   * The producer configured `recordsField`: a document without that array is not one of its log
   * files (a CloudTrail digest beside the trail's files) and is refused, not indexed as one
   * document of unknown shape. Unset (auto's own `Records` guess), such a document is one record.
   */
  requireRecordsField?: boolean;
  /** Offset of the first byte of `chunks` in the decompressed stream (json: must be 0). */
  firstByte: number;
  /**
   * Where to start, in the unit of the format read (decided here for `auto`): the byte offset of a
   * line start for line formats, a record index for json. Default 0.
   */
  start?: number;
  /**
   * json only: where the record before `start` ended in the decompressed stream, when the
   * continuation says (the chunks then start at or before it); without it the document is read
   * from its first byte and the records before `start` are skipped unbuilt.
   */
  resumeByte?: number;
  maxLineBytes?: number;
  /** Names the object in errors. */
  bucket: string;
  key: string;
}

/**
 * Records in the order of the object: the lines of a line format, left as bytes so the hot path
 * can copy them into a request (`lineRecord` makes a record of one), or records of a json document.
 */
export type RecordBatch =
  | { kind: "lines"; format: LineFormat; lines: LineBatch }
  /** Records of a json document, each as its own JSON text (read/jsonRecords.ts). */
  | { kind: "json"; format: RecordFormat; records: JsonRecordBatch };

/** Yields batches of records. Throws `ObjectFormatError` when a `json` object is not JSON. */
export async function* readRecords(
  chunks: AsyncIterable<Buffer>,
  options: ReadRecordsOptions,
): AsyncGenerator<RecordBatch> {
  let stream = chunks;
  let recordsField = options.recordsField;
  let requireRecordsField = options.requireRecordsField ?? false;
  let format: ResolvedFormat;
  if (options.format === "aws") {
    const byKey = awsFormatForKey(options.key);
    if (byKey) format = byKey;
    else {
      const sniffed = await peek(stream, SNIFF_BYTES);
      format = looksLikeCloudWatchRecords(sniffed.head) ? "cloudwatch" : "text";
      stream = sniffed.stream;
    }
  } else if (options.format === "auto") {
    const sniffed = await peek(stream, SNIFF_BYTES);
    // Unconfigured, auto expands CloudTrail's `Records` array.
    recordsField ??= "Records";
    format = detectFormat(sniffed.head, recordsField);
    stream = sniffed.stream;
  } else format = options.format;
  if (format === "cloudtrail") {
    // A trail's log file: its `Records`, each with ECS fields beside it (documents/aws/cloudtrail.ts).
    recordsField = "Records";
    requireRecordsField = true;
  }
  const start = options.start ?? 0;
  if (format === "json" || format === "cloudtrail") {
    if (options.resumeByte === undefined && options.firstByte !== 0)
      throw new Error(`a json document must be read from its first byte, not ${options.firstByte}`);
    for await (const records of jsonRecordBatches(stream, {
      ...(recordsField ? { recordsField } : {}),
      ...(requireRecordsField ? { requireRecordsField: true } : {}),
      firstByte: options.firstByte,
      ...(options.resumeByte === undefined
        ? { skipRecords: start }
        : { resume: { byteOffset: options.resumeByte, recordIndex: start } }),
      // A record is held like a line: one longer than a line may be is cut there and tagged.
      maxRecordBytes: options.maxLineBytes ?? DEFAULTS.MAX_LINE_BYTES,
      bucket: options.bucket,
      key: options.key,
    }))
      yield { kind: "json", format, records };
    return;
  }
  const maxLineBytes = options.maxLineBytes ?? DEFAULTS.MAX_LINE_BYTES;
  const parquetAdvice = PARQUET_ADVICE[format];
  if (parquetAdvice !== undefined && options.firstByte === 0) {
    // Binary: read as lines it would be thousands of unparsed documents.
    const sniffed = await peek(stream, PARQUET_MAGIC.length);
    stream = sniffed.stream;
    if (sniffed.head.equals(PARQUET_MAGIC))
      throw new ObjectFormatError(options.bucket, options.key, `is a Parquet file: ${parquetAdvice}`);
  }
  if (format === "cloudwatch") {
    // Firehose's records: JSON documents one after another; a "line" is a document.
    for await (const lines of concatenatedJsonDocuments(stream, {
      firstByte: options.firstByte,
      skipTo: start,
      maxBytes: maxLineBytes,
    }))
      yield { kind: "lines", format, lines };
    return;
  }
  for await (const lines of splitLines(stream, { firstByte: options.firstByte, skipTo: start, maxLineBytes }))
    yield { kind: "lines", format, lines };
}

/**
 * Line `index` as a record: its text, and for ndjson its parsed value (`parsed` when the caller
 * already parsed the line; JSON.parse never returns undefined), or a tag saying why there is none.
 */
export function lineRecord(format: LineFormat, lines: LineBatch, index: number, parsed?: unknown): LogRecord {
  const offset = lines.offsets[index] as number;
  const nextOffset = lines.nextOffsets[index] as number;
  const text = lines.text(index);
  if (lines.truncated(index)) return { offset, nextOffset, text, tags: [TAG_TRUNCATED] };
  if (format !== "ndjson" && format !== "waf") return { offset, nextOffset, text };
  if (parsed !== undefined) return { offset, nextOffset, text, value: parsed };
  try {
    return { offset, nextOffset, text, value: JSON.parse(text) as unknown };
  } catch {
    return { offset, nextOffset, text, tags: [TAG_INVALID_JSON] };
  }
}

/**
 * Decides `auto`: a JSON array (`[` then `{`, `[`, `"`, `]` or a line that parses) starts a json
 * document — a bracketed log line such as `[2026-11-28 10:00:00] INFO …` is text; `{` starts ndjson
 * when the first line is a complete JSON document (unless it holds the records array, as
 * CloudTrail's single-line files do), else a multi-line json document; anything else is text.
 */
export function detectFormat(head: Buffer, recordsField = "Records"): "json" | "ndjson" | "text" {
  const text = head.toString("utf8").replace(/^\uFEFF/, "");
  const trimmed = text.trimStart();
  const newline = trimmed.indexOf("\n");
  const firstLine = newline === -1 ? trimmed : trimmed.slice(0, newline);
  if (trimmed.startsWith("[")) return /^\[\s*[{["\]]/.test(trimmed) || parsesAsJson(firstLine) ? "json" : "text";
  if (!trimmed.startsWith("{")) return "text";
  try {
    const value: unknown = JSON.parse(firstLine);
    if (isPlainObject(value) && Array.isArray(value[recordsField]) && newline === -1) return "json";
    return "ndjson";
  } catch {
    // The first line is not a whole document: a pretty-printed (multi-line) json document.
    return "json";
  }
}

function parsesAsJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
