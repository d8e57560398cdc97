/**
 * Multiline events on real Elasticsearch: a gzip application log of Java stack traces, too large
 * for one 10 s invocation, so continuations fall mid-object. Each trace is one document, once; a
 * continuation that split an event would leave a headless part (tagged `_shipper_truncated`) and
 * one document more.
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import { majorsUnderTest, startElasticsearch, startMoto, type ElasticsearchInfo } from "../../scripts/local/services";

const EVENTS = 400_000;

/** Every fourth record an exception with a trace of 4–9 frames; ~30 MB decompressed. */
function applicationLog(): string {
  const parts: string[] = [];
  for (let n = 0; n < EVENTS; n += 1) {
    parts.push(`2026-12-04T10:00:00Z ${n % 4 === 0 ? "ERROR" : "INFO"} request#${n} served`);
    if (n % 4 === 0)
      for (let f = 0; f < 4 + (n % 6); f += 1) parts.push(`    at com.acme.Handler${f}.handle(Handler${f}.java:${n})`);
  }
  return `${parts.join("\n")}\n`;
}

describe.each(majorsUnderTest())("multiline events, Elasticsearch %s.x", (major) => {
  let es: ElasticsearchInfo;
  let awsEndpoint: string;
  let client: Client;
  let traces: LocalProducer;
  const bucket = `es${major}-multiline`;
  const index = `es${major}-multiline`;

  beforeAll(async () => {
    awsEndpoint = await startMoto();
    es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    await client.indices.delete({ index, ignore_unavailable: true });
    const config = {
      defaults: { timeoutSeconds: 10, batchSize: 1 },
      producers: [
        {
          name: `es${major}-multiline`,
          bucket,
          prefix: "app/",
          index,
          format: "text",
          multiline: { pattern: "^\\s+at ", match: "after" },
        },
      ],
    };
    const local = await deployLocalStack({ awsEndpoint, elasticsearch: es }, config, {
      stack: `multiline-${major}`,
      retryBaseDelaySeconds: 1,
      // Small requests to the one-thread write pool: the object needs more than one invocation.
      extraEnvironment: { ES_BULK_MAX_DOCUMENTS: "200" },
      echoLogs: process.env.S3LS_ECHO_LOGS === "1",
    });
    [traces] = local.producers as [LocalProducer];
    await awsClients(awsEndpoint).s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: "app/app.log.gz", Body: gzipSync(applicationLog()) }),
    );
  });

  afterAll(async () => {
    traces?.function.kill();
    await client?.close();
  });

  it("ships every stack trace as one document, once, across continuations", async () => {
    expect(await traces.poller.drain(600_000)).toBe(true);

    expect(
      traces.function.logs.some((line) => line.includes('"object continued"')),
      "the object took several invocations",
    ).toBe(true);
    await client.indices.refresh({ index });
    expect((await client.count({ index })).count).toBe(EVENTS);
    expect((await client.count({ index, query: { term: { "tags.keyword": "_shipper_truncated" } } })).count).toBe(0);
    const trace = await client.search<{ message: string }>({
      index,
      query: { match_phrase: { message: "request#4000 served" } },
    });
    expect(trace.hits.hits[0]?._source?.message.split("\n")).toHaveLength(1 + 4 + (4000 % 6));
    expect(await queueDepth(awsClients(awsEndpoint).sqs, traces.deadLetterQueueUrl)).toBe(0);
  });
});
