/**
 * How long a message may live in the producer's queues, and the receive budget that follows from
 * it. Pure, so the rule is property-tested over the whole config space.
 *
 * SQS expires a message `retention` after it was first sent — also in the dead-letter queue, where
 * the clock keeps running from the original send. A message that keeps failing must therefore reach
 * the DLQ early enough to stay there long enough for people to act, whatever the pacing does: a
 * function that crashes (timeout, out of memory) never shortens the visibility, so each receive can
 * cost the function's run plus the whole visibility timeout.
 */

const DAY = 24 * 3600;

/** SQS event sources: the visibility timeout is this multiple of the function timeout (AWS guidance). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** Both queues keep messages for the SQS maximum. */
export const QUEUE_RETENTION_SECONDS = 14 * DAY;
export const DEAD_LETTER_RETENTION_SECONDS = 14 * DAY;
/** A dead-lettered message stays in the DLQ at least this long. */
export const MIN_DEAD_LETTER_HOLD_SECONDS = 7 * DAY;
/** The backlog-age alarm's largest threshold: a message not received for longer pages people. */
export const MAX_BACKLOG_ALARM_SECONDS = DAY;

/** The queue visibility timeout for a function timeout: never below it, 6× by AWS guidance. */
export function visibilityTimeoutFor(timeoutSeconds: number): number {
  return VISIBILITY_TIMEOUT_FACTOR * timeoutSeconds;
}

/**
 * The longest one receive can keep a message from its next: the function runs up to its timeout,
 * then the message is invisible for at most the visibility timeout (paced retries are capped below
 * it; a crashed function leaves the full timeout counting from the receive).
 */
export function longestReceiveCycleSeconds(timeoutSeconds: number): number {
  return timeoutSeconds + visibilityTimeoutFor(timeoutSeconds);
}

/**
 * Worst case from the first send to the DLQ: waiting for a first receive (people are paged after
 * `backlogAgeAlarmSeconds`), then `maxReceiveCount` failed receives.
 */
export function worstSecondsToDeadLetter(
  timeoutSeconds: number,
  maxReceiveCount: number,
  backlogAgeAlarmSeconds: number,
): number {
  return backlogAgeAlarmSeconds + maxReceiveCount * longestReceiveCycleSeconds(timeoutSeconds);
}

/** The most receives that still leave a dead-lettered message `MIN_DEAD_LETTER_HOLD_SECONDS` in the DLQ. */
export function maxReceiveCountFor(timeoutSeconds: number, backlogAgeAlarmSeconds: number): number {
  const budget =
    Math.min(QUEUE_RETENTION_SECONDS, DEAD_LETTER_RETENTION_SECONDS - MIN_DEAD_LETTER_HOLD_SECONDS) -
    backlogAgeAlarmSeconds;
  return Math.floor(budget / longestReceiveCycleSeconds(timeoutSeconds));
}
