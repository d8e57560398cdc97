/**
 * Lambda entry point: an SQS batch of S3 notifications in, `{ batchItemFailures }` out.
 * Messages run concurrently (bounded); one bad message never fails the others. Every failed
 * message gets its redelivery paced and one log line saying why. When every message of the batch
 * failed for a transient reason (Elasticsearch down), the invocation throws so that Lambda's
 * event source mapping backs off instead of hammering a cluster that is down.
 *
 * Trade-off: at-least-once delivery, exactly-once documents (deterministic ids + `create`).
 *
 * Not Powertools' `processPartialResponse`: it throws whenever every record of a batch failed,
 * which here would also fail the invocation (and page through the function-errors alarm) for a
 * batch of permanent failures. Only an all-transient batch may throw; the rest is returned item by item.
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { mapWithConcurrency } from "./queue/concurrency";
import { describeError, ShipperError } from "./errors";
import { PRODUCER_DIMENSION } from "./contract/metricNames";
import { logger, metrics, recordObjectMetrics } from "./observability";
import { processMessage } from "./queue/processMessage";
import { paceRetry } from "./queue/retryPacing";
import { createRuntime, type ShipperRuntime } from "./runtime";
import { TimeBudget } from "./queue/timeBudget";
import type { Disposition, ObjectRef } from "./types";

/** Every message of a batch failed transiently: thrown so Lambda backs off. */
export class BatchFailedError extends ShipperError {}

let runtime: ShipperRuntime | undefined;

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  runtime ??= createRuntime();
  const rt = runtime;
  const budget = new TimeBudget(context.getRemainingTimeInMillis());
  metrics.addDimension(PRODUCER_DIMENSION, rt.settings.PRODUCER);

  // The watchdog: whatever a message is waiting on, it has a disposition by `finishBy`.
  let timer: NodeJS.Timeout | undefined;
  let timeIsUp = false;
  const timeUp = new Promise<"time up">((resolve) => (timer = setTimeout(() => resolve("time up"), budget.untilFinish()))).finally(() => (timeIsUp = true));
  let dispositions: Disposition[];
  try {
    dispositions = await mapWithConcurrency(event.Records, rt.settings.MESSAGE_CONCURRENCY, async (message): Promise<Disposition> => {
      // Reached only after the watchdog fired (messages are handed on during the reserve, before it):
      // starting now could send a continuation for a message reported failed.
      if (timeIsUp) return { kind: "fail", reason: "not started: the function's time was over", transient: true };
      let givenUp = false;
      let current: ObjectRef | undefined; // the object being shipped, named if time runs out there
      const work = processMessage(message, {
        s3: rt.s3,
        transport: rt.transport,
        settings: rt.objectSettings,
        shouldStop: () => givenUp || budget.shouldStop(),
        deadline: () => budget.deadline(),
        givenUp: () => givenUp,
        sendContinuation: rt.sendContinuation,
        onObjectStart: (ref) => (current = ref),
        onObject: (ref, outcome, durationMs, messageId) => {
          recordObjectMetrics(outcome.stats);
          const fields = { messageId, bucket: ref.bucket, key: ref.key, ...(ref.resume ? { resume: ref.resume } : {}), ...outcome.stats, ms: durationMs };
          if (outcome.status === "failed") logger.error("object failed", { ...fields, reason: outcome.reason, transient: outcome.transient });
          else if (outcome.status === "superseded") logger.warn("object superseded", { ...fields, reason: outcome.reason });
          else if (outcome.status === "continued") logger.info("object continued", { ...fields, next: outcome.resume });
          else logger.info("object shipped", fields);
        },
        onResume: (ref, error, atByte, messageId) =>
          logger.warn("S3 stream broke, resuming with a ranged GET", { messageId, bucket: ref.bucket, key: ref.key, atByte, error: describeError(error) }),
        onTooLarge: (ref, refusedBytes, documents, nextLimitBytes, messageId) =>
          logger.warn("bulk request refused as too large, sent again in smaller requests", { messageId, bucket: ref.bucket, key: ref.key, refusedBytes, documents, nextLimitBytes }),
        onRejected: (ref, rejected, deadLettered, messageId) =>
          logger.warn(deadLettered ? "document dead-lettered" : "document rejected", {
            messageId,
            bucket: ref.bucket,
            key: ref.key,
            offset: rejected.document.offset,
            status: rejected.status,
            type: rejected.type,
            reason: rejected.reason,
          }),
      }).catch((error: unknown): Disposition => ({ kind: "fail", reason: `unexpected ${describeError(error)}`, transient: true })); // a bug or an unexpected SDK error: retried, never lost
      const outcome = await Promise.race([work, timeUp]);
      if (outcome !== "time up") return outcome;
      givenUp = true;
      // Still running: it will stop at its next check and send nothing; the message comes back.
      work.catch(() => undefined);
      const where = current ? `s3://${current.bucket}/${current.key}: ` : "";
      return { kind: "fail", reason: `${where}did not finish before the function's time ran out (stuck waiting on S3, SQS or Elasticsearch)`, transient: true };
    });
  } finally {
    clearTimeout(timer);
  }

  const failures: SQSRecord[] = [];
  const reports: Promise<void>[] = [];
  for (const [position, disposition] of dispositions.entries()) {
    const message = event.Records[position] as SQSRecord;
    if (disposition.kind === "fail") {
      failures.push(message);
      reports.push(reportFailure(rt, message, disposition));
    } else if (disposition.kind === "continued") {
      logger.info("message continued in a new message", { messageId: message.messageId, reason: disposition.reason });
    } else {
      logger.debug("message acknowledged", { messageId: message.messageId, reason: disposition.reason });
    }
  }
  // Pacing calls are independent and run at once: the batch waits one round trip, not one per failed message.
  await Promise.all(reports);
  metrics.addMetric("MessagesFailed", "Count", failures.length);
  metrics.publishStoredMetrics();

  // Only "downstream unavailable" fails the invocation (and the function-errors alarm): a batch
  // with any permanent failure or any success returns its failures item by item.
  const allTransient = dispositions.every((d) => d.kind === "fail" && d.transient);
  if (event.Records.length > 0 && allTransient) {
    throw new BatchFailedError(`all ${event.Records.length} messages failed transiently; failing the invocation so Lambda backs off`);
  }
  return { batchItemFailures: failures.map((message) => ({ itemIdentifier: message.messageId })) };
}

async function reportFailure(rt: ShipperRuntime, message: SQSRecord, disposition: Extract<Disposition, { kind: "fail" }>): Promise<void> {
  const receiveCount = Number(message.attributes?.ApproximateReceiveCount ?? "1") || 1;
  const queueUrl = rt.settings.QUEUE_URL;
  const pacing = queueUrl
    ? await paceRetry(rt.sqs, queueUrl, message.receiptHandle, receiveCount, rt.settings.VISIBILITY_TIMEOUT_SECONDS, rt.settings.RETRY_BASE_DELAY_SECONDS)
    : { error: "QUEUE_URL not set" };
  logger.error("message failed", {
    messageId: message.messageId,
    receiveCount,
    reason: disposition.reason,
    transient: disposition.transient,
    ...("delaySeconds" in pacing ? { retryInSeconds: pacing.delaySeconds } : { pacingError: pacing.error }),
  });
}
