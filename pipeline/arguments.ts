/**
 * The arguments of `LogShipper`: the stack-config contract without its namespace — the same keys,
 * the same defaults, validated by the same schema (`config.ts`). These interfaces are what a
 * consumer's editor completes and documents, and what the component provider's schema for other
 * languages is inferred from (`scripts/schema.ts`), so they stay within what Pulumi's TypeScript
 * schema inference reads: interfaces, arrays, maps, `as const` enums, top-level arguments as
 * `Input`s. A test holds them against the zod schema key by key, and the README's argument
 * reference is generated from the inferred schema: the three cannot drift.
 *
 * Values are plain: the component decides from them which resources exist (a pipeline per
 * producer, a notification resource per bucket) and checks them all before creating any. Only
 * `network.subnetIds`, `network.securityGroupIds` and `alerts.topicArn`, which shape nothing, may be
 * Outputs of other resources (a VPC's subnets, a topic of the same program).
 */
import type * as pulumi from "@pulumi/pulumi";

/** What a producer's objects hold (docs/configuration.md "Configuration"). */
export const LogFormat = {
  /** A JSON document per line; a line that is not JSON is indexed as `message`, tagged `_shipper_invalid_json`. */
  Ndjson: "ndjson",
  /** A line is `message`. */
  Text: "text",
  /** One JSON document: a top-level array, the array in `recordsField`, or the document itself. */
  Json: "json",
  /** Decided per object from its first bytes; expands `Records` when `recordsField` is unset. */
  Auto: "auto",
  /** Application Load Balancer access and connection logs, parsed into ECS fields. */
  Alb: "alb",
  /** Network Load Balancer (TLS listener) access logs, parsed into ECS fields. */
  Nlb: "nlb",
  /** Classic Load Balancer access logs, parsed into ECS fields. */
  Elb: "elb",
  /** CloudFront standard logs, legacy and v2 (w3c, plain or JSON output; any field selection), parsed into ECS fields. */
  Cloudfront: "cloudfront",
  /** VPC flow logs delivered to S3 (default or custom format, named by the header line), parsed into ECS fields. */
  Vpcflow: "vpcflow",
  /** S3 server access logs, parsed into ECS fields. */
  S3access: "s3access",
  /** CloudWatch Logs delivered by Firehose: a document per log event, control messages skipped. */
  Cloudwatch: "cloudwatch",
  /** A CloudTrail log file: its `Records`, each with ECS fields beside the record. */
  Cloudtrail: "cloudtrail",
  /** AWS WAF logs (a JSON record per line), with ECS fields beside the record. */
  Waf: "waf",
  /** Decided per object from AWS's standard key layouts (and CloudWatch's first bytes); text otherwise. */
  Aws: "aws",
} as const;
export type LogFormat = (typeof LogFormat)[keyof typeof LogFormat];

/** How S3 tells the producer's queue about new objects (docs/estates.md "Notification sources"). */
export const NotificationSource = {
  /** An entry in the bucket's notification configuration, added beside the entries of others. */
  Bucket: "bucket",
  /** A rule on the default event bus of the bucket's account (the bucket sends its events to EventBridge). */
  EventBridge: "eventbridge",
  /** A subscription to the SNS topic the bucket publishes its events to (`snsTopicArn`). */
  Sns: "sns",
} as const;
export type NotificationSource = (typeof NotificationSource)[keyof typeof NotificationSource];

/** How bulk request bodies go over the wire. */
export const BulkCompression = {
  /** gzip-compressed (`Content-Encoding: gzip`), off the JavaScript thread. */
  Gzip: "gzip",
  /** As they are. */
  None: "none",
} as const;
export type BulkCompression = (typeof BulkCompression)[keyof typeof BulkCompression];

/** Where lines that continue an event go (Filebeat's `multiline.match`). */
export const MultilineMatch = {
  /** Appended to the line before them that does not continue. */
  After: "after",
  /** Prepended to the next line that does not continue. */
  Before: "before",
} as const;
export type MultilineMatch = (typeof MultilineMatch)[keyof typeof MultilineMatch];

/** Where the Elasticsearch credentials are in Vault (KV v2): `api_key`, or `username` and `password`. */
export interface VaultSecretArgs {
  /** The KV v2 mount, e.g. `secret`. */
  mount: string;
  /** The secret's path in the mount, e.g. `logging/elasticsearch`. */
  path: string;
}

/** The cluster the functions write to. Exactly one of `endpoint` and `cloudId`. */
export interface ElasticsearchArgs {
  /** `https://host:port` of the cluster; credentials in the URL are refused (they belong in Vault). */
  endpoint?: string;
  /** An Elastic Cloud deployment id, instead of `endpoint`. */
  cloudId?: string;
  /** Must be `true` to use an `http://` endpoint (test clusters only). Default `false`. */
  allowInsecureHttp?: boolean;
  /** Per `_bulk` request, seconds, 1–300. Default 30. */
  requestTimeoutSeconds?: number;
  /** Bulk request bodies gzip-compressed or sent as they are. Default `gzip`. */
  compression?: BulkCompression;
  /** gzip level 1–9, with `compression: gzip` only. Default 1 (Filebeat's). */
  compressionLevel?: number;
  /** A self-managed cluster's CA (or chain) as PEM: the function verifies the server against it alone. */
  caCertificate?: string;
  /** Instead of `caCertificate`: the SHA-256 fingerprint of the CA certificate in the chain the server presents. */
  caFingerprint?: string;
  /** Where the credentials are in Vault; `pulumi up` stores them KMS-encrypted in SSM. */
  vault: VaultSecretArgs;
  /** `pulumi up` puts each destination's index template and retention; `false` leaves the cluster to you. Default `true`. */
  manageIndices?: boolean;
  /** An administrator's credential in Vault (`api_key`, or `username` and `password`), read at each template operation and never stored; required with `manageIndices`. */
  adminVault?: VaultSecretArgs;
}

/** Where alarms go. */
export interface AlertsArgs {
  /** Addresses subscribed to the alarm topic (each confirms by e-mail). Default none. */
  emails?: string[];
  /** An existing SNS topic to use instead of creating one (the e-mails are subscribed to it). */
  topicArn?: pulumi.Input<string>;
}

/** Run the functions inside a VPC (a private Elasticsearch endpoint). S3, SQS, SSM and KMS then need VPC endpoints or NAT. */
export interface NetworkArgs {
  /** Private subnets for the functions, at least one. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups for the functions, at least one. */
  securityGroupIds: pulumi.Input<pulumi.Input<string>[]>;
}

/** Another account producers' buckets live in (a log-archive account). */
export interface AccountArgs {
  /** The role `pulumi up` assumes there to write the bucket's notification entry, or the EventBridge rule and target. */
  roleArn: string;
}

/** Lines joined into events before they are shipped (`text` only; Filebeat's pattern multiline). */
export interface MultilineArgs {
  /** An RE2 expression: a line matching it continues an event (with `negate`, a line not matching it). */
  pattern: string;
  /** Continuing lines are those that do not match. Default `false`. */
  negate?: boolean;
  /** Whether continuing lines join the line before them or the next one. */
  match: MultilineMatch;
  /** Lines in one event at most; the rest starts the next event, both tagged. Default 500. */
  maxLines?: number;
  /** Bytes in one event at most, 1024–8388608. Default the line limit of the memory budget. */
  maxBytes?: number;
}

/** Settings every producer has; `defaults` gives them for all, a producer overrides them. */
export interface TuningArgs {
  /** Function timeout, seconds, 10–900. Default 300. The queue's visibility timeout is 6 × this. */
  timeoutSeconds?: number;
  /** Function memory, MB, 128–10240. Default 512. The line limit, messages at once and bulk sizes follow from it. */
  memoryMb?: number;
  /** Receives before a message moves to the DLQ, at least 5 (at most what reaches the DLQ with 7 days to spare). Default 5. */
  maxReceiveCount?: number;
  /** Messages per invocation, 1–10000; above 10 needs `batchWindowSeconds` ≥ 1. Default 10. */
  batchSize?: number;
  /** Seconds to gather a batch, 0–300. Default 0. */
  batchWindowSeconds?: number;
  /** Concurrent functions for the producer, 2–1000: protects Elasticsearch. Default 5. */
  maxConcurrency?: number;
  /** Days the function's log group keeps logs (a CloudWatch Logs value: 1, 3, 5, 7, 14, 30, …, 3653). Default 30. */
  logRetentionDays?: number;
  /** Alarm when the oldest queued message is older than this many seconds, 60–86400. Default 3600. */
  backlogAgeAlarmSeconds?: number;
  /** Alarm when no object was shipped for this many minutes, 5–1440 (producers that write regularly). Default none. */
  expectedIntervalMinutes?: number;
  /** A longer line (or json record) is indexed cut here and tagged, 1024–8388608 bytes. Default the memory budget's. */
  maxLineBytes?: number;
  /** The namespace of the data stream `logs-<dataset>-<namespace>`: lower case, no `-`. Default `default`. */
  namespace?: string;
  /** Days Elasticsearch keeps the producer's documents, 1–36500: the retention of its destination's index template. Default none (the cluster's). */
  retentionDays?: number;
}

/** One log producer: a bucket (and the keys in it) shipped into one index or data stream. */
export interface ProducerArgs extends TuningArgs {
  /** `^[a-z][a-z0-9-]{1,30}$`, unique; names the producer's resources. */
  name: string;
  /** An existing general purpose bucket. */
  bucket: string;
  /** Key prefix filter, literal (no `*` or `?`). */
  prefix?: string;
  /** Key suffix filter, literal. Producers on one bucket must not have overlapping filters. */
  suffix?: string;
  /** With `eventbridge` or `sns`, instead of prefix/suffix: the keys read, `*` any run of characters. */
  keyPattern?: string;
  /** How the queue hears of new objects. Default `bucket`. */
  notifications?: NotificationSource;
  /** With `notifications: sns`: the topic S3 publishes the bucket's events to (any account). */
  snsTopicArn?: string;
  /**
   * The index or data stream; always written with op `create`. Default for AWS's formats (and with
   * `dataset`): the data stream `logs-<dataset>-<namespace>`, Elastic's AWS integration's.
   */
  index?: string;
  /** Formats other than AWS's: the dataset of the data stream `logs-<dataset>-<namespace>` (lower case, no `-`). */
  dataset?: string;
  /** What the objects hold. */
  format: LogFormat;
  /** json/auto only: the array to expand (CloudTrail: `Records`); a document without it fails for good. */
  recordsField?: string;
  /** Field (dotted path allowed) holding ISO 8601 or epoch seconds/milliseconds for `@timestamp`. */
  timestampField?: string;
  /** Where documents Elasticsearch refuses for good go, with the raw record and the error. */
  deadLetterIndex?: string;
  /** The ingest pipeline every document of the producer goes through. */
  pipeline?: string;
  /** RE2 expressions: a line (or json record) is shipped only when one of them matches. */
  include?: string[];
  /** RE2 expressions: lines not to ship; exclude wins over include. */
  exclude?: string[];
  /** `text` only: lines joined into events. */
  multiline?: MultilineArgs;
  /** AWS's formats (alb … s3access, cloudwatch, cloudtrail, waf, aws): also keep the raw line or record in `event.original`. Default false. */
  preserveOriginal?: boolean;
  /** The entry of `accounts` the bucket lives in. Default the stack's own account. */
  bucketAccount?: string;
  /** A role the function assumes for this producer's S3 reads, instead of its own. */
  readRoleArn?: string;
  /** Customer-managed KMS keys (ARNs, any account) the objects are encrypted with (SSE-KMS). */
  objectKmsKeyArns?: string[];
}

/** The arguments of `new LogShipper(name, args, opts)`. */
export interface LogShipperArgs {
  /** The cluster the functions write to, and where its credentials are in Vault. */
  elasticsearch: pulumi.Input<ElasticsearchArgs>;
  /** The log producers, at least one: a pipeline each. */
  producers: pulumi.Input<ProducerArgs[]>;
  /** Where alarms go. Default: a new topic with no subscriptions. */
  alerts?: pulumi.Input<AlertsArgs>;
  /** Other accounts producers' buckets live in, by the name producers give in `bucketAccount`. */
  accounts?: pulumi.Input<Record<string, AccountArgs>>;
  /** Settings for every producer (a producer's own win). */
  defaults?: pulumi.Input<TuningArgs>;
  /** Run the functions inside a VPC. */
  network?: pulumi.Input<NetworkArgs>;
}
