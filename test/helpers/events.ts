/** Factories for SQS events and the notification bodies S3, SNS and EventBridge really send. */
import type { Context, SQSEvent, SQSRecord } from "aws-lambda";

export function s3Record(
  bucket: string,
  encodedKey: string,
  options: { eventName?: string; size?: number; eTag?: string; versionId?: string; eventTime?: string } = {},
): Record<string, unknown> {
  return {
    eventVersion: "2.1",
    eventSource: "aws:s3",
    awsRegion: "eu-west-1",
    eventTime: options.eventTime ?? "2026-11-27T10:00:00.000Z",
    eventName: options.eventName ?? "ObjectCreated:Put",
    userIdentity: { principalId: "AWS:AIDAEXAMPLE" },
    requestParameters: { sourceIPAddress: "203.0.113.10" },
    responseElements: {
      "x-amz-request-id": "C3D13FE58DE4C810",
      "x-amz-id-2": "FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD",
    },
    s3: {
      s3SchemaVersion: "1.0",
      configurationId: "waf-logs",
      bucket: { name: bucket, ownerIdentity: { principalId: "A3NL1KOZZKExample" }, arn: `arn:aws:s3:::${bucket}` },
      object: {
        key: encodedKey,
        size: options.size ?? 1024,
        eTag: options.eTag ?? "d41d8cd98f00b204e9800998ecf8427e",
        ...(options.versionId ? { versionId: options.versionId } : {}),
        sequencer: "0055AED6DCD90281E5",
      },
    },
  };
}

/**
 * A key as S3 writes it into the notifications it sends to SQS, SNS and Lambda: form encoding
 * ("red flower.jpg" becomes "red+flower.jpg", S3 User Guide "Event message structure"), `/` kept.
 * EventBridge events carry the key as it is.
 */
export function s3FormEncoded(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, "+").replace(/%2F/g, "/");
}

/**
 * Keys that name another object, or none, when decoded once too often: each holds `+`, a space, `%`,
 * an escape written literally or UTF-8. Used on every notification path (issue 31).
 */
export const ODD_KEYS = [
  "odd/a+b.log",
  "odd/a b.log",
  "odd/x%2By.log",
  "odd/x+y.log",
  "odd/100%.log",
  "odd/café.log",
  "odd/caf%C3%A9.log",
] as const;

export function s3Notification(...records: Record<string, unknown>[]): string {
  return JSON.stringify({ Records: records });
}

export function s3TestEvent(bucket = "acme-waf-logs"): string {
  return JSON.stringify({
    Service: "Amazon S3",
    Event: "s3:TestEvent",
    Time: "2026-11-27T09:59:00.000Z",
    Bucket: bucket,
    RequestId: "5582815E1AEA5ADF",
    HostId: "8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YXXtmi0NzrU6iLwYl3m0tZ7Ab8gwu7c=",
  });
}

export function snsWrapped(message: string): string {
  return JSON.stringify({
    Type: "Notification",
    MessageId: "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
    TopicArn: "arn:aws:sns:eu-west-1:123456789012:s3-events",
    Subject: "Amazon S3 Notification",
    Message: message,
    Timestamp: "2026-11-27T10:00:01.000Z",
    SignatureVersion: "1",
    Signature:
      "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
    SigningCertURL: "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-example.pem",
    UnsubscribeURL: "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=example",
  });
}

export function eventBridgeEvent(
  bucket: string,
  key: string,
  detailType = "Object Created",
  object: { size?: number; etag?: string; versionId?: string | null } = {},
): string {
  return JSON.stringify({
    version: "0",
    id: "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": detailType,
    source: "aws.s3",
    account: "123456789012",
    time: "2026-11-27T10:00:00Z",
    region: "eu-west-1",
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: "0",
      bucket: { name: bucket },
      object: {
        key,
        size: object.size ?? 5,
        etag: object.etag ?? "b1946ac92492d2347c6235b4d2611184",
        ...(object.versionId === null ? {} : { "version-id": object.versionId ?? "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e" }),
        sequencer: "617f08299329d189",
      },
      "request-id": "N4N7GDK58NMKJ12R",
      requester: "123456789012",
      "source-ip-address": "1.2.3.4",
      reason: "PutObject",
    },
  });
}

let nextMessage = 0;

export function sqsRecord(body: string, options: { messageId?: string; receiveCount?: number } = {}): SQSRecord {
  nextMessage += 1;
  return {
    messageId: options.messageId ?? `message-${nextMessage}`,
    receiptHandle: `receipt-${options.messageId ?? nextMessage}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: "1764237600000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1764237600001",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:s3-log-shipper-waf",
    awsRegion: "eu-west-1",
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context whose remaining time counts down from `timeoutMs`. */
export function lambdaContext(timeoutMs = 60_000): Context {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: "s3-log-shipper-waf",
    functionVersion: "$LATEST",
    invokedFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:s3-log-shipper-waf",
    memoryLimitInMB: "512",
    awsRequestId: "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    logGroupName: "/aws/lambda/s3-log-shipper-waf",
    logStreamName: "2026/11/27/[$LATEST]abcdef",
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
