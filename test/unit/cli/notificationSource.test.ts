/** `s3ls status` reads an `eventbridge` producer's bucket switch from S3's own XML answers. */
import { S3Client } from "@aws-sdk/client-s3";
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventBridgeSwitch } from "../../../cli/notificationSource";
import { formatStatus, type ProducerStatus } from "../../../cli/commands/status";
import type { ProducerOutputs } from "../../../cli/stackOutputs";
import { LoopbackServer } from "../../helpers/loopbackServer";

const XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

/** Answers GetBucketNotificationConfiguration per bucket as S3 does (REST-XML, path style). */
class BucketNotificationServer extends LoopbackServer {
  readonly answers = new Map<string, { status: number; body: string }>();
  readonly requests: string[] = [];

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requests.push(`${request.method} ${request.url}`);
    const bucket = /^\/([^/?]+)\/?\?notification/.exec(request.url ?? "")?.[1] ?? "";
    const answer = this.answers.get(bucket) ?? {
      status: 404,
      body: `<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>`,
    };
    response.writeHead(answer.status, { "content-type": "application/xml" }).end(answer.body);
  }
}

const producer = (overrides: Partial<ProducerOutputs>): ProducerOutputs => ({
  name: "cloudtrail",
  bucket: "acme-cloudtrail",
  prefix: "",
  suffix: "",
  keyPattern: "AWSLogs/o-*/*/CloudTrail/*",
  notifications: "eventbridge",
  queueUrl: "http://127.0.0.1:1/123456789012/q",
  queueArn: "arn:aws:sqs:eu-west-1:123456789012:q",
  deadLetterQueueUrl: "http://127.0.0.1:1/123456789012/dlq",
  deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:dlq",
  functionName: "f",
  logGroupName: "/s3-log-shipper/unit/cloudtrail",
  alarmNames: [],
  ...overrides,
});

describe("the bucket's EventBridge switch", () => {
  const server = new BucketNotificationServer();
  let s3: S3Client;

  beforeAll(async () => {
    const endpoint = await server.start();
    s3 = new S3Client({
      region: "eu-west-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "unit", secretAccessKey: "unit" },
      maxAttempts: 1,
    });
    server.answers.set("switched-on", {
      status: 200,
      body: `<NotificationConfiguration ${XMLNS}><QueueConfiguration><Id>other-siem</Id><Queue>arn:aws:sqs:eu-west-1:111122223333:siem</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration><EventBridgeConfiguration></EventBridgeConfiguration></NotificationConfiguration>`,
    });
    server.answers.set("switched-off", {
      status: 200,
      body: `<NotificationConfiguration ${XMLNS}><QueueConfiguration><Id>other-siem</Id><Queue>arn:aws:sqs:eu-west-1:111122223333:siem</Queue><Event>s3:ObjectCreated:*</Event></QueueConfiguration></NotificationConfiguration>`,
    });
    server.answers.set("elsewhere", {
      status: 403,
      body: `<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>`,
    });
  });
  afterAll(() => server.stop());

  it("is ok when S3 returns EventBridgeConfiguration", async () => {
    const check = await eventBridgeSwitch(s3, producer({ bucket: "switched-on" }));

    expect(check).toEqual({ verdict: "ok", detail: "bucket switched-on sends its events to EventBridge" });
  });

  it("is a problem, naming the bucket and the fix, when S3 leaves it out", async () => {
    const check = await eventBridgeSwitch(s3, producer({ bucket: "switched-off" }));

    expect(check?.verdict).toBe("problem");
    expect(check?.detail).toMatch(/^bucket switched-off does not send its events to EventBridge/);
    expect(check?.detail).toContain("Amazon EventBridge → On");
  });

  it("says it could not look when the operator may not read the configuration", async () => {
    const check = await eventBridgeSwitch(s3, producer({ bucket: "elsewhere" }));

    expect(check?.verdict).toBe("unchecked");
    expect(check?.detail).toMatch(/cannot read bucket elsewhere's notification configuration .*AccessDenied/);
  });

  it.each(["bucket", "sns", undefined] as const)("reads nothing for a producer notified by %s", async (source) => {
    const before = server.requests.length;

    const check = await eventBridgeSwitch(s3, producer({ bucket: "switched-off", notifications: source }));

    expect(check).toBeUndefined();
    expect(server.requests.length).toBe(before);
  });

  it("status marks a problem with ! and what it could not read with ?", () => {
    const base: Omit<ProducerStatus, "producer" | "attention" | "unchecked"> = {
      queue: { visible: 0, inFlight: 0, delayed: 0 },
      deadLetterQueue: { visible: 0, inFlight: 0, delayed: 0 },
      oldestMessageAgeSeconds: null,
      alarms: [],
    };

    const text = formatStatus([
      { ...base, producer: "trail", attention: ["bucket t does not send its events to EventBridge"], unchecked: [] },
      { ...base, producer: "elb", attention: [], unchecked: ["cannot read bucket e's notification configuration"] },
    ]);

    expect(text).toContain("! trail\n");
    expect(text).toContain("    ! bucket t does not send its events to EventBridge\n");
    expect(text).toContain("  elb\n");
    expect(text).toContain("    ? cannot read bucket e's notification configuration\n");
    expect(text).toContain("1 of 2 producer(s) need attention");
  });
});
