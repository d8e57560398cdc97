/**
 * Run in a child process with a small function's V8 flags (test/fault/boundedMemory.test.ts): reads a
 * generated CloudTrail-shaped json object of RECORDS records (~1 KiB each, never held whole: the
 * generator makes 64 KiB chunks on demand) through the function's own reader, document builder and
 * bulk indexer, into a transport that counts what reaches it. Prints one JSON line: records
 * indexed, the sum of their offsets (each index once: n(n-1)/2), the object's size, peak RSS.
 */
import { DocumentBuilder } from "../../lambda/documents/builder";
import { BulkIndexer } from "../../lambda/bulk/indexer";
import type { BulkResponse, BulkTransport } from "../../lambda/bulk/wire";
import { DEFAULTS } from "../../lambda/contract/env";
import { SILENT_OBJECT_EVENTS } from "../../lambda/contract/events";
import { readRecords } from "../../lambda/read/records";
import { peakRssBytes } from "../../scripts/local/peakRss";

const RECORDS = Number(process.env.RECORDS ?? 300_000);

/** A CloudTrail record of ~1 KiB; `n` makes each distinct. */
function record(n: number): string {
  return JSON.stringify({
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole",
      principalId: `AROA${n}:session`,
      arn: `arn:aws:sts::111122223333:assumed-role/r/${n}`,
      accountId: "111122223333",
    },
    eventTime: "2026-12-04T10:00:00Z",
    eventSource: "s3.amazonaws.com",
    eventName: n % 2 === 0 ? "PutObject" : "GetObject",
    awsRegion: "eu-west-1",
    sourceIPAddress: `10.0.${n % 256}.${(n >> 8) % 256}`,
    userAgent: "aws-sdk-js/3 ua/2.1 os/linux lang/js md/nodejs#22 api/s3",
    requestParameters: { bucketName: "acme-logs", key: `AWSLogs/111122223333/${n}.log.gz`, "x-amz-acl": "private" },
    responseElements: null,
    additionalEventData: { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: n },
    requestID: `REQ${n.toString(16).padStart(12, "0")}`,
    eventID: `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
    readOnly: n % 2 === 1,
    resources: [{ type: "AWS::S3::Object", ARN: `arn:aws:s3:::acme-logs/AWSLogs/${n}.log.gz` }],
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
    padding: "p".repeat(200),
  });
}

let size = 0;
async function* object(): AsyncGenerator<Buffer> {
  let pending = '{"Records":[';
  for (let n = 0; n < RECORDS; n += 1) {
    pending += (n === 0 ? "" : ",") + record(n);
    if (pending.length >= 64 * 1024) {
      const chunk = Buffer.from(pending);
      size += chunk.length;
      yield chunk;
      pending = "";
    }
  }
  const last = Buffer.from(`${pending}]}`);
  size += last.length;
  yield last;
}

/** Counts documents and adds up their offsets, answering like Elasticsearch (all created). */
class CountingTransport implements BulkTransport {
  documents = 0;
  offsets = 0;
  send(ndjson: Buffer): Promise<BulkResponse> {
    const text = ndjson.toString("utf8");
    let count = 0;
    for (const match of text.matchAll(/"log":\{"file":\{"path":"[^"]*"\},"offset":(\d+)\}/g)) {
      this.offsets += Number(match[1]);
      count += 1;
    }
    this.documents += count;
    return Promise.resolve({ errors: false, itemCount: count });
  }
}

async function main(): Promise<void> {
  const transport = new CountingTransport();
  const builder = new DocumentBuilder({
    bucket: "acme-trail",
    key: "AWSLogs/o-1/111122223333/CloudTrail/eu-west-1/2026/12/04/big.json",
    identity: "etag",
    region: "eu-west-1",
    eventTime: "2026-12-04T10:00:00Z",
    ingested: "2026-12-04T10:01:00Z",
  });
  const indexer = new BulkIndexer({
    index: "logs-cloudtrail",
    transport,
    bulkMaxBytes: DEFAULTS.ES_BULK_MAX_BYTES,
    bulkMaxDocuments: DEFAULTS.ES_BULK_MAX_DOCUMENTS,
    bulkConcurrency: DEFAULTS.ES_BULK_CONCURRENCY,
    events: SILENT_OBJECT_EVENTS,
  });
  for await (const batch of readRecords(object(), {
    format: "json",
    recordsField: "Records",
    requireRecordsField: true,
    firstByte: 0,
    bucket: "acme-trail",
    key: "big.json",
  })) {
    if (batch.kind !== "json") throw new Error(`expected json records, got ${batch.kind}`);
    await builder.appendLines("ndjson", batch.records, indexer);
  }
  const result = await indexer.finish();
  process.stdout.write(
    `${JSON.stringify({
      indexed: result.indexed,
      documents: transport.documents,
      offsets: transport.offsets,
      objectBytes: size,
      peakRssBytes: peakRssBytes(),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
