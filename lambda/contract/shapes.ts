/** Shared types of the shipper function. */
import type { ResumePoint } from "./resumePoint";

/** One S3 object to ship, as named by a notification or a continuation message. */
export interface ObjectRef {
  bucket: string;
  /** The real object key (a direct notification's form-encoded key decoded; an EventBridge key as it came). */
  key: string;
  /** A real version id; `"null"` (versioning suspended) is never stored here: it identifies nothing. */
  versionId?: string;
  eTag?: string;
  /** Size announced by the notification, when it carries one. */
  size?: number;
  /** ISO 8601 time of the event that announced the object; fallback for `@timestamp`. */
  eventTime: string;
  /** Continuations only: where to resume. Absent: from the start. */
  resume?: ResumePoint;
}

/** The outcome of parsing one SQS message body. Never thrown: every body gets a classification. */
export type ParsedMessage =
  | { kind: "objects"; objects: ObjectRef[]; source: NotificationSource }
  | { kind: "ignore"; reason: string }
  | { kind: "invalid"; reason: string };

export type NotificationSource = "s3" | "sns-s3" | "eventbridge" | "continuation";

/** One log record read from an object, before it becomes a document. */
export interface LogRecord {
  /** Byte offset of the line in the decompressed stream, or array index in json objects. */
  offset: number;
  /** Offset of the next record: where a continuation resumes after this record. */
  nextOffset: number;
  /** Raw text of the line (line formats) or undefined (json records). */
  text?: string;
  /** Parsed value, when the format yields one. */
  value?: unknown;
  /** Tags for conditions a human should see on the document (parse failure, truncation). */
  tags?: string[];
  /** The log's own time (ISO 8601), where its format has one: `@timestamp`, unless `timestampField` says otherwise. */
  timestamp?: string;
  /** The raw text goes into `event.original` whatever `preserveOriginal` says: part of the record has no field. */
  keepOriginal?: boolean;
}

/** What the indexer needs to know about one document. */
export interface PreparedDocument {
  id: string;
  /** The serialised `_source`. */
  source: string;
  /** Offset of the record, for the dead-letter document and for logs. */
  offset: number;
  /** The record it was built from: a refusal is rebuilt or dead-lettered from it. */
  record: LogRecord;
}

/** A document once its `_source` is on its way: what a refusal needs. */
export type DocumentRef = Omit<PreparedDocument, "source">;

/**
 * How one SQS message ends. Built into `batchItemFailures`; never signalled through an error.
 * `fail`: the message comes back (paced) and reaches the DLQ after maxReceiveCount; `transient`
 * says whether a later attempt can succeed without anyone acting (Elasticsearch or S3 unavailable).
 */
export type Disposition =
  | { kind: "ack"; reason: string }
  | { kind: "fail"; reason: string; transient: boolean }
  | { kind: "continued"; reason: string };

/** Counters for one object, logged as one summary line and emitted as metrics. */
export interface ObjectStats {
  records: number;
  /** Read but not shipped: outside the producer's include/exclude filters. */
  linesDropped: number;
  /** Lines of AWS's formats that did not parse: indexed as text, tagged `_shipper_parse_failure`. */
  linesUnparsed: number;
  indexed: number;
  duplicates: number;
  deadLettered: number;
  failed: number;
  bytes: number;
}

export function emptyStats(): ObjectStats {
  return {
    records: 0,
    linesDropped: 0,
    linesUnparsed: 0,
    indexed: 0,
    duplicates: 0,
    deadLettered: 0,
    failed: 0,
    bytes: 0,
  };
}

/** An S3 object's version as read: what a continuation checks it still reads. */
export interface ObjectVersion {
  versionId?: string;
  eTag?: string;
  /** See `objectIdentity`. */
  identity: string;
  gzip: boolean;
}

/** How shipping one object ended. */
export type ObjectOutcome =
  | { status: "done"; stats: ObjectStats; version: ObjectVersion }
  /**
   * Time ran short: resume at `resume` (every earlier document is acknowledged; it is past the start).
   * `pressure`: Elasticsearch had not taken everything read (why the resume point lies behind what was read).
   */
  | { status: "continued"; stats: ObjectStats; version: ObjectVersion; resume: ResumePoint; pressure?: string }
  /** The object changed since a continuation was sent; its new version has its own notification. */
  | { status: "superseded"; stats: ObjectStats; reason: string }
  | { status: "failed"; stats: ObjectStats; reason: string; transient: boolean };
