/**
 * The settings' schema: every key of the stack config (`s3-log-shipper:*`) and of LogShipper's
 * arguments, its type and range, as zod schemas, and the types of the settings once validated.
 * Rules that span several keys or producers are in `rules.ts`; applying defaults and putting the
 * problems into one message, in `config.ts`.
 */
import { z } from "zod";
import { DEFAULTS, ES_COMPRESSIONS } from "../../lambda/contract/env";
import { LOG_FORMATS, PRESERVES_ORIGINAL, type LogFormat } from "../../lambda/contract/formats";
import { AWS_DATASETS, dataStreamPartProblem, isAwsFormat, namesOwnDataset } from "../../lambda/contract/destination";
import { MAX_BACKLOG_ALARM_SECONDS } from "./messageLifetime";
import { patternProblem } from "../../lambda/contract/lineFilter";
import { caCertificatesOf } from "./caCertificate";
import { MIN_LINE_BYTES, type MemoryBudget } from "../function/memoryBudget";
import {
  DEFAULT_MULTILINE_MAX_LINES,
  MULTILINE_MATCHES,
  type MultilineSettings,
} from "../../lambda/contract/multiline";
import type { Tuning } from "./defaults";

export const CONFIG_NAMESPACE = "s3-log-shipper";

/** Producer names end up in resource names: short, lower-case, DNS-like. */
export const PRODUCER_NAME_PATTERN = /^[a-z][a-z0-9-]{1,30}$/;

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const integer = (min: number, max: number) =>
  z
    .number({ error: (issue) => `must be a whole number from ${min} to ${max}, got ${JSON.stringify(issue.input)}` })
    .int({ error: (issue) => `must be a whole number, got ${JSON.stringify(issue.input)}` })
    .min(min, { error: (issue) => `must be at least ${min}, got ${JSON.stringify(issue.input)}` })
    .max(max, { error: (issue) => `must be at most ${max}, got ${JSON.stringify(issue.input)}` });

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

/** The dataset or namespace part of a data stream name (lambda/contract/destination.ts says what Elastic allows). */
const dataStreamPart = (part: "dataset" | "namespace") =>
  z.string({ error: `must be a string (the ${part} of logs-<dataset>-<namespace>)` }).superRefine((value, context) => {
    const problem = dataStreamPartProblem(value, part);
    if (problem)
      context.addIssue({
        code: "custom",
        message: `${problem} (it is the ${part} of the data stream logs-<dataset>-<namespace>), got ${JSON.stringify(value)}`,
      });
  });

/** Settings a producer may override; `defaults` gives them for every producer. */
const tuningShape = {
  /** Function timeout; 10–900 s. */
  timeoutSeconds: integer(10, 900),
  memoryMb: integer(128, 10_240),
  /** Receives before a message moves to the DLQ; at least 5 so a brief outage does not dead-letter. */
  maxReceiveCount: integer(5, 1_000),
  batchSize: integer(1, 10_000),
  batchWindowSeconds: integer(0, 300),
  /** Concurrent function instances for this producer (protects Elasticsearch); AWS minimum is 2. */
  maxConcurrency: integer(2, 1_000),
  logRetentionDays: z.number().refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
    error: (issue) => `must be one of ${LOG_RETENTION_DAYS.join(", ")}, got ${JSON.stringify(issue.input)}`,
  }),
  /** Alarm when the oldest queued message is older than this. */
  backlogAgeAlarmSeconds: integer(60, MAX_BACKLOG_ALARM_SECONDS),
  /** Alarm when no object was shipped for this long (producers that write regularly); no default. */
  expectedIntervalMinutes: integer(5, 1_440),
  /** A longer line (or json record) is cut here and tagged; no default: the memory budget's (memoryBudget.ts). */
  maxLineBytes: integer(MIN_LINE_BYTES, DEFAULTS.MAX_LINE_BYTES),
  /** The namespace of the data stream `logs-<dataset>-<namespace>`; default `default`. */
  namespace: dataStreamPart("namespace"),
  /** Days Elasticsearch keeps the producer's documents (its destination's template); no default: the cluster's. */
  retentionDays: integer(1, 36_500),
};

export const defaultsSchema = z.strictObject(tuningShape).partial();

/** An Elasticsearch index or data stream name (Elasticsearch's rules, less what a template needs). */
const indexName = (what: string) =>
  text(what)
    .regex(/^[^A-Z\s\\/*?"<>|,#:]+$/, {
      error: 'must be a valid index name (lower-case, no spaces or \\ / * ? " < > | , # :)',
    })
    .regex(/^[^-_+]/, { error: "must not start with -, _ or +" })
    .refine((name) => name !== "." && name !== ".." && Buffer.byteLength(name) <= 255, {
      error: "must not be . or .. and at most 255 bytes",
    });

/**
 * A key prefix or suffix as S3 notification filters take it: literal. It also becomes part of the
 * function role's S3 grant, where `*` and `?` are IAM wildcards: they would widen the grant (and
 * match no key in the notification filter), so they are refused.
 */
const keyFilter = (which: "prefix" | "suffix") =>
  z
    .string({ error: "must be a string" })
    .max(1024, { error: "must be at most 1024 characters (S3's key length)" })
    .refine((value) => !/[*?]/.test(value), {
      error: `must not contain * or ?: S3 notification filters are literal (no wildcards), and in the role's S3 grant they would be IAM wildcards widening access; use a literal ${which}`,
    })
    .optional();

/** How S3 tells the queue about new objects (docs/estates.md "Notification sources"). */
export const NOTIFICATION_SOURCES = ["bucket", "eventbridge", "sns"] as const;
export type NotificationSource = (typeof NOTIFICATION_SOURCES)[number];

/**
 * A key pattern: `*` matches any run of characters, `/` included — what EventBridge's `wildcard`
 * and IAM's `*` both mean. `?` is refused: IAM reads it as one character, EventBridge literally.
 */
const keyPattern = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(1024, { error: "must be at most 1024 characters (S3's key length)" })
  .refine((value) => !value.includes("?"), {
    error:
      "must not contain ?: IAM reads it as a wildcard and EventBridge as a literal; use * for any run of characters",
  });

/** An SNS topic by its ARN (any account). */
const snsTopicArn = z
  .string({ error: "must be a string" })
  .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, {
    error: (issue) =>
      `must be an SNS topic ARN like arn:aws:sns:eu-west-1:111122223333:log-bucket-events, got ${JSON.stringify(issue.input)}`,
  });

/** An RE2 expression (lambda/contract/lineFilter.ts says why), or an issue naming what RE2 refuses. */
function re2Pattern(pattern: string, context: z.RefinementCtx): void {
  const problem = patternProblem(pattern);
  if (problem)
    context.addIssue({
      code: "custom",
      message: `${JSON.stringify(pattern)} is not an RE2 regular expression (no look-around or back-references): ${problem}`,
    });
}

/** `multiline` of a text producer: Filebeat's pattern multiline (lambda/contract/multiline.ts). */
export const multilineSchema = z.strictObject({
  pattern: z
    .string({ error: "must be a regular expression" })
    .min(1, { error: "must not be empty" })
    .superRefine(re2Pattern),
  negate: z.boolean({ error: "must be true or false" }).default(false),
  match: z.enum(MULTILINE_MATCHES, {
    error: (issue) => `must be one of ${MULTILINE_MATCHES.join(", ")}, got ${JSON.stringify(issue.input)}`,
  }),
  maxLines: integer(1, 100_000).default(DEFAULT_MULTILINE_MAX_LINES),
  /** No default here: the memory budget's line limit (memoryBudget.ts). */
  maxBytes: integer(1024, DEFAULTS.MAX_LINE_BYTES).optional(),
});

/** Include/exclude expressions: RE2 syntax (lambda/contract/lineFilter.ts says why). */
const linePatterns = z
  .array(z.string({ error: "must be a list of regular expressions" }).superRefine(re2Pattern), {
    error: "must be a list of regular expressions",
  })
  .min(1, { error: "must list at least one expression, or be left out" });

/** An IAM role by its ARN. */
const roleArn = (what: string) =>
  z.string({ error: "must be a string" }).regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/, {
    error: (issue) =>
      `must be the ARN of ${what}, like arn:aws:iam::222233334444:role/s3-log-shipper, got ${JSON.stringify(issue.input)}`,
  });

/** Another account a producer's bucket lives in: the role the deployment assumes there. */
export const accountSchema = z.strictObject({
  roleArn: roleArn(
    "the role `pulumi up` assumes in that account (to write the bucket's notification entry or EventBridge rule)",
  ),
});

/** A KMS key by its ARN: IAM authorises `kms:Decrypt` on the key, never on an alias or a bare id. */
const kmsKeyArn = z
  .string({ error: "must be a string" })
  .regex(/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/, {
    error: (issue) =>
      `must be a KMS key ARN like arn:aws:kms:eu-west-1:111122223333:key/<key id> (not an alias or a key id), got ${JSON.stringify(issue.input)}`,
  });

export const producerSchema = z
  .strictObject({
    name: z.string({ error: "must be a string" }).regex(PRODUCER_NAME_PATTERN, {
      error: (issue) =>
        `must match ${PRODUCER_NAME_PATTERN} (lower-case letter first, then 1–30 of a-z, 0-9, -), got ${JSON.stringify(issue.input)}`,
    }),
    bucket: text("the name of an existing S3 bucket").superRefine((bucket, context) => {
      const problem = bucketNameProblem(bucket);
      if (problem) context.addIssue({ code: "custom", message: `${problem}, got ${JSON.stringify(bucket)}` });
    }),
    prefix: keyFilter("prefix"),
    suffix: keyFilter("suffix"),
    keyPattern: keyPattern.optional(),
    notifications: z
      .enum(NOTIFICATION_SOURCES, {
        error: (issue) => `must be one of ${NOTIFICATION_SOURCES.join(", ")}, got ${JSON.stringify(issue.input)}`,
      })
      .default("bucket"),
    snsTopicArn: snsTopicArn.optional(),
    index: indexName("an index or data stream name").optional(),
    dataset: dataStreamPart("dataset").optional(),
    format: z.enum(LOG_FORMATS, {
      error: (issue) => `must be one of ${LOG_FORMATS.join(", ")}, got ${JSON.stringify(issue.input)}`,
    }),
    recordsField: text("a field name").optional(),
    timestampField: text("a field name").optional(),
    deadLetterIndex: indexName("an index name").optional(),
    include: linePatterns.optional(),
    exclude: linePatterns.optional(),
    multiline: multilineSchema.optional(),
    preserveOriginal: z.boolean().optional(),
    /** The ingest pipeline of the producer's documents (bulk `pipeline`). */
    pipeline: z
      .string({ error: "must be the id of an ingest pipeline" })
      .regex(/^[^\s"\\/*?<>|,#:]{1,255}$/, {
        error: (issue) =>
          `must be the id of an ingest pipeline (1–255 characters, no spaces or " \\ / * ? < > | , # :), got ${JSON.stringify(issue.input)}`,
      })
      .optional(),
    bucketAccount: z
      .string({ error: "must be the name of an entry of s3-log-shipper:accounts" })
      .regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "must be the name of an entry of s3-log-shipper:accounts" })
      .optional(),
    readRoleArn: roleArn("a role the function assumes for the producer's S3 reads").optional(),
    objectKmsKeyArns: z.array(kmsKeyArn).min(1, { error: "must list at least one key ARN, or be left out" }).optional(),
    ...defaultsSchema.shape,
  })
  .superRefine((producer, context) => {
    if (producer.keyPattern !== undefined && (producer.prefix !== undefined || producer.suffix !== undefined)) {
      context.addIssue({
        code: "custom",
        path: ["keyPattern"],
        message: "replaces prefix and suffix: set either keyPattern or prefix/suffix, not both",
      });
    }
    if (producer.multiline !== undefined && producer.format !== "text") {
      context.addIssue({
        code: "custom",
        path: ["multiline"],
        message: `only applies to format: text, but format is ${producer.format} (ndjson and json records are whole documents already)`,
      });
    }
    if (producer.dataset !== undefined && isAwsFormat(producer.format)) {
      context.addIssue({
        code: "custom",
        path: ["dataset"],
        message: `only applies to formats that are not AWS's own: format ${producer.format} writes the dataset of Elastic's AWS integration (${AWS_DATASETS[producer.format]}); leave dataset out, or set index`,
      });
    }
    if (producer.index === undefined && producer.dataset === undefined && !namesOwnDataset(producer.format)) {
      context.addIssue({
        code: "custom",
        path: ["index"],
        message: `missing; set index (an index or data stream), or dataset to write the data stream logs-<dataset>-<namespace> (AWS's formats name their own: ${Object.keys(AWS_DATASETS).join(", ")}, aws)`,
      });
    }
    if (producer.preserveOriginal !== undefined && !PRESERVES_ORIGINAL.includes(producer.format)) {
      context.addIssue({
        code: "custom",
        path: ["preserveOriginal"],
        message: `only applies to AWS's parsed formats (${PRESERVES_ORIGINAL.join(", ")}), but format is ${producer.format} (its documents keep their record as it is)`,
      });
    }
    if (producer.keyPattern !== undefined && producer.notifications === "bucket") {
      context.addIssue({
        code: "custom",
        path: ["keyPattern"],
        message:
          "needs notifications: eventbridge or sns; a bucket notification filters only on a literal prefix and suffix",
      });
    }
    if (producer.notifications === "sns" && producer.snsTopicArn === undefined) {
      context.addIssue({
        code: "custom",
        path: ["snsTopicArn"],
        message: "is required with notifications: sns (the topic S3 publishes to)",
      });
    }
    if (producer.notifications !== "sns" && producer.snsTopicArn !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["snsTopicArn"],
        message: `only applies to notifications: sns, but notifications is ${producer.notifications}`,
      });
    }
    if (producer.recordsField && producer.format !== "json" && producer.format !== "auto") {
      context.addIssue({
        code: "custom",
        path: ["recordsField"],
        message: `only applies to format json or auto, but format is ${producer.format}`,
      });
    }
  });

/**
 * Why `name` is not a general purpose bucket name by S3's rules (it would otherwise flow into IAM
 * ARNs and queue-policy conditions, where `*` or `?` widen them), or undefined when it is one.
 * Legacy us-east-1 names with upper-case letters or underscores are not supported.
 */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return "must be a bucket name of 3 to 63 characters";
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return "must be a bucket name: lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit (no * or ?)";
  if (name.includes("..")) return "must be a bucket name without two adjacent dots";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return "must be a bucket name, not an IP address";
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name))
    return "must be a general purpose bucket name (S3 reserves this prefix or suffix)";
  return undefined;
}

export const elasticsearchSchema = z
  .strictObject({
    endpoint: z
      .url({ error: "must be a URL like https://my-deployment.es.eu-west-1.aws.elastic-cloud.com:443" })
      .optional(),
    cloudId: text("an Elastic Cloud id").optional(),
    allowInsecureHttp: z.boolean().default(false),
    /** Per-request timeout of the function's Elasticsearch client. */
    requestTimeoutSeconds: integer(1, 300).default(DEFAULTS.ES_REQUEST_TIMEOUT_MS / 1000),
    /** Bulk request bodies gzip-compressed (Content-Encoding: gzip), or sent as they are. */
    compression: z
      .enum(ES_COMPRESSIONS, {
        error: (issue) => `must be one of ${ES_COMPRESSIONS.join(", ")}, got ${JSON.stringify(issue.input)}`,
      })
      .default("gzip"),
    compressionLevel: integer(1, 9).optional(),
    /** A self-managed cluster's CA, as PEM: the function verifies the server's certificate against it. */
    caCertificate: z
      .string({ error: "must be the CA's certificate as PEM text" })
      .transform((pem, context) => {
        const read = caCertificatesOf(pem);
        if ("problem" in read) {
          context.addIssue({ code: "custom", message: read.problem });
          return z.NEVER;
        }
        return read.pem;
      })
      .optional(),
    /** Or the SHA-256 fingerprint of the CA certificate in the chain the server presents (as the ES client takes it). */
    caFingerprint: z
      .string()
      .regex(/^(?:[0-9A-Fa-f]{2}:){31}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{64}$/, {
        error: (issue) =>
          `must be a SHA-256 fingerprint (64 hex digits, colons allowed), got ${JSON.stringify(issue.input)}; openssl x509 -in ca.crt -noout -fingerprint -sha256 prints it`,
      })
      .optional(),
    vault: z.strictObject({
      mount: text("the KV v2 mount, e.g. secret"),
      path: text("the secret's path in the mount, e.g. logging/elasticsearch"),
    }),
    /** `pulumi up` puts each destination's index template and retention (pipeline/elasticsearch/); false: managed elsewhere. */
    manageIndices: z.boolean({ error: "must be true or false" }).default(true),
    /** An administrator's credential in Vault, for those requests only (read at each operation, never stored). */
    adminVault: z
      .strictObject({
        mount: text("the KV v2 mount, e.g. secret"),
        path: text("the secret's path in the mount, e.g. logging/elasticsearch-admin"),
      })
      .optional(),
  })
  .superRefine((es, context) => {
    if (Boolean(es.endpoint) === Boolean(es.cloudId)) {
      context.addIssue({ code: "custom", path: [], message: "set exactly one of endpoint and cloudId" });
    }
    const url = es.endpoint ? new URL(es.endpoint) : undefined;
    if (url && (url.username || url.password)) {
      context.addIssue({
        code: "custom",
        path: ["endpoint"],
        message:
          "must not carry credentials (user:password@): they would sit in the function's environment, the stack state and plan output; put them in Vault (vault.mount/vault.path)",
      });
    }
    if (es.manageIndices && es.adminVault === undefined) {
      context.addIssue({
        code: "custom",
        path: ["adminVault"],
        message:
          "missing: pulumi up puts each destination's index template with an administrator's credential (README \"The Elasticsearch side\"); give its Vault mount and path (adminVault: {mount, path}), or set manageIndices: false to manage the templates yourself (npm run plan -- --elasticsearch-requests DIR writes them)",
      });
    }
    if (!es.manageIndices && es.adminVault !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["adminVault"],
        message: "is used only with manageIndices: true, but manageIndices is false",
      });
    }
    if (es.compression === "none" && es.compressionLevel !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["compressionLevel"],
        message: "only applies to compression: gzip, but compression is none",
      });
    }
    if (es.caCertificate !== undefined && es.caFingerprint !== undefined) {
      context.addIssue({
        code: "custom",
        path: ["caFingerprint"],
        message: "set either caCertificate (the CA's PEM) or caFingerprint, not both",
      });
    }
    const trust =
      es.caCertificate !== undefined ? "caCertificate" : es.caFingerprint !== undefined ? "caFingerprint" : undefined;
    if (trust && url && url.protocol !== "https:") {
      context.addIssue({
        code: "custom",
        path: [trust],
        message: `only applies to an https endpoint, but endpoint is ${url.protocol}//${url.host}`,
      });
    }
    if (es.endpoint && url?.protocol !== "https:" && !es.allowInsecureHttp) {
      context.addIssue({
        code: "custom",
        path: ["endpoint"],
        message: `must use https (got ${url?.protocol ?? "?"}//${url?.host ?? ""}); set allowInsecureHttp: true only for a test cluster you trust`,
      });
    }
  });

export const alertsSchema = z.strictObject({
  emails: z
    .array(z.email({ error: (issue) => `must be e-mail addresses, got ${JSON.stringify(issue.input)}` }))
    .default([]),
  topicArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, {
      error: "must be the ARN of an existing SNS topic",
    })
    .optional(),
});

export const accountsSchema = z.record(
  z.string().regex(/^[a-z][a-z0-9-]{0,30}$/, { error: "an account's name must match ^[a-z][a-z0-9-]{0,30}$" }),
  accountSchema,
);

export const networkSchema = z.strictObject({
  subnetIds: z.array(text("a subnet id")).min(1, { error: "must list at least one private subnet" }),
  securityGroupIds: z.array(text("a security group id")).min(1, { error: "must list at least one security group" }),
});

export type ElasticsearchConfig = z.infer<typeof elasticsearchSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;

/** One producer with every default applied. */
export interface ProducerConfig extends Tuning {
  name: string;
  bucket: string;
  prefix?: string;
  suffix?: string;
  /** With eventbridge or sns: the keys it reads, instead of prefix and suffix. */
  keyPattern?: string;
  notifications: NotificationSource;
  /** With sns: the topic S3 publishes the bucket's events to. */
  snsTopicArn?: string;
  /** An explicit index or data stream; absent: the data stream `logs-<dataset>-<namespace>` (lambda/contract/destination.ts). */
  index?: string;
  /** Non-AWS formats: the dataset of the producer's data stream. */
  dataset?: string;
  /** The namespace of its data stream: the producer's, the defaults', else `default`. */
  namespace: string;
  format: LogFormat;
  recordsField?: string;
  timestampField?: string;
  deadLetterIndex?: string;
  pipeline?: string;
  include?: string[];
  exclude?: string[];
  /** text only: lines joined into events. */
  multiline?: MultilineSettings;
  /** AWS's parsed formats: the raw line in `event.original` too. */
  preserveOriginal?: boolean;
  /** The entry of `accounts` the bucket lives in; absent: the stack's own account. */
  bucketAccount?: string;
  /** A role the function assumes for this producer's S3 reads, instead of reading with its own. */
  readRoleArn?: string;
  /** The customer-managed keys the producer's objects are encrypted with (SSE-KMS), any account. */
  objectKmsKeyArns?: string[];
  /** Derived: 6 × timeoutSeconds. */
  visibilityTimeoutSeconds: number;
  /** Derived from memoryMb (and maxLineBytes, multiline.maxBytes): what holds bytes, and the V8 heap flags. */
  memory: MemoryBudget;
}

/** Another account, by the name producers give it, with the role deployments assume there and its id. */
export interface AccountConfig {
  roleArn: string;
  /** Taken from the role's ARN. */
  accountId: string;
}

export interface ShipperConfig {
  /** Accounts other than the stack's that producers' buckets live in, by name. */
  accounts: Record<string, AccountConfig>;
  elasticsearch: ElasticsearchConfig;
  alerts: AlertsConfig;
  network?: NetworkConfig;
  producers: ProducerConfig[];
}

/** The settings of the namespace: every other key is refused. */
export const SECTIONS: readonly string[] = ["elasticsearch", "alerts", "network", "accounts", "defaults", "producers"];

/** The values of the namespace's keys, as read from stack config (the namespace left off). */
export type RawShipperConfig = Record<string, unknown>;

/**
 * The settings' schemas by the argument type they check (`arguments.ts`), for the test that holds the
 * two together key by key and the generated argument reference.
 */
export const SETTINGS_SCHEMAS = {
  ElasticsearchArgs: elasticsearchSchema,
  VaultSecretArgs: elasticsearchSchema.shape.vault,
  AlertsArgs: alertsSchema,
  NetworkArgs: networkSchema,
  AccountArgs: accountSchema,
  TuningArgs: defaultsSchema,
  ProducerArgs: producerSchema,
  MultilineArgs: multilineSchema,
} as const;

/** The top-level settings: LogShipper's arguments, stack config's keys. */
export const SETTINGS_SECTIONS = SECTIONS;
