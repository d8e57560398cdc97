/**
 * The operator commands (`s3ls`) against the program deployed into moto, with the real function
 * and a real Elasticsearch: onboarding a producer whose bucket already holds objects (backfill:
 * dry run, dates, prefix and suffix, interrupted and resumed) and shipping an object again
 * (reship); `s3ls doctor` on the deployed stack (all ok; a disabled mapping, wrong stored
 * credentials and an overwritten notification configuration each named) and `s3ls trace` (a shipped
 * object, one never notified). The dead-letter loop (status → dlq list → redrive, and trace of a
 * dead-lettered object) is in pipeline.test.ts's outage scenario.
 */
import { Client } from "@elastic/elasticsearch";
import { LambdaClient, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { GetParameterCommand, PutParameterCommand } from "@aws-sdk/client-ssm";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  awsClients,
  deployLocalStack,
  queueDepth,
  REGION,
  type AwsClients,
  type LocalProducer,
} from "../../scripts/local/localPipeline";
import {
  majorsUnderTest,
  resetMoto,
  startElasticsearch,
  startMoto,
  type ElasticsearchInfo,
} from "../../scripts/local/services";
import { EMULATOR_CREDENTIALS } from "../../scripts/local/emulatorResources";
import { s3ls, writeOutputsFile } from "../helpers/operatorCli";

const major = majorsUnderTest()[0] ?? "8";
const bucket = "ops-history";
const index = `es${major}-ops-history`;
const producerName = "history";

function ndjson(prefix: string, lines: number): string {
  return Array.from({ length: lines }, (_, n) => JSON.stringify({ "event.id": `${prefix}-${n}`, n })).join("\n") + "\n";
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 1_100)); // S3 times are in whole seconds

describe(`s3ls on Elasticsearch ${major}.x`, () => {
  let es: ElasticsearchInfo;
  let client: Client;
  let aws: AwsClients;
  let pipeline: LocalProducer;
  let outputsFile: string;
  let betweenStart: Date;
  let betweenEnd: Date;
  let lambda: LambdaClient;

  const put = (key: string, body: string) =>
    aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const count = async () => {
    if (!(await client.indices.exists({ index }))) return 0;
    await client.indices.refresh({ index });
    return (await client.count({ index })).count;
  };
  const repeatedLines = async () => {
    await client.indices.refresh({ index });
    const response = await client.search({
      index,
      size: 0,
      aggs: { lines: { terms: { field: "event.id.keyword", min_doc_count: 2, size: 10 } } },
    });
    return (response.aggregations?.lines as { buckets: Array<{ key: string }> }).buckets.map((entry) => entry.key);
  };
  const outputs = (...args: string[]) => [...args, "--outputs", outputsFile];

  beforeAll(async () => {
    const awsEndpoint = await startMoto();
    await resetMoto();
    es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    await client.indices.delete({ index, ignore_unavailable: true });
    aws = awsClients(awsEndpoint);
    // History: the bucket holds objects before the stack exists (no notification for them).
    await aws.s3.send(
      new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    await put("logs/before/old.ndjson", ndjson("before", 10));
    await tick();
    betweenStart = new Date(Math.ceil(Date.now() / 1000) * 1000);
    await tick();
    for (let n = 0; n < 3; n += 1) await put(`logs/2026/11/part ${n}+x.ndjson`, ndjson(`between-${n}`, 100));
    await put("logs/2026/11/ignored.txt", ndjson("wrong-suffix", 7));
    await put("elsewhere/2026/11/outside.ndjson", ndjson("wrong-prefix", 7));
    for (let n = 0; n < 30; n += 1)
      await put(`logs/bulk/obj-${String(n).padStart(2, "0")}.ndjson`, ndjson(`bulk-${n}`, 10));
    await tick();
    betweenEnd = new Date(Math.floor(Date.now() / 1000) * 1000);
    await tick();
    await put("logs/after/new.ndjson", ndjson("after", 10));
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "logs/after/archived.ndjson",
        Body: ndjson("archived", 10),
        StorageClass: "GLACIER",
      }),
    );

    const stack = await deployLocalStack(
      { awsEndpoint, elasticsearch: es },
      {
        // As a stack deploys by default: its index's template put by the stack (the local node's administrator).
        elasticsearch: { manageIndices: true, adminVault: { mount: "local", path: "elasticsearch-admin" } },
        defaults: { timeoutSeconds: 10, batchSize: 10 },
        producers: [{ name: producerName, bucket, prefix: "logs/", suffix: ".ndjson", index, format: "ndjson" }],
      },
      { stack: `operator-${major}`, retryBaseDelaySeconds: 1, echoLogs: process.env.S3LS_ECHO_LOGS === "1" },
    );
    pipeline = stack.producers[0] as LocalProducer;
    outputsFile = writeOutputsFile(stack.outputs, awsEndpoint, stack.lambdaEndpoint);
    lambda = new LambdaClient({ region: REGION, endpoint: stack.lambdaEndpoint, credentials: EMULATOR_CREDENTIALS });
    // The configuration's s3:TestEvent, then nothing: the history never arrives by itself.
    expect(await pipeline.poller.drain(60_000)).toBe(true);
    expect(await count()).toBe(0);
  });

  afterAll(async () => {
    pipeline?.function.kill();
    await client?.close();
  });

  it("backfill --dry-run lists what it would enqueue and changes nothing", async () => {
    const run = await s3ls(
      outputs(
        "backfill",
        "--producer",
        producerName,
        "--since",
        betweenStart.toISOString(),
        "--until",
        betweenEnd.toISOString(),
        "--dry-run",
        "--json",
      ),
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({ dryRun: true, enqueuedObjects: 33, listedObjects: 33 });
    expect(await queueDepth(aws.sqs, pipeline.queueUrl)).toBe(0);
  });

  it("backfill, interrupted and resumed with --resume-after, ships exactly the objects in prefix, suffix and dates, each line once", async () => {
    const window = ["--since", betweenStart.toISOString(), "--until", betweenEnd.toISOString()];
    // A slow rate and a Ctrl-C after a second: some objects enqueued, the rest not.
    const interrupted = await s3ls(
      outputs("backfill", "--producer", producerName, ...window, "--rate", "10", "--json"),
      { interruptAfterMs: 1_000 },
    );
    expect(interrupted.code, interrupted.stderr).toBe(130);
    const first = interrupted.json<{ enqueuedObjects: number; resumeAfter: string; stoppedBecause: string }>();
    expect(first.stoppedBecause).toBe("interrupted");
    expect(first.enqueuedObjects).toBeGreaterThan(0);
    expect(first.enqueuedObjects).toBeLessThan(33);
    expect(await pipeline.poller.drain(120_000)).toBe(true);

    const resumed = await s3ls(
      outputs("backfill", "--producer", producerName, ...window, "--resume-after", first.resumeAfter, "--json"),
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.json<{ enqueuedObjects: number }>().enqueuedObjects).toBe(33 - first.enqueuedObjects);
    expect(await pipeline.poller.drain(120_000)).toBe(true);

    // 3 × 100 lines "between" and 30 × 10 "bulk"; nothing before, after, outside the prefix or the suffix.
    expect(await count()).toBe(600);
    expect(await repeatedLines()).toEqual([]);
    const outside = await client.count({
      index,
      query: {
        bool: {
          should: ["before", "after", "wrong-suffix", "wrong-prefix"].map((prefix) => ({
            prefix: { "event.id.keyword": prefix },
          })),
        },
      },
    });
    expect(outside.count).toBe(0);
    expect(await queueDepth(aws.sqs, pipeline.deadLetterQueueUrl)).toBe(0);
  });

  it("reship of an already shipped object (a key with a space and a plus) adds nothing", async () => {
    const before = await count();
    const run = await s3ls(outputs("reship", `s3://${bucket}/logs/2026/11/part 1+x.ndjson`, "--json"));
    expect(run.code, run.stderr).toBe(0);
    expect(run.json()).toMatchObject({
      objects: [
        { object: `s3://${bucket}/logs/2026/11/part 1+x.ndjson`, producer: producerName, size: expect.any(Number) },
      ],
    });
    expect(await pipeline.poller.drain(60_000)).toBe(true);
    expect(await count()).toBe(before);
    const shipped = pipeline.function.logs
      .filter((line) => line.includes('"object shipped"') && line.includes("part 1+x.ndjson"))
      .map((line) => JSON.parse(line) as { indexed: number; duplicates: number });
    expect(shipped.at(-1), "the function read it again and found every line already there").toMatchObject({
      indexed: 0,
      duplicates: 100,
    });
  });

  it("backfill leaves out objects in an archive storage class, names them and exits 1", async () => {
    const run = await s3ls(
      outputs("backfill", "--producer", producerName, "--since", betweenEnd.toISOString(), "--dry-run", "--json"),
    );
    expect(run.code, run.stderr).toBe(1);
    expect(run.json()).toMatchObject({
      enqueuedObjects: 1,
      lastKey: "logs/after/new.ndjson",
      archived: ["logs/after/archived.ndjson"],
    });
  });

  it("backfill whose queue cannot be reached stops with a result saying why, nothing enqueued", async () => {
    const stack = JSON.parse(readFileSync(outputsFile, "utf8")) as { producers: Record<string, { queueUrl: string }> };
    const producer = stack.producers[producerName] as { queueUrl: string };
    producer.queueUrl = producer.queueUrl.replace(/[^/]+$/, "no-such-queue");
    const broken = path.join(path.dirname(outputsFile), "broken.json");
    writeFileSync(broken, JSON.stringify(stack));
    const run = await s3ls([
      "backfill",
      "--producer",
      producerName,
      "--since",
      betweenStart.toISOString(),
      "--until",
      betweenEnd.toISOString(),
      "--json",
      "--outputs",
      broken,
    ]);
    expect(run.code, run.stderr).toBe(1);
    const result = run.json<{ enqueuedObjects: number; stoppedBecause: string; resumeAfter?: string }>();
    expect(result.stoppedBecause).toMatch(/^sending to the queue failed: .*(NonExistentQueue|QueueDoesNotExist)/);
    expect(result.enqueuedObjects).toBe(0);
    expect(result.resumeAfter).toBeUndefined();
  });

  it("reship of an object no producer reads is a usage error naming the producers", async () => {
    const run = await s3ls(outputs("reship", `s3://${bucket}/elsewhere/2026/11/outside.ndjson`));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no producer of this stack reads s3://${bucket}/elsewhere/2026/11/outside.ndjson`);
    expect(run.stderr).toContain(`history s3://${bucket}/logs/*.ndjson`);
  });

  it("status, through the installed npx s3ls, is fine with an empty dead-letter queue", () => {
    const root = path.resolve(__dirname, "../..");
    const text = execFileSync(path.join(root, "node_modules/.bin/s3ls"), ["status", "--outputs", outputsFile], {
      cwd: root,
      encoding: "utf8",
      env: { ...process.env },
    });
    expect(text).toContain(`  ${producerName}`);
    expect(text).toContain("all 1 producer(s) fine");
  });

  type Diagnosis = { producers: Array<{ checks: Array<{ check: string; verdict: string; detail: string }> }> };
  const doctor = async () => {
    const run = await s3ls(outputs("doctor", "--json"));
    return { code: run.code, stderr: run.stderr, checks: run.json<Diagnosis>().producers[0]?.checks ?? [] };
  };

  it("doctor finds every check of the deployed stack ok", async () => {
    const run = await s3ls(outputs("doctor"));
    process.stdout.write(`s3ls doctor on the deployed stack:\n${run.stdout}`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const { checks } = await doctor();
    expect(checks.map((check) => [check.check, check.verdict])).toEqual([
      ["source", "ok"],
      ["queue", "ok"],
      ["mapping", "ok"],
      ["encryption", "ok"],
      ["elasticsearch", "ok"],
      ["elasticsearch", "ok"],
      ["elasticsearch", "ok"],
      ["elasticsearch", "ok"],
      ["template", "ok"],
    ]);
    expect(run.stdout).not.toContain(es.password);
  });

  it("doctor names a disabled mapping, and stored credentials Elasticsearch refuses, without printing them", async () => {
    const mapping = pipeline.mapping.uuid;
    const parameter = await aws.ssm.send(
      new GetParameterCommand({
        Name: JSON.parse(readFileSync(outputsFile, "utf8")).credentialsParameterName,
        WithDecryption: true,
      }),
    );
    const name = parameter.Parameter?.Name ?? "";
    const wrong = "not-the-password-0f9e";
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping, Enabled: false }));
    await aws.ssm.send(
      new PutParameterCommand({
        Name: name,
        Type: "SecureString",
        Overwrite: true,
        Value: JSON.stringify({ username: es.username, password: wrong }),
      }),
    );
    try {
      const text = await s3ls(outputs("doctor"));
      const { code, checks } = await doctor();
      expect(code).toBe(1);
      expect(checks.find((check) => check.check === "mapping")).toEqual({
        check: "mapping",
        verdict: "problem",
        detail: `event source mapping ${mapping} is Disabled: nothing reads the queue (a silent stop); aws lambda update-event-source-mapping --uuid ${mapping} --enabled`,
      });
      expect(checks.find((check) => check.check === "elasticsearch")?.detail).toContain(
        `the credentials in SSM ${name} do not authenticate (401)`,
      );
      expect(text.stdout + text.stderr).not.toContain(wrong);
      expect(text.stdout + text.stderr).not.toContain(es.password);
      // A disabled mapping is a silent stop: a new object waits in the queue.
      await put("logs/2026/12/while-disabled.ndjson", ndjson("disabled", 5));
      expect(await pipeline.poller.pollOnce(1)).toBe(0);
      expect(await queueDepth(aws.sqs, pipeline.queueUrl)).toBe(1);
    } finally {
      await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping, Enabled: true }));
      await aws.ssm.send(
        new PutParameterCommand({
          Name: name,
          Type: "SecureString",
          Overwrite: true,
          Value: parameter.Parameter?.Value ?? "",
        }),
      );
    }
    expect(await pipeline.poller.drain(60_000)).toBe(true);
    expect((await doctor()).code).toBe(0);
  });

  it("doctor names a notification configuration another tool overwrote, and the entry that overlaps", async () => {
    const saved = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
    const theirs = await aws.sqs.send(new CreateQueueCommand({ QueueName: "another-siem" }));
    const theirArn =
      (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: theirs.QueueUrl, AttributeNames: ["QueueArn"] })))
        .Attributes?.QueueArn ?? "";
    await aws.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: "another-siem",
              QueueArn: theirArn,
              Events: ["s3:ObjectCreated:*"],
              Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "logs/" }] } },
            },
          ],
        },
      }),
    );
    try {
      const { code, checks } = await doctor();
      expect(code).toBe(1);
      const source = checks.find((check) => check.check === "source");
      expect(source?.verdict).toBe("problem");
      expect(source?.detail).toContain(
        `bucket ${bucket}'s notification configuration has no entry for queue ${pipeline.queueArn}`,
      );
      expect(source?.detail).toContain(
        `queue entry "another-siem" → ${theirArn} (prefix "logs/", suffix "") overlaps its filter`,
      );
    } finally {
      const { QueueConfigurations, TopicConfigurations, LambdaFunctionConfigurations, EventBridgeConfiguration } =
        saved;
      await aws.s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: bucket,
          NotificationConfiguration: {
            QueueConfigurations,
            TopicConfigurations,
            LambdaFunctionConfigurations,
            EventBridgeConfiguration,
          },
        }),
      );
    }
    expect(await pipeline.poller.drain(60_000)).toBe(true); // the s3:TestEvent of the restored configuration
    expect((await doctor()).code).toBe(0);
  });

  it("trace says a shipped object shipped completely, with its documents and lines counted", async () => {
    const object = `s3://${bucket}/logs/2026/11/part 1+x.ndjson`;
    const run = await s3ls(outputs("trace", object, "--count-lines"));
    process.stdout.write(`s3ls trace of a shipped object:\n${run.stdout}`);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const trace = (await s3ls(outputs("trace", object, "--count-lines", "--json"))).json<{
      documents: number;
      lines: number;
      logLines: Array<{ message: string; indexed: number; duplicates: number }>;
      verdict: { kind: string };
    }>();
    expect(trace).toMatchObject({ documents: 100, lines: 100, verdict: { kind: "complete" } });
    // Backfilled once (100 created), reshipped once (100 already there).
    expect(trace.logLines.map((line) => [line.message, line.indexed, line.duplicates])).toEqual([
      ["object shipped", 100, 0],
      ["object shipped", 0, 100],
    ]);
  });

  it("trace says an object that was never notified was never seen, and how to ship it", async () => {
    const object = `s3://${bucket}/logs/before/old.ndjson`;
    const run = await s3ls(outputs("trace", object));
    process.stdout.write(`s3ls trace of an object never notified:\n${run.stdout}`);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      `never seen: no function line, dead letter or document names it; check s3ls doctor --producer ${producerName}, then s3ls reship ${object}`,
    );
  });
});
