/**
 * Behaves like Lambda's SQS event source mapping: receives up to the batch size, invokes the
 * function, deletes the messages it did not report in `batchItemFailures`, and leaves the rest (or
 * the whole batch when the invocation fails) to reappear after their visibility timeout.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import type { LambdaEmulator } from "./lambdaEmulator";

export interface PollerOptions {
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
  batchSize: number;
  function: LambdaEmulator;
  /** The mapping it stands for: while disabled, nothing is received (lambdaControlPlane.ts). */
  mapping?: { enabled: boolean };
}

export interface PollStats {
  received: number;
  deleted: number;
  failed: number;
  invocationErrors: number;
}

export class SqsEventSourcePoller {
  readonly stats: PollStats = { received: 0, deleted: 0, failed: 0, invocationErrors: 0 };
  /** Receipt handles of the batch being processed (empty between batches). */
  inFlight: string[] = [];

  constructor(private readonly options: PollerOptions) {}

  /** One receive → invoke → delete cycle. Returns how many messages were received. */
  async pollOnce(waitSeconds = 0): Promise<number> {
    const { sqs, queueUrl } = this.options;
    if (this.options.mapping && !this.options.mapping.enabled) return 0;
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: Math.min(10, this.options.batchSize),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ["All"],
        MessageAttributeNames: ["All"],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) return 0;
    this.stats.received += messages.length;
    this.inFlight = messages.map((message) => message.ReceiptHandle ?? "");
    const outcome = await this.options.function.invoke(this.event(messages)).finally(() => (this.inFlight = []));
    if ("error" in outcome) {
      // A failed invocation returns the whole batch to the queue.
      this.stats.invocationErrors += 1;
      this.stats.failed += messages.length;
      return messages.length;
    }
    const failed = new Set(outcome.result.batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = messages.filter((message) => !failed.has(message.MessageId ?? ""));
    this.stats.failed += messages.length - done.length;
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: done.map((message, n) => ({ Id: String(n), ReceiptHandle: message.ReceiptHandle ?? "" })),
        }),
      );
      this.stats.deleted += done.length;
    }
    return messages.length;
  }

  /** Messages waiting plus in flight. */
  async backlog(): Promise<number> {
    const attributes = await this.options.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.options.queueUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return (
      Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) +
      Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  /** Polls until the queue is empty (nothing waiting or in flight) or `maxMs` passes. */
  async drain(maxMs: number): Promise<boolean> {
    const end = Date.now() + maxMs;
    while (Date.now() < end) {
      const got = await this.pollOnce(0);
      if (got === 0) {
        if ((await this.backlog()) === 0) return true;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    return (await this.backlog()) === 0;
  }

  /**
   * Polls until `signal` aborts, as an enabled event source mapping does all day: long polls of a
   * second, so a new message is taken within about one. Resolves once the batch in hand is done.
   */
  async serve(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        if ((await this.pollOnce(1)) === 0 && this.options.mapping && !this.options.mapping.enabled)
          await new Promise((resolve) => setTimeout(resolve, 1_000));
      } catch (error) {
        if (signal.aborted) return;
        // The emulator restarting or a network hiccup: Lambda's pollers retry too.
        process.stderr.write(
          `poller ${this.options.queueUrl}: ${error instanceof Error ? error.message : String(error)}\n`,
        );
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    }
  }

  private event(messages: Message[]): SQSEvent {
    return {
      Records: messages.map((message): SQSRecord => ({
        messageId: message.MessageId ?? "",
        receiptHandle: message.ReceiptHandle ?? "",
        body: message.Body ?? "",
        attributes: {
          ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1",
          SentTimestamp: message.Attributes?.SentTimestamp ?? String(Date.now()),
          SenderId: message.Attributes?.SenderId ?? "local",
          ApproximateFirstReceiveTimestamp: message.Attributes?.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
        },
        // As Lambda's SQS event carries them (AWS Lambda developer guide, "Using Lambda with Amazon SQS").
        messageAttributes: Object.fromEntries(
          Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
            name,
            {
              dataType: value.DataType ?? "String",
              ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
              stringListValues: [],
              binaryListValues: [],
            },
          ]),
        ),
        md5OfBody: message.MD5OfBody ?? "",
        eventSource: "aws:sqs",
        eventSourceARN: this.options.queueArn,
        awsRegion: this.options.region,
      })),
    };
  }
}
