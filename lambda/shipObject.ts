/**
 * Ships one S3 object (from a given offset) into Elasticsearch and says how far it got.
 * Stops early, at a record boundary, when the caller says time is short: every document before
 * the returned offset has then been acknowledged by Elasticsearch.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { buildDeadLetterSource } from "./deadLetter";
import { DocumentBuilder, type ObjectContext } from "./documents";
import { describeError, ObjectFormatError, ObjectReadError } from "./errors";
import { BulkIndexer, type BulkTransport, type RejectedDocument } from "./indexer";
import { openObject, type ObjectVersion } from "./objectReader";
import { readRecords } from "./records";
import { emptyStats, type LogFormat, type ObjectRef, type ObjectStats } from "./types";

export interface ShipObjectSettings {
  index: string;
  format: LogFormat;
  recordsField?: string;
  timestampField?: string;
  deadLetterIndex?: string;
  region: string;
  producer: string;
  bulkMaxBytes: number;
  bulkMaxDocuments: number;
  bulkConcurrency: number;
  maxLineBytes: number;
}

export interface ShipObjectDependencies {
  s3: S3Client;
  transport: BulkTransport;
  settings: ShipObjectSettings;
  /** True when the remaining time is only enough to finish what is in flight. */
  shouldStop: () => boolean;
  /** Epoch ms after which no retry may start. */
  deadline: () => number;
  onResume?: (error: unknown, atByte: number) => void;
  onRejected?: (rejected: RejectedDocument, deadLettered: boolean) => void;
}

export type ObjectOutcome =
  | { status: "done"; stats: ObjectStats; version: ObjectVersion }
  /** Time ran short: resume at `nextOffset` (every earlier document is acknowledged). */
  | { status: "stopped"; stats: ObjectStats; version: ObjectVersion; nextOffset: number }
  /** The object changed since a continuation was sent; its new version has its own notification. */
  | { status: "superseded"; stats: ObjectStats; reason: string }
  | { status: "failed"; stats: ObjectStats; reason: string; transient: boolean };

export async function shipObject(ref: ObjectRef, deps: ShipObjectDependencies): Promise<ObjectOutcome> {
  const { settings } = deps;
  const stats = emptyStats();
  let opened;
  try {
    opened = await openObject(deps.s3, ref, { startOffset: ref.startOffset, ...(deps.onResume ? { onResume: deps.onResume } : {}) });
  } catch (error) {
    if (ref.startOffset > 0 && isPreconditionFailure(error)) {
      return { status: "superseded", stats, reason: "object replaced since the continuation was sent" };
    }
    return { status: "failed", stats, reason: describeError(error), transient: true };
  }

  const context: ObjectContext = {
    bucket: ref.bucket,
    key: ref.key,
    identity: opened.version.identity,
    region: settings.region,
    eventTime: ref.eventTime,
    ingested: new Date().toISOString(),
    ...(settings.timestampField ? { timestampField: settings.timestampField } : {}),
  };
  const builder = new DocumentBuilder(context);
  const indexer = new BulkIndexer({
    index: settings.index,
    transport: deps.transport,
    flushBytes: settings.bulkMaxBytes,
    flushDocuments: settings.bulkMaxDocuments,
    concurrency: settings.bulkConcurrency,
    deadline: deps.deadline,
    ...(settings.deadLetterIndex
      ? {
          deadLetterIndex: settings.deadLetterIndex,
          deadLetterSource: (rejected: RejectedDocument) => buildDeadLetterSource(rejected, context, settings.index, settings.producer),
        }
      : {}),
    rebuild: (document, reason) => builder.rebuild(document, reason),
    recoverRecord: (source, offset) => builder.recoverRecord(source, offset),
    ...(deps.onRejected ? { onRejected: deps.onRejected } : {}),
  });

  let reached = ref.startOffset;
  let stopped = false;
  let readError: unknown;
  try {
    reading: for await (const batch of readRecords(opened.chunks, {
      format: settings.format,
      startOffset: ref.startOffset,
      maxLineBytes: settings.maxLineBytes,
      bucket: ref.bucket,
      key: ref.key,
      ...(settings.recordsField ? { recordsField: settings.recordsField } : {}),
    })) {
      if (batch.kind === "lines") {
        const { format, lines } = batch;
        await builder.appendLines(format, lines, indexer);
        stats.records += lines.count;
        reached = lines.nextOffsets[lines.count - 1] ?? reached;
        if (indexer.unavailable) break;
      } else {
        for (const record of batch.records) {
          stats.records += 1;
          const backpressure = indexer.add(builder.build(record));
          if (backpressure) await backpressure;
          reached = record.nextOffset;
          if (indexer.unavailable) break reading;
        }
      }
      if (deps.shouldStop()) {
        stopped = true;
        break;
      }
    }
  } catch (error) {
    readError = error;
  }

  // Always wait for what is in flight, so the counts are true whatever happened while reading.
  const result = await indexer.finish();
  Object.assign(stats, {
    indexed: result.indexed,
    duplicates: result.duplicates,
    deadLettered: result.deadLettered,
    failed: result.failed + result.rejected,
    bytes: opened.bytesRead(),
  });

  if (readError !== undefined) {
    return { status: "failed", stats, reason: describeError(readError), transient: !(readError instanceof ObjectFormatError) };
  }
  if (result.failed > 0 || indexer.unavailable) {
    return { status: "failed", stats, reason: `Elasticsearch did not accept ${result.failed} documents after retries: ${result.lastError ?? "unknown error"}`, transient: true };
  }
  if (result.rejected > 0) {
    return {
      status: "failed",
      stats,
      reason: `Elasticsearch rejected ${result.rejected} documents and no deadLetterIndex is configured: ${result.lastError ?? "unknown error"}`,
      transient: false,
    };
  }
  if (stopped) return { status: "stopped", stats, version: opened.version, nextOffset: reached };
  return { status: "done", stats, version: opened.version };
}

function isPreconditionFailure(error: unknown): boolean {
  const cause = error instanceof ObjectReadError ? error.cause : error;
  return cause instanceof Error && (cause.name === "PreconditionFailed" || /Precondition/i.test(cause.name));
}
