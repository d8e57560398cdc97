/** The log formats: named once here, read by the stack config, the environment and continuations. */

/** What a producer's objects hold; `auto` decides per object from the first bytes, `aws` from AWS's key layouts. */
export const LOG_FORMATS = [
  "ndjson",
  "text",
  "json",
  "auto",
  "alb",
  "nlb",
  "elb",
  "cloudfront",
  "vpcflow",
  "s3access",
  "cloudwatch",
  "cloudtrail",
  "waf",
  "aws",
] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A format once `auto` or `aws` has been decided for an object. */
export type ResolvedFormat = Exclude<LogFormat, "auto" | "aws">;

/**
 * AWS's own line formats, each line parsed into ECS fields (documents/aws/). `vpcflow` and
 * `cloudfront` start with header lines naming the fields, which a continuation carries.
 */
export const PARSED_LINE_FORMATS = ["alb", "nlb", "elb", "cloudfront", "vpcflow", "s3access"] as const;
export type ParsedLineFormat = (typeof PARSED_LINE_FORMATS)[number];

/**
 * Formats read line by line, with a line's byte offset as its place: text, ndjson lines, the parsed
 * line formats, `waf` (ndjson lines with ECS fields added) and `cloudwatch`, whose "lines" are the
 * JSON documents Firehose concatenates (read/concatenatedJson.ts), each a batch of log events.
 */
export const LINE_FORMATS = ["text", "ndjson", ...PARSED_LINE_FORMATS, "waf", "cloudwatch"] as const;
export type LineFormat = (typeof LINE_FORMATS)[number];

/** Formats read as one JSON document whose records are expanded: `json`, and `cloudtrail` (its `Records`, with ECS fields added). */
export const RECORD_FORMATS = ["json", "cloudtrail"] as const;
export type RecordFormat = (typeof RECORD_FORMATS)[number];

/** Formats whose units are JSON values (their `timestampField` means something, and lines are parsed). */
export const JSON_FORMATS = ["ndjson", "json", "auto", "waf", "cloudtrail", "cloudwatch", "aws"] as const;

export function isParsedLineFormat(format: string): format is ParsedLineFormat {
  return (PARSED_LINE_FORMATS as readonly string[]).includes(format);
}

export function isLineFormat(format: string): format is LineFormat {
  return (LINE_FORMATS as readonly string[]).includes(format);
}

/**
 * Formats whose documents are made from a raw line, message or record (CloudTrail's and WAF's records
 * are reshaped as Elastic's integration shapes them), which `preserveOriginal` keeps in `event.original`.
 */
export const PRESERVES_ORIGINAL: readonly LogFormat[] = [
  ...PARSED_LINE_FORMATS,
  "cloudwatch",
  "cloudtrail",
  "waf",
  "aws",
];
