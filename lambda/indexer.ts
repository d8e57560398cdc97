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
import type { DocumentRef, PreparedDocument } from "./types";

/** The answer for one item of a bulk request. */
export interface BulkItemResult {
  status: number;
  error?: { type: string; reason: string };
}

/** A `_bulk` answer. When `errors` is false every item succeeded and `items` may be left empty. */
export interface BulkResponse {
  errors: boolean;
  items: BulkItemResult[];
}

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
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
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
  /** Called once per rejected or dead-lettered document (for logs). */
  onRejected?: (rejected: RejectedDocument, deadLettered: boolean) => void;
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
 * One bulk request body under construction. Documents are UTF-8 encoded into one Buffer as they
 * arrive, so their `_source` strings die young (cheap for the GC) instead of being kept — and
 * promoted to the old generation — until the request is answered; a retry copies byte ranges.
 */
class BulkBody {
  private bytes: Buffer;
  private used = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(1024, capacity));
  }

  get length(): number {
    return this.used;
  }

  /**
   * Appends the action line and `source` in one write (each Buffer write crosses into C++; one per
   * document is measurably cheaper than four). Returns where the document's line ends.
   */
  appendSource(actionPrefix: string, id: string, source: string): number {
    const line = `${actionPrefix}${id}"}}\n${source}\n`;
    this.reserve(line.length * 3);
    this.used += this.bytes.write(line, this.used, "utf8");
    return this.used;
  }

  /** Appends the action line and a source already encoded in `from`. */
  appendEncoded(actionPrefix: string, id: string, from: Buffer, start: number, end: number): void {
    this.reserve(Buffer.byteLength(actionPrefix) + id.length + 5 + (end - start) + 1);
    this.writeAction(actionPrefix, id);
    this.used += from.copy(this.bytes, this.used, start, end);
    this.bytes[this.used++] = NEWLINE;
  }

  view(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  private writeAction(actionPrefix: string, id: string): void {
    this.used += this.bytes.write(actionPrefix, this.used, "utf8");
    this.used += this.bytes.write(id, this.used, "latin1");
    this.used += this.bytes.write('"}}\n', this.used, "latin1");
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + extra));
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }
}

const NEWLINE = 0x0a;

/** A document in a batch: what a refusal needs, and where its encoded source lies in `body`. */
interface Entry extends DocumentRef {
  body: Buffer;
  start: number;
  end: number;
}

/**
 * What `add` keeps per document until its request is answered: not the `_source` string (already
 * encoded; dropping it lets it die young) but what a failure needs, and where its lines end.
 */
interface Pending extends DocumentRef {
  lineEnd: number;
}

export class BulkIndexer {
  private readonly flushBytes: number;
  private readonly flushDocuments: number;
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private readonly actionPrefix: string;
  private readonly deadLetterActionPrefix: string;
  private readonly actionPrefixBytes: number;
  private body: BulkBody;
  private entries: Pending[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly result: IndexingResult = { indexed: 0, duplicates: 0, deadLettered: 0, rejected: 0, failed: 0 };
  private gaveUp = false;

  constructor(private readonly options: IndexerOptions) {
    this.flushBytes = options.flushBytes ?? 5 * 1024 * 1024;
    this.flushDocuments = options.flushDocuments ?? 5_000;
    this.concurrency = options.concurrency ?? 2;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.actionPrefix = `{"create":{"_index":${JSON.stringify(options.index)},"_id":"`;
    this.deadLetterActionPrefix = `{"create":{"_index":${JSON.stringify(options.deadLetterIndex ?? options.index)},"_id":"`;
    this.actionPrefixBytes = Buffer.byteLength(this.actionPrefix);
    this.body = new BulkBody(this.bodyCapacity());
  }

  /** True once a batch ran out of retries: stop reading, the message will be retried. */
  get unavailable(): boolean {
    return this.gaveUp;
  }

  /**
   * Buffers a document. Returns a promise only when a batch was handed off and the caller must wait
   * for room (backpressure for the reader); otherwise undefined, so the per-line path never awaits.
   */
  add(document: PreparedDocument): Promise<void> | undefined {
    const lineEnd = this.body.appendSource(this.actionPrefix, document.id, document.source);
    this.entries.push({ id: document.id, offset: document.offset, record: document.record, lineEnd });
    if (this.body.length >= this.flushBytes || this.entries.length >= this.flushDocuments) return this.flush();
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
    if (this.entries.length > 0) {
      const bytes = this.body.view();
      // Source ranges are worked out once per batch, not per line: the action line is ASCII.
      let lineStart = 0;
      const entries: Entry[] = this.entries.map(({ id, offset, record, lineEnd }) => {
        const start = lineStart + this.actionPrefixBytes + id.length + 4;
        lineStart = lineEnd;
        return { id, offset, record, body: bytes, start, end: lineEnd - 1 };
      });
      this.entries = [];
      this.body = new BulkBody(this.bodyCapacity());
      const request: Promise<void> = this.sendWithRetries(entries, bytes, "primary").finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
  }

  private async sendWithRetries(entries: Entry[], firstBody: Buffer, target: Target): Promise<void> {
    let pending = entries;
    let body: Buffer | undefined = firstBody;
    const rebuilt = new Set<Entry>();
    const actionPrefix = target === "primary" ? this.actionPrefix : this.deadLetterActionPrefix;
    for (let attempt = 1; ; attempt += 1) {
      let retryable: Entry[] = [];
      const rejected: RejectedDocument[] = [];
      try {
        const deadline = this.options.deadline?.();
        const timeoutMs = deadline === undefined ? undefined : Math.max(MIN_REQUEST_TIMEOUT_MS, deadline - Date.now());
        body ??= encode(pending, actionPrefix);
        const response = await this.options.transport.send(body, timeoutMs);
        if (!response.errors) {
          // Every item was created: the common case needs no per-item look.
          for (let n = 0; n < pending.length; n += 1) this.countAccepted(target);
          return;
        }
        const { items } = response;
        pending.forEach((entry, position) => {
          const item = items[position] ?? { status: 500, error: { type: "missing_item", reason: "bulk response has fewer items than the request" } };
          if (item.status >= 200 && item.status < 300) this.countAccepted(target);
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
        if (!(error instanceof BulkRequestError) || !error.retryable) {
          this.result.failed += pending.length;
          this.result.lastError = describeError(error);
          this.gaveUp = true;
          return;
        }
        retryable = pending;
        this.result.lastError = describeError(error);
      }

      if (rejected.length > 0) await this.handleRejected(rejected, target);
      if (retryable.length === 0) return;

      const delay = backoffDelay(attempt, this.retry.baseDelayMs, this.retry.maxDelayMs);
      const deadline = this.options.deadline?.() ?? Number.POSITIVE_INFINITY;
      if (attempt >= this.retry.maxAttempts || Date.now() + delay > deadline) {
        this.result.failed += retryable.length;
        this.gaveUp = true;
        return;
      }
      await sleep(delay);
      // The same request is resent as it was; a subset is re-encoded from the earlier bodies.
      if (retryable !== pending) body = undefined;
      pending = retryable;
    }
  }

  private countAccepted(target: Target): void {
    if (target === "primary") this.result.indexed += 1;
    else this.result.deadLettered += 1;
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
    await this.sendWithRetries(entries, encode(entries, this.deadLetterActionPrefix), "deadLetter");
  }
}

/** A stand-alone entry for a source built after its batch (a rebuild or a dead letter). */
function toEntry(document: DocumentRef, source: string): Entry {
  const body = Buffer.from(source, "utf8");
  return { id: document.id, offset: document.offset, record: document.record, body, start: 0, end: body.length };
}

/** Encodes entries (whose sources lie in earlier bodies) into a new request body. */
function encode(entries: Entry[], actionPrefix: string): Buffer {
  const body = new BulkBody(entries.reduce((sum, entry) => sum + (entry.end - entry.start) + entry.id.length + Buffer.byteLength(actionPrefix) + 8, 0));
  for (const entry of entries) body.appendEncoded(actionPrefix, entry.id, entry.body, entry.start, entry.end);
  return body.view();
}

function rejection(entry: DocumentRef, item: BulkItemResult): RejectedDocument {
  const document: DocumentRef = { id: entry.id, offset: entry.offset, record: entry.record };
  return { document, status: item.status, type: item.error?.type ?? "unknown", reason: item.error?.reason ?? `status ${item.status}` };
}

function describeItem(item: BulkItemResult): string {
  return `${item.status} ${item.error?.type ?? ""}: ${item.error?.reason ?? ""}`.trim();
}
