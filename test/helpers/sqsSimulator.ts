/**
 * A standard SQS queue with its dead-letter queue, on a virtual clock, behaving as the shipper's
 * queue does in AWS: a received message is invisible for the visibility timeout (or what the
 * function set with ChangeMessageVisibility), its receive count grows per receive, it moves to the
 * DLQ when received again after `maxReceiveCount` receives, and it expires `retentionSeconds` after
 * it was first sent — in the DLQ too, whose expiry counts from the original send (AWS does this
 * for standard queues). Continuations the function sends arrive as new messages.
 *
 * `drive` then behaves like Lambda's SQS event source mapping: receive a batch, invoke the handler,
 * delete what it did not report failed, leave the rest (or the whole batch if it threw).
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";

export interface QueueSettings {
  queueUrl: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  retentionSeconds: number;
  deadLetterRetentionSeconds: number;
}

interface Message {
  id: string;
  body: string;
  /** Virtual ms of the first send (continuations are new messages). */
  sentAt: number;
  receiveCount: number;
  visibleAt: number;
  receiptHandle?: string;
  firstReceivedAt?: number;
}

export interface DeadLetter {
  id: string;
  body: string;
  receiveCount: number;
  /** Virtual ms at which it moved to the DLQ. */
  movedAt: number;
  sentAt: number;
}

export interface DriveResult {
  invocations: number;
  /** Invocations whose handler threw (the function-errors alarm). */
  invocationErrors: number;
  /** Real duration of each invocation, ms. */
  durationsMs: number[];
}

export class SqsSimulator {
  /** Virtual clock, ms. */
  now = 0;
  private readonly messages: Message[] = [];
  readonly deadLetters: DeadLetter[] = [];
  /** Messages that expired before reaching the DLQ: must stay empty. */
  readonly expired: Message[] = [];
  /** When true, ChangeMessageVisibility is refused (a throttled or failing SQS API). */
  pacingFails = false;
  private nextId = 0;

  constructor(readonly settings: QueueSettings) {}

  /** A message as S3 (or the function) sends it; returns its id. */
  send(queueUrl: string, body: string): string {
    if (queueUrl !== this.settings.queueUrl)
      throw new Error(`SendMessage to ${queueUrl}, expected the producer's own queue ${this.settings.queueUrl}`);
    this.nextId += 1;
    const id = `msg-${this.nextId}`;
    this.messages.push({ id, body, sentAt: this.now, receiveCount: 0, visibleAt: this.now });
    return id;
  }

  /** ChangeMessageVisibility: returns an error code, or undefined when applied. */
  changeVisibility(receiptHandle: string, seconds: number): string | undefined {
    if (this.pacingFails) return "ServiceUnavailable";
    const message = this.messages.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (!message) return "ReceiptHandleIsInvalid";
    if (seconds < 0 || seconds > 43_200) return "InvalidParameterValue";
    message.visibleAt = this.now + seconds * 1000;
    return undefined;
  }

  /** Messages still in the queue (visible or in flight). */
  get depth(): number {
    return this.messages.length;
  }

  /** Receives up to `max` visible messages, moving over-received ones to the DLQ first. */
  receive(max: number): SQSRecord[] {
    this.expire();
    const batch: SQSRecord[] = [];
    for (const message of [...this.messages]) {
      if (batch.length >= max) break;
      if (message.visibleAt > this.now) continue;
      if (message.receiveCount >= this.settings.maxReceiveCount) {
        this.remove(message);
        this.deadLetters.push({
          id: message.id,
          body: message.body,
          receiveCount: message.receiveCount,
          movedAt: this.now,
          sentAt: message.sentAt,
        });
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= this.now;
      message.receiptHandle = `${message.id}#${message.receiveCount}`;
      message.visibleAt = this.now + this.settings.visibilityTimeoutSeconds * 1000;
      batch.push(toRecord(message, this.settings.queueUrl));
    }
    return batch;
  }

  /** DeleteMessage by receipt handle (the latest receive's only, as in SQS). */
  delete(receiptHandle: string): void {
    const message = this.messages.find((candidate) => candidate.receiptHandle === receiptHandle);
    if (message) this.remove(message);
  }

  /** Moves the clock to the next time a message becomes visible; false when none is waiting. */
  advanceToNextVisible(): boolean {
    this.expire();
    if (this.messages.length === 0) return false;
    const next = Math.min(...this.messages.map((message) => message.visibleAt));
    this.now = Math.max(this.now, next);
    return true;
  }

  /** Dead letters still held by the DLQ at `at` (it expires them from their original send). */
  deadLettersAt(at: number): DeadLetter[] {
    return this.deadLetters.filter((letter) => at - letter.sentAt < this.settings.deadLetterRetentionSeconds * 1000);
  }

  /**
   * Runs the handler against the queue like Lambda's event source mapping, until the queue is empty
   * or `maxInvocations` is reached.
   */
  async drive(
    handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>,
    options: { batchSize: number; context: () => Context; maxInvocations?: number },
  ): Promise<DriveResult> {
    const result: DriveResult = { invocations: 0, invocationErrors: 0, durationsMs: [] };
    const limit = options.maxInvocations ?? 200;
    while (result.invocations < limit) {
      const batch = this.receive(options.batchSize);
      if (batch.length === 0) {
        if (!this.advanceToNextVisible()) break;
        continue;
      }
      result.invocations += 1;
      const started = Date.now();
      try {
        const response = await handler({ Records: batch }, options.context());
        const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
        for (const record of batch) if (!failed.has(record.messageId)) this.delete(record.receiptHandle);
      } catch {
        // A failed invocation leaves the whole batch to come back after its visibility.
        result.invocationErrors += 1;
      }
      const elapsed = Date.now() - started;
      result.durationsMs.push(elapsed);
      this.now += elapsed;
    }
    return result;
  }

  private expire(): void {
    for (const message of [...this.messages]) {
      if (this.now - message.sentAt >= this.settings.retentionSeconds * 1000) {
        this.remove(message);
        this.expired.push(message);
      }
    }
  }

  private remove(message: Message): void {
    this.messages.splice(this.messages.indexOf(message), 1);
  }
}

function toRecord(message: Message, queueUrl: string): SQSRecord {
  return {
    messageId: message.id,
    receiptHandle: message.receiptHandle ?? "",
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: `arn:aws:sqs:eu-west-1:123456789012:${queueUrl.split("/").pop() ?? "queue"}`,
    awsRegion: "eu-west-1",
  };
}
