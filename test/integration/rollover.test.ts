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
import { majorsUnderTest, resetMoto, startElasticsearch, startMoto } from "../../scripts/local/services";
import { WAF_BLOCK } from "../helpers/awsDocumentedLogs";
import { s3Notification, s3Record } from "../helpers/events";
import { s3ls, writeOutputsFile } from "../helpers/operatorCli";

const LINES = 300;

describe.each(majorsUnderTest())("a redelivery after a rollover, Elasticsearch %s.x", (major) => {
  const namespace = `es${major}roll${Date.now().toString(36)}`;
  const stream = `logs-aws.waf-${namespace}`;
  const bucket = `es${major}-rollover`;
  const key = "waf/2026/12/07/acl.log";
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
    const lines = Array.from({ length: LINES }, (_, n) =>
      JSON.stringify({ ...WAF_BLOCK, timestamp: WAF_BLOCK.timestamp + n }),
    ).join("\n");
    await awsClients(awsEndpoint).s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `${lines}\n` }));
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
    const run = await s3ls(["reship", `s3://${bucket}/${key}`, "--outputs", outputsFile]);
    expect(run.code, run.stderr).toBe(0);
    expect(await producer.poller.drain(120_000)).toBe(true);
    expect(await count()).toBe(LINES);
    expect(lastShipped()).toMatchObject({ indexed: 0, duplicates: LINES });
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
