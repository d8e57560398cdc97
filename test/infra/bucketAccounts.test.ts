/**
 * A producer whose bucket lives in another account (an organisation's log archive), under mocks:
 * what must live in the bucket's account is written through a provider assuming that account's
 * role, the queue trusts that account's bucket, and the stack outputs state exactly what the bucket
 * owner must add to the bucket and key policies.
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { stackOutputsSchema, type StackOutputs } from "../../pipeline/stackOutputs";
import { valueOf } from "../../scripts/offlineMocks";
import { NOTIFICATION_ENTRIES, policyOf, runProgram, stackConfig, type ProgramRun } from "./harness";

const ARCHIVE = "222233334444";
const ROLE = `arn:aws:iam::${ARCHIVE}:role/s3-log-shipper-deployer`;
const READER = `arn:aws:iam::${ARCHIVE}:role/s3-log-shipper-reader`;
const KEY = `arn:aws:kms:eu-west-1:${ARCHIVE}:key/0a1b2c3d-1111-2222-3333-444455556666`;
let run: ProgramRun;
let outputs: StackOutputs;

beforeAll(async () => {
  vi.resetModules();
  run = await runProgram({
    // The deployer's named profile: the AWS provider uses it, and so must the notification entries.
    "aws:profile": "security-deployer",
    ...stackConfig({
      accounts: { logarchive: { roleArn: ROLE } },
      producers: [
        {
          name: "elb",
          bucket: "archive-elb",
          bucketAccount: "logarchive",
          prefix: "AWSLogs/",
          index: "logs-elb",
          format: "text",
          objectKmsKeyArns: [KEY],
        },
        {
          name: "trail",
          bucket: "archive-trail",
          bucketAccount: "logarchive",
          notifications: "eventbridge",
          keyPattern: "AWSLogs/o-*/*/CloudTrail/*",
          index: "logs-trail",
          format: "json",
          recordsField: "Records",
        },
        { name: "local", bucket: "own-bucket", index: "logs-own", format: "ndjson" },
        {
          name: "reader",
          bucket: "archive-vpc",
          bucketAccount: "logarchive",
          index: "logs-vpc",
          format: "text",
          readRoleArn: READER,
        },
      ],
    }),
  });
  outputs = stackOutputsSchema.parse(await valueOf(pulumi.output(run.exports)));
});

describe("a bucket in another account", () => {
  it("assumes the account's role for what lives there: the bucket's notification entries and the EventBridge rule and target", () => {
    const provider = run.named("pulumi:providers:aws", "s3-log-shipper-account-logarchive");
    // Provider settings reach the engine as JSON text.
    expect(JSON.parse(String(provider.state.assumeRoles))).toEqual([
      { roleArn: ROLE, sessionName: "s3-log-shipper-test" },
    ]);
    // The entries are read, merged and written by the program's own provider, with that role.
    expect(run.named(NOTIFICATION_ENTRIES, "s3-log-shipper-notifications-archive-elb").state.roleArn).toBe(ROLE);
    for (const [type, name] of [
      ["aws:cloudwatch/eventRule:EventRule", "s3-log-shipper-trail-objects-rule"],
      ["aws:cloudwatch/eventTarget:EventTarget", "s3-log-shipper-trail-objects-target"],
    ] as const) {
      expect(run.named(type, name).provider, `${name} is written in the bucket's account`).toContain(
        "account-logarchive",
      );
    }
    // The stack's own resources, and a producer of the stack's own account, use the default provider.
    expect(run.named("aws:sqs/queue:Queue", "s3-log-shipper-elb-queue").provider).toBeUndefined();
    expect(run.named(NOTIFICATION_ENTRIES, "s3-log-shipper-notifications-own-bucket").state.roleArn).toBeUndefined();
    for (const entries of run.ofType(NOTIFICATION_ENTRIES)) expect(entries.state.profile).toBe("security-deployer");
  });

  it("reads through readRoleArn when given: the function may assume exactly that role, and the owner grants that role", () => {
    const statements = policyOf(
      run.named("aws:iam/rolePolicy:RolePolicy", "s3-log-shipper-reader-role-policy"),
    ).Statement;
    expect(statements.find((statement) => statement.Sid === "AssumeReadRole")).toEqual({
      Sid: "AssumeReadRole",
      Effect: "Allow",
      Action: "sts:AssumeRole",
      Resource: READER,
    });
    expect(outputs.producers.reader?.bucketOwnerStatements?.bucketPolicy[0]?.Principal).toEqual({ AWS: READER });
    const env = (
      run.named("aws:lambda/function:Function", "s3-log-shipper-reader-function").state.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env.READ_ROLE_ARN).toBe(READER);
    expect(
      policyOf(run.named("aws:iam/rolePolicy:RolePolicy", "s3-log-shipper-elb-role-policy")).Statement.some(
        (statement) => statement.Sid === "AssumeReadRole",
      ),
    ).toBe(false);
  });

  it("reaches the queue from a rule in the archive account through an execution role there, which the queue names", () => {
    const rule = run.named("aws:cloudwatch/eventRule:EventRule", "s3-log-shipper-trail-objects-rule");
    const role = run.named("aws:iam/role:Role", "s3-log-shipper-trail-events-role");
    expect(role.provider).toContain("account-logarchive");
    expect(policyOf(role, "assumeRolePolicy").Statement).toEqual([
      {
        Sid: "EventBridgeAssumesRole",
        Effect: "Allow",
        Principal: { Service: "events.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { ArnEquals: { "aws:SourceArn": rule.state.arn } },
      },
    ]);
    const queueArn = run.named("aws:sqs/queue:Queue", "s3-log-shipper-trail-queue").state.arn;
    expect(
      policyOf(run.named("aws:iam/rolePolicy:RolePolicy", "s3-log-shipper-trail-events-role-policy")).Statement,
    ).toEqual([{ Sid: "SendToProducerQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: queueArn }]);
    const target = run.named("aws:cloudwatch/eventTarget:EventTarget", "s3-log-shipper-trail-objects-target");
    const dlqArn = run.named("aws:sqs/queue:Queue", "s3-log-shipper-trail-dlq").state.arn;
    expect(target.state).toMatchObject({ arn: queueArn, roleArn: role.state.arn, deadLetterConfig: { arn: dlqArn } });
    expect(
      policyOf(run.named("aws:sqs/queuePolicy:QueuePolicy", "s3-log-shipper-trail-queue-policy")).Statement[0],
    ).toEqual({
      Sid: "AllowEventBridgeRuleRole",
      Effect: "Allow",
      Principal: { AWS: role.state.arn },
      Action: "sqs:SendMessage",
      Resource: queueArn,
    });
    // What EventBridge cannot deliver it puts into the DLQ itself, for that rule only.
    expect(
      policyOf(run.named("aws:sqs/queuePolicy:QueuePolicy", "s3-log-shipper-trail-dlq-policy")).Statement[0],
    ).toEqual({
      Sid: "AllowUndeliverableNotifications",
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Resource: dlqArn,
      Condition: { ArnEquals: { "aws:SourceArn": rule.state.arn } },
    });
  });

  it("lets the queue accept the archive account's bucket", () => {
    expect(
      policyOf(run.named("aws:sqs/queuePolicy:QueuePolicy", "s3-log-shipper-elb-queue-policy")).Statement[0]?.Condition,
    ).toEqual({
      ArnEquals: { "aws:SourceArn": "arn:aws:s3:::archive-elb" },
      StringEquals: { "aws:SourceAccount": ARCHIVE },
    });
  });

  it("outputs the bucket-policy and key-policy statements the bucket owner must add, naming the function's role", () => {
    const role = run.named("aws:iam/role:Role", "s3-log-shipper-elb-role").state.arn;
    expect(outputs.producers.elb?.bucketOwnerStatements).toEqual({
      bucketPolicy: [
        {
          Sid: "S3LogShipperelbRead",
          Effect: "Allow",
          Principal: { AWS: role },
          Action: ["s3:GetObject", "s3:GetObjectVersion"],
          Resource: "arn:aws:s3:::archive-elb/AWSLogs/*",
        },
      ],
      keyPolicy: [
        {
          Sid: "S3LogShipperelbDecrypt",
          Effect: "Allow",
          Principal: { AWS: role },
          Action: "kms:Decrypt",
          Resource: "*",
          Condition: {
            StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
            StringLike: {
              "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::archive-elb", "arn:aws:s3:::archive-elb/AWSLogs/*"],
            },
          },
        },
      ],
      topicPolicy: [],
    });
    expect(outputs.producers.trail?.bucketOwnerStatements?.bucketPolicy[0]?.Resource).toBe(
      "arn:aws:s3:::archive-trail/AWSLogs/o-*/*/CloudTrail/*",
    );
    expect(outputs.producers.local?.bucketOwnerStatements).toEqual({
      bucketPolicy: [],
      keyPolicy: [],
      topicPolicy: [],
    });
  });
});
