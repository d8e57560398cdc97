/** Exponential backoff with jitter, shared by bulk retries and SQS redelivery pacing. */

/**
 * Delay before retry number `attempt` (1-based): `base × 2^(attempt-1)`, capped at `max`, then
 * "equal jitter" — a uniform pick in [½·d, d] — so retries spread out but never collapse to zero.
 */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exponential / 2 + random() * (exponential / 2));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
