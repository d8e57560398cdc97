/**
 * The shipper function's environment, written through the function's own contract
 * (`lambda/contract/env.ts`): the keys are its schema's. Pure (no Pulumi imports) so the local emulator and
 * the tests build exactly what is deployed.
 */
import { DEFAULTS, environmentVariables } from "../../lambda/contract/env";
import { multilineVariable } from "../../lambda/contract/multiline";
import type { ElasticsearchConfig, ProducerConfig } from "../validation/schema";
import { oldSpaceMiBFor, semiSpaceMiBFor } from "./memoryBudget";
import { SERVICE_NAME } from "../../lambda/contract/metricNames";
import { DEFAULT_NAMESPACE } from "../../lambda/contract/destination";

/** The function's environment: non-secret settings only (credentials come from SSM at run time). */
export function functionEnvironment(args: {
  producer: ProducerConfig;
  elasticsearch: ElasticsearchConfig;
  parameterName: string;
  queueUrl: string;
  /** The `LogShipper` instance; the standalone stack's by default. */
  instance?: string;
}): Record<string, string> {
  const { producer, elasticsearch } = args;
  return {
    ...environmentVariables({
      ES_ENDPOINT: elasticsearch.endpoint,
      ES_CLOUD_ID: elasticsearch.cloudId,
      ES_CREDENTIALS_PARAMETER: args.parameterName,
      ES_CA_CERTIFICATES: elasticsearch.caCertificate,
      ES_CA_FINGERPRINT: elasticsearch.caFingerprint,
      ES_INDEX: producer.index,
      DATA_STREAM_DATASET: producer.dataset,
      // Written only where it is not the function's own default, so a stack that names none sees no change.
      DATA_STREAM_NAMESPACE: producer.namespace === DEFAULT_NAMESPACE ? undefined : producer.namespace,
      ES_PIPELINE: producer.pipeline,
      ES_COMPRESSION: elasticsearch.compression,
      ES_COMPRESSION_LEVEL: elasticsearch.compression === "gzip" ? elasticsearch.compressionLevel : undefined,
      SOURCE_BUCKET: producer.bucket,
      KEY_PREFIX: producer.prefix,
      KEY_SUFFIX: producer.suffix,
      KEY_PATTERN: producer.keyPattern,
      READ_ROLE_ARN: producer.readRoleArn,
      ES_REQUEST_TIMEOUT_MS: elasticsearch.requestTimeoutSeconds * 1000,
      LOG_FORMAT: producer.format,
      RECORDS_FIELD: producer.recordsField,
      LINE_INCLUDE: producer.include ? JSON.stringify(producer.include) : undefined,
      LINE_EXCLUDE: producer.exclude ? JSON.stringify(producer.exclude) : undefined,
      MULTILINE: producer.multiline ? multilineVariable(producer.multiline) : undefined,
      TIMESTAMP_FIELD: producer.timestampField,
      PRESERVE_ORIGINAL: producer.preserveOriginal ? "true" : undefined,
      DEAD_LETTER_INDEX: producer.deadLetterIndex,
      QUEUE_URL: args.queueUrl,
      PRODUCER: producer.name,
      VISIBILITY_TIMEOUT_SECONDS: producer.visibilityTimeoutSeconds,
      // The memory budget (memoryBudget.ts), written only where it differs from the function's own default.
      MAX_LINE_BYTES: unlessDefault(producer.memory.maxLineBytes, DEFAULTS.MAX_LINE_BYTES),
      MESSAGE_CONCURRENCY: unlessDefault(producer.memory.messageConcurrency, DEFAULTS.MESSAGE_CONCURRENCY),
      ES_BULK_MAX_BYTES: unlessDefault(producer.memory.bulkMaxBytes, DEFAULTS.ES_BULK_MAX_BYTES),
      ES_BULK_CONCURRENCY: unlessDefault(producer.memory.bulkConcurrency, DEFAULTS.ES_BULK_CONCURRENCY),
    }),
    // Read by Node.js itself, not by the function.
    NODE_OPTIONS: nodeOptionsFor(producer.memoryMb),
    // Read by Powertools (lambda/contract/events.ts): the service of the metrics an instance's alarms watch.
    ...(args.instance !== undefined && args.instance !== SERVICE_NAME
      ? { POWERTOOLS_SERVICE_NAME: args.instance }
      : {}),
  };
}

function unlessDefault(value: number, fallback: number): number | undefined {
  return value === fallback ? undefined : value;
}

/**
 * V8 heap settings of a function of `memoryMb` (the memory budget's). With a declared old-space limit V8 collects before growing
 * towards it, which keeps peak RSS flat (measured: ~180 MB instead of ~320 MB for the same work); a
 * larger young generation saves GC time on a shipper's per-line allocations but costs resident
 * memory (~3 MiB per MiB of semi-space, test/memory), so it grows with the function.
 */
export function nodeOptionsFor(memoryMb: number): string {
  return `--max-old-space-size=${oldSpaceMiBFor(memoryMb)} --max-semi-space-size=${semiSpaceMiBFor(memoryMb)}`;
}
