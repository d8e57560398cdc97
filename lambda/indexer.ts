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
import { ShipperError } from "./errors";
import type { PreparedDocument } from "./types";

/** The answer for one item of a bulk request. */
export interface BulkItemResult {
  status: number;
  error?: { type: string; reason: string };
}

/**
 * Sends one `_bulk` body, waiting at most `timeoutMs` when given. Throws `BulkRequestError` when
 * the request as a whole fails.
 */
export interface BulkTransport {
  send(ndjson: string, timeoutMs?: number): Promise<BulkItemResult[]>;
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
  document: PreparedDocument;
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

export class BulkIndexer {
  private readonly flushBytes: number;
  private readonly flushDocuments: number;
  private readonly concurrency: number;
  private readonly retry: RetryPolicy;
  private buffer: PreparedDocument[] = [];
  private bufferBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly result: IndexingResult = { indexed: 0, duplicates: 0, deadLettered: 0, rejected: 0, failed: 0 };
  private gaveUp = false;

  constructor(private readonly options: IndexerOptions) {
    this.flushBytes = options.flushBytes ?? 5 * 1024 * 1024;
    this.flushDocuments = options.flushDocuments ?? 5_000;
    this.concurrency = options.concurrency ?? 2;
    this.retry = options.retry ?? DEFAULT_RETRY;
  }

  /** True once a batch ran out of retries: stop reading, the message will be retried. */
  get unavailable(): boolean {
    return this.gaveUp;
  }

  /** Buffers a document; resolves when there is room for more (backpressure for the reader). */
  async add(document: PreparedDocument): Promise<void> {
    this.buffer.push(document);
    this.bufferBytes += document.source.length + document.id.length + 64;
    if (this.bufferBytes >= this.flushBytes || this.buffer.length >= this.flushDocuments) {
      await this.flush();
    }
  }

  /** Sends what is buffered and waits for every request; returns the totals. */
  async finish(): Promise<IndexingResult> {
    await this.flush();
    await Promise.all(this.inFlight);
    return { ...this.result };
  }

  private async flush(): Promise<void> {
    if (this.buffer.length > 0) {
      const batch = this.buffer;
      this.buffer = [];
      this.bufferBytes = 0;
      const request: Promise<void> = this.sendWithRetries(batch, "primary").finally(() => this.inFlight.delete(request));
      this.inFlight.add(request);
    }
    while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
  }

  private async sendWithRetries(documents: PreparedDocument[], target: Target): Promise<void> {
    let pending = documents;
    const index = target === "primary" ? this.options.index : (this.options.deadLetterIndex ?? this.options.index);
    for (let attempt = 1; ; attempt += 1) {
      let retryable: PreparedDocument[] = [];
      const rejected: RejectedDocument[] = [];
      try {
        const deadline = this.options.deadline?.();
        const timeoutMs = deadline === undefined ? undefined : Math.max(MIN_REQUEST_TIMEOUT_MS, deadline - Date.now());
        const items = await this.options.transport.send(bulkBody(pending, index), timeoutMs);
        pending.forEach((document, position) => {
          const item = items[position] ?? { status: 500, error: { type: "missing_item", reason: "bulk response has fewer items than the request" } };
          if (item.status >= 200 && item.status < 300) this.countAccepted(target);
          else if (item.status === 409) {
            if (target === "primary") this.result.duplicates += 1;
            else this.result.deadLettered += 1;
          } else if (item.status === 429 || item.status >= 500) {
            retryable.push(document);
            this.result.lastError = describeItem(item);
          } else {
            rejected.push({
              document,
              status: item.status,
              type: item.error?.type ?? "unknown",
              reason: item.error?.reason ?? `status ${item.status}`,
            });
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
    const documents = rejected.map((item) => ({ ...item.document, source: deadLetterSource(item) }));
    await this.sendWithRetries(documents, "deadLetter");
  }
}

function bulkBody(documents: PreparedDocument[], index: string): string {
  const prefix = `{"create":{"_index":${JSON.stringify(index)},"_id":"`;
  let body = "";
  for (const document of documents) body += `${prefix}${document.id}"}}\n${document.source}\n`;
  return body;
}

function describeItem(item: BulkItemResult): string {
  return `${item.status} ${item.error?.type ?? ""}: ${item.error?.reason ?? ""}`.trim();
}

function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
