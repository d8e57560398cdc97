/**
 * One benchmark measurement in a fresh process (so peak RSS is its own): reads a bench object
 * through the S3 API from the bench server and runs one scenario over it. Prints one JSON line.
 *
 *   floor    decompress + split into lines (json: decompress)
 *   naive    decompress + split + JSON.parse + JSON.stringify per line (text: stringify {message};
 *            json: JSON.parse of the whole document + JSON.stringify per record)
 *   shipper  the real shipping code (shipObject) against the instant bulk endpoint, its requests
 *            gzip-compressed at `gzipLevel` (the deployed default, 1) or not at all (none)
 *   e2e      the real shipping code against a real Elasticsearch node
 */
import "../scripts/local/quietSdkNotice";
import { GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { pipeline, Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { ElasticsearchBulkTransport } from "../lambda/bulk/esClient";
import { peek } from "../lambda/read/byteStreams";
import { isGzip } from "../lambda/read/gzip";
import { SILENT_OBJECT_EVENTS } from "../lambda/contract/events";
import { shipObject } from "../lambda/shipObject";
import { peakRssBytes } from "../scripts/local/peakRss";
import type { LogFormat } from "../lambda/contract/formats";

interface ScenarioInput {
  scenario: "floor" | "naive" | "shipper" | "e2e";
  key: string;
  format: LogFormat;
  s3Endpoint: string;
  esUrl: string;
  esCredentials: { username: string; password: string } | { apiKey: string };
  index: string;
  /** gzip level of bulk requests; absent: uncompressed. */
  gzipLevel?: number;
}

// From the environment, not argv: the input holds the local node's password, and argv is visible to `ps`.
const input = JSON.parse(process.env.S3LS_BENCH_SCENARIO ?? "{}") as ScenarioInput;
const s3 = new S3Client({
  region: "eu-west-1",
  endpoint: input.s3Endpoint,
  forcePathStyle: true,
  credentials: { accessKeyId: "bench", secretAccessKey: "bench" },
});

/** What a naive reader does: Node's gunzip (it runs concatenated members together). */
function gunzipStream(compressed: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  pipeline(Readable.from(compressed, { objectMode: false }), gunzip, () => undefined);
  return gunzip;
}

async function objectBytes(): Promise<AsyncIterable<Buffer>> {
  const response = await s3.send(new GetObjectCommand({ Bucket: "bench", Key: input.key }));
  const { head, stream } = await peek(response.Body as Readable, 2);
  return isGzip(head) ? gunzipStream(stream) : stream;
}

/** Splits on newline bytes; calls `line` per non-empty line (floor passes no callback). */
async function splitOnly(onLine?: (text: string) => void): Promise<{ bytes: number; lines: number }> {
  let bytes = 0;
  let lines = 0;
  let rest: Buffer | undefined;
  for await (const raw of await objectBytes()) {
    bytes += raw.length;
    const chunk = rest ? Buffer.concat([rest, raw]) : raw;
    let from = 0;
    for (let at = chunk.indexOf(10, from); at !== -1; at = chunk.indexOf(10, from)) {
      if (at > from) {
        lines += 1;
        onLine?.(chunk.toString("utf8", from, at));
      }
      from = at + 1;
    }
    rest = from < chunk.length ? chunk.subarray(from) : undefined;
  }
  if (rest && rest.length > 0) {
    lines += 1;
    onLine?.(rest.toString("utf8"));
  }
  return { bytes, lines };
}

/** Decompresses a json object whole; with `parsed`, JSON.parse of it (what a naive reader does) and the records it counts. */
async function wholeDocument(parsed?: (document: unknown) => number): Promise<{ bytes: number; lines: number }> {
  const parts: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of await objectBytes()) {
    bytes += chunk.length;
    if (parsed) parts.push(chunk);
  }
  return { bytes, lines: parsed ? parsed(JSON.parse(Buffer.concat(parts).toString("utf8"))) : 0 };
}

async function ship(): Promise<{ bytes: number; lines: number }> {
  const transport = new ElasticsearchBulkTransport(
    {
      endpoint: input.esUrl,
      requestTimeoutMs: 60_000,
      ...(input.gzipLevel === undefined ? {} : { gzipLevel: input.gzipLevel }),
    },
    { get: async () => input.esCredentials, invalidate: () => undefined },
  );
  const outcome = await shipObject(
    { bucket: "bench", key: input.key, eventTime: "2026-11-27T10:00:00Z" },
    {
      s3,
      transport,
      settings: {
        destination: { index: input.index, namespace: "default" },
        format: input.format,
        ...(input.format === "json" ? { recordsField: "Records" } : {}),
        region: "eu-west-1",
        producer: "bench",
        bulkMaxBytes: 5 * 1024 * 1024,
        bulkMaxDocuments: 5_000,
        bulkConcurrency: 2,
        maxLineBytes: 8 * 1024 * 1024,
      },
      shouldStop: () => false,
      deadline: () => Number.POSITIVE_INFINITY,
      events: SILENT_OBJECT_EVENTS,
    },
  );
  if (outcome.status !== "done")
    throw new Error(`shipObject ended ${outcome.status}: ${"reason" in outcome ? outcome.reason : ""}`);
  if (outcome.stats.indexed + outcome.stats.duplicates !== outcome.stats.records)
    throw new Error(`only ${outcome.stats.indexed} of ${outcome.stats.records} documents indexed`);
  return { bytes: outcome.stats.bytes, lines: outcome.stats.records };
}

async function main(): Promise<void> {
  const started = process.hrtime.bigint();
  let result: { bytes: number; lines: number };
  let sink = 0;
  switch (input.scenario) {
    case "floor":
      // Documents with no line ends (json, Firehose's records) are read, not split.
      result = input.format === "json" || input.format === "cloudwatch" ? await wholeDocument() : await splitOnly();
      break;
    case "naive":
      if (input.format === "json") {
        result = await wholeDocument((document) => {
          const records = (document as { Records: unknown[] }).Records;
          for (const record of records) sink += JSON.stringify(record).length;
          return records.length;
        });
        break;
      }
      result = await splitOnly(
        input.format === "ndjson"
          ? (text) => (sink += JSON.stringify(JSON.parse(text)).length)
          : (text) => (sink += JSON.stringify({ message: text }).length),
      );
      break;
    case "shipper":
    case "e2e":
      result = await ship();
      break;
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  // Every thread of the process: the JavaScript thread and libuv's pool, where gzip runs.
  const usage = process.resourceUsage();
  const cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  process.stdout.write(
    `${JSON.stringify({ scenario: input.scenario, ...result, ms, cpuMs, maxRssMb: peakRssBytes() / (1024 * 1024), sink: sink > 0 })}\n`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
