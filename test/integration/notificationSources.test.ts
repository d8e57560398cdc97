/**
 * Producers notified through EventBridge, SNS and a bucket's configuration that others use, end to
 * end on moto with the deployed bundle and a real Elasticsearch: the bucket owner's side set up as an
 * owner would (its notification configuration already sends to another consumer's queue and to
 * EventBridge, or to a topic), the stack adds its rule, subscription or entry and keeps the rest.
 *
 * moto sends S3's events to EventBridge itself (with `time` in epoch seconds and a null `version-id`,
 * which the function accepts; docs/development.md "Local services") and matches the rule's `wildcard` pattern.
 */
import { Client } from "@elastic/elasticsearch";
import {
  CreateBucketCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { CreateTopicCommand, SNSClient } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notificationEntriesProvider } from "../../pipeline/resources/notificationEntriesProvider";
import { EMULATOR_CREDENTIALS } from "../../scripts/local/emulatorResources";
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
import { emittedForProducer } from "../helpers/emf";
import { ODD_KEYS } from "../helpers/events";

const [major = "9"] = majorsUnderTest();
const TRAIL_BUCKET = "sources-org-trail";
const FLOW_BUCKET = "sources-shared-flow";
const SHARED_BUCKET = "sources-shared-elb";
const PATTERN = "AWSLogs/o-*/*/CloudTrail/*.json.gz";

describe(`notification sources (Elasticsearch ${major}.x)`, () => {
  let es: ElasticsearchInfo;
  let client: Client;
  let aws: AwsClients;
  let pipelines: Map<string, LocalProducer>;
  let foreignQueueArn: string;
  const count = async (index: string): Promise<number> => {
    if (!(await client.indices.exists({ index }))) return 0;
    await client.indices.refresh({ index });
    return (await client.count({ index })).count;
  };
  const put = (bucket: string, key: string, body: Buffer | string) =>
    aws.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const trail = (events: number) =>
    gzipSync(
      JSON.stringify({
        Records: Array.from({ length: events }, (_, n) => ({ eventName: `E${n}`, eventTime: "2026-12-01T10:00:00Z" })),
      }),
    );

  beforeAll(async () => {
    const endpoint = await startMoto();
    await resetMoto();
    es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    await client.indices.delete({ index: "sources-*", ignore_unavailable: true, allow_no_indices: true });
    aws = awsClients(endpoint);
    // The owners' side: buckets that already notify someone else, EventBridge on, a topic.
    for (const bucket of [TRAIL_BUCKET, FLOW_BUCKET, SHARED_BUCKET])
      await aws.s3.send(
        new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }),
      );
    const foreign = await aws.sqs.send(new CreateQueueCommand({ QueueName: "another-siem" }));
    foreignQueueArn =
      (await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: foreign.QueueUrl, AttributeNames: ["QueueArn"] })))
        .Attributes?.QueueArn ?? "";
    await aws.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: TRAIL_BUCKET,
        NotificationConfiguration: {
          QueueConfigurations: [{ Id: "another-siem", QueueArn: foreignQueueArn, Events: ["s3:ObjectCreated:*"] }],
          EventBridgeConfiguration: {},
        },
      }),
    );
    await aws.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: SHARED_BUCKET,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: "another-siem",
              QueueArn: foreignQueueArn,
              Events: ["s3:ObjectCreated:*"],
              Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "waf/" }] } },
            },
          ],
        },
      }),
    );
    const sns = new SNSClient({ region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS });
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "shared-flow-events" }))).TopicArn ?? "";
    await aws.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: FLOW_BUCKET,
        NotificationConfiguration: { TopicConfigurations: [{ TopicArn: topicArn, Events: ["s3:ObjectCreated:*"] }] },
      }),
    );
    const local = await deployLocalStack(
      { awsEndpoint: endpoint, elasticsearch: es },
      {
        defaults: { timeoutSeconds: 10 },
        producers: [
          {
            name: "org",
            bucket: TRAIL_BUCKET,
            notifications: "eventbridge",
            keyPattern: PATTERN,
            index: "sources-trail",
            format: "json",
            recordsField: "Records",
          },
          {
            name: "flow",
            bucket: FLOW_BUCKET,
            notifications: "sns",
            snsTopicArn: topicArn,
            prefix: "vpc/",
            index: "sources-flow",
            format: "text",
          },
          { name: "elb", bucket: SHARED_BUCKET, prefix: "elb/", index: "sources-elb", format: "text" },
        ],
      },
      { stack: "sources", retryBaseDelaySeconds: 1, echoLogs: process.env.S3LS_ECHO_LOGS === "1" },
    );
    pipelines = new Map(local.producers.map((entry) => [entry.producer.name, entry]));
  });

  afterAll(async () => {
    for (const entry of pipelines?.values() ?? []) entry.function.kill();
    await client?.close();
  });

  const receiveAll = async (queueUrl: string) =>
    (
      await aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }),
      )
    ).Messages ?? [];

  const pipeline = (name: string): LocalProducer => {
    const found = pipelines.get(name);
    if (!found) throw new Error(`no pipeline ${name}`);
    return found;
  };

  it("ships an organisation trail's files through EventBridge, leaves its digests out, and keeps the bucket's other consumer", async () => {
    // Act: two accounts' trail files, a digest and an object elsewhere in the bucket.
    await put(TRAIL_BUCKET, "AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2026/12/01/a.json.gz", trail(3));
    await put(TRAIL_BUCKET, "AWSLogs/o-abc123/444455556666/CloudTrail/us-east-1/2026/12/01/b.json.gz", trail(2));
    await put(
      TRAIL_BUCKET,
      "AWSLogs/o-abc123/111122223333/CloudTrail-Digest/eu-west-1/2026/12/01/d.json.gz",
      gzipSync('{"logFiles":[]}'),
    );
    await put(TRAIL_BUCKET, "elsewhere/readme.txt", "not a log");
    expect(await pipeline("org").poller.drain(60_000)).toBe(true);
    // Assess: the trail files' events, nothing of the rest (the rule never delivered them), no DLQ.
    expect(await count("sources-trail")).toBe(5);
    expect(pipeline("org").poller.stats.deleted).toBe(2);
    expect(await queueDepth(aws.sqs, pipeline("org").deadLetterQueueUrl)).toBe(0);
    // The other consumer's entry is as the owner left it (moto does not return the EventBridge
    // switch in GetBucketNotificationConfiguration; the events that arrived show it stayed on).
    const configuration = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: TRAIL_BUCKET }));
    expect(configuration.QueueConfigurations?.map((entry) => entry.QueueArn)).toEqual([foreignQueueArn]);
  });

  it("reads EventBridge keys as they are: objects whose keys read as one another when decoded each ship under their own key", async () => {
    // Prepare: decoys side by side (issue 31): decoding `a+b` gives `a b`, `x%2By` gives `x+y`, `caf%C3%A9` gives `café`.
    const folder = "AWSLogs/o-odd123/111122223333/CloudTrail/eu-west-1/2026/12/01";
    const keys = ODD_KEYS.map((key) => `${folder}/${key.slice("odd/".length).replace(/\.log$/, "")}.json.gz`);
    for (const [n, key] of keys.entries()) await put(TRAIL_BUCKET, key, trail(n + 1));
    // Act
    expect(await pipeline("org").poller.drain(60_000)).toBe(true);
    // Assess: each object's own records under its own key, none in the DLQ.
    await client.indices.refresh({ index: "sources-trail" });
    for (const [n, key] of keys.entries()) {
      const found = await client.count({
        index: "sources-trail",
        query: { term: { "log.file.path.keyword": `s3://${TRAIL_BUCKET}/${key}` } },
      });
      expect(found.count, key).toBe(n + 1);
    }
    expect(await queueDepth(aws.sqs, pipeline("org").deadLetterQueueUrl)).toBe(0);
  });

  it("ships a shared bucket's objects through SNS, and acknowledges unread the topic's objects outside the producer's prefix", async () => {
    await put(FLOW_BUCKET, "vpc/2026/12/01/flow.log", "line 1\nline 2\nline 3\n");
    await put(FLOW_BUCKET, "dns/2026/12/01/query.log", "another producer's\n");
    expect(await pipeline("flow").poller.drain(60_000)).toBe(true);
    expect(await count("sources-flow")).toBe(3);
    expect(await queueDepth(aws.sqs, pipeline("flow").deadLetterQueueUrl)).toBe(0);
    const logs = pipeline("flow").function.logs;
    expect(
      logs.filter(
        (line) =>
          line.includes('"object outside this producer\'s filter"') && line.includes("dns/2026/12/01/query.log"),
      ),
    ).toHaveLength(1);
    expect(emittedForProducer(logs, "ObjectsIgnored", "flow")).toBe(1);
  });

  it("adds its entry to a bucket whose configuration another consumer uses, keeps theirs, and ships only its prefix", async () => {
    const configuration = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: SHARED_BUCKET }));
    expect(configuration.QueueConfigurations?.map((entry) => [entry.Id, entry.QueueArn])).toEqual([
      ["another-siem", foreignQueueArn],
      ["s3-log-shipper-sources-elb", pipeline("elb").queueArn],
    ]);
    await put(SHARED_BUCKET, "elb/2026/12/01/access.log", "a\nb\n");
    await put(SHARED_BUCKET, "waf/2026/12/01/theirs.log", "the other consumer's\n");
    expect(await pipeline("elb").poller.drain(60_000)).toBe(true);
    expect(await count("sources-elb")).toBe(2);
    // The other consumer still gets its objects: S3 notified its queue.
    const foreignUrl = (await aws.sqs.send(new GetQueueUrlCommand({ QueueName: "another-siem" }))).QueueUrl ?? "";
    // Every message it holds (the trail bucket notifies it too), ten at a time.
    const messages = [];
    for (let batch = await receiveAll(foreignUrl); batch.length > 0; batch = await receiveAll(foreignUrl))
      messages.push(...batch);
    const notified = messages.flatMap(
      (message) =>
        (
          JSON.parse(message.Body ?? "{}") as {
            Records?: Array<{ s3: { bucket: { name: string }; object: { key: string } } }>;
          }
        ).Records ?? [],
    );
    expect(
      notified
        .filter((record) => record.s3.bucket.name === SHARED_BUCKET)
        .map((record) => decodeURIComponent(record.s3.object.key)),
    ).toEqual(["waf/2026/12/01/theirs.log"]);
  });

  it("refuses an entry that overlaps the other consumer's, naming both, and leaves the configuration alone", async () => {
    // The provider the program deploys with, against moto (the engine tier runs it as Pulumi serialized it).
    const provider = notificationEntriesProvider(() => aws.s3);
    const before = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: SHARED_BUCKET }));
    const overlapping = {
      bucket: SHARED_BUCKET,
      region: REGION,
      entries: [
        {
          id: "s3-log-shipper-other-waf",
          queueArn: pipeline("elb").queueArn,
          events: ["s3:ObjectCreated:*"],
          prefix: "waf/2026/",
        },
      ],
    };
    await expect(provider.create(overlapping)).rejects.toThrow(
      /"s3-log-shipper-other-waf" .* overlaps queue entry "another-siem"/,
    );
    const after = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: SHARED_BUCKET }));
    expect(after.QueueConfigurations).toEqual(before.QueueConfigurations);
  });

  it("removes only its own entry when the stack goes (destroy), keeping the other consumer's", async () => {
    const provider = notificationEntriesProvider(() => aws.s3);
    const ours = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: SHARED_BUCKET }));
    const entry = ours.QueueConfigurations?.find((q) => q.Id === "s3-log-shipper-sources-elb");
    expect(entry).toBeDefined();
    await provider.delete?.(SHARED_BUCKET, {
      bucket: SHARED_BUCKET,
      region: REGION,
      entries: [
        {
          id: "s3-log-shipper-sources-elb",
          queueArn: entry?.QueueArn ?? "",
          events: ["s3:ObjectCreated:*"],
          prefix: "elb/",
        },
      ],
    });
    const after = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: SHARED_BUCKET }));
    expect(after.QueueConfigurations?.map((q) => q.Id)).toEqual(["another-siem"]);
  });
});
