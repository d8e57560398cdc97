/**
 * Sends documents to Elasticsearch `_bulk` with `create`, in batches bounded in bytes and count,
 * with a bounded number of requests in flight. Hand-written rather than the client's bulk helper
 * because that helper retries only item-level 429s: a whole-request 429/5xx or a connection error
 * aborts it, and it cannot tell us which offsets were acknowledged.
 *
 * Per item: 2xx indexed, 409 duplicate (already indexed by an earlier delivery: success),
 * 429/5xx retried with backoff, other 4xx permanent — to the dead-letter index when configured,
 * otherwise counted as rejected so the message fails. Per-document outcomes are data, not errors.
 */
import { backoffDelay, sleep } from "./backoff";
import { describeError, ShipperError } from "./errors";
import { BulkBody, toByteString } from "./bulkBody";
import type { DocumentRef, LogRecord, PreparedDocument } from "./types";

/** The answer for one item of a bulk request. */
export interface BulkItemResult {
  status: number;
  error?: { type: string; reason: string };
}

/**
 * A `_bulk` answer. When `errors` is false every item succeeded and only their number is kept
 * (the items need no parsing); it must still match the documents sent.
 */
export type BulkResponse = { errors: false; itemCount: number } | { errors: true; items: BulkItemResult[] };

/**
 * Sends one `_bulk` body, waiting at most `timeoutMs` when given. Throws `BulkRequestError` when
 * the request as a whole fails.
 */
export interface BulkTransport {
  send(ndjson: Buffer, timeoutMs?: number): Promise<BulkResponse>;
}

/** A whole bulk request failed: HTTP status (if any) and whether trying again may help. */
export class BulkRequestError extends ShipperError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    options?: { cause?: unknown; answeredEarly?: boolean },
  ) {
    super(message, options);
    this.answeredEarly = options?.answeredEarly ?? false;
  }

  /**
   * The server answered before it had read the whole request and the client lost the answer
   * (`Connection closed while reading the body`). That is how Elasticsearch (and proxies) refuse a
   * request over their size limit: the 413 goes out as soon as the headers say the body is too
   * large — measured against Elasticsearch 9.2 with http.max_content_length 4mb: a 5 MB bulk ends
   * so, a 3 MB one is indexed.
   */
  readonly answeredEarly: boolean;
}

/** A document Elasticsearch refused for good (mapping conflict, invalid id, …). */
export interface RejectedDocument {
  document: DocumentRef;
  status: number;
  type: string;
  reason: string;
}

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** A request never gets less time than this, even when the deadline is close. */
const MIN_REQUEST_TIMEOUT_MS = 1_000;

/** After a 413, requests shrink to half the refused size, but never below this. */
const MIN_FLUSH_BYTES = 64 * 1024;

/** HTTP 413 Request Entity Too Large: Elasticsearch's http.max_content_length, or a proxy's limit. */
const TOO_LARGE = 413;

/**
 * A body this small is sent before any answer can arrive, so an early answer reaches the client
 * with its status: an early close on it is a connection problem, not a size refusal.
 */
const EARLY_ANSWER_MIN_BYTES = 64 * 1024;

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

export interface IndexerOptions {
  index: string;
  transport: BulkTransport;
  /** Where permanently rejected documents go; without it they fail the message. */
  deadLetterIndex?: string;
  /** Builds the dead-letter `_source` for a rejected document. */
  deadLetterSource?: (rejected: RejectedDocument) => string;
  /** Flush when the buffered bulk body reaches this many bytes. Default 5 MiB. */
  flushBytes?: number;
  /** Flush when this many documents are buffered. Default 5,000. */
  flushDocuments?: number;
  /** Bulk requests in flight at once. Default 2. */
  concurrency?: number;
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
  /** Called once per rejected or dead-lettered document (for logs). */
  onRejected?: (rejected: RejectedDocument, deadLettered: boolean) => void;
  /** Called when a request of several documents was refused as too large and is sent again in smaller ones (for logs). */
  onTooLarge?: (refusedBytes: number, documents: number, nextLimitBytes: number) => void;
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

const NEWLINE = 0x0a;
/** What follows the id on an action line. */
const ACTION_END = '"}}\n';

/** A document in a batch that needs a look of its own: what a refusal needs, and where its source lies. */
interface Entry extends DocumentRef {
  body: Buffer;
  start: number;
  end: number;
}

/**
 * A batch handed to Elasticsearch. Per document only numbers are kept (and a record where the
 * source was built from one): per-line objects alive until the answer would survive young-generation
 * collections and cost more GC than everything else. `Entry`s are made only when something failed.
 */
interface SentBatch {
  /** Reused for a later batch once Elasticsearch answered this one (see `flush`). */
  body: BulkBody;
  offsets: number[];
  lineEnds: number[];
  /** By position in the batch, for documents added with their record (`add`). */
  records: Map<number, LogRecord>;
}

/** Where documents go: the indexer, seen from the code that builds them. */
export interface DocumentSink {
  /** Buffers a document whose `_source` is a string. Returns a promise when the caller must wait for room. */
  add(document: PreparedDocument): Promise<void> | undefined;
  /** The action line for document `id`, as a byte string (see `appendLines`). */
  actionLine(id: string): string;
  /** Documents and bytes that still fit in the request being filled. */
  readonly roomDocuments: number;
  readonly roomBytes: number;
  /**
   * Buffers documents already written as bulk lines — per document its `actionLine` and its
   * `_source`, each ending in a newline — as one byte string (one character per byte, UTF-8 inside).
   * `ends[i]` is where document i ends in `lines`, `offsets[i]` its record's offset. A failed
   * document's record is recovered from its source (`IndexerOptions.recoverRecord`).
   */
  appendLines(lines: string, offsets: number[], ends: number[]): Promise<void> | undefined;
}

export class BulkIndexer implements DocumentSink {
  /** Lowered for the rest of the object when Elasticsearch (or a proxy) answers 413. */
  private flushBytes: number;
  private readonly flushDocuments: number;
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private readonly action: string;
  private readonly deadLetterAction: string;
  private body: BulkBody;
  /** Bodies of answered requests, to fill again: a new 5 MB buffer per request makes V8 collect often. */
  private readonly spareBodies: BulkBody[] = [];
  private offsets: number[] = [];
  private lineEnds: number[] = [];
  private records = new Map<number, LogRecord>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly result: IndexingResult = { indexed: 0, duplicates: 0, deadLettered: 0, rejected: 0, failed: 0 };
  private gaveUp = false;

  constructor(private readonly options: IndexerOptions) {
    this.flushBytes = options.flushBytes ?? 5 * 1024 * 1024;
    this.flushDocuments = options.flushDocuments ?? 5_000;
    this.concurrency = options.concurrency ?? 2;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.action = actionPrefix(options.index);
    this.deadLetterAction = actionPrefix(options.deadLetterIndex ?? options.index);
    this.body = new BulkBody(this.bodyCapacity());
  }

  /** True once a batch ran out of retries: stop reading, the message will be retried. */
  get unavailable(): boolean {
    return this.gaveUp;
  }

  get roomDocuments(): number {
    return this.flushDocuments - this.lineEnds.length;
  }

  get roomBytes(): number {
    return this.flushBytes - this.body.length;
  }

  actionLine(id: string): string {
    return actionLine(this.action, id);
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
    return this.flushWhenFull();
  }

  appendLines(lines: string, offsets: number[], ends: number[]): Promise<void> | undefined {
    const base = this.body.length;
    this.body.byteString(lines);
    for (let index = 0; index < ends.length; index += 1) {
      this.offsets.push(offsets[index] as number);
      this.lineEnds.push(base + (ends[index] as number));
    }
    return this.flushWhenFull();
  }

  private flushWhenFull(): Promise<void> | undefined {
    if (this.body.length >= this.flushBytes || this.lineEnds.length >= this.flushDocuments) return this.flush();
    return undefined;
  }

  /** Sends what is buffered and waits for every request; returns the totals. */
  async finish(): Promise<IndexingResult> {
    await this.flush();
    await Promise.all(this.inFlight);
    return { ...this.result };
  }

  private bodyCapacity(): number {
    return this.flushBytes + 64 * 1024;
  }

  private async flush(): Promise<void> {
    if (this.lineEnds.length > 0) {
      const batch: SentBatch = { body: this.body, offsets: this.offsets, lineEnds: this.lineEnds, records: this.records };
      this.body = this.spareBodies.pop() ?? new BulkBody(this.bodyCapacity());
      this.offsets = [];
      this.lineEnds = [];
      this.records = new Map();
      const request: Promise<void> = this.sendWithRetries(batch.body.view(), batch.lineEnds.length, () => this.entriesOf(batch), "primary")
        .then((answered) => {
          // Only an answered request has surely stopped reading the buffer: a timed-out one may not have.
          if (answered) {
            batch.body.clear();
            this.spareBodies.push(batch.body);
          }
        })
        .finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
  }

  /** The documents of a batch one by one, read back from its body: only needed when something failed. */
  private entriesOf(batch: SentBatch): Entry[] {
    const body = batch.body.view();
    const entries: Entry[] = [];
    let lineStart = 0;
    batch.lineEnds.forEach((lineEnd, position) => {
      const idStart = lineStart + this.action.length;
      const actionEnd = body.indexOf(NEWLINE, idStart);
      const offset = batch.offsets[position] as number;
      const start = actionEnd + 1;
      const end = lineEnd - 1;
      const record = batch.records.get(position) ?? this.recoverRecord(body.subarray(start, end), offset);
      entries.push({ id: body.toString("latin1", idStart, actionEnd - ACTION_END.length + 1), offset, record, body, start, end });
      lineStart = lineEnd;
    });
    return entries;
  }

  private recoverRecord(source: Buffer, offset: number): LogRecord {
    // Without a way back to the record, the whole source stands in for it: kept, never lost.
    return this.options.recoverRecord?.(source, offset) ?? { offset, nextOffset: offset, text: source.toString("utf8") };
  }

  /**
   * Sends a body of `count` documents until every one is accepted, refused for good, or retries run
   * out. `documents` lists them for a look one by one, which only a failure needs. Resolves to
   * whether Elasticsearch answered the first body (so the transport is done with it).
   */
  private async sendWithRetries(firstBody: Buffer, count: number, documents: () => Entry[], target: Target): Promise<boolean> {
    let answered = false;
    let pending: Entry[] | undefined; // undefined while they are still all of the first body's documents
    let body: Buffer | undefined = firstBody;
    const rebuilt = new Set<Entry>();
    const action = target === "primary" ? this.action : this.deadLetterAction;
    let earlyAnswers = 0; // consecutive early answers to a single large document
    for (let attempt = 1; ; attempt += 1) {
      let retryable: Entry[] = [];
      const rejected: RejectedDocument[] = [];
      body ??= encode(pending ?? documents(), action);
      const sent = pending?.length ?? count;
      try {
        const deadline = this.options.deadline?.();
        const timeoutMs = deadline === undefined ? undefined : Math.max(MIN_REQUEST_TIMEOUT_MS, deadline - Date.now());
        const response = await this.options.transport.send(body, timeoutMs);
        answered ||= body === firstBody;
        // An answer that lists more or fewer items than documents sent (a faulty proxy, a cut
        // answer) says nothing reliable about any of them: the request failed and is sent again.
        const items = response.errors ? response.items.length : response.itemCount;
        if (items !== sent) throw new BulkRequestError(`bulk answer lists ${items} items for ${sent} documents sent`, undefined, true);
        if (!response.errors) {
          // Every item was created: the common case needs no per-item look.
          this.countAccepted(target, sent);
          return answered;
        }
        (pending ??= documents()).forEach((entry, position) => {
          const item = response.items[position] as BulkItemResult;
          if (item.status >= 200 && item.status < 300) this.countAccepted(target, 1);
          else if (item.status === 409) {
            if (target === "primary") this.result.duplicates += 1;
            else this.result.deadLettered += 1;
          } else if (item.status === 429 || item.status >= 500) {
            retryable.push(entry);
            this.result.lastError = describeItem(item);
          } else if (target === "primary" && !rebuilt.has(entry) && this.options.rebuild) {
            const source = this.options.rebuild(entry, item.error?.reason ?? "");
            if (source === undefined) rejected.push(rejection(entry, item));
            else {
              const replacement = toEntry(entry, source);
              rebuilt.add(replacement);
              retryable.push(replacement);
            }
          } else {
            rejected.push(rejection(entry, item));
          }
        });
      } catch (error) {
        pending ??= documents();
        earlyAnswers = error instanceof BulkRequestError && error.answeredEarly ? earlyAnswers + 1 : 0;
        if (error instanceof BulkRequestError && isTooLarge(error, body.length, pending.length, earlyAnswers)) {
          return (await this.splitTooLarge(pending, body.length, target, action, error)) || answered;
        }
        if (!(error instanceof BulkRequestError) || !error.retryable) {
          this.result.failed += pending.length;
          this.result.lastError = describeError(error);
          this.gaveUp = true;
          return answered;
        }
        retryable = pending;
        this.result.lastError = describeError(error);
      }

      if (rejected.length > 0) await this.handleRejected(rejected, target);
      if (retryable.length === 0) return answered;

      const delay = backoffDelay(attempt, this.retry.baseDelayMs, this.retry.maxDelayMs);
      const deadline = this.options.deadline?.() ?? Number.POSITIVE_INFINITY;
      if (attempt >= this.retry.maxAttempts || Date.now() + delay > deadline) {
        this.result.failed += retryable.length;
        this.gaveUp = true;
        return answered;
      }
      await sleep(delay);
      // The same request is resent as it was; a subset is re-encoded from the earlier bodies.
      if (retryable !== pending) body = undefined;
      pending = retryable;
    }
  }

  /**
   * A request was refused as too large (413): send its documents again in smaller requests, down to
   * one document; a single document still refused is rejected for good (dead-lettered, truncated,
   * when a dead-letter index is configured). The limit learnt — half the refused size — also keeps
   * the object's later requests smaller, and the groups not sent yet are cut to what was learnt
   * meanwhile, so a limit far below the request size costs a refusal per halving, not per group.
   * Resolves to false: the refused body's buffer is not known to be released.
   */
  private async splitTooLarge(entries: Entry[], refusedBytes: number, target: Target, action: string, error: BulkRequestError): Promise<boolean> {
    const limit = Math.max(1, Math.floor(refusedBytes / 2));
    this.flushBytes = Math.max(MIN_FLUSH_BYTES, Math.min(this.flushBytes, limit));
    if (entries.length === 1) {
      const entry = entries[0] as Entry;
      const reason = `a request holding only this document (${refusedBytes} bytes) was refused as too large: ${error.message}`;
      await this.handleRejected([rejection(entry, { status: TOO_LARGE, error: { type: "request_entity_too_large", reason } })], target);
      return false;
    }
    this.options.onTooLarge?.(refusedBytes, entries.length, Math.min(limit, this.flushBytes));
    for (let next = 0; next < entries.length; ) {
      if (this.gaveUp) {
        // Elasticsearch stopped answering: what was not sent failed with the rest.
        this.result.failed += entries.length - next;
        break;
      }
      // Never the whole refused request again: at most half of it, less if a smaller limit was learnt.
      const room = Math.min(limit, this.flushBytes);
      let bytes = 0;
      let end = next;
      while (end < entries.length && (end === next || bytes + entryBytes(entries[end] as Entry, action) <= room) && end - next < entries.length - 1) {
        bytes += entryBytes(entries[end] as Entry, action);
        end += 1;
      }
      const group = entries.slice(next, end);
      await this.sendWithRetries(encode(group, action), group.length, () => group, target);
      next = end;
    }
    return false;
  }

  private countAccepted(target: Target, count: number): void {
    if (target === "primary") this.result.indexed += count;
    else this.result.deadLettered += count;
  }

  private async handleRejected(rejected: RejectedDocument[], target: Target): Promise<void> {
    const last = rejected[rejected.length - 1];
    if (last) this.result.lastError = `${last.status} ${last.type}: ${last.reason}`;
    const deadLetter = target === "primary" && this.options.deadLetterIndex !== undefined && this.options.deadLetterSource;
    for (const item of rejected) this.options.onRejected?.(item, Boolean(deadLetter));
    if (!deadLetter) {
      this.result.rejected += rejected.length;
      return;
    }
    const deadLetterSource = this.options.deadLetterSource;
    if (!deadLetterSource) return;
    const entries = rejected.map((item) => toEntry(item.document, deadLetterSource(item)));
    await this.sendWithRetries(encode(entries, this.deadLetterAction), entries.length, () => entries, "deadLetter");
  }
}

/**
 * Whether a failed request was refused as too large: a 413, or an early answer to a large body
 * (see `BulkRequestError.answeredEarly`) — at once for several documents (splitting them costs
 * nothing if it was a network blip), at the second in a row for a single document (whose refusal
 * is for good).
 */
function isTooLarge(error: BulkRequestError, bodyBytes: number, documents: number, earlyAnswers: number): boolean {
  if (error.status === TOO_LARGE) return true;
  if (!error.answeredEarly || bodyBytes <= EARLY_ANSWER_MIN_BYTES) return false;
  return documents > 1 || earlyAnswers >= 2;
}

/** Bytes an entry takes in a request: its action line, its source and two newlines. */
function entryBytes(entry: Entry, action: string): number {
  return action.length + entry.id.length + ACTION_END.length + (entry.end - entry.start) + 1;
}

/** A stand-alone entry for a source built after its batch (a rebuild or a dead letter). */
function toEntry(document: DocumentRef, source: string): Entry {
  const body = Buffer.from(source, "utf8");
  return { id: document.id, offset: document.offset, record: document.record, body, start: 0, end: body.length };
}

/** The start of an action line up to the id, `{"create":{"_index":"…","_id":"`, as a byte string. */
function actionPrefix(index: string): string {
  return toByteString(`{"create":{"_index":${JSON.stringify(index)},"_id":"`);
}

/** The action line that creates document `id`, after `prefix` (from `actionPrefix`). */
function actionLine(prefix: string, id: string): string {
  return `${prefix}${id}${ACTION_END}`;
}

/** Encodes entries (whose sources lie in earlier bodies) into a new request body. */
function encode(entries: Entry[], action: string): Buffer {
  const body = new BulkBody(0);
  for (const entry of entries) {
    body.byteString(actionLine(action, entry.id));
    body.copy(entry.body, entry.start, entry.end);
    body.byteString("\n");
  }
  return body.view();
}

function rejection(entry: DocumentRef, item: BulkItemResult): RejectedDocument {
  const document: DocumentRef = { id: entry.id, offset: entry.offset, record: entry.record };
  return { document, status: item.status, type: item.error?.type ?? "unknown", reason: item.error?.reason ?? `status ${item.status}` };
}

function describeItem(item: BulkItemResult): string {
  return `${item.status} ${item.error?.type ?? ""}: ${item.error?.reason ?? ""}`.trim();
}
