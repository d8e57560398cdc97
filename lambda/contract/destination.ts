/**
 * Where a producer's documents go and what names their data stream: the datasets of Elastic's AWS
 * integration for AWS's own formats, a dataset of the producer's for the others. Read by the stack
 * config (defaults, checks, the plan) and by the function (the index of each object, the
 * `data_stream.*` fields of its documents), so both sides name a destination alike.
 *
 * The integration writes each log type into `logs-<dataset>-<namespace>` with `data_stream.*`,
 * `event.dataset` and `event.module: aws`; its dashboards filter on `data_stream.dataset`, and
 * Elastic Security's prebuilt CloudTrail rules on `data_stream.dataset` or `event.dataset`
 * (elastic/integrations packages/aws/data_stream/*, elastic/detection-rules rules/integrations/aws).
 */
import type { LogFormat, ResolvedFormat } from "./formats";

/** AWS's formats, each with the integration's dataset for its documents. */
export const AWS_DATASETS = {
  cloudtrail: "aws.cloudtrail",
  alb: "aws.elb_logs",
  nlb: "aws.elb_logs",
  elb: "aws.elb_logs",
  vpcflow: "aws.vpcflow",
  cloudfront: "aws.cloudfront_logs",
  s3access: "aws.s3access",
  waf: "aws.waf",
  cloudwatch: "aws.cloudwatch_logs",
} as const satisfies Partial<Record<ResolvedFormat, string>>;

export type AwsFormat = keyof typeof AWS_DATASETS;

/**
 * `format: aws` objects whose key is no AWS layout are read as text: Elastic's "Custom AWS Logs"
 * integration's generic dataset, unless the producer names one of its own.
 */
export const AWS_GENERIC_DATASET = "aws_logs.generic";

/** The namespace of a producer that names none (Elastic's default). */
export const DEFAULT_NAMESPACE = "default";

/** The type part of every data stream written here. */
export const DATA_STREAM_TYPE = "logs";

export function isAwsFormat(format: string): format is AwsFormat {
  return Object.hasOwn(AWS_DATASETS, format);
}

/** Formats whose destination follows from AWS: the parsed ones and `aws`, decided per object. */
export function namesOwnDataset(format: LogFormat): boolean {
  return isAwsFormat(format) || format === "aws";
}

/** What a producer says of its destination. */
export interface DestinationSettings {
  /** An explicit index or data stream: wins over the data stream name. */
  index?: string;
  /** Non-AWS formats: the producer's own dataset. */
  dataset?: string;
  namespace: string;
}

/** One object's destination, once its format is known. */
export interface Destination {
  index: string;
  /** The `data_stream.*` and `event.dataset`/`event.module` its documents carry; none for a plain index of a non-AWS format. */
  dataStream?: { type: typeof DATA_STREAM_TYPE; dataset: string; namespace: string; module?: "aws" };
}

/** The dataset of an object of `format` (resolved), or undefined when it has none. */
export function datasetOf(
  format: ResolvedFormat,
  configured: LogFormat,
  settings: DestinationSettings,
): string | undefined {
  if (isAwsFormat(format)) return AWS_DATASETS[format];
  if (settings.dataset !== undefined) return settings.dataset;
  return configured === "aws" ? AWS_GENERIC_DATASET : undefined;
}

/**
 * Where an object of `format` goes: the explicit index when there is one, else the data stream
 * `logs-<dataset>-<namespace>`. Throws when neither can be named (the stack config refuses such a
 * producer before it is deployed: pipeline/validation/config.ts).
 */
export function destinationOf(
  format: ResolvedFormat,
  configured: LogFormat,
  settings: DestinationSettings,
): Destination {
  const dataset = datasetOf(format, configured, settings);
  const dataStream: Destination["dataStream"] =
    dataset === undefined
      ? undefined
      : {
          type: DATA_STREAM_TYPE,
          dataset,
          namespace: settings.namespace,
          ...(isAwsFormat(format) || configured === "aws" ? { module: "aws" as const } : {}),
        };
  if (settings.index !== undefined) return { index: settings.index, ...(dataStream ? { dataStream } : {}) };
  if (dataStream === undefined)
    throw new Error(`no destination for format ${format}: set an index, or a dataset for its data stream`);
  return { index: dataStreamName(dataStream.dataset, dataStream.namespace), dataStream };
}

/** `logs-<dataset>-<namespace>`. */
export function dataStreamName(dataset: string, namespace: string): string {
  return `${DATA_STREAM_TYPE}-${dataset}-${namespace}`;
}

/**
 * The index (or pattern) holding every document of a producer, for the tools that count or check
 * them (`s3ls trace`, `s3ls doctor`): the explicit index, the data stream, or for `format: aws`
 * `logs-aws*-<namespace>` (the integration's datasets and the generic one).
 */
export function destinationPatternOf(format: LogFormat, settings: DestinationSettings): string {
  if (settings.index !== undefined) return settings.index;
  if (format === "aws")
    return settings.dataset === undefined
      ? dataStreamName("aws*", settings.namespace)
      : `${dataStreamName("aws.*", settings.namespace)},${dataStreamName(settings.dataset, settings.namespace)}`;
  const dataset = isAwsFormat(format) ? AWS_DATASETS[format] : settings.dataset;
  if (dataset === undefined) throw new Error(`no destination for format ${format}: set an index or a dataset`);
  return dataStreamName(dataset, settings.namespace);
}

/**
 * The destination as the plan prints it: the index, a data stream, or for `format: aws` the data
 * streams its objects go to by their key layout.
 */
export function describeDestination(format: LogFormat, settings: DestinationSettings): string {
  if (settings.index !== undefined) return settings.index;
  if (format === "aws")
    return `${dataStreamName("aws.<dataset>", settings.namespace)} by each object's key layout (${dataStreamName(settings.dataset ?? AWS_GENERIC_DATASET, settings.namespace)} for text)`;
  if (isAwsFormat(format)) return dataStreamName(AWS_DATASETS[format], settings.namespace);
  return settings.dataset === undefined ? "(no index)" : dataStreamName(settings.dataset, settings.namespace);
}

/**
 * Why `value` cannot be a dataset or namespace of a data stream name (Elastic's naming scheme: lower
 * case, no `-`, at most 100 bytes, none of `\ / * ? " < > | , # :` or spaces), or undefined.
 * https://www.elastic.co/docs/reference/fleet/data-streams#data-streams-naming-scheme
 */
export function dataStreamPartProblem(value: string, part: "dataset" | "namespace"): string | undefined {
  if (value.length === 0 || Buffer.byteLength(value) > 100) return `must be 1–100 bytes`;
  if (value !== value.toLowerCase()) return "must be lower case";
  if (/[-\\/*?"<>|,#:\s]/.test(value))
    return `must not contain - (it separates the parts of logs-<dataset>-<namespace>), spaces or \\ / * ? " < > | , # :`;
  if (part === "dataset" && value.startsWith(".")) return "must not start with a dot";
  return undefined;
}

/**
 * The ingest pipeline of a request's documents: the producer's when it names one; `_none` for AWS's
 * formats written to one of the integration's data streams (`logs-aws.<dataset>-*`). Those streams,
 * where Elastic's AWS integration is installed, carry its default pipeline, which parses a raw
 * `message` into the fields these documents already have: it would fail on them and tag each with
 * `error.message` (CloudTrail's first processor renames `message`), or with `preserveOriginal`
 * parse `event.original` again over them. `_none` skips an index's default pipeline for the request
 * (Elasticsearch's bulk API, `pipeline`); a cluster without the integration has none to skip.
 */
export function pipelineOf(destination: Destination, configured: string | undefined): string | undefined {
  if (configured !== undefined) return configured;
  const dataset = destination.dataStream?.dataset;
  const integrations = dataset !== undefined && (Object.values(AWS_DATASETS) as string[]).includes(dataset);
  return integrations && destination.index.startsWith(`${DATA_STREAM_TYPE}-${dataset}-`) ? NO_PIPELINE : undefined;
}

/** Elasticsearch's name for "no ingest pipeline, not even the index's default". */
export const NO_PIPELINE = "_none";
