/**
 * What one Lambda container reuses across invocations: validated settings, AWS clients (with
 * endpoint overrides for emulators) and the Elasticsearch transport with its credential cache.
 */
import { fromTemporaryCredentials } from "@aws-sdk/credential-providers";
import { objectFilterOf, type ObjectFilter } from "./contract/objectFilter";
import { S3Client } from "@aws-sdk/client-s3";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { CredentialsProvider } from "./bulk/credentials";
import { readSettings, type ShipperSettings } from "./contract/env";
import { AdaptiveConcurrencyTransport } from "./bulk/adaptiveConcurrency";
import { ElasticsearchBulkTransport } from "./bulk/esClient";
import { lineFilterFromEnvironment } from "./contract/lineFilter";
import { multilineFromEnvironment } from "./contract/multiline";
import type { BulkTransport } from "./bulk/wire";
import type { ShipObjectSettings } from "./shipObject";

const CONNECT_TIMEOUT_MS = 3_000;
const SHORT_CALL_TIMEOUT_MS = 5_000;

export interface ShipperRuntime {
  settings: ShipperSettings;
  /** The producer's objects: anything else a message names is acknowledged unread. */
  objectFilter: ObjectFilter;
  objectSettings: ShipObjectSettings;
  s3: S3Client;
  sqs: SQSClient;
  transport: BulkTransport;
  sendContinuation: (body: string) => Promise<void>;
}

export function createRuntime(env: NodeJS.ProcessEnv = process.env): ShipperRuntime {
  const settings = readSettings(env);
  const region = settings.AWS_REGION;
  // Reading through a bucket owner's role: the SDK caches the role's credentials and renews them
  // before they expire (its identity cache refreshes within 5 minutes of expiry), so a long object
  // never meets an expired key; an STS failure surfaces as the object's GetObject failure.
  const readCredentials = settings.READ_ROLE_ARN
    ? fromTemporaryCredentials({
        params: {
          RoleArn: settings.READ_ROLE_ARN,
          RoleSessionName: `s3-log-shipper-${settings.PRODUCER}`.slice(0, 64),
        },
        clientConfig: {
          region,
          ...(settings.AWS_ENDPOINT_URL_STS ? { endpoint: settings.AWS_ENDPOINT_URL_STS } : {}),
          requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: SHORT_CALL_TIMEOUT_MS },
        },
      })
    : undefined;
  const s3 = new S3Client({
    region,
    ...(readCredentials ? { credentials: readCredentials } : {}),
    ...(settings.AWS_ENDPOINT_URL_S3 ? { endpoint: settings.AWS_ENDPOINT_URL_S3 } : {}),
    forcePathStyle: settings.S3_FORCE_PATH_STYLE === "true",
    // The SDK waits forever by default. A body that stalls this long counts as a broken
    // connection and resumes with a ranged GET; the function's watchdog bounds the rest.
    requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, socketTimeout: settings.S3_IDLE_TIMEOUT_MS },
  });
  // Small calls (continuations, pacing, credentials): bounded, so the reserve at the end of an invocation suffices.
  const shortCalls = {
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      socketTimeout: SHORT_CALL_TIMEOUT_MS,
      requestTimeout: SHORT_CALL_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    },
  };
  const sqs = new SQSClient({
    region,
    ...(settings.AWS_ENDPOINT_URL_SQS ? { endpoint: settings.AWS_ENDPOINT_URL_SQS } : {}),
    ...shortCalls,
  });
  const ssm = new SSMClient({
    region,
    ...(settings.AWS_ENDPOINT_URL_SSM ? { endpoint: settings.AWS_ENDPOINT_URL_SSM } : {}),
    ...shortCalls,
  });
  const credentials = new CredentialsProvider(
    ssm,
    settings.ES_CREDENTIALS_PARAMETER,
    settings.CREDENTIALS_TTL_SECONDS * 1000,
  );
  const elasticsearch = new ElasticsearchBulkTransport(
    {
      ...(settings.ES_CLOUD_ID ? { cloudId: settings.ES_CLOUD_ID } : { endpoint: settings.ES_ENDPOINT ?? "" }),
      requestTimeoutMs: settings.ES_REQUEST_TIMEOUT_MS,
      ...(settings.ES_COMPRESSION === "gzip" ? { gzipLevel: settings.ES_COMPRESSION_LEVEL } : {}),
      ...(settings.ES_CA_CERTIFICATES ? { caCertificates: settings.ES_CA_CERTIFICATES } : {}),
      ...(settings.ES_CA_FINGERPRINT ? { caFingerprint: settings.ES_CA_FINGERPRINT } : {}),
    },
    credentials,
  );
  // One window for the instance: each of MESSAGE_CONCURRENCY objects at once may have
  // ES_BULK_CONCURRENCY requests in flight, which is also what the window allows while the cluster
  // keeps up; it halves on 429/503 and grows back one at a time (bulk/adaptiveConcurrency.ts).
  const transport = new AdaptiveConcurrencyTransport(
    elasticsearch,
    settings.ES_BULK_CONCURRENCY * settings.MESSAGE_CONCURRENCY,
  );
  const queueUrl = settings.QUEUE_URL;
  // Compiled once per container; an expression config refused never reaches here (pipeline/validation/config.ts).
  const lineFilter = lineFilterFromEnvironment(settings.LINE_INCLUDE, settings.LINE_EXCLUDE);
  const multiline = multilineFromEnvironment(settings.MULTILINE);
  return {
    settings,
    objectFilter: objectFilterOf({
      bucket: settings.SOURCE_BUCKET,
      prefix: settings.KEY_PREFIX,
      suffix: settings.KEY_SUFFIX,
      keyPattern: settings.KEY_PATTERN,
    }),
    objectSettings: {
      destination: {
        ...(settings.ES_INDEX ? { index: settings.ES_INDEX } : {}),
        ...(settings.DATA_STREAM_DATASET ? { dataset: settings.DATA_STREAM_DATASET } : {}),
        namespace: settings.DATA_STREAM_NAMESPACE,
      },
      format: settings.LOG_FORMAT,
      region,
      producer: settings.PRODUCER,
      bulkMaxBytes: settings.ES_BULK_MAX_BYTES,
      bulkMaxDocuments: settings.ES_BULK_MAX_DOCUMENTS,
      bulkConcurrency: settings.ES_BULK_CONCURRENCY,
      maxLineBytes: settings.MAX_LINE_BYTES,
      ...(settings.RECORDS_FIELD ? { recordsField: settings.RECORDS_FIELD } : {}),
      ...(settings.TIMESTAMP_FIELD ? { timestampField: settings.TIMESTAMP_FIELD } : {}),
      ...(settings.PRESERVE_ORIGINAL ? { preserveOriginal: true } : {}),
      ...(settings.DEAD_LETTER_INDEX ? { deadLetterIndex: settings.DEAD_LETTER_INDEX } : {}),
      ...(settings.ES_PIPELINE ? { pipeline: settings.ES_PIPELINE } : {}),
      ...(lineFilter ? { lineFilter } : {}),
      ...(multiline ? { multiline } : {}),
    },
    s3,
    sqs,
    transport,
    sendContinuation: async (body: string) => {
      if (!queueUrl) throw new Error("QUEUE_URL is not set, so a continuation cannot be sent");
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  };
}
