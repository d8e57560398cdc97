/**
 * The function's contract with the program that deploys it: the environment variables it reads,
 * their defaults, and how they are written. `pipeline/function/functionEnvironment.ts` writes through
 * `environmentVariables`, whose keys are this schema's, so a key renamed on one side does not
 * compile, and a fast test reads back what the program writes. Non-secret values only:
 * credentials come from SSM at run time.
 */
import * as z from "zod/mini";
import { FunctionEnvironmentError } from "../errors";
import { LOG_FORMATS } from "./formats";
import { DEFAULT_NAMESPACE } from "./destination";

/** Every run-time default, in one place; the modules' own fallbacks read them from here. */
export const DEFAULTS = {
  /** The queue's visibility timeout: the cap of retry pacing. */
  VISIBILITY_TIMEOUT_SECONDS: 900,
  /** First redelivery delay of a failed message; doubles per receive. */
  RETRY_BASE_DELAY_SECONDS: 30,
  ES_REQUEST_TIMEOUT_MS: 30_000,
  ES_BULK_MAX_BYTES: 5 * 1024 * 1024,
  ES_BULK_MAX_DOCUMENTS: 5_000,
  ES_BULK_CONCURRENCY: 2,
  MESSAGE_CONCURRENCY: 4,
  CREDENTIALS_TTL_SECONDS: 300,
  /** A longer line is cut here and tagged (one line must not take the function's memory). */
  MAX_LINE_BYTES: 8 * 1024 * 1024,
  /** An S3 body that sends nothing for this long is treated as a broken connection (ranged-GET resume). */
  S3_IDLE_TIMEOUT_MS: 20_000,
  /** gzip level of bulk requests: 1 is Filebeat's default; 6 makes 15–20 % fewer bytes for ~2.5× the compression CPU (bench). */
  ES_COMPRESSION_LEVEL: 1,
} as const;

/** How bulk requests go over the wire. */
export const ES_COMPRESSIONS = ["gzip", "none"] as const;

const text = () => z.string().check(z.minLength(1));
const optionalText = () => z.optional(text());
const optionalUrl = () => z.optional(z.url());
const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

const environmentSchema = z
  .object({
    ES_ENDPOINT: optionalUrl(),
    ES_CLOUD_ID: optionalText(),
    ES_CREDENTIALS_PARAMETER: text(),
    /** An explicit index or data stream; absent: `logs-<dataset>-<namespace>` per object (contract/destination.ts). */
    ES_INDEX: optionalText(),
    /** Non-AWS formats: the dataset of the producer's data stream. */
    DATA_STREAM_DATASET: optionalText(),
    DATA_STREAM_NAMESPACE: z._default(text(), DEFAULT_NAMESPACE),
    /** The ingest pipeline every document of the producer goes through (not its dead letters). */
    ES_PIPELINE: optionalText(),
    ES_COMPRESSION: z._default(z.enum(ES_COMPRESSIONS), "gzip"),
    ES_COMPRESSION_LEVEL: z._default(
      z.coerce.number().check(z.int(), z.gte(1), z.lte(9)),
      DEFAULTS.ES_COMPRESSION_LEVEL,
    ),
    /** A self-managed cluster's CA certificates (PEM), verified against instead of the public CAs alone. */
    ES_CA_CERTIFICATES: optionalText(),
    /** Or the SHA-256 fingerprint of the CA in the chain the server presents (bulk/trustedCa.ts). */
    ES_CA_FINGERPRINT: optionalText(),
    /** The producer's objects (objectFilter.ts): its bucket, and a literal prefix and suffix or a key pattern. */
    SOURCE_BUCKET: text(),
    KEY_PREFIX: z._default(z.string(), ""),
    KEY_SUFFIX: z._default(z.string(), ""),
    KEY_PATTERN: optionalText(),
    /** A role to assume for the producer's S3 reads (a bucket owner's), instead of the function's own. */
    READ_ROLE_ARN: optionalText(),
    LOG_FORMAT: z.enum(LOG_FORMATS),
    RECORDS_FIELD: optionalText(),
    /** The producer's include/exclude expressions, JSON arrays (lineFilter.ts). */
    LINE_INCLUDE: optionalText(),
    LINE_EXCLUDE: optionalText(),
    /** A text producer's multiline setting, JSON (contract/multiline.ts). */
    MULTILINE: optionalText(),
    TIMESTAMP_FIELD: optionalText(),
    /** AWS's parsed formats: `true` keeps the raw line in `event.original`. */
    PRESERVE_ORIGINAL: z._default(z.stringbool(), false),
    DEAD_LETTER_INDEX: optionalText(),
    QUEUE_URL: optionalText(),
    PRODUCER: z._default(text(), "unknown"),
    AWS_REGION: z._default(text(), "us-east-1"),
    VISIBILITY_TIMEOUT_SECONDS: positiveInt(DEFAULTS.VISIBILITY_TIMEOUT_SECONDS),
    RETRY_BASE_DELAY_SECONDS: positiveInt(DEFAULTS.RETRY_BASE_DELAY_SECONDS),
    ES_REQUEST_TIMEOUT_MS: positiveInt(DEFAULTS.ES_REQUEST_TIMEOUT_MS),
    ES_BULK_MAX_BYTES: positiveInt(DEFAULTS.ES_BULK_MAX_BYTES),
    ES_BULK_MAX_DOCUMENTS: positiveInt(DEFAULTS.ES_BULK_MAX_DOCUMENTS),
    ES_BULK_CONCURRENCY: positiveInt(DEFAULTS.ES_BULK_CONCURRENCY),
    MESSAGE_CONCURRENCY: positiveInt(DEFAULTS.MESSAGE_CONCURRENCY),
    CREDENTIALS_TTL_SECONDS: positiveInt(DEFAULTS.CREDENTIALS_TTL_SECONDS),
    MAX_LINE_BYTES: positiveInt(DEFAULTS.MAX_LINE_BYTES),
    S3_IDLE_TIMEOUT_MS: positiveInt(DEFAULTS.S3_IDLE_TIMEOUT_MS),
    /** Endpoint overrides so the same code runs against an AWS emulator in tests. */
    AWS_ENDPOINT_URL_S3: optionalUrl(),
    AWS_ENDPOINT_URL_SQS: optionalUrl(),
    AWS_ENDPOINT_URL_SSM: optionalUrl(),
    AWS_ENDPOINT_URL_STS: optionalUrl(),
    S3_FORCE_PATH_STYLE: z.optional(z.enum(["true", "false"])),
  })
  .check(
    z.refine((env) => Boolean(env.ES_ENDPOINT) !== Boolean(env.ES_CLOUD_ID), {
      message: "exactly one of ES_ENDPOINT and ES_CLOUD_ID must be set",
    }),
  );

export type ShipperSettings = z.infer<typeof environmentSchema>;

/** The variables the function reads, by name: what a writer may set (undefined: left out). */
export type EnvironmentValues = { [K in keyof ShipperSettings]?: string | number | undefined };

/** Every variable the function reads. */
export const ENVIRONMENT_KEYS = Object.keys(environmentSchema.def.shape) as (keyof ShipperSettings)[];

/** The environment for `values`: numbers as decimal text, undefined left out. */
export function environmentVariables(values: EnvironmentValues): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) if (value !== undefined) variables[key] = String(value);
  return variables;
}

/** Reads and validates the settings. Throws `FunctionEnvironmentError` naming the variable at fault. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): ShipperSettings {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.map(String).join(".") || "environment"}: ${issue.message}`,
    );
    throw new FunctionEnvironmentError(`invalid function environment: ${problems.join("; ")}`);
  }
  return parsed.data;
}
