/**
 * The indexer's decisions, as pure functions: what an item's status means, what a failed request
 * means, how long to wait before the next attempt. Table-tested in test/unit/lambda/bulk/decisions.test.ts.
 */
import { backoffDelay } from "../backoff";
import { BulkRequestError } from "./wire";

export interface RetryPolicy {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 8_000 };

/** HTTP 413 Request Entity Too Large: Elasticsearch's http.max_content_length, or a proxy's limit. */
export const TOO_LARGE = 413;

/** A request never gets less time than this, even when the deadline is close. */
export const MIN_REQUEST_TIMEOUT_MS = 1_000;

/** After a 413, requests shrink to half the refused size, but never below this. */
export const MIN_BULK_MAX_BYTES = 64 * 1024;

/**
 * A body this small is sent before any answer can arrive, so an early answer reaches the client
 * with its status: an early close on it is a connection problem, not a size refusal.
 */
export const EARLY_ANSWER_MIN_BYTES = 64 * 1024;

/**
 * What one item's answer means: created; already there (an earlier delivery indexed it: success);
 * worth sending again (429, 5xx, or an ingest pipeline that does not exist yet); or refused for
 * good (any other 4xx: mapping conflict, invalid id, a pipeline's own failure).
 */
export type ItemOutcome = "created" | "duplicate" | "retry" | "refused";

export function itemOutcome(status: number, error?: { type: string; reason: string }): ItemOutcome {
  if (status >= 200 && status < 300) return "created";
  if (status === 409) return "duplicate";
  if (status === 429 || status >= 500) return "retry";
  // A missing pipeline is the stack's configuration, not the document: dead-lettering every
  // document would hide it; failing the message pages, and a redrive ships them once it exists.
  if (error && isMissingPipeline(error)) return "retry";
  return "refused";
}

/** How Elasticsearch (8.19, 9.2: measured) answers an item whose pipeline does not exist. */
function isMissingPipeline(error: { type: string; reason: string }): boolean {
  return error.type === "illegal_argument_exception" && /^pipeline with id \[.*\] does not exist$/.test(error.reason);
}

/**
 * What a failed request means: refused as too large (split it), worth sending again, or hopeless
 * for this invocation (the message fails and comes back).
 *
 * Too large is a 413, or an early answer to a large body (see `BulkRequestError.answeredEarly`) —
 * at once for several documents (splitting them costs nothing if it was a network blip), at the
 * second in a row for a single document (whose refusal is for good).
 */
export type RequestFailure = "tooLarge" | "retry" | "giveUp";

export function requestFailure(
  error: unknown,
  bodyBytes: number,
  documents: number,
  earlyAnswersInARow: number,
): RequestFailure {
  if (!(error instanceof BulkRequestError)) return "giveUp";
  if (error.status === TOO_LARGE) return "tooLarge";
  if (error.answeredEarly && bodyBytes > EARLY_ANSWER_MIN_BYTES && (documents > 1 || earlyAnswersInARow >= 2))
    return "tooLarge";
  return error.retryable ? "retry" : "giveUp";
}

/** The wait before attempt `attempt + 1`, or undefined when there is none: attempts ran out, or it would end past `deadline`. */
export function nextRetryDelay(
  attempt: number,
  policy: RetryPolicy,
  now: number,
  deadline = Number.POSITIVE_INFINITY,
  random: () => number = Math.random,
): number | undefined {
  const delay = backoffDelay(attempt, policy.baseDelayMs, policy.maxDelayMs, random);
  if (attempt >= policy.maxAttempts || now + delay > deadline) return undefined;
  return delay;
}

/** How long one request may take: until the deadline, but never less than `MIN_REQUEST_TIMEOUT_MS`. */
export function requestTimeout(deadline: number | undefined, now: number): number | undefined {
  return deadline === undefined ? undefined : Math.max(MIN_REQUEST_TIMEOUT_MS, deadline - now);
}

/** The request size limit learnt from a refusal of `refusedBytes`: half of it, and the `bulkMaxBytes` later requests are cut to. */
export function learntLimit(refusedBytes: number, bulkMaxBytes: number): { limit: number; bulkMaxBytes: number } {
  const limit = Math.max(1, Math.floor(refusedBytes / 2));
  return { limit, bulkMaxBytes: Math.max(MIN_BULK_MAX_BYTES, Math.min(bulkMaxBytes, limit)) };
}

/**
 * Where the next group of a refused request ends: from `next`, as many entries as fit in `room`
 * bytes (at least one), but never all of them (the whole request was refused).
 */
export function nextGroupEnd(sizes: readonly number[], next: number, room: number): number {
  let bytes = 0;
  let end = next;
  while (
    end < sizes.length &&
    (end === next || bytes + (sizes[end] as number) <= room) &&
    end - next < sizes.length - 1
  ) {
    bytes += sizes[end] as number;
    end += 1;
  }
  return end;
}
