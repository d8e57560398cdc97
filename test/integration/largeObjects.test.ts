/**
 * Objects far larger than one invocation can ship: with a 10 s function timeout the function stops
 * in time, sends itself a continuation with the offset reached, and the next invocation resumes
 * there — and a connection cut mid-object resumes with a ranged GET. Every line exactly once.
 * Elasticsearch answers each `_bulk` no sooner than 800 ms after it came (a proxy): ~280 MB of
 * documents in requests of at most 5 MiB, two in flight, need at least 54 / 2 × 0.8 s ≈ 22 s of
 * answers, so each object takes several invocations however fast the machine's node indexes (a
 * fast machine shipped both in one, and the continuations went untested).
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCuttingProxy, type CuttingProxy } from "../../scripts/local/cuttingProxy";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import { majorsUnderTest, startElasticsearch, startMoto, type ElasticsearchInfo } from "../../scripts/local/services";

/** ~210 MB uncompressed in 200k lines of ~1 KB. */
const LINES = 200_000;
const PADDING = "x".repeat(1_000);

function bigObject(prefix: string): string {
  const lines: string[] = [];
  for (let n = 0; n < LINES; n += 1) lines.push(`{"event.id":"${prefix}-${n}","seq":${n},"padding":"${PADDING}"}`);
  return `${lines.join("\n")}\n`;
}

describe.each(majorsUnderTest())("large objects, Elasticsearch %s.x", (major) => {
  let es: ElasticsearchInfo;
  let awsEndpoint: string;
  let client: Client;
  let proxy: CuttingProxy;
  let slowNode: CuttingProxy;
  let gzipped: LocalProducer;
  let plain: LocalProducer;
  const bucket = `es${major}-large`;

  const count = async (index: string) => {
    await client.indices.refresh({ index });
    return (await client.count({ index })).count;
  };
  const repeated = async (index: string) => {
    const response = await client.search({
      index,
      size: 0,
      aggs: { lines: { terms: { field: "event.id.keyword", min_doc_count: 2, size: 5 } } },
    });
    return (response.aggregations?.lines as { buckets: unknown[] }).buckets;
  };

  beforeAll(async () => {
    awsEndpoint = await startMoto();
    es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    await client.indices.delete({ index: `es${major}-large-*`, ignore_unavailable: true, allow_no_indices: true });
    proxy = await startCuttingProxy(awsEndpoint, {
      cut: { keyFragment: "plain.ndjson", afterBytes: 8 * 1024 * 1024, times: 1 },
    });
    slowNode = await startCuttingProxy(es.url, { slowAnswers: { pathFragment: "_bulk", delayMs: 800 } });
    const config = {
      defaults: { timeoutSeconds: 10, batchSize: 1 },
      producers: [
        { name: `es${major}-large-gz`, bucket, prefix: "gz/", index: `es${major}-large-gz`, format: "ndjson" },
        { name: `es${major}-large-plain`, bucket, prefix: "plain/", index: `es${major}-large-plain`, format: "ndjson" },
      ],
    };
    // Every function reads S3 through the proxy; only the plain object's first read is cut.
    const local = await deployLocalStack({ awsEndpoint, elasticsearch: { ...es, url: slowNode.url } }, config, {
      stack: `large-${major}`,
      retryBaseDelaySeconds: 1,
      extraEnvironment: { AWS_ENDPOINT_URL_S3: proxy.url },
      echoLogs: process.env.S3LS_ECHO_LOGS === "1",
    });
    [gzipped, plain] = local.producers as [LocalProducer, LocalProducer];
    const { s3 } = awsClients(awsEndpoint);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "gz/large.ndjson.gz", Body: gzipSync(bigObject("gz")) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "plain/large-plain.ndjson", Body: bigObject("plain") }));
  });

  afterAll(async () => {
    gzipped?.function.kill();
    plain?.function.kill();
    await proxy?.close();
    await slowNode?.close();
    await client?.close();
  });

  it("ships a 200 MB gzip object across several 10 s invocations, every line once", async () => {
    // Act
    expect(await gzipped.poller.drain(900_000)).toBe(true);
    // Assess
    expect(await count(`es${major}-large-gz`)).toBe(LINES);
    expect(await repeated(`es${major}-large-gz`)).toEqual([]);
    const continued = gzipped.function.logs.filter((line) => line.includes('"object continued"'));
    expect(continued.length, "the object was continued").toBeGreaterThanOrEqual(1);
    expect(gzipped.function.invocations).toBeGreaterThanOrEqual(2);
    expect(gzipped.function.logs.some((line) => line.includes("Task timed out"))).toBe(false);
    expect(await queueDepth(awsClients(awsEndpoint).sqs, gzipped.deadLetterQueueUrl)).toBe(0);
    // The 9.x node refuses requests over 4 MB (scripts/services/elasticsearch.sh): its 413 goes out
    // before the 5 MiB body is read, the client sees a closed connection, and the shipper splits.
    const refusals = gzipped.function.logs.filter((line) => line.includes("bulk request refused as too large"));
    if (major === "9") expect(refusals.length, "real 413s from Elasticsearch 9.x were split").toBeGreaterThan(0);
    else expect(refusals).toEqual([]);
  });

  it("resumes a plain object with a ranged GET when the S3 connection is cut mid-object, every line once", async () => {
    expect(await plain.poller.drain(900_000)).toBe(true);
    expect(proxy.cuts()).toBe(1);
    expect(
      plain.function.logs.some((line) => line.includes('"object continued"')),
      "the object also took several invocations",
    ).toBe(true);
    expect(plain.function.logs.some((line) => line.includes("S3 stream broke, resuming with a ranged GET"))).toBe(true);
    expect(await count(`es${major}-large-plain`)).toBe(LINES);
    expect(await repeated(`es${major}-large-plain`)).toEqual([]);
  });
});
