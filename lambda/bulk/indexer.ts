/**
 * Sends documents to Elasticsearch `_bulk` with `create`, in batches bounded in bytes and count,
 * with a bounded number of requests in flight. Hand-written rather than the client's bulk helper
 * because that helper retries only item-level 429s: a whole-request 429/5xx or a connection error
 * aborts it, and it cannot tell us which offsets were acknowledged.
 *
 * What each answer means is decided in `bulkDecisions.ts`; the request layout is `bulkLayout.ts`'s.
 * Refused documents go to the dead-letter index when configured, otherwise they are counted as
 * rejected so the message fails. Per-document outcomes are data, not errors.
 */
import { sleep } from "../backoff";
import { BulkBody } from "./body";
import {
  DEFAULT_RETRY,
  itemOutcome,
  learntLimit,
  nextGroupEnd,
  nextRetryDelay,
  requestFailure,
  requestTimeout,
  TOO_LARGE,
  type RetryPolicy,
} from "./decisions";
import { CreateActions, type BulkEntry } from "./layout";
import { BulkRequestError, type BulkItemResult, type BulkTransport } from "./wire";
import type { RejectedDocument } from "../contract/sink";
import type { DocumentSink } from "../contract/sink";
import { describeError } from "../errors";
import type { ObjectEvents } from "../contract/events";
import type { DocumentRef, LogRecord, PreparedDocument } from "../contract/shapes";

export interface IndexerOptions {
  index: string;
  /** The ingest pipeline of the primary index's documents (`ES_PIPELINE`). */
  pipeline?: string;
  transport: BulkTransport;
  /** Where permanently rejected documents go; without it they fail the message. */
  deadLetterIndex?: string;
  /** Builds the dead-letter `_source` for a rejected document. */
  deadLetterSource?: (rejected: RejectedDocument) => string;
  /** A request is sent when its body reaches this many bytes (`ES_BULK_MAX_BYTES`). */
  bulkMaxBytes: number;
  /** A request is sent when it holds this many documents (`ES_BULK_MAX_DOCUMENTS`). */
  bulkMaxDocuments: number;
  /** Bulk requests in flight at once (`ES_BULK_CONCURRENCY`). */
  bulkConcurrency: number;
  retry?: RetryPolicy;
  /** Epoch ms after which no retry is started (the function's time is nearly up). */
  deadline?: () => number;
  /**
   * Offers a new `_source` for a document Elasticsearch refused with `reason`; tried once per
   * document before it counts as rejected. Return undefined when there is none.
   */
  rebuild?: (document: DocumentRef, reason: string) => string | undefined;
  /**
   * The record of a document whose source was appended as bulk lines (`appendLines`),
   * read back from that source when it failed. Without it, the source itself stands in.
   */
  recoverRecord?: (source: Buffer, offset: number) => LogRecord;
  /**
   * A redelivery's question before a batch is sent: which of its ids the destination already holds
   * in any backing index (undefined: it could not be asked). Those are skipped and counted as
   * duplicates; `create`'s 409 covers only the write index, not the ones rolled over since.
   */
  heldIds?: (ids: readonly string[]) => Promise<Set<string> | undefined>;
  /** Told of every refused document and every request split for being too large. */
  events: Pick<ObjectEvents, "documentRefused" | "requestTooLarge">;
}

export interface IndexingResult {
  indexed: number;
  duplicates: number;
  deadLettered: number;
  /** Refused for good with nowhere to put them: the message must fail. */
  rejected: number;
  /** Still not accepted when retries ran out: the message must be retried. */
  failed: number;
  /** Why the last request or item failed, for the failure log line. */
  lastError?: string;
}

type Target = "primary" | "deadLetter";

/**
 * One flushed batch: where it ends in the documents handed in, and, once Elasticsearch settled it,
 * whether every document of it is there (created, already there, or dead-lettered). Documents that
 * ran out of retries or were refused with nowhere to go make it `lost`: nothing after it counts as
 * acknowledged.
 */
interface BatchTally {
  /** Documents handed in up to and including this batch. */
  end: number;
  settled: boolean;
  lost: number;
}

/** A document in a batch that needs a look of its own: what a refusal needs, and where its source lies. */
type Entry = DocumentRef & BulkEntry;

/**
 * A batch handed to Elasticsearch. Per document only numbers are kept (and a record where the
 * source was built from one): per-line objects alive until the answer would survive young-generation
 * collections and cost more GC than everything else. `Entry`s are made only when something failed.
 */
interface SentBatch {
  /** Reused for a later batch once Elasticsearch answered this one (see `flush`). */
  body: BulkBody;
  /** How its documents ended: what `acknowledgedDocuments` counts. */
  tally: BatchTally;
  offsets: number[];
  lineEnds: number[];
  /** By position in the batch, for documents added with their record (`add`). */
  records: Map<number, LogRecord>;
}

export class BulkIndexer implements DocumentSink {
  /** Lowered for the rest of the object when Elasticsearch (or a proxy) answers 413. */
  private bulkMaxBytes: number;
  private readonly bulkMaxDocuments: number;
  private readonly bulkConcurrency: number;
  private readonly retry: RetryPolicy;
  private readonly actions: Record<Target, CreateActions>;
  private body: BulkBody;
  /** Bodies of answered requests, to fill again: a new 5 MB buffer per request makes V8 collect often. */
  private readonly spareBodies: BulkBody[] = [];
  private offsets: number[] = [];
  private lineEnds: number[] = [];
  private records = new Map<number, LogRecord>();
  private readonly inFlight = new Set<Promise<void>>();
  /** Documents handed in so far (`add`, `appendLines`), and the flushed batches not yet known to be acknowledged, in order. */
  private added = 0;
  private readonly tallies: BatchTally[] = [];
  private acknowledged = 0;
  /** Batches sent at least once and pushed back, not yet settled. */
  private behind = 0;
  private readonly result: IndexingResult = { indexed: 0, duplicates: 0, deadLettered: 0, rejected: 0, failed: 0 };
  /** True once a batch ran out of retries or Elasticsearch cannot be reached: stop reading, the message will be retried. */
  unavailable = false;

  constructor(private readonly options: IndexerOptions) {
    this.bulkMaxBytes = options.bulkMaxBytes;
    this.bulkMaxDocuments = options.bulkMaxDocuments;
    this.bulkConcurrency = options.bulkConcurrency;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.actions = {
      primary: new CreateActions(options.index, options.pipeline),
      // Not through the pipeline: a document it refused would be refused again.
      deadLetter: new CreateActions(options.deadLetterIndex ?? options.index),
    };
    this.body = new BulkBody(this.bodyCapacity());
  }

  get roomDocuments(): number {
    return this.bulkMaxDocuments - this.lineEnds.length;
  }

  get roomBytes(): number {
    return this.bulkMaxBytes - this.body.length;
  }

  actionLine(id: string): string {
    return this.actions.primary.line(id);
  }

  /**
   * Buffers a document. Returns a promise only when a batch was handed off and the caller must wait
   * for room (backpressure for the reader); otherwise undefined, so the per-line path never awaits.
   */
  add(document: PreparedDocument): Promise<void> | undefined {
    this.body.byteString(this.actionLine(document.id));
    this.body.text(document.source);
    this.body.byteString("\n");
    this.records.set(this.lineEnds.length, document.record);
    this.offsets.push(document.offset);
    this.lineEnds.push(this.body.length);
    this.added += 1;
    return this.flushWhenFull();
  }

  appendLines(lines: string, offsets: number[], ends: number[]): Promise<void> | undefined {
    const base = this.body.length;
    this.body.byteString(lines);
    for (let index = 0; index < ends.length; index += 1) {
      this.offsets.push(offsets[index] as number);
      this.lineEnds.push(base + (ends[index] as number));
    }
    this.added += ends.length;
    return this.flushWhenFull();
  }

  private flushWhenFull(): Promise<void> | undefined {
    if (this.body.length >= this.bulkMaxBytes || this.lineEnds.length >= this.bulkMaxDocuments) return this.flush();
    return undefined;
  }

  /** Documents handed in so far. */
  get documentsAdded(): number {
    return this.added;
  }

  /**
   * How many of the documents handed in, counted from the first, Elasticsearch holds: every batch
   * up to there settled with none lost. Batches answer out of order; a lost one stops the count for
   * good. A continuation after the record of the last such document repeats nothing but what
   * Elasticsearch answers 409 for (issue 31: time running out while Elasticsearch pushed back threw
   * the whole invocation's work away).
   */
  acknowledgedDocuments(): number {
    while (this.tallies[0]?.settled && this.tallies[0].lost === 0) {
      this.acknowledged = this.tallies[0].end;
      this.tallies.shift();
    }
    return this.acknowledged;
  }

  /** Sends what is buffered and waits for every request; returns the totals. */
  async finish(): Promise<IndexingResult> {
    await this.flush();
    await Promise.all(this.inFlight);
    return { ...this.result };
  }

  private bodyCapacity(): number {
    return this.bulkMaxBytes + 64 * 1024;
  }

  private async flush(): Promise<void> {
    if (this.lineEnds.length > 0) {
      // A batch Elasticsearch pushed back goes first: while one waits to be sent again, no new batch
      // starts, or new requests take the write thread its retry needs and the oldest batch — the one
      // the acknowledged documents wait for — loses every time (issue 31: a one-thread write pool).
      while (this.behind > 0 && this.inFlight.size > 0) await Promise.race(this.inFlight);
      const tally: BatchTally = { end: this.added, settled: false, lost: 0 };
      this.tallies.push(tally);
      const batch: SentBatch = {
        body: this.body,
        tally,
        offsets: this.offsets,
        lineEnds: this.lineEnds,
        records: this.records,
      };
      this.body = this.spareBodies.pop() ?? new BulkBody(this.bodyCapacity());
      this.offsets = [];
      this.lineEnds = [];
      this.records = new Map();
      const request: Promise<void> = this.sendWithRetries(
        batch.body.view(),
        batch.lineEnds.length,
        () => this.entriesOf(batch),
        "primary",
        tally,
      )
        .then((answered) => {
          tally.settled = true;
          // Only an answered request has surely stopped reading the buffer: a timed-out one may not have.
          // A body grown past its size by a long document is let go: kept, it would hold that memory.
          if (answered && batch.body.capacity <= this.bodyCapacity()) {
            batch.body.clear();
            this.spareBodies.push(batch.body);
          }
        })
        .finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }
    while (this.inFlight.size >= this.bulkConcurrency) await Promise.race(this.inFlight);
  }

  /** The documents of a batch one by one, read back from its body: only needed when something failed. */
  private entriesOf(batch: SentBatch): Entry[] {
    return this.actions.primary.read(batch.body.view(), batch.lineEnds).map((entry, position) => {
      const offset = batch.offsets[position] as number;
      const record =
        batch.records.get(position) ?? this.recoverRecord(entry.body.subarray(entry.start, entry.end), offset);
      return { ...entry, offset, record };
    });
  }

  private recoverRecord(source: Buffer, offset: number): LogRecord {
    // Without a way back to the record, the whole source stands in for it: kept, never lost.
    return (
      this.options.recoverRecord?.(source, offset) ?? { offset, nextOffset: offset, text: source.toString("utf8") }
    );
  }

  /**
   * Sends a body of `count` documents until every one is accepted, refused for good, or retries run
   * out. `documents` lists them for a look one by one, which only a failure needs. Resolves to
   * whether Elasticsearch answered the first body (so the transport is done with it).
   */
  private async sendWithRetries(
    firstBody: Buffer,
    count: number,
    documents: () => Entry[],
    target: Target,
    tally: BatchTally,
  ): Promise<boolean> {
    let answered = false;
    let pending: Entry[] | undefined; // undefined while they are still all of the first body's documents
    let body: Buffer | undefined = firstBody;
    const rebuilt = new Set<Entry>();
    let earlyAnswers = 0; // consecutive early answers (see BulkRequestError.answeredEarly)
    let pushedBack = false;
    if (target === "primary" && this.options.heldIds) {
      const all = documents();
      const held = await this.options.heldIds(all.map((entry) => entry.id));
      if (held && held.size > 0) {
        pending = all.filter((entry) => !held.has(entry.id));
        this.result.duplicates += all.length - pending.length;
        // Never handed to the transport: the first body may be filled again.
        if (pending.length === 0) return true;
        body = undefined;
      }
    }
    try {
      for (let attempt = 1; ; attempt += 1) {
        body ??= this.actions[target].encode(pending ?? documents());
        const sent = pending?.length ?? count;
        let retryable: Entry[];
        try {
          const response = await this.options.transport.send(
            body,
            requestTimeout(this.options.deadline?.(), Date.now()),
          );
          answered ||= body === firstBody;
          // An answer that lists more or fewer items than documents sent (a faulty proxy, a cut
          // answer) says nothing reliable about any of them: the request failed and is sent again.
          const items = response.errors ? response.items.length : response.itemCount;
          if (items !== sent)
            throw new BulkRequestError(`bulk answer lists ${items} items for ${sent} documents sent`, undefined, true);
          if (!response.errors) {
            // Every item was created: the common case needs no per-item look.
            this.countAccepted(target, sent);
            return answered;
          }
          pending ??= documents();
          const sorted = this.sortItems(pending, response.items, target, rebuilt);
          if (sorted.rejected.length > 0) await this.handleRejected(sorted.rejected, target, tally);
          retryable = sorted.retry;
        } catch (error) {
          pending ??= documents();
          earlyAnswers = error instanceof BulkRequestError && error.answeredEarly ? earlyAnswers + 1 : 0;
          const failure = requestFailure(error, body.length, pending.length, earlyAnswers);
          if (failure === "tooLarge")
            return (
              (await this.splitTooLarge(pending, body.length, target, error as BulkRequestError, tally)) || answered
            );
          this.result.lastError = describeError(error);
          if (failure === "giveUp") return this.giveUp(pending.length, answered, tally);
          retryable = pending;
        }
        if (retryable.length === 0) return answered;
        const delay = nextRetryDelay(attempt, this.retry, Date.now(), this.options.deadline?.());
        if (delay === undefined) return this.giveUp(retryable.length, answered, tally);
        if (!pushedBack) {
          pushedBack = true;
          this.behind += 1;
        }
        await sleep(delay);
        // The same request is resent as it was; a subset is re-encoded from the earlier bodies.
        if (retryable !== pending) body = undefined;
        pending = retryable;
      }
    } finally {
      if (pushedBack) this.behind -= 1;
    }
  }

  /** Counts each item of an answer with errors; returns those to send again and those refused for good. */
  private sortItems(
    entries: Entry[],
    items: BulkItemResult[],
    target: Target,
    rebuilt: Set<Entry>,
  ): { retry: Entry[]; rejected: RejectedDocument[] } {
    const retry: Entry[] = [];
    const rejected: RejectedDocument[] = [];
    entries.forEach((entry, position) => {
      const item = items[position] as BulkItemResult;
      switch (itemOutcome(item.status, item.error)) {
        case "created":
          this.countAccepted(target, 1);
          break;
        case "duplicate":
          if (target === "primary") this.result.duplicates += 1;
          else this.result.deadLettered += 1;
          break;
        case "retry":
          retry.push(entry);
          this.result.lastError = describeItem(item);
          break;
        case "refused": {
          // A document is offered one rebuild (e.g. duplicate keys merged) before it counts as refused.
          const source =
            target === "primary" && !rebuilt.has(entry)
              ? this.options.rebuild?.(entry, item.error?.reason ?? "")
              : undefined;
          if (source === undefined) {
            rejected.push(rejection(entry, item));
          } else {
            const replacement = toEntry(entry, source);
            rebuilt.add(replacement);
            retry.push(replacement);
          }
        }
      }
    });
    return { retry, rejected };
  }

  /** Elasticsearch did not take `documents` in time: they fail (the message comes back), and reading stops. */
  private giveUp(documents: number, answered: boolean, tally: BatchTally): boolean {
    this.result.failed += documents;
    tally.lost += documents;
    this.unavailable = true;
    return answered;
  }

  /**
   * A request was refused as too large (413): send its documents again in smaller requests, down to
   * one document; a single document still refused is rejected for good (dead-lettered, truncated,
   * when a dead-letter index is configured). The limit learnt — half the refused size — also keeps
   * the object's later requests smaller, and the groups not sent yet are cut to what was learnt
   * meanwhile, so a limit far below the request size costs a refusal per halving, not per group.
   * Resolves to false: the refused body's buffer is not known to be released.
   */
  private async splitTooLarge(
    entries: Entry[],
    refusedBytes: number,
    target: Target,
    error: BulkRequestError,
    tally: BatchTally,
  ): Promise<boolean> {
    const learnt = learntLimit(refusedBytes, this.bulkMaxBytes);
    this.bulkMaxBytes = learnt.bulkMaxBytes;
    if (entries.length === 1) {
      const entry = entries[0] as Entry;
      const reason = `a request holding only this document (${refusedBytes} bytes) was refused as too large: ${error.message}`;
      await this.handleRejected(
        [rejection(entry, { status: TOO_LARGE, error: { type: "request_entity_too_large", reason } })],
        target,
        tally,
      );
      return false;
    }
    this.options.events.requestTooLarge(refusedBytes, entries.length, Math.min(learnt.limit, this.bulkMaxBytes));
    const actions = this.actions[target];
    const sizes = entries.map((entry) => actions.entryBytes(entry));
    for (let next = 0; next < entries.length;) {
      if (this.unavailable) {
        // Elasticsearch stopped answering: what was not sent failed with the rest.
        this.result.failed += entries.length - next;
        tally.lost += entries.length - next;
        break;
      }
      // Never the whole refused request again: at most half of it, less if a smaller limit was learnt.
      const end = nextGroupEnd(sizes, next, Math.min(learnt.limit, this.bulkMaxBytes));
      const group = entries.slice(next, end);
      await this.sendWithRetries(actions.encode(group), group.length, () => group, target, tally);
      next = end;
    }
    return false;
  }

  private countAccepted(target: Target, count: number): void {
    if (target === "primary") this.result.indexed += count;
    else this.result.deadLettered += count;
  }

  private async handleRejected(rejected: RejectedDocument[], target: Target, tally: BatchTally): Promise<void> {
    const last = rejected[rejected.length - 1];
    if (last) this.result.lastError = `${last.status} ${last.type}: ${last.reason}`;
    const deadLetter =
      target === "primary" && this.options.deadLetterIndex !== undefined && this.options.deadLetterSource;
    for (const item of rejected) this.options.events.documentRefused(item, Boolean(deadLetter));
    if (!deadLetter) {
      this.result.rejected += rejected.length;
      tally.lost += rejected.length;
      return;
    }
    const deadLetterSource = this.options.deadLetterSource;
    if (!deadLetterSource) return;
    const entries = rejected.map((item) => toEntry(item.document, deadLetterSource(item)));
    await this.sendWithRetries(
      this.actions.deadLetter.encode(entries),
      entries.length,
      () => entries,
      "deadLetter",
      tally,
    );
  }
}

/** A stand-alone entry for a source built after its batch (a rebuild or a dead letter). */
function toEntry(document: DocumentRef, source: string): Entry {
  const body = Buffer.from(source, "utf8");
  return { id: document.id, offset: document.offset, record: document.record, body, start: 0, end: body.length };
}

function rejection(entry: DocumentRef, item: BulkItemResult): RejectedDocument {
  const document: DocumentRef = { id: entry.id, offset: entry.offset, record: entry.record };
  return {
    document,
    status: item.status,
    type: item.error?.type ?? "unknown",
    reason: item.error?.reason ?? `status ${item.status}`,
  };
}

function describeItem(item: BulkItemResult): string {
  return `${item.status} ${item.error?.type ?? ""}: ${item.error?.reason ?? ""}`.trim();
}
