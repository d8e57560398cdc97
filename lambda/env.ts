/**
 * The function's settings, read from its environment (non-secret values only: credentials come
 * from SSM at run time). Validated with zod so a deployment bug fails with a clear message.
 */
import * as z from "zod/mini";
import { ConfigurationError } from "./errors";

const text = () => z.string().check(z.minLength(1));
const optionalText = () => z.optional(text());
const optionalUrl = () => z.optional(z.url());
const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

const environmentSchema = z
  .object({
    ES_ENDPOINT: optionalUrl(),
    ES_CLOUD_ID: optionalText(),
    ES_CREDENTIALS_PARAMETER: text(),
    ES_INDEX: text(),
    LOG_FORMAT: z.enum(["ndjson", "text", "json", "auto"]),
    RECORDS_FIELD: optionalText(),
    TIMESTAMP_FIELD: optionalText(),
    DEAD_LETTER_INDEX: optionalText(),
    QUEUE_URL: optionalText(),
    PRODUCER: z._default(text(), "unknown"),
    AWS_REGION: z._default(text(), "us-east-1"),
    /** The queue's visibility timeout: the cap of retry pacing. */
    VISIBILITY_TIMEOUT_SECONDS: positiveInt(900),
    /** First redelivery delay of a failed message; doubles per receive. */
    RETRY_BASE_DELAY_SECONDS: positiveInt(30),
    ES_REQUEST_TIMEOUT_MS: positiveInt(30_000),
    ES_BULK_MAX_BYTES: positiveInt(5 * 1024 * 1024),
    ES_BULK_MAX_DOCUMENTS: positiveInt(5_000),
    ES_BULK_CONCURRENCY: positiveInt(2),
    MESSAGE_CONCURRENCY: positiveInt(4),
    CREDENTIALS_TTL_SECONDS: positiveInt(300),
    MAX_LINE_BYTES: positiveInt(8 * 1024 * 1024),
    /** An S3 body that sends nothing for this long is treated as a broken connection (ranged-GET resume). */
    S3_IDLE_TIMEOUT_MS: positiveInt(20_000),
    /** Endpoint overrides so the same code runs against an AWS emulator in tests. */
    AWS_ENDPOINT_URL_S3: optionalUrl(),
    AWS_ENDPOINT_URL_SQS: optionalUrl(),
    AWS_ENDPOINT_URL_SSM: optionalUrl(),
    S3_FORCE_PATH_STYLE: z.optional(z.enum(["true", "false"])),
  })
  .check(
    z.refine((env) => Boolean(env.ES_ENDPOINT) !== Boolean(env.ES_CLOUD_ID), {
      message: "exactly one of ES_ENDPOINT and ES_CLOUD_ID must be set",
    }),
  );

export type ShipperSettings = z.infer<typeof environmentSchema>;

/** Reads and validates the settings. Throws `ConfigurationError` naming the variable at fault. */
export function readSettings(env: NodeJS.ProcessEnv = process.env): ShipperSettings {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join(".") || "environment"}: ${issue.message}`);
    throw new ConfigurationError(`invalid function environment: ${problems.join("; ")}`);
  }
  return parsed.data;
}
