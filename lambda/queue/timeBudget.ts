/**
 * How one invocation spends its time. Lambda stops the function at its timeout whatever it is
 * doing, so every wait has a limit derived from here:
 *
 *   start ─── reading and indexing ───┬─ reserve ─┬─ closing ─┐ end (Lambda's timeout)
 *                                     shouldStop   finishBy
 *
 * - `shouldStop`: stop reading and hand the rest to a continuation; the reserve is for the bulk
 *   requests in flight and sending that continuation.
 * - `deadline`: no Elasticsearch request or retry may run past it (requests get at most the time
 *   left before it).
 * - `finishBy`: every message has a disposition by then — one still working is reported failed
 *   (the watchdog in `handler.ts`) — and the closing time paces the failed messages and returns.
 */

/** Time kept back to finish in-flight requests and send a continuation: a quarter, 2–60 s. */
export function reserveMillis(totalMs: number): number {
  return Math.min(60_000, Math.max(2_000, Math.round(totalMs * 0.25)));
}

/** Time kept back after every disposition is known: pacing calls and returning; 5 %, 0.5–3 s. */
export function closingMillis(totalMs: number): number {
  return Math.min(3_000, Math.max(500, Math.round(totalMs * 0.05)));
}

/** An Elasticsearch request is given this long at least; `deadline` keeps it before `finishBy`. */
export const REQUEST_MARGIN_MS = 1_000;

export class TimeBudget {
  /** Epoch ms at which Lambda stops the function. */
  readonly end: number;
  /** Epoch ms by which every message has a disposition. */
  readonly finishBy: number;
  private readonly reserve: number;

  constructor(remainingMs: number, now: number = Date.now()) {
    this.end = now + remainingMs;
    this.finishBy = this.end - closingMillis(remainingMs);
    this.reserve = reserveMillis(remainingMs);
  }

  /** True when only the reserve is left before `finishBy`. */
  shouldStop(now: number = Date.now()): boolean {
    return this.finishBy - now < this.reserve;
  }

  /** Epoch ms after which no Elasticsearch request or retry may start. */
  deadline(): number {
    return this.finishBy - Math.min(REQUEST_MARGIN_MS, this.reserve / 2);
  }

  /** Milliseconds until `finishBy` (never negative). */
  untilFinish(now: number = Date.now()): number {
    return Math.max(0, this.finishBy - now);
  }
}
