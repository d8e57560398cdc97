/**
 * Issue 36, exactly once across rollovers, on real Elasticsearch (8.x and 9.x): a WAF producer's
 * data stream under the template its stack puts; an object shipped, the stream rolled over
 * (`POST <stream>/_rollover`), then the object delivered again — by `s3ls reship`, and by a DLQ
 * redrive after part of it was lost — writes no document twice: the function asks the stream which
 * ids any backing index holds before sending (`_id` is unique per backing index only).
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import {
  addWriterOnlyUser,
  majorsUnderTest,
  resetMoto,
  startElasticsearch,
  startMoto,
} from "../../scripts/local/services";
import { WAF_BLOCK } from "../helpers/awsDocumentedLogs";
import { s3Notification, s3Record } from "../helpers/events";
import { s3ls, writeOutputsFile } from "../helpers/operatorCli";
import { putRequestsOf } from "../../pipeline/elasticsearch/indexTemplates";

const LINES = 300;
const KEY = "waf/2026/12/07/acl.log";

/** A WAF log object of LINES records (each its own timestamp) at KEY. */
async function putWafObject(awsEndpoint: string, bucket: string): Promise<void> {
  const lines = Array.from({ length: LINES }, (_, n) =>
    JSON.stringify({ ...WAF_BLOCK, timestamp: WAF_BLOCK.timestamp + n }),
  );
  await awsClients(awsEndpoint).s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: KEY, Body: `${lines.join("\n")}\n` }),
  );
}

describe.each(majorsUnderTest())("a redelivery after a rollover, Elasticsearch %s.x", (major) => {
  const namespace = `es${major}roll${Date.now().toString(36)}`;
  const stream = `logs-aws.waf-${namespace}`;
  const bucket = `es${major}-rollover`;
  const key = KEY;
  let client: Client;
  let producer: LocalProducer;
  let outputsFile: string;
  let sqs: ReturnType<typeof awsClients>["sqs"];

  const count = async () => {
    await client.indices.refresh({ index: stream });
    return (await client.count({ index: stream })).count;
  };
  const backingIndices = async () =>
    Object.keys(await client.indices.get({ index: `.ds-${stream}-*`, expand_wildcards: "all" })).sort();
  /** The node's search statistics of the stream's backing indices. */
  const searchStats = async () => {
    const stats = (await client.indices.stats({ index: stream, metric: "search" })) as {
      _all: { total: { search?: { query_total?: number; query_time_in_millis?: number } } };
    };
    const search = stats._all.total.search ?? {};
    return { queries: search.query_total ?? 0, millis: search.query_time_in_millis ?? 0 };
  };
  const lastShipped = () =>
    producer.function.logs
      .filter((line) => line.includes('"object shipped"'))
      .map((line) => JSON.parse(line) as { indexed: number; duplicates: number })
      .at(-1);

  beforeAll(async () => {
    const awsEndpoint = await startMoto();
    await resetMoto();
    const es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    const local = await deployLocalStack(
      { awsEndpoint, elasticsearch: es },
      {
        elasticsearch: { manageIndices: true, adminVault: { mount: "local", path: "elasticsearch-admin" } },
        producers: [{ name: `es${major}-waf`, bucket, prefix: "waf/", format: "waf", namespace }],
      },
      { stack: `rollover-${major}`, retryBaseDelaySeconds: 1, echoLogs: process.env.S3LS_ECHO_LOGS === "1" },
    );
    producer = local.producers[0] as LocalProducer;
    outputsFile = writeOutputsFile(local.outputs, awsEndpoint, local.lambdaEndpoint);
    ({ sqs } = awsClients(awsEndpoint));
    await putWafObject(awsEndpoint, bucket);
    expect(await producer.poller.drain(120_000)).toBe(true);
    expect(await count()).toBe(LINES);
    await client.indices.rollover({ alias: stream });
    expect(await backingIndices()).toHaveLength(2);
  }, 300_000);

  afterAll(async () => {
    producer?.function.kill();
    await client?.close();
  });

  it("s3ls reship of the object writes nothing twice: every document is found in the rolled-over index", async () => {
    const searchesBefore = await searchStats();
    const run = await s3ls(["reship", `s3://${bucket}/${key}`, "--outputs", outputsFile]);
    expect(run.code, run.stderr).toBe(0);
    expect(await producer.poller.drain(120_000)).toBe(true);
    expect(await count()).toBe(LINES);
    expect(lastShipped()).toMatchObject({ indexed: 0, duplicates: LINES });
    // What the redelivery cost the node: its searches of the stream (the ids queries), and their time.
    const searchesAfter = await searchStats();
    process.stdout.write(
      `Elasticsearch ${major}.x: a redelivery of ${LINES} documents after a rollover asked ${searchesAfter.queries - searchesBefore.queries} shard queries, ${searchesAfter.millis - searchesBefore.millis} ms of query time on the node\n`,
    );
  });

  it("a DLQ redrive of a partly shipped object sends only what is missing", async () => {
    // What a failure halfway left: the last 100 documents never arrived.
    const last = await client.search({ index: stream, size: 100, _source: false, sort: [{ "log.offset": "desc" }] });
    await client.bulk({
      refresh: true,
      operations: last.hits.hits.map((hit) => ({ delete: { _index: hit._index, _id: hit._id ?? "" } })),
    });
    expect(await count()).toBe(LINES - 100);
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: producer.deadLetterQueueUrl,
        MessageBody: s3Notification(s3Record(bucket, key)),
      }),
    );
    const run = await s3ls(["dlq", "redrive", "--producer", `es${major}-waf`, "--outputs", outputsFile]);
    expect(run.code, run.stderr).toBe(0);
    expect(await producer.poller.drain(120_000)).toBe(true);
    expect(await queueDepth(sqs, producer.deadLetterQueueUrl)).toBe(0);
    expect(await count()).toBe(LINES);
    expect(lastShipped()).toMatchObject({ indexed: 100, duplicates: LINES - 100 });
  });
});

describe.each(majorsUnderTest())(
  "a redelivery after a rollover without the read privilege, Elasticsearch %s.x",
  (major) => {
    const namespace = `es${major}noread${Date.now().toString(36)}`;
    const stream = `logs-aws.waf-${namespace}`;
    const bucket = `es${major}-noread`;
    const key = KEY;
    let admin: Client;
    let producer: LocalProducer;
    let outputsFile: string;

    beforeAll(async () => {
      const awsEndpoint = await startMoto();
      const es = await startElasticsearch(major);
      admin = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
      // A writer as a cautious administrator might make it: create_doc and auto_configure, no read.
      const password = `writer-${Date.now().toString(36)}-password`;
      await addWriterOnlyUser(major, "s3ls-writer", password);
      // The template as the plan's requests put it by hand (this stack does not manage it).
      for (const request of putRequestsOf({ name: stream, dataStream: true }, "lifecycle"))
        await admin.transport.request(request);
      const local = await deployLocalStack(
        { awsEndpoint, elasticsearch: { url: es.url, username: "s3ls-writer", password } },
        { producers: [{ name: `es${major}-noread`, bucket, prefix: "waf/", format: "waf", namespace }] },
        { stack: `noread-${major}`, retryBaseDelaySeconds: 1, echoLogs: process.env.S3LS_ECHO_LOGS === "1" },
      );
      producer = local.producers[0] as LocalProducer;
      outputsFile = writeOutputsFile(local.outputs, awsEndpoint, local.lambdaEndpoint);
      await putWafObject(awsEndpoint, bucket);
      expect(await producer.poller.drain(120_000)).toBe(true);
      await admin.indices.rollover({ alias: stream });
    }, 300_000);

    afterAll(async () => {
      producer?.function.kill();
      await admin?.close();
    });

    it("ships everything again, counts nothing lost, and says once that deduplication across rollovers is off", async () => {
      const run = await s3ls(["reship", `s3://${bucket}/${key}`, "--outputs", outputsFile]);
      expect(run.code, run.stderr).toBe(0);
      expect(await producer.poller.drain(120_000)).toBe(true);
      await admin.indices.refresh({ index: stream });
      // What the read privilege prevents: the redelivery's documents indexed again in the new backing index.
      expect((await admin.count({ index: stream })).count).toBe(2 * LINES);
      const warnings = producer.function.logs.filter((line) => line.includes("deduplication across rollovers is off"));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`the credential may not read ${stream} (403)`);
      // And s3ls doctor names the missing privilege.
      const doctor = await s3ls(["doctor", "--outputs", outputsFile]);
      expect(doctor.stdout).toContain(`s3ls-writer may not read ${stream}`);
    });
  },
);
