/**
 * Seeded benchmark objects of a chosen uncompressed size, written once to bench/data/ and reused
 * while the seed, size and generator version match: gzip ndjson (AWS WAF lines), plain text (ALB
 * lines, also shipped parsed as `alb`), plain VPC flow records (shipped as text and as `vpcflow`),
 * CloudWatch Logs subscription records as Firehose writes them (the same ALB lines as log events)
 * and a gzip CloudTrail file.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import * as path from "node:path";
import { once } from "node:events";
import { createGzip, constants } from "node:zlib";
import type { LogFormat } from "../lambda/contract/formats";
import {
  albLine,
  cloudWatchRecord as firehoseRecord,
  seededRandom,
  vpcFlowLine,
  VPC_FLOW_HEADER,
  wafLine,
} from "../scripts/local/sampleLogs";

export const DATA_DIR = path.join(__dirname, "data");

export interface BenchObject {
  name: string;
  file: string;
  format: LogFormat;
  /** The AWS format the same bytes are also shipped as (bench rows beside `format`'s). */
  parsedFormat?: LogFormat;
  gzip: boolean;
  uncompressedBytes: number;
  lines: number;
  storedBytes: number;
}

export type BenchKind = "gzip-ndjson" | "plain-text" | "gzip-json" | "plain-vpcflow" | "plain-cloudwatch";

/** Bumped when a generator changes, so cached objects of the old shape are not measured. */
const GENERATION = 2;

/** Log events per Firehose record (CloudWatch batches events; a record holds up to ~1 MB of them). */
const EVENTS_PER_RECORD = 100;

/** A CloudTrail record of ~1 KiB (an S3 data event), varied by `random` and `n`. */
function cloudTrailRecord(random: () => number, n: number): string {
  const account = String(100000000000 + Math.floor(random() * 9)).padStart(12, "0");
  return JSON.stringify({
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROA${Math.floor(random() * 1e9)}:session-${n % 97}`,
      arn: `arn:aws:sts::${account}:assumed-role/app-${n % 13}/session-${n % 97}`,
      accountId: account,
    },
    eventTime: new Date(Date.UTC(2026, 11, 4, 10) + n * 37).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: "s3.amazonaws.com",
    eventName: random() < 0.6 ? "GetObject" : "PutObject",
    awsRegion: "eu-west-1",
    sourceIPAddress: `10.${n % 256}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
    userAgent: "aws-sdk-java/2.25.0 Linux/6.1 OpenJDK_64-Bit_Server_VM/21 vendor/Amazon.com_Inc.",
    requestParameters: {
      bucketName: `acme-data-${n % 7}`,
      Host: "s3.eu-west-1.amazonaws.com",
      key: `tenant/${n % 500}/object-${n}.parquet`,
    },
    responseElements: null,
    additionalEventData: {
      SignatureVersion: "SigV4",
      CipherSuite: "TLS_AES_128_GCM_SHA256",
      bytesTransferredIn: 0,
      bytesTransferredOut: Math.floor(random() * 1e7),
      "x-amz-id-2": "Vx9y".repeat(12),
    },
    requestID: Math.floor(random() * 2 ** 52)
      .toString(16)
      .toUpperCase(),
    eventID: `${Math.floor(random() * 2 ** 32)
      .toString(16)
      .padStart(8, "0")}-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
    readOnly: true,
    resources: [
      { type: "AWS::S3::Object", ARN: `arn:aws:s3:::acme-data-${n % 7}/tenant/${n % 500}/object-${n}.parquet` },
      { accountId: account, type: "AWS::S3::Bucket", ARN: `arn:aws:s3:::acme-data-${n % 7}` },
    ],
    eventType: "AwsApiCall",
    managementEvent: false,
    recipientAccountId: account,
    eventCategory: "Data",
    tlsDetails: {
      tlsVersion: "TLSv1.3",
      cipherSuite: "TLS_AES_128_GCM_SHA256",
      clientProvidedHostHeader: "s3.eu-west-1.amazonaws.com",
    },
  });
}

/** What each kind holds and how it is shipped. */
const KINDS: Record<BenchKind, { gzip: boolean; extension: string; format: LogFormat; parsedFormat?: LogFormat }> = {
  "gzip-ndjson": { gzip: true, extension: ".ndjson.gz", format: "ndjson" },
  "plain-text": { gzip: false, extension: ".log", format: "text", parsedFormat: "alb" },
  "gzip-json": { gzip: true, extension: ".json.gz", format: "json", parsedFormat: "cloudtrail" },
  "plain-vpcflow": { gzip: false, extension: ".log", format: "text", parsedFormat: "vpcflow" },
  "plain-cloudwatch": { gzip: false, extension: "", format: "cloudwatch" },
};

/** The next 2,000 units of `kind` from unit `first`, as the object's bytes. */
function chunkOf(kind: BenchKind, random: () => number, first: number): string {
  let chunk = "";
  switch (kind) {
    case "gzip-ndjson":
      for (let n = first; n < first + 2_000; n += 1) chunk += `${wafLine(random, n)}\n`;
      return chunk;
    case "plain-text":
      for (let n = first; n < first + 2_000; n += 1) chunk += `${albLine(random, n)}\n`;
      return chunk;
    case "gzip-json":
      for (let n = first; n < first + 2_000; n += 1) chunk += `${n === 0 ? "" : ","}${cloudTrailRecord(random, n)}`;
      return chunk;
    case "plain-vpcflow":
      for (let n = first; n < first + 2_000; n += 1) chunk += `${vpcFlowLine(random, n)}\n`;
      return chunk;
    case "plain-cloudwatch":
      for (let n = first; n < first + 2_000; n += EVENTS_PER_RECORD)
        chunk += firehoseRecord(random, n, EVENTS_PER_RECORD, albLine);
      return chunk;
  }
}

/** Generates (or reuses) an object of at least `bytes` uncompressed. */
export async function benchObject(kind: BenchKind, bytes: number, seed = 42): Promise<BenchObject> {
  mkdirSync(DATA_DIR, { recursive: true });
  const { gzip, extension, format, parsedFormat } = KINDS[kind];
  const file = path.join(DATA_DIR, `${kind}-${bytes}-${seed}-g${GENERATION}${extension}`);
  const meta = `${file}.meta.json`;
  if (existsSync(file) && existsSync(meta))
    return (await import(meta, { with: { type: "json" } })).default as BenchObject;

  const random = seededRandom(seed);
  const temporary = `${file}.partial`;
  const out = createWriteStream(temporary);
  const sink = gzip ? createGzip({ level: constants.Z_BEST_SPEED }) : undefined;
  if (sink) sink.pipe(out);
  const target = sink ?? out;
  let written = 0;
  let lines = 0;
  const write = async (chunk: string) => {
    written += Buffer.byteLength(chunk);
    if (!target.write(chunk)) await once(target, "drain");
  };
  if (kind === "gzip-json") await write('{"Records":[');
  if (kind === "plain-vpcflow") await write(`${VPC_FLOW_HEADER}\n`);
  while (written < bytes) {
    await write(chunkOf(kind, random, lines));
    lines += 2_000;
  }
  if (kind === "gzip-json") await write("]}");
  target.end();
  await once(out, "finish");
  renameSync(temporary, file);
  const object: BenchObject = {
    name: kind,
    file,
    format,
    ...(parsedFormat ? { parsedFormat } : {}),
    gzip,
    uncompressedBytes: written,
    lines,
    storedBytes: statSync(file).size,
  };
  await import("node:fs/promises").then((fs) => fs.writeFile(meta, JSON.stringify(object)));
  return object;
}
