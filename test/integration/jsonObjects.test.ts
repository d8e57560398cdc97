/**
 * A CloudTrail file on real Elasticsearch, streamed record by record: a gzip object of 150,000
 * records (~170 MB decompressed, more than the 32 MiB a whole-document parse allowed), too large for
 * one 10 s invocation, continued after the last record shipped. Every record once.
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import { majorsUnderTest, startElasticsearch, startMoto, type ElasticsearchInfo } from "../../scripts/local/services";

const RECORDS = 150_000;

function cloudTrailFile(): Buffer {
  const records: string[] = [];
  for (let n = 0; n < RECORDS; n += 1)
    records.push(
      JSON.stringify({
        eventVersion: "1.09",
        eventTime: "2026-12-04T10:00:00Z",
        eventSource: "s3.amazonaws.com",
        eventName: n % 2 === 0 ? "PutObject" : "GetObject",
        eventID: `trail-${n}`,
        requestParameters: { bucketName: "acme", key: `AWSLogs/${n}.log.gz` },
        padding: "p".repeat(900),
      }),
    );
  return gzipSync(`{"Records":[${records.join(",")}]}`, { level: 1 });
}

describe.each(majorsUnderTest())("json objects, Elasticsearch %s.x", (major) => {
  let es: ElasticsearchInfo;
  let awsEndpoint: string;
  let client: Client;
  let trail: LocalProducer;
  const bucket = `es${major}-json-trail`;
  const index = `es${major}-json-trail`;

  beforeAll(async () => {
    awsEndpoint = await startMoto();
    es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    await client.indices.delete({ index, ignore_unavailable: true });
    const config = {
      defaults: { timeoutSeconds: 10, batchSize: 1 },
      producers: [
        { name: `es${major}-json-trail`, bucket, prefix: "AWSLogs/", index, format: "json", recordsField: "Records" },
      ],
    };
    const local = await deployLocalStack({ awsEndpoint, elasticsearch: es }, config, {
      stack: `json-trail-${major}`,
      retryBaseDelaySeconds: 1,
      // Small requests to the one-thread write pool: the object needs more than one invocation.
      extraEnvironment: { ES_BULK_MAX_DOCUMENTS: "200" },
      echoLogs: process.env.S3LS_ECHO_LOGS === "1",
    });
    [trail] = local.producers as [LocalProducer];
    await awsClients(awsEndpoint).s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "AWSLogs/trail.json.gz", Body: cloudTrailFile() }),
    );
  });

  afterAll(async () => {
    trail?.function.kill();
    await client?.close();
  });

  it("ships every record of a 170 MB CloudTrail file once, across continuations that resume after the last record", async () => {
    expect(await trail.poller.drain(600_000)).toBe(true);

    const continued = trail.function.logs.filter((line) => line.includes('"object continued"'));
    expect(continued.length, "the object took several invocations").toBeGreaterThan(0);
    for (const line of continued) expect(line).toMatch(/"unit":"record".*"byteOffset":\d+/);
    await client.indices.refresh({ index });
    expect((await client.count({ index })).count).toBe(RECORDS);
    const repeated = await client.search({
      index,
      size: 0,
      aggs: { ids: { terms: { field: "eventID.keyword", min_doc_count: 2, size: 5 } } },
    });
    expect((repeated.aggregations?.ids as { buckets: unknown[] }).buckets).toEqual([]);
    expect(await queueDepth(awsClients(awsEndpoint).sqs, trail.deadLetterQueueUrl)).toBe(0);
  });
});
