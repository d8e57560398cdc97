/**
 * The program on the real Pulumi engine (CLI built from source, Automation API inline program,
 * file backend, passphrase secrets), with stand-in AWS and Vault plugins that create everything in
 * moto, and Pulumi's dynamic provider plugin running the bucket's notification entries as Pulumi
 * serialized them: preview → up → preview shows no change → moto holds what the outputs name, and
 * the bucket's other consumer keeps its entry → a stack of the release that owned the whole
 * configuration upgrades with its entries in place → the state keeps no secret in plain text and
 * stays small → a configuration another tool overwrote: s3ls doctor names it, pulumi up --refresh
 * restores the entries → destroy leaves nothing but the other consumer's entry.
 */
import { DescribeAlarmsCommand, CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type QueueConfiguration,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import type { Stack } from "@pulumi/pulumi/automation";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleShipperFunction, PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { engineStack } from "../../scripts/engine/engineStack";
import { EMULATOR_CREDENTIALS } from "../../scripts/local/emulatorResources";
import { stackOutputsSchema, type StackOutputs } from "../../pipeline/stackOutputs";
import { awsClients, REGION, type AwsClients } from "../../scripts/local/localPipeline";
import { resetMoto, startMoto } from "../../scripts/local/services";
import { s3ls, writeOutputsFile } from "../helpers/operatorCli";
import { STANDALONE_INSTANCE as STANDALONE } from "../../pipeline/validation/instanceNames";

/** What the Vault lookup returns: must never appear in the state file as it is. */
const VAULT_PASSWORD = "engine-vault-only-password-7f3a";
const PRODUCERS = [
  {
    name: "waf",
    bucket: "engine-central",
    prefix: "waf/",
    index: "logs-waf",
    format: "ndjson",
    expectedIntervalMinutes: 60,
  },
  { name: "alb", bucket: "engine-central", prefix: "alb/", suffix: ".log.gz", index: "logs-alb", format: "text" },
  // Notified through EventBridge: its rule and target go through the real engine too.
  {
    name: "trail",
    bucket: "engine-trail",
    notifications: "eventbridge",
    keyPattern: "AWSLogs/o-*/*/CloudTrail/*.json.gz",
    index: "logs-trail",
    format: "json",
    recordsField: "Records",
  },
];
/** Another consumer of engine-central, set up by the bucket's owner before the stack. */
const FOREIGN_ENTRY_ID = "another-siem";
/** The state of a stack, per producer, stays below this (it held the ~1.4 MB bundle per producer before). */
const MAX_STATE_BYTES_PER_PRODUCER = 100 * 1024;

describe("the program on the real Pulumi engine", () => {
  let stack: Stack;
  let stateFile: string;
  let aws: AwsClients;
  let endpoint: string;
  let outputs: StackOutputs;
  let workDir: string;
  let events: EventBridgeClient;
  let foreignEntry: QueueConfiguration;
  const centralEntries = async () =>
    (await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: "engine-central" })))
      .QueueConfigurations ?? [];

  beforeAll(async () => {
    endpoint = await startMoto();
    await resetMoto();
    aws = awsClients(endpoint);
    events = new EventBridgeClient({ region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS });
    for (const bucket of new Set(PRODUCERS.map((producer) => producer.bucket))) {
      await aws.s3.send(
        new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
      );
    }
    const foreign = await aws.sqs.send(new CreateQueueCommand({ QueueName: FOREIGN_ENTRY_ID }));
    const foreignArn = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: foreign.QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    foreignEntry = {
      Id: FOREIGN_ENTRY_ID,
      QueueArn: foreignArn.Attributes?.QueueArn ?? "",
      Events: ["s3:ObjectCreated:*"],
      Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "other/" }] } },
    };
    await aws.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: "engine-central",
        NotificationConfiguration: { QueueConfigurations: [foreignEntry] },
      }),
    );
    workDir = mkdtempSync(path.join(PROJECT_ROOT, ".cache", "engine-"));
    ({ stack, stateFile } = await engineStack({
      stackName: "engine",
      workDir,
      region: REGION,
      services: {
        awsEndpoint: endpoint,
        elasticsearch: { url: "http://127.0.0.1:9200", username: "shipper", password: VAULT_PASSWORD },
      },
      config: { defaults: { timeoutSeconds: 60 }, producers: PRODUCERS },
    }));
  });

  afterAll(async () => {
    // A failed scenario must not leave the emulator holding a half-made stack for the next run.
    await stack?.destroy().catch(() => undefined);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("previews the whole stack as creates", async () => {
    const preview = await stack.preview();
    expect(preview.changeSummary.create).toBeGreaterThan(40);
    expect(preview.changeSummary.update ?? 0).toBe(0);
  });

  it("creates it with up, and a second preview shows no change", async () => {
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    // What `pulumi stack output --json` prints, read with the schema s3ls reads it with.
    outputs = stackOutputsSchema.parse(
      Object.fromEntries(Object.entries(up.outputs).map(([name, output]) => [name, output.value])),
    );
    const again = await stack.preview();
    const { same = 0, ...changes } = again.changeSummary;
    expect(changes, "an unchanged program shows no diff").toEqual({});
    expect(same).toBeGreaterThan(40);
  });

  it("keeps every resource of a stack deployed while the producer component was typed …:Producer (its alias)", async () => {
    // Prepare: the state as that version left it; every child's URN carries its parent's type.
    const state = await stack.exportStack();
    const old = JSON.stringify(state).replaceAll(
      "s3-log-shipper:pipeline:ProducerPipeline",
      "s3-log-shipper:pipeline:Producer",
    );
    expect(old).not.toBe(JSON.stringify(state));
    await stack.importStack(JSON.parse(old) as typeof state);
    // Act
    const preview = await stack.preview();
    // Assess: no create, replace or delete; an up moves the state to the new type.
    const { same = 0, ...changes } = preview.changeSummary;
    expect(changes, "renaming the component's type would change resources").toEqual({});
    expect(same).toBeGreaterThan(40);
    const up = await stack.up();
    expect(up.summary.resourceChanges ?? {}).not.toHaveProperty("create");
    expect(up.summary.resourceChanges ?? {}).not.toHaveProperty("delete");
    const after = (await stack.exportStack()).deployment as { resources: Array<{ urn: string }> };
    expect(
      after.resources
        .filter((resource) => /:pipeline:Producer(\$|::)/.test(resource.urn))
        .map((resource) => resource.urn),
    ).toEqual([]);
  });

  it("keeps every resource of a stack deployed before names derived from the instance's (0.1: children named credentials, waf-queue, …)", async () => {
    // Prepare: the state as 0.1 left it — the component's children under their own names, not the
    // instance's; every grandchild's name, and every reference between them, with them.
    const state = await stack.exportStack();
    const stackUrn = "pulumi:pulumi:Stack::s3-log-shipper-engine"; // <project>-<stack>: not a child's name
    const old = JSON.stringify(state)
      .replaceAll(stackUrn, "STACK")
      .replaceAll(`::${STANDALONE}-`, "::")
      .replaceAll("STACK", stackUrn);
    expect(old).not.toBe(JSON.stringify(state));
    await stack.importStack(JSON.parse(old) as typeof state);
    const names = (deployment: unknown) =>
      (deployment as { resources: Array<{ urn: string }> }).resources.map((resource) => resource.urn.split("::").pop());
    expect(names((await stack.exportStack()).deployment)).toContain("waf-queue");
    // Act
    const preview = await stack.preview();
    // Assess: no create, replace or delete (the aliases); an up moves the state to the new names.
    const { same = 0, ...changes } = preview.changeSummary;
    expect(changes, "deriving names from the instance's would change resources").toEqual({});
    expect(same).toBeGreaterThan(40);
    const up = await stack.up();
    expect(up.summary.resourceChanges ?? {}).not.toHaveProperty("create");
    expect(up.summary.resourceChanges ?? {}).not.toHaveProperty("delete");
    expect(names((await stack.exportStack()).deployment)).toContain(`${STANDALONE}-waf-queue`);
    expect(names((await stack.exportStack()).deployment)).not.toContain("waf-queue");
  });

  it("upgrades a stack of the release that owned the whole configuration (aws.s3.BucketNotification) with its entries in place", async () => {
    // Prepare: the state as that release left it — the same logical resource, typed
    // aws:s3/bucketNotification:BucketNotification, under the AWS provider, holding the queues.
    const exported = await stack.exportStack();
    const deployment = exported.deployment as { resources: Array<Record<string, unknown>> };
    const dynamic = deployment.resources.find((r) => r.type === "pulumi-nodejs:dynamic:Resource");
    const awsResource = deployment.resources.find((r) => r.type === "aws:sqs/queue:Queue");
    if (!dynamic || !awsResource) throw new Error("the state holds no notification entries or no queue");
    const entries = (dynamic.outputs as { entries: Array<Record<string, unknown>> }).entries;
    // Plus the entry of a producer that release had and this config no longer lists.
    const retired = {
      id: "s3-log-shipper-engine-retired",
      queueArn: foreignEntry.QueueArn,
      events: ["s3:ObjectCreated:*"],
      filterPrefix: "retired/",
    };
    const queues = [
      ...entries.map((entry) => ({
        id: entry.id,
        queueArn: entry.queueArn,
        events: entry.events,
        filterPrefix: entry.prefix,
        ...(entry.suffix ? { filterSuffix: entry.suffix } : {}),
      })),
      retired,
    ];
    const oldType = "aws:s3/bucketNotification:BucketNotification";
    Object.assign(dynamic, {
      urn: String(dynamic.urn).replace("pulumi-nodejs:dynamic:Resource", oldType),
      type: oldType,
      provider: awsResource.provider,
      inputs: { bucket: "engine-central", queues },
      outputs: { bucket: "engine-central", id: "engine-central", queues },
    });
    deployment.resources = deployment.resources.filter(
      (r) => !String(r.urn).includes("pulumi:providers:pulumi-nodejs"),
    );
    await stack.importStack(exported);
    // The configuration holds the other consumer's entry (the owner added it after that release's
    // last up) and the retired producer's.
    await aws.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: "engine-central",
        NotificationConfiguration: {
          QueueConfigurations: [
            ...(await centralEntries()),
            {
              Id: retired.id,
              QueueArn: retired.queueArn,
              Events: ["s3:ObjectCreated:*"],
              Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "retired/" }] } },
            },
          ],
        },
      }),
    );
    // Act
    const up = await stack.up();
    // Assess: the one resource updated in place (no replacement: the old one's delete would empty
    // the configuration), the stack's entries and the other consumer's both there after it.
    const { same: _same, ...changed } = up.summary.resourceChanges ?? {};
    expect(changed).toEqual({ update: 1 });
    expect((await centralEntries()).map((entry) => entry.Id)).toEqual([
      FOREIGN_ENTRY_ID,
      "s3-log-shipper-engine-waf",
      "s3-log-shipper-engine-alb",
    ]);
    const again = await stack.preview();
    const { same = 0, ...changes } = again.changeSummary;
    expect(changes, "the upgraded stack shows no diff").toEqual({});
    expect(same).toBeGreaterThan(40);
  });

  it("shows a diff on exactly the functions when the function's code changes", async () => {
    // The program bundles once per process: change the bundle it will write, as a source edit would.
    const bundle = bundleShipperFunction();
    const original = bundle.code;
    bundle.code = `${original}\n// a change`;
    try {
      // `up`, not `preview`: the stand-in plugin cannot say in a preview that an updated function
      // keeps its ARN (the Node provider server drops `stables`), so there its dependents show as replaced.
      const up = await stack.up();
      const { same = 0, ...changes } = up.summary.resourceChanges ?? {};
      expect(changes, "the functions change in place; nothing else").toEqual({ update: PRODUCERS.length });
      expect(same).toBeGreaterThan(40);
    } finally {
      bundle.code = original;
    }
  });

  it("leaves in the emulator what the outputs name", async () => {
    const { producers } = outputs;
    expect(Object.keys(producers).sort()).toEqual(["alb", "trail", "waf"]);
    const cloudwatch = new CloudWatchClient({ region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS });
    const logs = new CloudWatchLogsClient({ region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS });
    for (const [name, producer] of Object.entries(producers)) {
      const queue = await aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: producer.queueUrl, AttributeNames: ["All"] }),
      );
      const redrive = JSON.parse(queue.Attributes?.RedrivePolicy ?? "{}") as { maxReceiveCount?: number };
      expect(redrive.maxReceiveCount, name).toBeGreaterThanOrEqual(5);
      expect(queue.Attributes?.MessageRetentionPeriod).toBe("1209600");
      await aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: producer.deadLetterQueueUrl, AttributeNames: ["QueueArn"] }),
      );
      const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: producer.logGroupName }));
      expect(groups.logGroups?.map((group) => group.logGroupName)).toEqual([producer.logGroupName]);
      const alarms = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: producer.alarmNames }));
      expect(alarms.MetricAlarms?.length, `${name} alarms`).toBe(producer.alarmNames.length);
    }
    // The owner's other consumer first, as it was; then the stack's entries, one per producer.
    expect((await centralEntries()).map((entry) => [entry.Id, entry.QueueArn])).toEqual([
      [FOREIGN_ENTRY_ID, foreignEntry.QueueArn],
      ["s3-log-shipper-engine-waf", producers.waf?.queueArn],
      ["s3-log-shipper-engine-alb", producers.alb?.queueArn],
    ]);
    const rules = await events.send(new ListRulesCommand({ NamePrefix: `${STANDALONE}-trail-objects-rule` }));
    expect(rules.Rules?.map((rule) => JSON.parse(rule.EventPattern ?? "{}").detail)).toEqual([
      { bucket: { name: ["engine-trail"] }, object: { key: [{ wildcard: "AWSLogs/o-*/*/CloudTrail/*.json.gz" }] } },
    ]);
    const targets = await events.send(new ListTargetsByRuleCommand({ Rule: rules.Rules?.[0]?.Name }));
    expect(targets.Targets?.map((target) => [target.Arn, target.DeadLetterConfig?.Arn])).toEqual([
      [producers.trail?.queueArn, producers.trail?.deadLetterQueueArn],
    ]);
    const parameter = await aws.ssm.send(
      new GetParameterCommand({ Name: outputs.credentialsParameterName, WithDecryption: true }),
    );
    expect(JSON.parse(parameter.Parameter?.Value ?? "{}")).toEqual({ username: "shipper", password: VAULT_PASSWORD });
  });

  it("keeps no secret in plain text in the state, which stays small", () => {
    const state = readFileSync(stateFile, "utf8");
    expect(state).toContain("aws:ssm/parameter:Parameter");
    expect(state).not.toContain(VAULT_PASSWORD);
    const bytes = statSync(stateFile).size;
    process.stdout.write(
      `state file: ${bytes} bytes for ${PRODUCERS.length} producers (${Math.round(bytes / PRODUCERS.length)} per producer)\n`,
    );
    expect(bytes / PRODUCERS.length).toBeLessThan(MAX_STATE_BYTES_PER_PRODUCER);
  });

  it("after another tool overwrites the bucket's configuration, s3ls doctor names it and pulumi up --refresh restores the stack's entries beside the other one", async () => {
    // A tool that writes the whole configuration, knowing only its own entry (what doctor's fix is for).
    await aws.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: "engine-central",
        NotificationConfiguration: { QueueConfigurations: [foreignEntry] },
      }),
    );
    const file = writeOutputsFile(outputs, endpoint);
    const sources = async () =>
      Object.fromEntries(
        (
          await s3ls(["doctor", "--outputs", file, "--json"]).then((run) =>
            run.json<{
              producers: Array<{ producer: string; checks: Array<{ check: string; verdict: string; detail: string }> }>;
            }>(),
          )
        ).producers
          .filter((producer) => producer.producer !== "trail")
          .map((producer) => [producer.producer, producer.checks.find((check) => check.check === "source")]),
      );
    const broken = await sources();
    expect(broken.waf?.verdict).toBe("problem");
    expect(broken.waf?.detail).toContain(`has no entry for queue ${outputs.producers.waf?.queueArn}`);
    expect(broken.waf?.detail).toContain("pulumi up --refresh restores the entry");
    expect(broken.alb?.verdict).toBe("problem");

    // A plain `up` compares config with the state it last wrote and leaves the bucket as it is
    // (measured: the foreign entry alone stays); the refresh reads the entries that are gone first.
    const up = await stack.up({ refresh: true });

    expect(up.summary.result).toBe("succeeded");
    expect((await centralEntries()).map((entry) => entry.Id)).toEqual([
      FOREIGN_ENTRY_ID,
      "s3-log-shipper-engine-waf",
      "s3-log-shipper-engine-alb",
    ]);
    const restored = await sources();
    expect([restored.waf?.verdict, restored.alb?.verdict]).toEqual(["ok", "ok"]);
  });

  it("destroys it, leaving nothing in the emulator but the other consumer's entry", async () => {
    const destroyed = await stack.destroy();
    expect(destroyed.summary.result).toBe("succeeded");
    const queues = await aws.sqs.send(new ListQueuesCommand({}));
    expect((queues.QueueUrls ?? []).filter((url) => !url.endsWith(`/${FOREIGN_ENTRY_ID}`))).toEqual([]);
    const logs = new CloudWatchLogsClient({ region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS });
    expect((await logs.send(new DescribeLogGroupsCommand({}))).logGroups ?? []).toEqual([]);
    const alarms = await new CloudWatchClient({ region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS }).send(
      new DescribeAlarmsCommand({}),
    );
    expect(alarms.MetricAlarms ?? []).toEqual([]);
    expect((await centralEntries()).map((entry) => entry.Id)).toEqual([FOREIGN_ENTRY_ID]);
    expect((await events.send(new ListRulesCommand({}))).Rules ?? []).toEqual([]);
    await expect(
      aws.ssm.send(new GetParameterCommand({ Name: outputs.credentialsParameterName })),
    ).rejects.toMatchObject({ name: "ParameterNotFound" });
  });
});
