/**
 * AWS's formats end to end on real Elasticsearch (8.x and 9.x) through moto and the deployed bundle:
 * an ALB access log object (gzip, under the key layout ELB writes) and a Firehose CloudWatch Logs
 * object (concatenated records, one gzip member each, a control message first). Their documents
 * are found the way an investigation looks for them: term queries on `source.ip` and
 * `http.response.status_code`, typed by an ECS index template (pipeline/elasticsearch/indexTemplates.ts) as a cluster with one has them.
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import { majorsUnderTest, resetMoto, startElasticsearch, startMoto } from "../../scripts/local/services";
import { putShipperTemplate } from "../../scripts/local/shipperTemplate";
import { CLOUDWATCH_CONTROL } from "../helpers/awsDocumentedLogs";

const ALB_LINES = 2_000;
const SUSPECT = "203.0.113.66";
const ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/shop/73e2d6bc24d8a067";

/** An ALB object: every 10th request from the suspect address, every 7th a 503. */
function albObject(): { body: Buffer; fromSuspect: number; unavailable: number; suspectUnavailable: number } {
  const lines: string[] = [];
  let fromSuspect = 0;
  let unavailable = 0;
  let suspectUnavailable = 0;
  for (let n = 0; n < ALB_LINES; n += 1) {
    const client = n % 10 === 0 ? SUSPECT : `198.51.100.${n % 200}`;
    const status = n % 7 === 0 ? 503 : 200;
    if (client === SUSPECT) fromSuspect += 1;
    if (status === 503) unavailable += 1;
    if (client === SUSPECT && status === 503) suspectUnavailable += 1;
    const second = String(n % 60).padStart(2, "0");
    lines.push(
      `https 2026-11-27T10:00:${second}.000000Z app/shop/50dc6c495c0c9188 ${client}:${40_000 + n} 10.0.0.1:80 ` +
        `0.001 0.020 0.000 ${status} ${status} 120 ${300 + n} "GET https://shop.example:443/item/${n}?ref=mail HTTP/1.1" ` +
        `"Mozilla/5.0 (X11; Linux x86_64)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${ARN} "Root=1-6747-${n}" "shop.example" ` +
        `"-" 0 2026-11-27T10:00:${second}.000000Z "forward" "-" "-" "10.0.0.1:80" "${status}" "-" "-" TID_${n} "-" "-" "-"`,
    );
  }
  return { body: gzipSync(`${lines.join("\n")}\n`), fromSuspect, unavailable, suspectUnavailable };
}

const CLOUDWATCH_RECORDS = 20;
const EVENTS_PER_RECORD = 25;

/** Firehose's object: a control message, then records of API log events, JSON and text. */
function firehoseObject(): Buffer {
  const records = Array.from({ length: CLOUDWATCH_RECORDS }, (_, r) => ({
    messageType: "DATA_MESSAGE",
    owner: "123456789012",
    logGroup: "/aws/lambda/orders-api",
    logStream: `2026/11/27/[$LATEST]${r}`,
    subscriptionFilters: ["orders-to-firehose"],
    logEvents: Array.from({ length: EVENTS_PER_RECORD }, (_, e) => ({
      id: `${r}${e}`.padStart(56, "0"),
      timestamp: 1_764_237_600_000 + r * 1_000 + e,
      message:
        e % 5 === 0
          ? `START RequestId: ${r}-${e} Version: $LATEST`
          : JSON.stringify({
              level: e % 4 === 0 ? "error" : "info",
              http: { response: { status_code: e % 4 === 0 ? 500 : 200 } },
              source: { ip: SUSPECT },
            }),
    })),
  }));
  return Buffer.concat([CLOUDWATCH_CONTROL, ...records].map((record) => gzipSync(JSON.stringify(record))));
}

describe.each(majorsUnderTest())("AWS's formats, Elasticsearch %s.x", (major) => {
  let client: Client;
  let producers: LocalProducer[];
  let deadLetterDepth: () => Promise<number>;
  const albIndex = `es${major}-aws-alb`;
  const cloudwatchIndex = `es${major}-aws-cloudwatch`;
  const bucket = `es${major}-aws-formats`;
  const alb = albObject();

  beforeAll(async () => {
    const awsEndpoint = await startMoto();
    await resetMoto();
    const es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    for (const index of [albIndex, cloudwatchIndex]) await client.indices.delete({ index, ignore_unavailable: true });
    await putShipperTemplate(client, `es${major}-aws-*`);
    const local = await deployLocalStack(
      { awsEndpoint, elasticsearch: es },
      {
        producers: [
          { name: `es${major}-alb`, bucket, prefix: "AWSLogs/", index: albIndex, format: "aws" },
          { name: `es${major}-cwl`, bucket, prefix: "firehose/", index: cloudwatchIndex, format: "cloudwatch" },
        ],
      },
      { stack: `aws-formats-${major}`, retryBaseDelaySeconds: 1, echoLogs: process.env.S3LS_ECHO_LOGS === "1" },
    );
    producers = local.producers;
    const { s3, sqs } = awsClients(awsEndpoint);
    deadLetterDepth = async () => {
      let total = 0;
      for (const producer of producers) total += await queueDepth(sqs, producer.deadLetterQueueUrl);
      return total;
    };
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "AWSLogs/123456789012/elasticloadbalancing/eu-west-1/2026/11/27/123456789012_elasticloadbalancing_eu-west-1_app.shop.50dc6c495c0c9188_20261127T1005Z_10.0.0.9_2k3c9x1p.log.gz",
        Body: alb.body,
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: "firehose/2026/11/27/10/orders-1-2026-11-27-10-05-00-0b1c2d3e",
        Body: firehoseObject(),
      }),
    );
  }, 300_000);
  afterAll(async () => {
    for (const producer of producers ?? []) producer.function.kill();
    await client?.close();
  });

  it("indexes the ALB object picked by format: aws, found by term queries on source.ip and the status code", async () => {
    for (const producer of producers) expect(await producer.poller.drain(300_000)).toBe(true);
    await client.indices.refresh({ index: albIndex });
    const count = async (query: object) => (await client.count({ index: albIndex, query })).count;
    expect(await count({ match_all: {} })).toBe(ALB_LINES);
    expect(await count({ term: { "source.ip": SUSPECT } })).toBe(alb.fromSuspect);
    expect(await count({ term: { "http.response.status_code": 503 } })).toBe(alb.unavailable);
    expect(
      await count({
        bool: { filter: [{ term: { "source.ip": SUSPECT } }, { term: { "http.response.status_code": 503 } }] },
      }),
    ).toBe(alb.suspectUnavailable);
    // An ip field: a CIDR query works too.
    expect(await count({ term: { "source.ip": "203.0.113.0/24" } })).toBe(alb.fromSuspect);
    expect(await count({ exists: { field: "tags" } })).toBe(0);
    const found = await client.search<Record<string, unknown>>({
      index: albIndex,
      query: { term: { "url.path": "/item/70" } },
    });
    expect(found.hits.hits[0]?._source).toMatchObject({
      "@timestamp": "2026-11-27T10:00:10.000000Z",
      source: { ip: SUSPECT, port: 40_070 },
      http: { response: { status_code: 503 }, request: { method: "GET" } },
      url: { domain: "shop.example", query: "ref=mail" },
      cloud: { account: { id: "123456789012" }, region: "eu-west-1" },
      aws: { elb: { name: "app/shop/50dc6c495c0c9188", connection_trace_id: "TID_70" } },
    });
  }, 360_000);

  it("indexes each CloudWatch log event of the Firehose object once, control message skipped, JSON messages parsed", async () => {
    await client.indices.refresh({ index: cloudwatchIndex });
    const count = async (query: object) => (await client.count({ index: cloudwatchIndex, query })).count;
    expect(await count({ match_all: {} })).toBe(CLOUDWATCH_RECORDS * EVENTS_PER_RECORD);
    expect(await count({ term: { "aws.cloudwatch.log_group": "/aws/lambda/orders-api" } })).toBe(
      CLOUDWATCH_RECORDS * EVENTS_PER_RECORD,
    );
    // JSON events: fields at the top, typed by the template like any other producer's.
    const jsonEvents = CLOUDWATCH_RECORDS * (EVENTS_PER_RECORD - EVENTS_PER_RECORD / 5);
    expect(await count({ term: { "source.ip": SUSPECT } })).toBe(jsonEvents);
    const errors =
      CLOUDWATCH_RECORDS * [...Array(EVENTS_PER_RECORD).keys()].filter((e) => e % 5 !== 0 && e % 4 === 0).length;
    expect(await count({ term: { "http.response.status_code": 500 } })).toBe(errors);
    expect(await count({ match_phrase: { message: "CWL CONTROL MESSAGE" } })).toBe(0);
    const first = await client.search<Record<string, unknown>>({
      index: cloudwatchIndex,
      query: { match_phrase: { message: "START RequestId: 3-0" } },
    });
    expect(first.hits.hits[0]?._source).toMatchObject({
      "@timestamp": "2025-11-27T10:00:03.000Z",
      cloud: { account: { id: "123456789012" } },
      aws: { cloudwatch: { log_stream: "2026/11/27/[$LATEST]3", subscription_filters: ["orders-to-firehose"] } },
    });
    expect(await deadLetterDepth()).toBe(0);
  });
});
