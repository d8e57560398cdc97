/**
 * Enqueues S3-shaped ObjectCreated notifications for existing objects into a producer's queue —
 * what S3 would have sent had the notification existed when they were written. One object per
 * message (as S3 sends them), so one bad object fails only its own message. Repeats are harmless:
 * the function derives document ids from bucket, key, object version and offset.
 */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { REDELIVERY_MESSAGE_ATTRIBUTES } from "../lambda/contract/redelivery";

export interface ExistingObject {
  bucket: string;
  key: string;
  size: number;
  eTag?: string;
  versionId?: string;
  lastModified: Date;
}

/** The notification S3 sends for `object` (event version 2.1), marked as sent by s3ls. */
export function objectCreatedNotification(object: ExistingObject, region: string): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: "2.1",
        eventSource: "aws:s3",
        awsRegion: region,
        eventTime: object.lastModified.toISOString(),
        eventName: "ObjectCreated:Put",
        userIdentity: { principalId: "s3ls" },
        requestParameters: { sourceIPAddress: "127.0.0.1" },
        responseElements: {},
        s3: {
          s3SchemaVersion: "1.0",
          configurationId: "s3ls",
          bucket: { name: object.bucket, ownerIdentity: { principalId: "s3ls" }, arn: `arn:aws:s3:::${object.bucket}` },
          object: {
            // S3 form-encodes keys in notifications (a space is "+").
            key: encodeURIComponent(object.key).replace(/%20/g, "+"),
            size: object.size,
            ...(object.eTag ? { eTag: object.eTag.replace(/"/g, "") } : {}),
            ...(object.versionId && object.versionId !== "null" ? { versionId: object.versionId } : {}),
            sequencer: object.lastModified.getTime().toString(16).toUpperCase().padStart(16, "0"),
          },
        },
      },
    ],
  });
}

/** Sends notifications in batches of ten, at most `rate` messages a second. */
export class NotificationSender {
  private readonly started = Date.now();
  private sent = 0;

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
    private readonly region: string,
    private readonly rate: number,
    /** A reship: the objects were shipped before, so the function asks which documents the destination holds (lambda/contract/redelivery.ts). */
    private readonly redelivery = false,
  ) {}

  /**
   * Sends up to ten; resolves to how many, in order, were accepted before the first that was not
   * (an entry SQS refused twice stops there, so "everything before it" stays a valid resume point).
   */
  async send(objects: ExistingObject[]): Promise<{ accepted: number; error?: string }> {
    const wait = this.started + ((this.sent + objects.length) / this.rate) * 1000 - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    let pending = objects.map((object, n) => ({
      Id: String(n),
      MessageBody: objectCreatedNotification(object, this.region),
      ...(this.redelivery ? { MessageAttributes: { ...REDELIVERY_MESSAGE_ATTRIBUTES } } : {}),
    }));
    let error: string | undefined;
    for (let attempt = 1; attempt <= 2 && pending.length > 0; attempt += 1) {
      const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending }));
      const failed = new Set((result.Failed ?? []).map((entry) => entry.Id));
      error = result.Failed?.[0] ? `${result.Failed[0].Code ?? "error"}: ${result.Failed[0].Message ?? ""}` : undefined;
      pending = pending.filter((entry) => failed.has(entry.Id));
    }
    const firstFailed = pending.length > 0 ? Math.min(...pending.map((entry) => Number(entry.Id))) : objects.length;
    this.sent += firstFailed;
    return { accepted: firstFailed, ...(pending.length > 0 && error ? { error } : {}) };
  }
}
