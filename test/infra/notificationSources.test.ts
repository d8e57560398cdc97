/**
 * Producers notified through an SNS topic or an EventBridge rule, under mocks: each queue accepts
 * exactly its one sender, what the sender cannot deliver goes to the DLQ, and the bucket's own
 * notification configuration is left alone.
 */
import { beforeAll, describe, expect, it, vi } from "vitest";

import { NOTIFICATION_ENTRIES, policyOf, runProgram, stackConfig, type ProgramRun } from "./harness";

const TOPIC = "arn:aws:sns:eu-west-1:111122223333:central-log-bucket-events";
let run: ProgramRun;

beforeAll(async () => {
  vi.resetModules();
  run = await runProgram(
    stackConfig({
      producers: [
        // Two readers of one bucket with overlapping filters: fine without a bucket notification.
        {
          name: "vpcflow",
          bucket: "acme-shared",
          prefix: "AWSLogs/",
          suffix: ".log.gz",
          index: "logs-vpc",
          format: "text",
          notifications: "sns",
          snsTopicArn: TOPIC,
        },
        {
          name: "everything",
          bucket: "acme-shared",
          prefix: "AWSLogs/",
          index: "logs-all",
          format: "auto",
          notifications: "eventbridge",
        },
      ],
    }),
  );
});

describe("an sns producer", () => {
  it("subscribes its queue to the owner's topic, raw delivery off (the function reads SNS's envelope), undeliverable to the DLQ, no filter policy", () => {
    const subscription = run.named(
      "aws:sns/topicSubscription:TopicSubscription",
      "s3-log-shipper-vpcflow-objects-subscription",
    );
    expect(subscription.state).toMatchObject({
      topic: TOPIC,
      protocol: "sqs",
      endpoint: run.named("aws:sqs/queue:Queue", "s3-log-shipper-vpcflow-queue").state.arn,
    });
    expect(JSON.parse(String(subscription.state.redrivePolicy))).toEqual({
      deadLetterTargetArn: run.named("aws:sqs/queue:Queue", "s3-log-shipper-vpcflow-dlq").state.arn,
    });
    expect(subscription.state.rawMessageDelivery).toBeUndefined();
    expect(subscription.state.filterPolicy).toBeUndefined();
  });

  it("lets only that topic send to its queue and DLQ", () => {
    for (const [policy, queue, sid] of [
      ["s3-log-shipper-vpcflow-queue-policy", "s3-log-shipper-vpcflow-queue", "AllowSnsTopic"],
      ["s3-log-shipper-vpcflow-dlq-policy", "s3-log-shipper-vpcflow-dlq", "AllowUndeliverableNotifications"],
    ] as const) {
      expect(policyOf(run.named("aws:sqs/queuePolicy:QueuePolicy", policy)).Statement).toEqual([
        {
          Sid: sid,
          Effect: "Allow",
          Principal: { Service: "sns.amazonaws.com" },
          Action: "sqs:SendMessage",
          Resource: run.named("aws:sqs/queue:Queue", queue).state.arn,
          Condition: { ArnEquals: { "aws:SourceArn": TOPIC } },
        },
        expect.objectContaining({ Sid: "DenyInsecureTransport", Effect: "Deny" }),
      ]);
    }
  });
});

describe("an eventbridge producer with a prefix", () => {
  it("matches its keys as one wildcard prefix*", () => {
    const rule = run.named("aws:cloudwatch/eventRule:EventRule", "s3-log-shipper-everything-objects-rule");
    expect(JSON.parse(String(rule.state.eventPattern)).detail).toEqual({
      bucket: { name: ["acme-shared"] },
      object: { key: [{ wildcard: "AWSLogs/*" }] },
    });
  });
});

describe("the bucket", () => {
  it("gets no notification configuration from this stack", () => {
    expect(run.ofType(NOTIFICATION_ENTRIES)).toEqual([]);
    expect(run.ofType("aws:s3/bucketNotification:BucketNotification")).toEqual([]);
  });
});
