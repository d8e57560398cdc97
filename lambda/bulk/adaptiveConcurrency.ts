/**
 * Bulk requests in flight for the whole function instance, adapted to what Elasticsearch answers
 * (AIMD, as TCP's congestion avoidance and Vector's adaptive request concurrency do): a request
 * answered 429 or 503, one with an item refused 429 (the write thread pool's queue is full) or one
 * that timed out halves the window; every `window` requests answered without that grow it by one,
 * up to the ceiling. Only the first overload signal after a change counts: the requests already in
 * flight when the window was halved were sent under the old one, and their 429s say nothing new —
 * without this, eight concurrent 429s would take the window from 8 to 1 at once.
 *
 * A decorator of the transport, so every indexer of the instance (one per object, several
 * messages at once) shares one window; each indexer still keeps at most its own
 * `ES_BULK_CONCURRENCY` in flight.
 */
import { BulkRequestError, type BulkResponse, type BulkTransport } from "./wire";

/** What the window did, for the object log line and the benchmark. */
export interface ConcurrencyStats {
  /** The window now. */
  window: number;
  /** The smallest it has been. */
  lowest: number;
  /** Requests answered overloaded (429/503, an item 429, a timeout). */
  overloaded: number;
  /** Requests answered. */
  answered: number;
}

export class AdaptiveConcurrencyTransport implements BulkTransport {
  private window: number;
  private inFlight = 0;
  /** Answers without an overload since the window last changed. */
  private calmAnswers = 0;
  /** Counts the window's changes; a request remembers the one it was sent under. */
  private generation = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly counts = { lowest: 0, overloaded: 0, answered: 0 };

  constructor(
    private readonly inner: BulkTransport,
    /** The most requests in flight at once: what a healthy cluster gets. */
    private readonly ceiling: number,
  ) {
    this.window = Math.max(1, ceiling);
    this.counts.lowest = this.window;
  }

  get stats(): ConcurrencyStats {
    return { window: this.window, ...this.counts };
  }

  /** A search, not a write: it takes no room in the bulk window. */
  heldIds(index: string, ids: readonly string[], timeoutMs?: number): Promise<Set<string>> {
    if (!this.inner.heldIds)
      return Promise.reject(new Error("the transport cannot ask which ids the destination holds"));
    return this.inner.heldIds(index, ids, timeoutMs);
  }

  async send(ndjson: Buffer, timeoutMs?: number): Promise<BulkResponse> {
    const queuedAt = Date.now();
    await this.acquire();
    // The time spent waiting for room comes off the request's own: the function's deadline holds.
    const remaining = timeoutMs === undefined ? undefined : timeoutMs - (Date.now() - queuedAt);
    if (remaining !== undefined && remaining <= 0) {
      this.release();
      throw new BulkRequestError(
        `no room for the bulk request before the function's time ran short (${this.window} in flight at once after Elasticsearch answered 429/503)`,
        undefined,
        true,
      );
    }
    const generation = this.generation;
    let overloaded = false;
    try {
      const response = await this.inner.send(ndjson, remaining);
      overloaded = response.errors && response.items.some((item) => item.status === 429);
      return response;
    } catch (error) {
      overloaded = error instanceof BulkRequestError && error.overloaded;
      throw error;
    } finally {
      this.adapt(overloaded, generation);
      this.release();
    }
  }

  /** Resolves once a place in the window is this request's (handed over by `release`, in arrival order). */
  private acquire(): Promise<void> {
    if (this.inFlight < this.window && this.waiting.length === 0) {
      this.inFlight += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    this.inFlight -= 1;
    while (this.inFlight < this.window) {
      const next = this.waiting.shift();
      if (!next) break;
      this.inFlight += 1;
      next();
    }
  }

  private adapt(overloaded: boolean, sentUnder: number): void {
    this.counts.answered += 1;
    if (overloaded) {
      this.counts.overloaded += 1;
      if (sentUnder === this.generation) {
        this.window = Math.max(1, Math.floor(this.window / 2));
        this.counts.lowest = Math.min(this.counts.lowest, this.window);
        this.changed();
      }
    } else if (this.window < this.ceiling) {
      this.calmAnswers += 1;
      if (this.calmAnswers >= this.window) {
        this.window += 1;
        this.changed();
      }
    }
  }

  private changed(): void {
    this.generation += 1;
    this.calmAnswers = 0;
  }
}
