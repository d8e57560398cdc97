/**
 * Seeded benchmark objects: gzip ndjson (AWS WAF lines) and plain text (ALB lines) of a chosen
 * uncompressed size, written once to bench/data/ and reused while the seed and size match.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import * as path from "node:path";
import { once } from "node:events";
import { createGzip, constants } from "node:zlib";
import { albLine, seededRandom, wafLine } from "../scripts/local/sampleLogs";

export const DATA_DIR = path.join(__dirname, "data");

export interface BenchObject {
  name: string;
  file: string;
  format: "ndjson" | "text" | "json";
  gzip: boolean;
  uncompressedBytes: number;
  lines: number;
  storedBytes: number;
}

export type BenchKind = "gzip-ndjson" | "plain-text" | "gzip-json";

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

/** Generates (or reuses) an object of at least `bytes` uncompressed. */
export async function benchObject(kind: BenchKind, bytes: number, seed = 42): Promise<BenchObject> {
  mkdirSync(DATA_DIR, { recursive: true });
  const gzip = kind !== "plain-text";
  const json = kind === "gzip-json";
  const file = path.join(DATA_DIR, `${kind}-${bytes}-${seed}${json ? ".json.gz" : gzip ? ".ndjson.gz" : ".log"}`);
  const meta = `${file}.meta.json`;
  if (existsSync(file) && existsSync(meta))
    return (await import(meta, { with: { type: "json" } })).default as BenchObject;

  const random = seededRandom(seed);
  const line = gzip ? wafLine : albLine;
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
  if (json) await write('{"Records":[');
  while (written < bytes) {
    let chunk = "";
    for (let n = 0; n < 2_000; n += 1)
      chunk += json
        ? `${lines + n === 0 ? "" : ","}${cloudTrailRecord(random, lines + n)}`
        : `${line(random, lines + n)}\n`;
    lines += 2_000;
    await write(chunk);
  }
  if (json) await write("]}");
  target.end();
  await once(out, "finish");
  renameSync(temporary, file);
  const object: BenchObject = {
    name: kind,
    file,
    format: json ? "json" : gzip ? "ndjson" : "text",
    gzip,
    uncompressedBytes: written,
    lines,
    storedBytes: statSync(file).size,
  };
  await import("node:fs/promises").then((fs) => fs.writeFile(meta, JSON.stringify(object)));
  return object;
}
