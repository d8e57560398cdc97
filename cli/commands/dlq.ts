/**
 * `s3ls dlq list` and `s3ls dlq redrive`: what is in a producer's dead-letter queue and why, and
 * sending it back to the producer's queue once the cause is fixed.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { HeadObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { Command } from "commander";
import { EXIT } from "../errors";
import { selectProducers } from "../stackOutputs";
import { positiveInteger, type CommandContext, type StackFlags } from "./command";
import { parseMessageBody } from "../../lambda/queue/notifications";
import { REDELIVERY_MESSAGE_ATTRIBUTES } from "../../lambda/contract/redelivery";
import type { OperatorClients } from "../awsClients";
import { peekMessages, queueDepth, release } from "../queues";
import type { ProducerOutputs } from "../stackOutputs";

export interface DeadLetter {
  messageId: string;
  receiveCount: number;
  firstSent: string | null;
  objects: Array<{ bucket: string; key: string; size: number | null }>;
  /** From the function's last "message failed" log line for this message id; null when none was found. */
  reason: string | null;
  /** When the message is not one the function understands: why. */
  unreadable?: string;
}

/** How far back the function's log lines are searched, before the oldest listed message was first sent. */
const LOG_LOOKBACK_MS = 60 * 60_000;

/**
 * The dead letters among the first `limit` messages of the producer's DLQ (peeked, left there);
 * with `naming`, only those that name that object — the log search and the sizes are then done for
 * them alone (`s3ls trace`).
 */
export async function listDeadLetters(
  clients: OperatorClients,
  producer: ProducerOutputs,
  limit: number,
  naming?: { bucket: string; key: string },
): Promise<DeadLetter[]> {
  const messages = (await peekMessages(clients.sqs, producer.deadLetterQueueUrl, limit))
    .map((message) => ({ message, parsed: parseMessageBody(message.Body ?? "") }))
    .filter(
      ({ parsed }) =>
        !naming ||
        (parsed.kind === "objects" &&
          parsed.objects.some((ref) => ref.bucket === naming.bucket && ref.key === naming.key)),
    );
  const sent = messages.map(({ message }) => Number(message.Attributes?.SentTimestamp ?? Date.now()));
  const reasons =
    messages.length === 0
      ? new Map<string, string>()
      : await failureReasons(clients.logs, producer.logGroupName, Math.min(...sent) - LOG_LOOKBACK_MS);
  const letters: DeadLetter[] = [];
  for (const { message, parsed } of messages) {
    const objects =
      parsed.kind === "objects"
        ? await Promise.all(
            parsed.objects.map(async (ref) => ({
              bucket: ref.bucket,
              key: ref.key,
              size: ref.size ?? (await objectSize(clients.s3, ref.bucket, ref.key)),
            })),
          )
        : [];
    const sentAt = message.Attributes?.SentTimestamp;
    letters.push({
      messageId: message.MessageId ?? "",
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 0),
      firstSent: sentAt ? new Date(Number(sentAt)).toISOString() : null,
      objects,
      reason: reasons.get(message.MessageId ?? "") ?? null,
      ...(parsed.kind === "objects" ? {} : { unreadable: parsed.reason }),
    });
  }
  return letters;
}

async function objectSize(s3: S3Client, bucket: string, key: string): Promise<number | null> {
  try {
    return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ContentLength ?? null;
  } catch {
    return null; // gone or forbidden: the reason usually says which
  }
}

/**
 * The reason of the last "message failed" line per message id. The JSON filter pattern narrows
 * the search on CloudWatch; each event is still checked here (an emulator may ignore the pattern).
 */
async function failureReasons(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  since: number,
): Promise<Map<string, string>> {
  const reasons = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({
        logGroupName,
        startTime: since,
        filterPattern: '{ $.message = "message failed" }',
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    for (const event of page.events ?? []) {
      try {
        const line = JSON.parse(event.message ?? "") as { message?: string; messageId?: string; reason?: string };
        if (line.message === "message failed" && line.messageId && line.reason)
          reasons.set(line.messageId, line.reason);
      } catch {
        // not one of the function's JSON lines (a platform line)
      }
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return reasons;
}

export function formatDeadLetters(producer: string, letters: DeadLetter[]): string {
  if (letters.length === 0) return `${producer}: the dead-letter queue is empty\n`;
  const lines = [`${producer}: ${letters.length} message(s) in the dead-letter queue`];
  for (const letter of letters) {
    lines.push(
      "",
      `  message ${letter.messageId}  received ${letter.receiveCount}×  first sent ${letter.firstSent ?? "?"}`,
    );
    for (const object of letter.objects)
      lines.push(
        `    s3://${object.bucket}/${object.key}  ${object.size === null ? "(size unknown: gone?)" : `${object.size} bytes`}`,
      );
    if (letter.unreadable) lines.push(`    not a message the function reads: ${letter.unreadable}`);
    lines.push(
      `    why: ${letter.reason ?? 'no "message failed" line found in the log group (older than its retention, or the function timed out)'}`,
    );
  }
  lines.push("", `once the cause is fixed: s3ls dlq redrive --producer ${producer}`);
  return `${lines.join("\n")}\n`;
}

export interface RedriveResult {
  method: "message-move-task" | "receive-send-delete" | "dry-run";
  moved: number;
  /** Messages whose send failed: they stay in the dead-letter queue. */
  failed: number;
  taskHandle?: string;
}

/**
 * "This endpoint does not have StartMessageMoveTask": SQS's own error names, or an answer that is
 * not an AWS answer at all (moto 5 replies with an HTML 404 page, which the SDK cannot deserialize).
 */
const UNSUPPORTED =
  /UnsupportedOperation|InvalidAction|NotImplemented|not (yet )?implemented|UnknownOperation|Deserialization error/i;

/**
 * Moves dead letters back to the producer's queue. Without `max`, with SQS's own message move task
 * where the endpoint has it; otherwise by receive → send → delete, deleting a message only after
 * its send succeeded (a crash in between sends it twice, which the function's ids make harmless).
 */
export async function redriveDeadLetters(
  clients: OperatorClients,
  producer: ProducerOutputs,
  options: { max?: number; dryRun: boolean },
): Promise<RedriveResult> {
  if (options.dryRun) {
    // Counted, not received: a look would add a receive to every message and stop at a limit.
    const depth = await queueDepth(clients.sqs, producer.deadLetterQueueUrl);
    const waiting = depth.visible + depth.inFlight + depth.delayed;
    return { method: "dry-run", moved: Math.min(waiting, options.max ?? waiting), failed: 0 };
  }
  if (options.max === undefined) {
    try {
      const task = await clients.sqs.send(
        new StartMessageMoveTaskCommand({ SourceArn: producer.deadLetterQueueArn, DestinationArn: producer.queueArn }),
      );
      return {
        method: "message-move-task",
        moved: 0,
        failed: 0,
        ...(task.TaskHandle ? { taskHandle: task.TaskHandle } : {}),
      };
    } catch (error) {
      const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
      if (!UNSUPPORTED.test(text)) throw error;
    }
  }
  return moveByHand(clients.sqs, producer, options.max ?? Number.POSITIVE_INFINITY);
}

async function moveByHand(sqs: SQSClient, producer: ProducerOutputs, max: number): Promise<RedriveResult> {
  let moved = 0;
  let failed = 0;
  while (moved + failed < max) {
    const { Messages: messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: producer.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, max - moved - failed),
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    if (messages.length === 0) break;
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: producer.queueUrl,
        // Marked: the function asks which documents the destination already holds (lambda/contract/redelivery.ts).
        Entries: messages.map((message, n) => ({
          Id: String(n),
          MessageBody: message.Body ?? "",
          MessageAttributes: { ...REDELIVERY_MESSAGE_ATTRIBUTES },
        })),
      }),
    );
    const delivered = new Set((sent.Successful ?? []).map((entry) => Number(entry.Id)));
    const toDelete = messages.filter((_, n) => delivered.has(n));
    const notSent: Message[] = messages.filter((_, n) => !delivered.has(n));
    if (toDelete.length > 0)
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: producer.deadLetterQueueUrl,
          Entries: toDelete.map((message, n) => ({ Id: String(n), ReceiptHandle: message.ReceiptHandle ?? "" })),
        }),
      );
    // A message whose send failed stays in the dead-letter queue, visible again for the next try.
    if (notSent.length > 0) await release(sqs, producer.deadLetterQueueUrl, notSent);
    moved += toDelete.length;
    failed += notSent.length;
    if (notSent.length > 0) break;
  }
  return { method: "receive-send-delete", moved, failed };
}

/** The redrive's outcome in a sentence. */
export function formatRedrive(producer: string, result: RedriveResult): string {
  switch (result.method) {
    case "dry-run":
      return `${producer}: would move ${result.moved} message(s) back to the queue (dry run: nothing moved)\n`;
    case "message-move-task":
      return `${producer}: SQS message move task started (${result.taskHandle ?? "no handle"}); watch it with s3ls status --producer ${producer}\n`;
    default:
      return `${producer}: moved ${result.moved} message(s) back to the queue${result.failed > 0 ? `; ${result.failed} could not be sent and stay in the dead-letter queue` : ""}\n`;
  }
}

export function registerDlq(program: Command, context: CommandContext): void {
  const dlq = program.command("dlq").description("inspect and redrive a producer's dead-letter queue").exitOverride();
  context
    .withStack(
      dlq
        .command("list")
        .description("each dead letter, left in the queue: its objects, receive count, first sent, and why it failed"),
    )
    .requiredOption("--producer <name>", "the producer")
    .option("--limit <n>", "list at most this many", positiveInteger, 50)
    .action(async (flags: StackFlags & { producer: string; limit: number }) => {
      const { outputs, clients } = await context.stackOf(flags);
      const [producer] = selectProducers(outputs, flags.producer);
      if (!producer) return;
      const letters = await listDeadLetters(clients, producer, flags.limit);
      context.print(
        flags,
        { producer: producer.name, deadLetters: letters },
        formatDeadLetters(producer.name, letters),
      );
    });
  context
    .withStack(
      dlq.command("redrive").description("send dead letters back to the producer's queue (after fixing the cause)"),
    )
    .requiredOption("--producer <name>", "the producer")
    .option("--max <n>", "move at most this many", positiveInteger)
    .option("--dry-run", "only count what would move")
    .action(async (flags: StackFlags & { producer: string; max?: number; dryRun?: boolean }) => {
      const { outputs, clients } = await context.stackOf(flags);
      const [producer] = selectProducers(outputs, flags.producer);
      if (!producer) return;
      const result = await redriveDeadLetters(clients, producer, {
        ...(flags.max ? { max: flags.max } : {}),
        dryRun: Boolean(flags.dryRun),
      });
      context.print(flags, { producer: producer.name, ...result }, formatRedrive(producer.name, result));
      if (result.failed > 0) context.exitWith(EXIT.attention);
    });
}
