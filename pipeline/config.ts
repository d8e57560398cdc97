/**
 * The stack-config contract (`s3-log-shipper:*` keys), validated with zod. Every rule of the
 * design is enforced here, before any resource exists, and a violation becomes one message that
 * names the key and the fix, e.g. `producers[1] (alb): maxReceiveCount must be at least 5, got 3`.
 */
import { z } from "zod";

export const CONFIG_NAMESPACE = "s3-log-shipper";

/** Producer names end up in resource names: short, lower-case, DNS-like. */
export const PRODUCER_NAME_PATTERN = /^[a-z][a-z0-9-]{1,30}$/;

/** SQS event sources: the visibility timeout is this multiple of the function timeout (AWS guidance). */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

/** CloudWatch Logs accepts only these retention periods. */
const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const integer = (min: number, max: number) =>
  z
    .number({ error: (issue) => `must be a whole number from ${min} to ${max}, got ${JSON.stringify(issue.input)}` })
    .int({ error: (issue) => `must be a whole number, got ${JSON.stringify(issue.input)}` })
    .min(min, { error: (issue) => `must be at least ${min}, got ${JSON.stringify(issue.input)}` })
    .max(max, { error: (issue) => `must be at most ${max}, got ${JSON.stringify(issue.input)}` });

const text = (what: string) => z.string({ error: `must be ${what}` }).min(1, { error: `must be ${what}` });

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
  backlogAgeAlarmSeconds: integer(60, 1_209_600),
};

export const DEFAULT_TUNING = {
  timeoutSeconds: 300,
  memoryMb: 512,
  maxReceiveCount: 5,
  batchSize: 10,
  batchWindowSeconds: 0,
  maxConcurrency: 5,
  logRetentionDays: 30,
  backlogAgeAlarmSeconds: 3_600,
} as const;

const defaultsSchema = z.strictObject(tuningShape).partial();

const producerSchema = z
  .strictObject({
    name: z.string({ error: "must be a string" }).regex(PRODUCER_NAME_PATTERN, {
      error: (issue) => `must match ${PRODUCER_NAME_PATTERN} (lower-case letter first, then 1–30 of a-z, 0-9, -), got ${JSON.stringify(issue.input)}`,
    }),
    bucket: text("the name of an existing S3 bucket"),
    prefix: z.string().optional(),
    suffix: z.string().optional(),
    index: text("an index or data stream name").regex(/^[^A-Z\s\\/*?"<>|,#:]+$/, {
      error: "must be a valid index name (lower-case, no spaces or \\ / * ? \" < > | , # :)",
    }),
    format: z.enum(["ndjson", "text", "json", "auto"], { error: (issue) => `must be one of ndjson, text, json, auto, got ${JSON.stringify(issue.input)}` }),
    recordsField: text("a field name").optional(),
    timestampField: text("a field name").optional(),
    deadLetterIndex: text("an index name").optional(),
    ...defaultsSchema.shape,
  })
  .superRefine((producer, context) => {
    if (producer.recordsField && producer.format !== "json" && producer.format !== "auto") {
      context.addIssue({ code: "custom", path: ["recordsField"], message: `only applies to format json or auto, but format is ${producer.format}` });
    }
  });

const elasticsearchSchema = z
  .strictObject({
    endpoint: z.url({ error: "must be a URL like https://my-deployment.es.eu-west-1.aws.elastic-cloud.com:443" }).optional(),
    cloudId: text("an Elastic Cloud id").optional(),
    allowInsecureHttp: z.boolean().default(false),
    /** Per-request timeout of the function's Elasticsearch client. */
    requestTimeoutSeconds: integer(1, 300).default(30),
    vault: z.strictObject({
      mount: text("the KV v2 mount, e.g. secret"),
      path: text("the secret's path in the mount, e.g. logging/elasticsearch"),
    }),
  })
  .superRefine((es, context) => {
    if (Boolean(es.endpoint) === Boolean(es.cloudId)) {
      context.addIssue({ code: "custom", path: [], message: "set exactly one of endpoint and cloudId" });
    }
    if (es.endpoint && new URL(es.endpoint).protocol !== "https:" && !es.allowInsecureHttp) {
      context.addIssue({
        code: "custom",
        path: ["endpoint"],
        message: `must use https (got ${es.endpoint}); set allowInsecureHttp: true only for a test cluster you trust`,
      });
    }
  });

const alertsSchema = z.strictObject({
  emails: z.array(z.email({ error: (issue) => `must be e-mail addresses, got ${JSON.stringify(issue.input)}` })).default([]),
  topicArn: z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]+$/, { error: "must be the ARN of an existing SNS topic" }).optional(),
});

const networkSchema = z.strictObject({
  subnetIds: z.array(text("a subnet id")).min(1, { error: "must list at least one private subnet" }),
  securityGroupIds: z.array(text("a security group id")).min(1, { error: "must list at least one security group" }),
});

export type Tuning = { -readonly [K in keyof typeof DEFAULT_TUNING]: number };
export type ElasticsearchConfig = z.infer<typeof elasticsearchSchema>;
export type AlertsConfig = z.infer<typeof alertsSchema>;
export type NetworkConfig = z.infer<typeof networkSchema>;

/** One producer with every default applied. */
export interface ProducerConfig extends Tuning {
  name: string;
  bucket: string;
  prefix?: string;
  suffix?: string;
  index: string;
  format: "ndjson" | "text" | "json" | "auto";
  recordsField?: string;
  timestampField?: string;
  deadLetterIndex?: string;
  /** Derived: 6 × timeoutSeconds. */
  visibilityTimeoutSeconds: number;
}

export interface ShipperConfig {
  elasticsearch: ElasticsearchConfig;
  alerts: AlertsConfig;
  network?: NetworkConfig;
  producers: ProducerConfig[];
}

/** The raw values of the namespace's keys, as read from stack config (undefined when unset). */
export interface RawShipperConfig {
  elasticsearch?: unknown;
  alerts?: unknown;
  network?: unknown;
  defaults?: unknown;
  producers?: unknown;
}

/** A stack config that breaks the contract. The message names every key at fault and its fix. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid stack config:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Validates stack config and applies defaults. Throws `ConfigError` listing every problem. */
export function validateConfig(raw: RawShipperConfig): ShipperConfig {
  const problems: string[] = [];
  const parse = <T>(key: string, schema: z.ZodType<T>, value: unknown, describeKey: (path: PropertyKey[]) => string = (p) => keyPath(key, p)): T | undefined => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    for (const issue of result.error.issues) problems.push(`${describeKey(issue.path)}${issue.message}`);
    return undefined;
  };

  if (raw.elasticsearch === undefined) problems.push(`elasticsearch: missing; set ${CONFIG_NAMESPACE}:elasticsearch with endpoint (or cloudId) and vault.mount/vault.path`);
  const elasticsearch = raw.elasticsearch === undefined ? undefined : parse("elasticsearch", elasticsearchSchema, raw.elasticsearch);
  const alerts = parse("alerts", alertsSchema, raw.alerts ?? {});
  const network = raw.network === undefined ? undefined : parse("network", networkSchema, raw.network);
  const defaults = parse("defaults", defaultsSchema, raw.defaults ?? {});

  const producers: ProducerConfig[] = [];
  if (!Array.isArray(raw.producers) || raw.producers.length === 0) {
    problems.push(`producers: must list at least one producer (name, bucket, index, format); see README "Adding a producer"`);
  } else {
    raw.producers.forEach((candidate: unknown, position) => {
      const label = producerLabel(candidate, position);
      const producer = parse("producers", producerSchema, candidate, (path) => `${label}: ${path.length > 0 ? `${path.map(String).join(".")} ` : ""}`);
      if (!producer) return;
      const tuning: Tuning = { ...DEFAULT_TUNING, ...(defaults ?? {}), ...definedOnly(producer) } as Tuning;
      producers.push({ ...producer, ...tuning, visibilityTimeoutSeconds: visibilityTimeoutFor(tuning.timeoutSeconds) });
    });
    problems.push(...crossProducerProblems(producers, raw.producers));
    for (const [position, producer] of producers.entries()) {
      if (producer.batchSize > 10 && producer.batchWindowSeconds < 1) {
        problems.push(`${producerLabel(raw.producers[position], position)}: batchSize above 10 needs batchWindowSeconds of at least 1 (an SQS event source rule), got batchSize ${producer.batchSize}`);
      }
    }
  }

  if (problems.length > 0 || !elasticsearch || !alerts) throw new ConfigError(problems);
  return { elasticsearch, alerts, ...(network ? { network } : {}), producers };
}

/** The queue visibility timeout for a function timeout: never below it, 6× by AWS guidance. */
export function visibilityTimeoutFor(timeoutSeconds: number): number {
  return VISIBILITY_TIMEOUT_FACTOR * timeoutSeconds;
}

/**
 * Whether two notification filters on one bucket overlap: S3 refuses a configuration where one
 * object key could match two queue entries for the same event. Prefixes overlap when one starts
 * the other (or one is empty); suffixes when one ends the other.
 */
export function filtersOverlap(a: { prefix?: string; suffix?: string }, b: { prefix?: string; suffix?: string }): boolean {
  const pa = a.prefix ?? "";
  const pb = b.prefix ?? "";
  const sa = a.suffix ?? "";
  const sb = b.suffix ?? "";
  const prefixesOverlap = pa.startsWith(pb) || pb.startsWith(pa);
  const suffixesOverlap = sa.endsWith(sb) || sb.endsWith(sa);
  return prefixesOverlap && suffixesOverlap;
}

/**
 * Groups producers by bucket, keeping config order within each bucket and across buckets. Pure
 * (no Pulumi import), so the local emulator set-up shares it without loading @pulumi/aws (~2 s).
 */
export function groupByBucket<T extends Pick<ProducerConfig, "bucket">>(producers: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const producer of producers) groups.set(producer.bucket, [...(groups.get(producer.bucket) ?? []), producer]);
  return groups;
}

function crossProducerProblems(producers: ProducerConfig[], raw: unknown[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  raw.forEach((candidate, position) => {
    const name = isRecord(candidate) && typeof candidate.name === "string" ? candidate.name : undefined;
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined) problems.push(`producers[${position}] (${name}): name is already used by producers[${first}]; names must be unique`);
    else seen.set(name, position);
  });
  for (let i = 0; i < producers.length; i += 1) {
    for (let j = i + 1; j < producers.length; j += 1) {
      const a = producers[i] as ProducerConfig;
      const b = producers[j] as ProducerConfig;
      if (a.bucket === b.bucket && a.name !== b.name && filtersOverlap(a, b)) {
        problems.push(
          `producers (${a.name}, ${b.name}): both read bucket ${a.bucket} with overlapping filters (prefix ${JSON.stringify(a.prefix ?? "")} / ${JSON.stringify(b.prefix ?? "")}, suffix ${JSON.stringify(a.suffix ?? "")} / ${JSON.stringify(b.suffix ?? "")}); S3 refuses that — give them prefixes or suffixes that cannot both match one key`,
        );
      }
    }
  }
  return problems;
}

function producerLabel(candidate: unknown, position: number): string {
  const name = isRecord(candidate) && typeof candidate.name === "string" ? ` (${candidate.name})` : "";
  return `producers[${position}]${name}`;
}

function keyPath(key: string, path: PropertyKey[]): string {
  const rest = path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
  return `${key}${rest}: `;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
