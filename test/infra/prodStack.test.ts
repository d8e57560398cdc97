/**
 * The whole program under Pulumi mocks with the example production stack (Pulumi.prod.yaml):
 * three producers, two sharing one bucket.
 */
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { bundleShipperFunction } from "../../pipeline/function/functionBuild";
import { stackOutputsSchema } from "../../pipeline/stackOutputs";
import { readStackConfig, valueOf, type RecordedResource } from "../../scripts/offlineMocks";
import { NOTIFICATION_ENTRIES, policyOf, PROJECT_ROOT, runProgram, type ProgramRun } from "./harness";

let run: ProgramRun;
/** Pulumi's wire signature for secret values (sdk/nodejs/runtime/rpc.ts). */
const SECRET_SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";
const PRODUCERS = ["waf", "alb", "cloudtrail"];

beforeAll(async () => {
  run = await runProgram(readStackConfig(path.join(PROJECT_ROOT, "Pulumi.prod.yaml")), {
    vaultData: { username: "shipper", password: "vault-only-password" },
  });
});

const children = (parentName: string, type: string): RecordedResource[] =>
  run.ofType(type).filter((r) => r.name.startsWith(`s3-log-shipper-${parentName}-`));

describe("resources per producer", () => {
  it.each(PRODUCERS)("%s gets its full set of resources", (name) => {
    const perProducer: Record<string, number> = {
      "aws:sqs/queue:Queue": 2,
      "aws:sqs/queuePolicy:QueuePolicy": 2,
      "aws:sqs/redrivePolicy:RedrivePolicy": 1,
      "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": 1,
      "aws:iam/role:Role": 1,
      "aws:iam/rolePolicy:RolePolicy": 1,
      "aws:cloudwatch/logGroup:LogGroup": 1,
      "aws:lambda/function:Function": 1,
      "aws:lambda/eventSourceMapping:EventSourceMapping": 1,
      // waf sets expectedIntervalMinutes: its fourth alarm watches for silence.
      "aws:cloudwatch/metricAlarm:MetricAlarm": name === "waf" ? 4 : 3,
      // cloudtrail is notified through EventBridge: its rule and target are its own.
      "aws:cloudwatch/eventRule:EventRule": name === "cloudtrail" ? 1 : 0,
      "aws:cloudwatch/eventTarget:EventTarget": name === "cloudtrail" ? 1 : 0,
    };
    for (const [type, count] of Object.entries(perProducer))
      expect(children(name, type), `${name} ${type}`).toHaveLength(count);
  });

  it("creates the stack-wide resources once", () => {
    expect(run.ofType("aws:kms/key:Key")).toHaveLength(2); // credentials + alerts
    expect(run.ofType("aws:ssm/parameter:Parameter")).toHaveLength(1);
    expect(run.ofType("aws:sns/topic:Topic")).toHaveLength(1);
    expect(
      run
        .ofType("aws:sns/topicSubscription:TopicSubscription")
        .map((s) => s.state.endpoint)
        .sort(),
    ).toEqual(["platform-oncall@example.com", "secops@example.com"]);
    expect(run.ofType("aws:kms/keyPolicy:KeyPolicy")).toHaveLength(1);
  });
});

describe("wiring", () => {
  it("puts one set of entries on each bucket, merging the producers that share it, and none where EventBridge notifies", () => {
    const notifications = run.ofType(NOTIFICATION_ENTRIES);
    expect(notifications.map((n) => n.state.bucket).sort()).toEqual(["acme-central-logs"]);
    const central = run.named(NOTIFICATION_ENTRIES, "s3-log-shipper-notifications-acme-central-logs");
    expect(central.state).toMatchObject({ bucket: "acme-central-logs", region: "eu-west-1" });
    expect(central.state.roleArn).toBeUndefined();
    expect(central.state.entries).toEqual([
      {
        id: "s3-log-shipper-test-waf",
        queueArn: run.named("aws:sqs/queue:Queue", "s3-log-shipper-waf-queue").state.arn,
        prefix: "AWSLogs/123456789012/WAFLogs/",
        suffix: ".gz",
        events: ["s3:ObjectCreated:*"],
      },
      {
        id: "s3-log-shipper-test-alb",
        queueArn: run.named("aws:sqs/queue:Queue", "s3-log-shipper-alb-queue").state.arn,
        prefix: "AWSLogs/123456789012/elasticloadbalancing/",
        suffix: ".log.gz",
        events: ["s3:ObjectCreated:*"],
      },
    ]);
    // Nothing owns the whole configuration any more.
    expect(run.ofType("aws:s3/bucketNotification:BucketNotification")).toEqual([]);
  });

  it("notifies the organisation trail's queue through an EventBridge rule on its bucket and key pattern, undeliverable events to the DLQ", () => {
    const rule = run.named("aws:cloudwatch/eventRule:EventRule", "s3-log-shipper-cloudtrail-objects-rule");
    expect(JSON.parse(String(rule.state.eventPattern))).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: {
        bucket: { name: ["acme-cloudtrail"] },
        object: { key: [{ wildcard: "AWSLogs/o-*/*/CloudTrail/*.json.gz" }] },
      },
    });
    expect(rule.state.eventBusName ?? "default").toBe("default");
    const target = run.named("aws:cloudwatch/eventTarget:EventTarget", "s3-log-shipper-cloudtrail-objects-target");
    expect(target.state).toMatchObject({
      rule: rule.state.name,
      arn: run.named("aws:sqs/queue:Queue", "s3-log-shipper-cloudtrail-queue").state.arn,
      deadLetterConfig: { arn: run.named("aws:sqs/queue:Queue", "s3-log-shipper-cloudtrail-dlq").state.arn },
    });
    // Only that rule may send, to the queue and (what it could not deliver) to the DLQ.
    const allow = {
      Effect: "Allow",
      Principal: { Service: "events.amazonaws.com" },
      Action: "sqs:SendMessage",
      Condition: { ArnEquals: { "aws:SourceArn": rule.state.arn } },
    };
    expect(
      policyOf(run.named("aws:sqs/queuePolicy:QueuePolicy", "s3-log-shipper-cloudtrail-queue-policy")).Statement[0],
    ).toEqual({
      Sid: "AllowEventBridgeRule",
      ...allow,
      Resource: run.named("aws:sqs/queue:Queue", "s3-log-shipper-cloudtrail-queue").state.arn,
    });
    expect(
      policyOf(run.named("aws:sqs/queuePolicy:QueuePolicy", "s3-log-shipper-cloudtrail-dlq-policy")).Statement[0],
    ).toEqual({
      Sid: "AllowUndeliverableNotifications",
      ...allow,
      Resource: run.named("aws:sqs/queue:Queue", "s3-log-shipper-cloudtrail-dlq").state.arn,
    });
    // The role reads exactly the pattern, and the function checks it too.
    const read = policyOf(
      run.named("aws:iam/rolePolicy:RolePolicy", "s3-log-shipper-cloudtrail-role-policy"),
    ).Statement.find((st) => st.Sid === "ReadProducerObjects");
    expect(read?.Resource).toBe("arn:aws:s3:::acme-cloudtrail/AWSLogs/o-*/*/CloudTrail/*.json.gz");
    const env = (
      run.named("aws:lambda/function:Function", "s3-log-shipper-cloudtrail-function").state.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env).toMatchObject({ SOURCE_BUCKET: "acme-cloudtrail", KEY_PATTERN: "AWSLogs/o-*/*/CloudTrail/*.json.gz" });
  });

  it.each(PRODUCERS)("%s: queue → event source mapping → function, with batch failures reported", (name) => {
    const queue = run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-queue`);
    const fn = run.named("aws:lambda/function:Function", `s3-log-shipper-${name}-function`);
    const mapping = run.named(
      "aws:lambda/eventSourceMapping:EventSourceMapping",
      `s3-log-shipper-${name}-event-source`,
    );
    expect(mapping.state.eventSourceArn).toBe(queue.state.arn);
    expect(mapping.state.functionName).toBe(fn.state.arn);
    expect(mapping.state.functionResponseTypes).toEqual(["ReportBatchItemFailures"]);
    expect((mapping.state.scalingConfig as { maximumConcurrency: number }).maximumConcurrency).toBe(5);
    expect(fn.state).toMatchObject({ runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler" });
    expect(fn.state.role).toBe(run.named("aws:iam/role:Role", `s3-log-shipper-${name}-role`).state.arn);
  });

  it.each([
    ["waf", 5],
    ["alb", 8],
    ["cloudtrail", 5],
  ])("%s: queue redrives to its DLQ after maxReceiveCount %i", (name, maxReceiveCount) => {
    const redrive = run.named("aws:sqs/redrivePolicy:RedrivePolicy", `s3-log-shipper-${name}-redrive`);
    expect(redrive.state.queueUrl).toBe(run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-queue`).state.url);
    expect(JSON.parse(String(redrive.state.redrivePolicy))).toEqual({
      deadLetterTargetArn: run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-dlq`).state.arn,
      maxReceiveCount,
    });
    const allow = run.named(
      "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
      `s3-log-shipper-${name}-dlq-redrive-allow`,
    );
    expect(JSON.parse(String(allow.state.redriveAllowPolicy))).toEqual({
      redrivePermission: "byQueue",
      sourceQueueArns: [run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-queue`).state.arn],
    });
    // Both keep the SQS maximum: the DLQ's clock runs from the original send (config bounds maxReceiveCount by it).
    expect(run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-dlq`).state.messageRetentionSeconds).toBe(
      1_209_600,
    );
    expect(run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-queue`).state.messageRetentionSeconds).toBe(
      1_209_600,
    );
  });

  it.each([
    ["waf", 300],
    ["alb", 300],
    ["cloudtrail", 900],
  ])("%s: visibility timeout is 6 × the function timeout (%i s)", (name, timeout) => {
    const fn = run.named("aws:lambda/function:Function", `s3-log-shipper-${name}-function`);
    const queue = run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-queue`);
    expect(fn.state.timeout).toBe(timeout);
    expect(queue.state.visibilityTimeoutSeconds).toBe(6 * timeout);
    expect(Number(queue.state.visibilityTimeoutSeconds)).toBeGreaterThanOrEqual(Number(fn.state.timeout));
  });

  it.each(PRODUCERS)("%s: alarms watch its DLQ, its queue and its function, and notify the topic", (name) => {
    const topicArn = run.ofType("aws:sns/topic:Topic")[0]?.state.arn;
    const dlq = run.named("aws:cloudwatch/metricAlarm:MetricAlarm", `s3-log-shipper-${name}-alarms-dlq-depth`);
    expect(dlq.state).toMatchObject({
      metricName: "ApproximateNumberOfMessagesVisible",
      threshold: 0,
      comparisonOperator: "GreaterThanThreshold",
      treatMissingData: "notBreaching",
    });
    expect(dlq.state.dimensions).toEqual({
      QueueName: run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-dlq`).state.name,
    });
    const backlog = run.named("aws:cloudwatch/metricAlarm:MetricAlarm", `s3-log-shipper-${name}-alarms-backlog-age`);
    expect(backlog.state.dimensions).toEqual({
      QueueName: run.named("aws:sqs/queue:Queue", `s3-log-shipper-${name}-queue`).state.name,
    });
    const errors = run.named("aws:cloudwatch/metricAlarm:MetricAlarm", `s3-log-shipper-${name}-alarms-function-errors`);
    expect(errors.state.dimensions).toEqual({
      FunctionName: run.named("aws:lambda/function:Function", `s3-log-shipper-${name}-function`).state.name,
    });
    for (const alarm of [dlq, backlog, errors]) expect(alarm.state.alarmActions).toEqual([topicArn]);
  });

  it("watches for silence exactly where expectedIntervalMinutes is set: no object shipped in that time pages people", () => {
    // Prepare: waf sets 60 minutes; alb and cloudtrail set nothing (they may write rarely).
    const silence = run.named("aws:cloudwatch/metricAlarm:MetricAlarm", "s3-log-shipper-waf-alarms-silence");
    // Assess: the function's own metric, with the exact dimensions it is emitted with.
    expect(silence.state).toMatchObject({
      namespace: "S3LogShipper",
      metricName: "ObjectsProcessed",
      dimensions: { service: "s3-log-shipper", producer: "waf" },
      statistic: "Sum",
      period: 3_600,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: "LessThanThreshold",
      treatMissingData: "breaching",
      alarmActions: [run.ofType("aws:sns/topic:Topic")[0]?.state.arn],
    });
    expect(String(silence.state.alarmDescription)).toContain("notification configuration");
    expect(
      run
        .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
        .filter((alarm) => alarm.name.endsWith("-silence"))
        .map((alarm) => alarm.name),
    ).toEqual(["s3-log-shipper-waf-alarms-silence"]);
  });

  it("exports exactly the stack outputs s3ls parses, per producer its queues, function, log group and alarm names", async () => {
    // Act: the outputs as `pulumi stack output --json` would print them, read with the CLI's schema.
    const resolved = await valueOf(pulumi.output(run.exports));
    const outputs = stackOutputsSchema.parse(resolved);
    // Assess: nothing exported outside the contract, every producer, and the values are the resources'.
    expect(Object.keys(resolved).sort()).toEqual(Object.keys(stackOutputsSchema.shape).sort());
    expect(Object.keys(outputs.producers)).toEqual(PRODUCERS);
    expect(outputs.producers.waf).toMatchObject({
      bucket: "acme-central-logs",
      queueUrl: run.named("aws:sqs/queue:Queue", "s3-log-shipper-waf-queue").state.url,
      functionName: run.named("aws:lambda/function:Function", "s3-log-shipper-waf-function").state.name,
    });
    expect(outputs.producers.waf?.alarmNames).toHaveLength(4);
    expect(outputs.producers.alb?.alarmNames).toHaveLength(3);
    expect(outputs.credentialsParameterName).toBe("/s3-log-shipper/test/elasticsearch");
  });
});

describe("policies and secrets", () => {
  it("lets only S3, from its bucket and account, send to a producer queue, over TLS only", () => {
    const document = policyOf(run.named("aws:sqs/queuePolicy:QueuePolicy", "s3-log-shipper-waf-queue-policy"));
    const [allow, deny] = document.Statement;
    expect(allow).toMatchObject({
      Effect: "Allow",
      Principal: { Service: "s3.amazonaws.com" },
      Action: "sqs:SendMessage",
      Condition: {
        ArnEquals: { "aws:SourceArn": "arn:aws:s3:::acme-central-logs" },
        StringEquals: { "aws:SourceAccount": "123456789012" },
      },
    });
    expect(deny).toMatchObject({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": false } } });
  });

  it("encrypts both queues at rest with SSE-SQS, which S3 can publish through", () => {
    for (const queue of run.ofType("aws:sqs/queue:Queue")) expect(queue.state.sqsManagedSseEnabled).toBe(true);
  });

  it("grants no data-plane action on Resource *", () => {
    for (const rolePolicy of run.ofType("aws:iam/rolePolicy:RolePolicy")) {
      for (const statement of policyOf(rolePolicy).Statement) {
        const actions = ([] as string[]).concat(statement.Action);
        if (statement.Resource === "*")
          expect(
            actions.every((action) => action.startsWith("ec2:")),
            JSON.stringify(statement),
          ).toBe(true);
      }
    }
  });

  it("scopes each role to its bucket prefix, its queue, the parameter and the key", () => {
    const statements = policyOf(run.named("aws:iam/rolePolicy:RolePolicy", "s3-log-shipper-alb-role-policy")).Statement;
    const bySid = Object.fromEntries(statements.map((s) => [s.Sid, s]));
    expect(bySid.ReadProducerObjects?.Resource).toBe(
      "arn:aws:s3:::acme-central-logs/AWSLogs/123456789012/elasticloadbalancing/*.log.gz",
    );
    expect(bySid.ConsumeOwnQueue?.Resource).toBe(
      run.named("aws:sqs/queue:Queue", "s3-log-shipper-alb-queue").state.arn,
    );
    const parameterArn = "arn:aws:ssm:eu-west-1:123456789012:parameter/s3-log-shipper/test/elasticsearch";
    expect(bySid.ReadCredentialsParameter?.Resource).toBe(parameterArn);
    expect(bySid.DecryptCredentialsParameter).toMatchObject({
      Action: "kms:Decrypt",
      Resource: run.ofType("aws:kms/key:Key").find((k) => k.name === "s3-log-shipper-credentials-key")?.state.arn,
      Condition: { StringEquals: { "kms:EncryptionContext:PARAMETER_ARN": parameterArn } },
    });
  });

  it("lets only the cloudtrail role decrypt its trail's objects, through S3 in the stack's region, for its bucket and objects", () => {
    const decrypt = (name: string) =>
      policyOf(run.named("aws:iam/rolePolicy:RolePolicy", `s3-log-shipper-${name}-role-policy`)).Statement.find(
        (s) => s.Sid === "DecryptProducerObjects",
      );
    expect(decrypt("cloudtrail")).toEqual({
      Sid: "DecryptProducerObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: ["arn:aws:kms:eu-west-1:123456789012:key/5f0c2a1e-8d7b-4c1a-9e3f-2b6d4a8c0e11"],
      Condition: {
        StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        StringLike: {
          "kms:EncryptionContext:aws:s3:arn": [
            "arn:aws:s3:::acme-cloudtrail",
            "arn:aws:s3:::acme-cloudtrail/AWSLogs/o-*/*/CloudTrail/*.json.gz",
          ],
        },
      },
    });
    expect(decrypt("waf")).toBeUndefined();
  });

  it("binds the credentials key's decrypt grant to the producers' roles and the parameter", () => {
    const document = policyOf(run.ofType("aws:kms/keyPolicy:KeyPolicy")[0] as RecordedResource);
    const readers = document.Statement.find((s) => s.Sid === "ShipperFunctionsDecryptTheParameter");
    expect(readers?.Principal).toEqual({
      AWS: PRODUCERS.map((name) => run.named("aws:iam/role:Role", `s3-log-shipper-${name}-role`).state.arn),
    });
    expect(readers?.Condition).toEqual({
      StringEquals: {
        "kms:EncryptionContext:PARAMETER_ARN":
          "arn:aws:ssm:eu-west-1:123456789012:parameter/s3-log-shipper/test/elasticsearch",
      },
    });
    // Nobody else may decrypt outside SSM.
    for (const statement of document.Statement) {
      const actions = ([] as string[]).concat(statement.Action);
      if (actions.includes("kms:Decrypt") || actions.includes("kms:*")) expect(statement.Condition).toBeDefined();
    }
    expect(run.ofType("aws:kms/key:Key").every((key) => key.state.enableKeyRotation === true)).toBe(true);
  });

  it("stores the credentials as a SecureString under the customer-managed key, sent to the engine as a secret", () => {
    const parameter = run.ofType("aws:ssm/parameter:Parameter")[0] as RecordedResource;
    expect(parameter.state).toMatchObject({ type: "SecureString", name: "/s3-log-shipper/test/elasticsearch" });
    expect(parameter.state.keyId).toBe(
      run.ofType("aws:kms/key:Key").find((k) => k.name === "s3-log-shipper-credentials-key")?.state.arn,
    );
    // The program marked the value secret itself (the provider's own secret outputs do not show in
    // inputs): Pulumi serialises a secret input as this signature envelope, encrypted in state.
    const value = parameter.inputs.value as Record<string, unknown>;
    expect(value[SECRET_SIGNATURE_KEY]).toBe(SECRET_SIGNATURE);
    expect(JSON.parse(String(value.value))).toEqual({ username: "shipper", password: "vault-only-password" });
  });

  it("derives the stored value as a secret output from the Vault lookup", async () => {
    const { Credentials } = await import("../../pipeline/resources/credentials.js");
    const credentials = new Credentials("secretness-check", {
      instance: "s3-log-shipper",
      vaultMount: "secret",
      vaultPath: "x",
      parameterName: "/x",
    });
    expect(await pulumi.isSecret(credentials.storedValue)).toBe(true);
  });

  it("puts no credential into any function environment", () => {
    for (const fn of run.ofType("aws:lambda/function:Function")) {
      const variables = (fn.state.environment as { variables: Record<string, string> }).variables;
      const serialized = JSON.stringify(variables);
      expect(serialized).not.toContain("vault-only-password");
      expect(serialized).not.toContain('shipper"');
      expect(Object.keys(variables).some((key) => /PASSWORD|API_KEY|SECRET|TOKEN/i.test(key))).toBe(false);
      expect(variables.ES_CREDENTIALS_PARAMETER).toBe("/s3-log-shipper/test/elasticsearch");
    }
  });

  it("gives the function the environment of the Lambda contract", () => {
    const variables = (
      run.named("aws:lambda/function:Function", "s3-log-shipper-cloudtrail-function").state.environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(variables).toMatchObject({
      ES_ENDPOINT: "https://acme-security.es.eu-west-1.aws.elastic-cloud.com:443",
      LOG_FORMAT: "cloudtrail",
      DEAD_LETTER_INDEX: "logs-shipper-failed",
      QUEUE_URL: run.named("aws:sqs/queue:Queue", "s3-log-shipper-cloudtrail-queue").state.url,
      PRODUCER: "cloudtrail",
      VISIBILITY_TIMEOUT_SECONDS: "5400",
    });
    // No index: each object's data stream follows from its format (lambda/contract/destination.ts).
    expect(variables).not.toHaveProperty("ES_INDEX");
  });

  it("makes every invoke the mocks know, and no other", () => {
    expect([...new Set(run.invokes)].sort()).toEqual([
      "aws:index/getCallerIdentity:getCallerIdentity",
      "aws:index/getPartition:getPartition",
      "aws:index/getRegion:getRegion",
      "vault:kv/getSecretV2:getSecretV2",
    ]);
  });
});

describe("the function code", () => {
  it("is one bundle file named by a path relative to the project, with no inline text, for every producer", async () => {
    const functions = run.ofType("aws:lambda/function:Function");
    expect(functions).toHaveLength(PRODUCERS.length);
    const files = new Set<string>();
    for (const fn of functions) {
      const archive = fn.inputs.code as pulumi.asset.AssetArchive;
      expect(archive).toBeInstanceOf(pulumi.asset.AssetArchive);
      const assets = (await archive.assets) as Record<string, pulumi.asset.Asset>;
      expect(Object.keys(assets)).toEqual(["index.js"]);
      const asset = assets["index.js"] as pulumi.asset.FileAsset;
      expect(asset).toBeInstanceOf(pulumi.asset.FileAsset);
      expect((asset as unknown as { text?: unknown }).text).toBeUndefined();
      files.add(await asset.path);
    }
    expect([...files]).toEqual([path.join(".cache", "bundle", "index.js")]);
    // The file holds the function as bundled for this deployment.
    expect(readFileSync(path.join(PROJECT_ROOT, ".cache", "bundle", "index.js"), "utf8")).toBe(
      bundleShipperFunction().code,
    );
  });
});
