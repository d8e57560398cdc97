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
import { invocationEvents, MessageEvents } from "./contract/events";
import { processMessage } from "./queue/processMessage";
import { paceRetry } from "./queue/retryPacing";
import { createRuntime, type ShipperRuntime } from "./runtime";
import { TimeBudget } from "./queue/timeBudget";
import type { Disposition } from "./contract/shapes";

/** Every message of a batch failed transiently: thrown so Lambda backs off. */
export class BatchFailedError extends ShipperError {}

let runtime: ShipperRuntime | undefined;

export async function handler(event: SQSEvent, context: Context): Promise<SQSBatchResponse> {
  runtime ??= createRuntime();
  const rt = runtime;
  const budget = new TimeBudget(context.getRemainingTimeInMillis());
  invocationEvents.started(rt.settings.PRODUCER);

  // The watchdog: whatever a message is waiting on, it has a disposition by `finishBy`.
  let timer: NodeJS.Timeout | undefined;
  let timeIsUp = false;
  const timeUp = new Promise<"time up">(
    (resolve) => (timer = setTimeout(() => resolve("time up"), budget.untilFinish())),
  ).finally(() => (timeIsUp = true));
  const messages = event.Records.map((record) => ({ record, events: new MessageEvents(record.messageId) }));
  let dispositions: Disposition[];
  try {
    dispositions = await mapWithConcurrency(
      messages,
      rt.settings.MESSAGE_CONCURRENCY,
      async ({ record, events }): Promise<Disposition> => {
        // Reached only after the watchdog fired (messages are handed on during the reserve, before it):
        // starting now could send a continuation for a message reported failed.
        if (timeIsUp) return { kind: "fail", reason: "not started: the function's time was over", transient: true };
        let givenUp = false;
        const work = processMessage(record, {
          s3: rt.s3,
          transport: rt.transport,
          settings: rt.objectSettings,
          shouldStop: () => givenUp || budget.shouldStop(),
          deadline: () => budget.deadline(),
          givenUp: () => givenUp,
          sendContinuation: rt.sendContinuation,
          objectFilter: rt.objectFilter,
          events,
        }).catch((error: unknown): Disposition => ({
          kind: "fail",
          reason: `unexpected ${describeError(error)}`,
          transient: true,
        })); // a bug or an unexpected SDK error: retried, never lost
        const outcome = await Promise.race([work, timeUp]);
        if (outcome !== "time up") return outcome;
        givenUp = true;
        // Still running: it will stop at its next check and send nothing; the message comes back.
        work.catch(() => undefined);
        const current = events.currentObject;
        const where = current ? `s3://${current.bucket}/${current.key}: ` : "";
        return {
          kind: "fail",
          reason: `${where}did not finish before the function's time ran out (stuck waiting on S3, SQS or Elasticsearch)`,
          transient: true,
        };
      },
    );
  } finally {
    clearTimeout(timer);
  }

  const failures: SQSRecord[] = [];
  const reports: Promise<void>[] = [];
  for (const [position, { record, events }] of messages.entries()) {
    const disposition = dispositions[position] as Disposition;
    if (disposition.kind === "fail") {
      failures.push(record);
      reports.push(reportFailure(rt, record, disposition, events));
    } else if (disposition.kind === "continued") {
      events.continued(disposition.reason);
    } else {
      events.acknowledged(disposition.reason);
    }
  }
  // Pacing calls are independent and run at once: the batch waits one round trip, not one per failed message.
  await Promise.all(reports);
  invocationEvents.finished(failures.length);

  // Only "downstream unavailable" fails the invocation (and the function-errors alarm): a batch
  // with any permanent failure or any success returns its failures item by item.
  const allTransient = dispositions.every((d) => d.kind === "fail" && d.transient);
  if (event.Records.length > 0 && allTransient) {
    throw new BatchFailedError(
      `all ${event.Records.length} messages failed transiently; failing the invocation so Lambda backs off`,
    );
  }
  return { batchItemFailures: failures.map((message) => ({ itemIdentifier: message.messageId })) };
}

async function reportFailure(
  rt: ShipperRuntime,
  message: SQSRecord,
  disposition: Extract<Disposition, { kind: "fail" }>,
  events: MessageEvents,
): Promise<void> {
  const receiveCount = Number(message.attributes?.ApproximateReceiveCount ?? "1") || 1;
  const queueUrl = rt.settings.QUEUE_URL;
  const pacing = queueUrl
    ? await paceRetry(
        rt.sqs,
        queueUrl,
        message.receiptHandle,
        receiveCount,
        rt.settings.VISIBILITY_TIMEOUT_SECONDS,
        rt.settings.RETRY_BASE_DELAY_SECONDS,
      )
    : { error: "QUEUE_URL not set" };
  events.failed(disposition, receiveCount, pacing);
}
