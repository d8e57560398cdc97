/**
 * Where an object's documents go (lambda/contract/destination.ts, decided in shipObject.ts at its
 * first batch): the data stream of Elastic's AWS integration for AWS's formats, skipping that
 * stream's default ingest pipeline (`_none`), the producer's own index or pipeline when it names
 * one, and for `format: aws` the dataset of each object's key layout. Against local servers that
 * answer like S3 and Elasticsearch: the assertion is on what was stored, where, through what.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ElasticsearchBulkTransport } from "../../../../lambda/bulk/esClient";
import type { DestinationSettings } from "../../../../lambda/contract/destination";
import type { LogFormat } from "../../../../lambda/contract/formats";
import { SILENT_OBJECT_EVENTS } from "../../../../lambda/contract/events";
import { shipObject } from "../../../../lambda/shipObject";
import { FakeAws } from "../../../helpers/fakeAws";
import { FakeElasticsearch } from "../../../helpers/fakeElasticsearch";
import { ALB_HTTP, CLOUDTRAIL_START_INSTANCES } from "../../../helpers/awsDocumentedLogs";

const BUCKET = "acme-logs";
const elasticsearch = new FakeElasticsearch();
const aws = new FakeAws();
let s3: S3Client;
let transport: ElasticsearchBulkTransport;

beforeAll(async () => {
  const esUrl = await elasticsearch.start();
  const awsUrl = await aws.start();
  s3 = new S3Client({
    region: "eu-west-1",
    endpoint: awsUrl,
    forcePathStyle: true,
    credentials: { accessKeyId: "fake", secretAccessKey: "fake" },
  });
  transport = new ElasticsearchBulkTransport(
    { endpoint: esUrl, requestTimeoutMs: 5_000 },
    { get: async () => ({ username: "u", password: "p" }), invalidate: () => undefined },
  );
});
afterAll(async () => {
  await elasticsearch.stop();
  await aws.stop();
});
beforeEach(async () => {
  await elasticsearch.reset();
  aws.resetS3();
});

async function ship(key: string, format: LogFormat, destination: DestinationSettings, pipeline?: string) {
  const items: Array<{ index: string; pipeline: string | undefined }> = [];
  elasticsearch.itemBehaviour = (item) => {
    items.push({ index: item.index, pipeline: item.pipeline });
    return undefined;
  };
  const outcome = await shipObject(
    { bucket: BUCKET, key, eventTime: "2026-12-07T10:00:00.000Z" },
    {
      s3,
      transport,
      settings: {
        destination,
        format,
        ...(pipeline ? { pipeline } : {}),
        region: "eu-west-1",
        producer: "test",
        bulkMaxBytes: 5 * 1024 * 1024,
        bulkMaxDocuments: 500,
        bulkConcurrency: 1,
        maxLineBytes: 1024 * 1024,
      },
      shouldStop: () => false,
      deadline: () => Number.POSITIVE_INFINITY,
      events: SILENT_OBJECT_EVENTS,
    },
  );
  expect(outcome.status).toBe("done");
  return items;
}

const TRAIL_KEY =
  "AWSLogs/123456789012/CloudTrail/us-east-2/2014/03/06/123456789012_CloudTrail_us-east-2_20140306T2155Z_eXam9lEEXAMpLE.json.gz";
const ALB_KEY =
  "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.50dc6c495c0c9188_20180702T2225Z_172.160.001.192_20sg8hgm.log.gz";

describe("destinations", () => {
  it("writes an AWS format into the integration's data stream, past its default pipeline, naming it in every document", async () => {
    aws.putObject(BUCKET, TRAIL_KEY, JSON.stringify({ Records: [CLOUDTRAIL_START_INSTANCES] }));
    const items = await ship(TRAIL_KEY, "cloudtrail", { namespace: "prod" });
    expect(items).toEqual([{ index: "logs-aws.cloudtrail-prod", pipeline: "_none" }]);
    expect(elasticsearch.documents("logs-aws.cloudtrail-prod")[0]).toMatchObject({
      data_stream: { type: "logs", dataset: "aws.cloudtrail", namespace: "prod" },
      event: { dataset: "aws.cloudtrail", module: "aws", action: "StartInstances" },
    });
  });

  it("keeps an explicit index (with the same fields) and the producer's own pipeline", async () => {
    aws.putObject(BUCKET, ALB_KEY, `${ALB_HTTP}\n`);
    expect(await ship(ALB_KEY, "alb", { index: "lb-logs", namespace: "default" })).toEqual([
      { index: "lb-logs", pipeline: undefined },
    ]);
    expect(elasticsearch.documents("lb-logs")[0]).toMatchObject({
      data_stream: { dataset: "aws.elb_logs", namespace: "default" },
      event: { dataset: "aws.elb_logs", module: "aws" },
    });
    await elasticsearch.reset();
    expect(await ship(ALB_KEY, "alb", { namespace: "default" }, "aws-geoip")).toEqual([
      { index: "logs-aws.elb_logs-default", pipeline: "aws-geoip" },
    ]);
    // An index that is itself one of the integration's streams skips its default pipeline all the same.
    await elasticsearch.reset();
    expect(await ship(ALB_KEY, "alb", { index: "logs-aws.elb_logs-edge", namespace: "default" })).toEqual([
      { index: "logs-aws.elb_logs-edge", pipeline: "_none" },
    ]);
  });

  it("decides format: aws objects' data streams by key layout; text ones and a dataset of the producer's carry no module pipeline", async () => {
    aws.putObject(BUCKET, TRAIL_KEY, JSON.stringify({ Records: [CLOUDTRAIL_START_INSTANCES] }));
    aws.putObject(BUCKET, ALB_KEY, `${ALB_HTTP}\n`);
    aws.putObject(BUCKET, "app/notes.txt", "a line of text\n");
    const items = [
      ...(await ship(TRAIL_KEY, "aws", { namespace: "default" })),
      ...(await ship(ALB_KEY, "aws", { namespace: "default" })),
      ...(await ship("app/notes.txt", "aws", { namespace: "default" })),
    ];
    expect(items).toEqual([
      { index: "logs-aws.cloudtrail-default", pipeline: "_none" },
      { index: "logs-aws.elb_logs-default", pipeline: "_none" },
      { index: "logs-aws_logs.generic-default", pipeline: undefined },
    ]);
    expect(elasticsearch.documents("logs-aws_logs.generic-default")[0]).toMatchObject({
      message: "a line of text",
      data_stream: { dataset: "aws_logs.generic" },
      event: { dataset: "aws_logs.generic", module: "aws" },
    });
    await elasticsearch.reset();
    aws.putObject(BUCKET, "app/events.ndjson", '{"a":1}\n{"data_stream":{"dataset":"theirs"},"b":2}\n');
    expect(await ship("app/events.ndjson", "ndjson", { dataset: "acme.app", namespace: "default" })).toEqual([
      { index: "logs-acme.app-default", pipeline: undefined },
      { index: "logs-acme.app-default", pipeline: undefined },
    ]);
    const [plain, own] = elasticsearch.documents("logs-acme.app-default");
    expect(plain).toMatchObject({ a: 1, data_stream: { dataset: "acme.app" }, event: { dataset: "acme.app" } });
    expect(plain).not.toHaveProperty("event.module");
    // A line with a data_stream of its own is merged, not written with the key twice.
    expect(own).toMatchObject({ b: 2, data_stream: { dataset: "acme.app", type: "logs" } });
  });
});
