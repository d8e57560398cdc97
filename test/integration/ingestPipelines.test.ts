/**
 * A producer's ingest pipeline on real Elasticsearch 8 and 9, with the requests gzip-compressed as
 * deployed by default. The integration distribution has no ingest-common module (no `set`, `rename`,
 * `grok` processors: "No processor type exists with name [set]"), so the pipelines here have no
 * processors; the node's ingest statistics show the documents went through the named one (for a
 * pipeline without processors Elasticsearch counts no documents, only `ingested_as_first_pipeline_in_bytes`).
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import {
  majorsUnderTest,
  resetMoto,
  startElasticsearch,
  startMoto,
  type ElasticsearchInfo,
} from "../../scripts/local/services";

// Both majors' stacks are deployed into one emptied emulator, one after the other.
beforeAll(async () => {
  await startMoto();
  await resetMoto();
});

describe.each(majorsUnderTest())("ingest pipelines, Elasticsearch %s.x", (major) => {
  let es: ElasticsearchInfo;
  let awsEndpoint: string;
  let client: Client;
  let piped: LocalProducer;
  let early: LocalProducer;
  const bucket = `es${major}-pipelines`;
  const existing = `es${major}-s3ls-existing`;
  const notYet = `es${major}-s3ls-not-yet`;

  const count = async (index: string): Promise<number> => {
    if (!(await client.indices.exists({ index }))) return 0;
    await client.indices.refresh({ index });
    return (await client.count({ index })).count;
  };
  /** Bytes of documents the node's ingest service ran through `pipeline` since it started. */
  const throughPipeline = async (pipeline: string): Promise<number> => {
    const stats = await client.nodes.stats({ metric: "ingest" });
    return Object.values(stats.nodes).reduce((total, node) => {
      const counted = node.ingest?.pipelines?.[pipeline] as
        { ingested_as_first_pipeline_in_bytes?: number } | undefined;
      return total + (counted?.ingested_as_first_pipeline_in_bytes ?? 0);
    }, 0);
  };
  /** Puts an object of `lines` lines; resolves to its bytes. */
  const put = async (key: string, lines: number): Promise<Buffer> => {
    const body = Buffer.from(Array.from({ length: lines }, (_, n) => `${key} line ${n}`).join("\n"));
    await awsClients(awsEndpoint).s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    return body;
  };

  beforeAll(async () => {
    awsEndpoint = await startMoto();
    es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    await client.indices.delete({ index: `es${major}-pl-*`, ignore_unavailable: true, allow_no_indices: true });
    await client.ingest.deletePipeline({ id: notYet }, { ignore: [404] });
    await client.ingest.putPipeline({ id: existing, processors: [] });
    const local = await deployLocalStack(
      { awsEndpoint, elasticsearch: es },
      {
        defaults: { timeoutSeconds: 10, batchSize: 1 },
        producers: [
          {
            name: `es${major}-piped`,
            bucket,
            prefix: "piped/",
            index: `es${major}-pl-piped`,
            format: "text",
            pipeline: existing,
          },
          {
            name: `es${major}-early`,
            bucket,
            prefix: "early/",
            index: `es${major}-pl-early`,
            format: "text",
            pipeline: notYet,
            deadLetterIndex: `es${major}-pl-failed`,
          },
        ],
      },
      { stack: `pipelines-${major}`, retryBaseDelaySeconds: 1, echoLogs: process.env.S3LS_ECHO_LOGS === "1" },
    );
    [piped, early] = local.producers as [LocalProducer, LocalProducer];
  });

  afterAll(async () => {
    piped?.function.kill();
    early?.function.kill();
    await client?.close();
  });

  it("sends every document of the producer through its pipeline", async () => {
    const before = await throughPipeline(existing);
    const object = await put("piped/a.log", 50);
    expect(await piped.poller.drain(60_000)).toBe(true);
    expect(await count(`es${major}-pl-piped`)).toBe(50);
    // Every document is larger than its line: more than the object's bytes went through the pipeline.
    expect((await throughPipeline(existing)) - before).toBeGreaterThan(object.length);
  });

  it("fails the message while the pipeline does not exist — nothing dead-lettered — and ships every line once it does", async () => {
    await put("early/b.log", 20);
    // One delivery: the message fails naming the pipeline, and will come back (retryBaseDelaySeconds 1).
    const deadline = Date.now() + 60_000;
    const failedLine = () => early.function.logs.find((line) => line.includes('"message failed"'));
    while (!failedLine() && Date.now() < deadline) await early.poller.pollOnce(1);
    expect(failedLine()).toContain(`pipeline with id [${notYet}] does not exist`);
    expect(await count(`es${major}-pl-early`)).toBe(0);
    expect(await count(`es${major}-pl-failed`)).toBe(0);
    // Act: the pipeline is created, as the README says to.
    await client.ingest.putPipeline({ id: notYet, processors: [] });
    expect(await early.poller.drain(90_000)).toBe(true);
    expect(await count(`es${major}-pl-early`)).toBe(20);
    expect(await count(`es${major}-pl-failed`)).toBe(0);
    expect(await queueDepth(awsClients(awsEndpoint).sqs, early.deadLetterQueueUrl)).toBe(0);
  });
});
