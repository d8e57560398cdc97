/**
 * Paces redelivery of failed messages. The queue's visibility timeout is long (6 × the function
 * timeout), so a failed message would otherwise wait that long for every retry; shortening its
 * visibility to a backoff by receive count (30 s, 1, 2, 4, 8 min …, capped below the visibility
 * timeout) lets transient failures recover in minutes and poison messages reach the DLQ in about a
 * quarter of an hour.
 */
import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { backoffDelay } from "../backoff";
import { DEFAULTS } from "../contract/env";
import { describeError } from "../errors";

/** Seconds until a message that failed on its `receiveCount`-th receive becomes visible again. */
export function retryDelaySeconds(
  receiveCount: number,
  visibilityTimeoutSeconds: number,
  random: () => number = Math.random,
  firstDelaySeconds: number = DEFAULTS.RETRY_BASE_DELAY_SECONDS,
): number {
  const cap = Math.max(1, visibilityTimeoutSeconds - 1);
  const seconds = backoffDelay(Math.max(1, receiveCount), firstDelaySeconds * 1000, cap * 1000, random) / 1000;
  return Math.max(1, Math.min(cap, Math.round(seconds)));
}

/**
 * Shortens the visibility of a failed message. Best effort: if this call fails, the message still
 * fails and simply comes back after the full visibility timeout. Returns the delay, or an error.
 */
export async function paceRetry(
  sqs: SQSClient,
  queueUrl: string,
  receiptHandle: string,
  receiveCount: number,
  visibilityTimeoutSeconds: number,
  firstDelaySeconds: number = DEFAULTS.RETRY_BASE_DELAY_SECONDS,
): Promise<{ delaySeconds: number } | { error: string }> {
  const delaySeconds = retryDelaySeconds(receiveCount, visibilityTimeoutSeconds, Math.random, firstDelaySeconds);
  try {
    await sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: delaySeconds,
      }),
    );
    return { delaySeconds };
  } catch (error) {
    return { error: describeError(error) };
  }
}
