/**
 * Ships one S3 object (from where a continuation left it) into Elasticsearch and says how far it
 * got. Stops early, at a record boundary, when the caller says time is short: every document before
 * the returned resume point has then been acknowledged by Elasticsearch.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { buildDeadLetterSource } from "./documents/deadLetter";
import { DocumentBuilder, type ObjectContext } from "./documents/builder";
import { describeError, ObjectError } from "./errors";
import type { ObjectEvents } from "./contract/events";
import { HeldIdsRefused, type BulkTransport } from "./bulk/wire";
import type { RejectedDocument } from "./contract/sink";
import { requestTimeout } from "./bulk/decisions";
import { BulkIndexer, type IndexingResult } from "./bulk/indexer";
import { openObject } from "./read/objectReader";
import { readRecords } from "./read/records";
import type { LogFormat, ResolvedFormat } from "./contract/formats";
import { destinationOf, pipelineOf, type DestinationSettings } from "./contract/destination";
import type { LineFilter } from "./contract/lineFilter";
import type { MultilineSettings } from "./contract/multiline";
import { MultilineJoiner } from "./read/multiline";
import { FormatRouting } from "./documents/formatRouting";
import { readPlan, resumePointAt, type ReadPosition } from "./contract/resumePoint";
import { AcknowledgedPosition } from "./acknowledgedPosition";
import { emptyStats, type LogRecord, type ObjectOutcome, type ObjectRef } from "./contract/shapes";

export interface ShipObjectSettings {
  /** Where documents go: an explicit index, or the data stream of each object's format (contract/destination.ts). */
  destination: DestinationSettings;
  format: LogFormat;
  recordsField?: string;
  timestampField?: string;
  deadLetterIndex?: string;
  /** The ingest pipeline of the producer's documents. */
  pipeline?: string;
  /** The producer's include/exclude filters; every line is shipped without one. */
  lineFilter?: LineFilter;
  /** `text` only: lines joined into multiline events (read/multiline.ts). */
  multiline?: MultilineSettings;
  /** AWS's parsed formats: the raw line in `event.original` too. */
  preserveOriginal?: boolean;
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
  /** Where the read and bulk stages report (scoped to this object). */
  events: ObjectEvents;
  /** Delivered before (lambda/contract/redelivery.ts): ask the destination what it holds before sending. */
  redelivered?: boolean;
}

const NOTHING_INDEXED: IndexingResult = { indexed: 0, duplicates: 0, deadLettered: 0, rejected: 0, failed: 0 };

/**
 * The question a redelivery asks before each batch. A refusal (no `read` privilege) or a failed
 * search is said once per invocation and reason, and the object ships without the check — never held back:
 * at worst a document rolled over since its first delivery is indexed again.
 */
function heldIdsOf(
  deps: ShipObjectDependencies,
  index: string,
): (ids: readonly string[]) => Promise<Set<string> | undefined> {
  let off = false;
  // Batches in flight together wait for the first answer: a refusal is met once, not once per batch.
  let first: Promise<Set<string>> | undefined;
  return async (ids) => {
    if (first) await first.catch(() => undefined);
    if (off || !deps.transport.heldIds) return undefined;
    const asking = deps.transport.heldIds(index, ids, requestTimeout(deps.deadline(), Date.now()));
    first ??= asking;
    try {
      return await asking;
    } catch (error) {
      off = true;
      deps.events.heldIdsUnavailable(error instanceof HeldIdsRefused ? error.message : describeError(error));
      return undefined;
    }
  };
}

export async function shipObject(ref: ObjectRef, deps: ShipObjectDependencies): Promise<ObjectOutcome> {
  const { settings } = deps;
  const stats = emptyStats();
  const plan = readPlan(ref.resume, settings);
  let opened;
  try {
    opened = await openObject(deps.s3, ref, { ...(plan.open ? { start: plan.open } : {}), events: deps.events });
  } catch (error) {
    if (ref.resume && isPreconditionFailure(error)) {
      return { status: "superseded", stats, reason: "object replaced since the continuation was sent" };
    }
    return { status: "failed", stats, reason: describeError(error), transient: isTransient(error) };
  }

  const context: ObjectContext = {
    bucket: ref.bucket,
    key: ref.key,
    identity: opened.version.identity,
    region: settings.region,
    eventTime: ref.eventTime,
    ingested: new Date().toISOString(),
    ...(settings.timestampField ? { timestampField: settings.timestampField } : {}),
    ...(settings.preserveOriginal ? { preserveOriginal: true } : {}),
  };
  const builder = new DocumentBuilder(context, settings.lineFilter);
  /**
   * The object's indexer, made at its first batch: only then is its format known (`aws` and `auto`
   * decide it from the key and the first bytes), and with it the index its documents go to and the
   * data stream they name.
   */
  let indexer: BulkIndexer | undefined;
  const indexerFor = (format: ResolvedFormat): BulkIndexer => {
    if (indexer) return indexer;
    const destination = destinationOf(format, settings.format, settings.destination);
    const pipeline = pipelineOf(destination, settings.pipeline);
    if (destination.dataStream) builder.useDataStream(destination.dataStream);
    indexer = new BulkIndexer({
      index: destination.index,
      ...(pipeline ? { pipeline } : {}),
      transport: deps.transport,
      bulkMaxBytes: settings.bulkMaxBytes,
      bulkMaxDocuments: settings.bulkMaxDocuments,
      bulkConcurrency: settings.bulkConcurrency,
      deadline: deps.deadline,
      ...(settings.deadLetterIndex
        ? {
            deadLetterIndex: settings.deadLetterIndex,
            deadLetterSource: (rejected: RejectedDocument) =>
              buildDeadLetterSource(rejected, context, destination.index, settings.producer, pipeline),
          }
        : {}),
      ...(deps.redelivered && deps.transport.heldIds ? { heldIds: heldIdsOf(deps, destination.index) } : {}),
      rebuild: (document, reason) => builder.rebuild(document, reason),
      recoverRecord: (source, offset) => builder.recoverRecord(source, offset),
      events: deps.events,
    });
    return indexer;
  };

  // Where a continuation would resume, in the unit of the format read (bytes or records).
  const { start } = plan;
  const joiner = settings.multiline && plan.format === "text" ? new MultilineJoiner(settings.multiline) : undefined;
  /** Ships one record built outside the line hot path; false once Elasticsearch stopped taking them. */
  const ship = async (shipping: BulkIndexer, record: LogRecord): Promise<boolean> => {
    stats.records += 1;
    if (!builder.keeps(record)) return true;
    const backpressure = shipping.add(builder.build(record));
    if (backpressure) await backpressure;
    return !shipping.unavailable;
  };
  let position: ReadPosition | undefined;
  /** Where a continuation resumes when Elasticsearch did not take everything read (see the end). */
  const acknowledged = new AcknowledgedPosition<ReadPosition>();
  const reached = (shipping: BulkIndexer, at: ReadPosition): void => {
    position = at;
    acknowledged.mark(shipping.documentsAdded, at, shipping.acknowledgedDocuments());
  };
  let continued = false;
  let readError: unknown;
  const routing = new FormatRouting(builder, plan.header);
  try {
    reading: for await (const batch of readRecords(opened.chunks, {
      format: plan.format,
      firstByte: opened.firstByte,
      start: plan.start,
      maxLineBytes: settings.maxLineBytes,
      bucket: ref.bucket,
      key: ref.key,
      ...(plan.recordsField ? { recordsField: plan.recordsField } : {}),
      ...(plan.resumeByte !== undefined ? { resumeByte: plan.resumeByte } : {}),
      requireRecordsField: settings.recordsField !== undefined,
    })) {
      const shipping = indexerFor(batch.format);
      if (batch.kind === "lines" && joiner) {
        const { format, lines } = batch;
        for (const event of joiner.push(lines)) if (!(await ship(shipping, event))) break reading;
        // Never inside an event: a continuation starts at the first line of the one still open.
        reached(shipping, {
          unit: "line",
          format,
          reached: joiner.pendingStart ?? lines.resumeOffset,
          read: lines.position,
        });
      } else {
        stats.records += await routing.append(batch, shipping);
        const header = routing.header;
        reached(
          shipping,
          batch.kind === "lines"
            ? {
                unit: "line",
                format: batch.format,
                reached: batch.lines.resumeOffset,
                read: batch.lines.position,
                ...(header ? { header } : {}),
              }
            : {
                unit: "record",
                format: batch.format,
                reached: batch.records.nextRecord,
                recordsField: batch.records.recordsField,
                byteOffset: batch.records.resumeByte,
              },
        );
        if (shipping.unavailable) break;
      }
      // Checked after every batch, empty ones included: a run of blank lines, a long line or the
      // bytes skipped to reach a continuation's start take time too.
      if (deps.shouldStop()) {
        continued = true;
        break;
      }
    }
    // The object ended: its last event is complete (unless reading stopped early).
    const last = indexer && !continued && !indexer.unavailable ? joiner?.flush() : undefined;
    if (indexer && last) await ship(indexer, last);
  } catch (error) {
    readError = error;
  }

  // Always wait for what is in flight, so the counts are true whatever happened while reading.
  // An object that gave no batch at all (nothing to read, or refused before its first) indexed nothing.
  const result = indexer ? await indexer.finish() : NOTHING_INDEXED;
  const unavailable = indexer?.unavailable ?? false;
  Object.assign(stats, {
    indexed: result.indexed,
    duplicates: result.duplicates,
    deadLettered: result.deadLettered,
    failed: result.failed + result.rejected,
    linesDropped: builder.linesDropped,
    linesUnparsed: builder.linesUnparsed,
    bytes: opened.bytesRead(),
  });

  if (readError !== undefined) {
    return { status: "failed", stats, reason: describeError(readError), transient: isTransient(readError) };
  }
  if (result.failed > 0 || unavailable) {
    const pushedBack = `Elasticsearch did not accept ${result.failed} documents after retries: ${result.lastError ?? "unknown error"}`;
    // Running out of time (or retries) while Elasticsearch pushes back is not the object's failure:
    // what it acknowledged stays, and a continuation goes on from the last record it holds. Only an
    // invocation that got nothing past its start fails; the message then comes back paced and, after
    // maxReceiveCount receives without progress, reaches the DLQ — the same bound, and the same
    // quarter of an hour, as any message (issue 31: every delivery restarted at byte 0 instead).
    const kept = result.rejected === 0 && indexer ? acknowledged.at(indexer.acknowledgedDocuments()) : undefined;
    if (kept && kept.reached > start)
      return {
        status: "continued",
        stats,
        version: opened.version,
        resume: resumePointAt(kept, opened.version.gzip, opened.memberStartAt),
        pressure: pushedBack,
      };
    return {
      status: "failed",
      stats,
      reason: `${pushedBack}; nothing acknowledged past the ${position?.unit === "record" ? "record" : "byte"} this delivery started at (${start})`,
      transient: true,
    };
  }
  if (result.rejected > 0) {
    const where = settings.deadLetterIndex
      ? `and the dead-letter index ${settings.deadLetterIndex} refused them too`
      : "and no deadLetterIndex is configured";
    return {
      status: "failed",
      stats,
      reason: `Elasticsearch refused ${result.rejected} documents for good ${where}: ${result.lastError ?? "unknown error"}`,
      transient: false,
    };
  }
  if (!continued && position?.unit === "line" && position.read < start) {
    // The stream ended before the continuation's start: not the content the position was taken in.
    return {
      status: "failed",
      stats,
      reason: `the object ends at decompressed byte ${position.read}, before the continuation's start at ${start}`,
      transient: false,
    };
  }
  if (!continued || !position) return { status: "done", stats, version: opened.version };

  // Time ran short. A continuation must start past this one's start, or the object would loop.
  if (position.reached <= start) {
    if (position.unit === "line" && position.read < start) {
      return {
        status: "failed",
        stats,
        reason: `time ran out ${opened.version.gzip ? "inflating" : "reading"} up to the continuation's start at decompressed byte ${start} (got to ${position.read}); raise timeoutSeconds (docs/reliability.md "Large objects")`,
        transient: false,
      };
    }
    return {
      status: "failed",
      stats,
      reason: `no progress past ${position.unit === "line" ? "byte" : "record"} ${start} before time ran out`,
      transient: true,
    };
  }
  return {
    status: "continued",
    stats,
    version: opened.version,
    resume: resumePointAt(position, opened.version.gzip, opened.memberStartAt),
  };
}

/** Transient: S3 or the network may recover. Permanent: the object is gone, forbidden or unreadable. */
function isTransient(error: unknown): boolean {
  return error instanceof ObjectError ? error.transient : true;
}

function isPreconditionFailure(error: unknown): boolean {
  const cause = error instanceof ObjectError ? error.cause : error;
  return cause instanceof Error && (cause.name === "PreconditionFailed" || /Precondition/i.test(cause.name));
}
