/**
 * `format: aws`: which of AWS's own formats an object holds, from the key layout the service that
 * delivered it uses (each page cited where its pattern is matched). Matched on the key's own
 * segments, so the bucket owner's prefix before `AWSLogs/` does not matter. Firehose's CloudWatch
 * Logs objects have no layout of their own (the delivery stream's prefix, then `YYYY/MM/DD/HH/`):
 * they are told by their first bytes (`{"messageType":`); anything else is text.
 */
import type { ResolvedFormat } from "../contract/formats";

/** `…/AWSLogs/<account>/` or an organisation trail's `…/AWSLogs/o-<org>/<account>/`, or Hive-style partitions. */
const AWS_LOGS = String.raw`(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(?:aws-account-id=)?\d{12}/`;

const LAYOUTS: Array<{ format: ResolvedFormat; pattern: RegExp; source: string }> = [
  {
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
    // …/elasticloadbalancing/region/yyyy/mm/dd/account_elasticloadbalancing_region_app.load-balancer-id_end-time_ip_random.log.gz
    // and its connection logs beside them, the same name after `conn_log_` (…/load-balancer-connection-logs.html;
    // the `alb` parser reads both kinds of line, documents/aws/elb.ts)
    format: "alb",
    pattern: new RegExp(`${AWS_LOGS}(?:aws-service=)?elasticloadbalancing/.*_elasticloadbalancing_[^_/]+_app\\.[^/]*$`),
    source: "Application Load Balancer access logs",
  },
  {
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html (…_net.load-balancer-id_…)
    format: "nlb",
    pattern: new RegExp(`${AWS_LOGS}(?:aws-service=)?elasticloadbalancing/.*_elasticloadbalancing_[^_/]+_net\\.[^/]*$`),
    source: "Network Load Balancer access logs",
  },
  {
    // https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
    // …/elasticloadbalancing/region/yyyy/mm/dd/account_elasticloadbalancing_region_load-balancer-name_end-time_ip_random.log
    format: "elb",
    pattern: new RegExp(`${AWS_LOGS}(?:aws-service=)?elasticloadbalancing/.*_elasticloadbalancing_[^/]*$`),
    source: "Classic Load Balancer access logs",
  },
  {
    // https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3-path.html
    format: "vpcflow",
    pattern: new RegExp(`${AWS_LOGS}(?:aws-service=)?vpcflowlogs/`),
    source: "VPC flow logs",
  },
  {
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/get-and-view-cloudtrail-log-files.html
    // (digest files, beside them, are one JSON document each: not a trail's records)
    format: "json",
    pattern: new RegExp(`${AWS_LOGS}CloudTrail-Digest/`),
    source: "CloudTrail digest files",
  },
  {
    format: "cloudtrail",
    pattern: new RegExp(`${AWS_LOGS}CloudTrail(?:-Insight)?/`),
    source: "CloudTrail log files",
  },
  {
    // https://docs.aws.amazon.com/waf/latest/developerguide/logging-s3.html
    format: "waf",
    pattern: new RegExp(`${AWS_LOGS}WAFLogs/`),
    source: "AWS WAF logs",
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html (standard logging
    // v2, "Example paths to access logs"): without a prefix of the owner's, `AWSLogs/{account-id}/CloudFront/`.
    format: "cloudfront",
    pattern: new RegExp(`${AWS_LOGS}CloudFront/`),
    source: "CloudFront standard logs (v2, default path)",
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
    // optional-prefix/distribution-ID.YYYY-MM-DD-HH.unique-ID.gz
    format: "cloudfront",
    // (the page's example: example-prefix/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz)
    pattern: /(?:^|\/)[A-Z0-9]{8,16}\.\d{4}-\d{2}-\d{2}-\d{2}\.[A-Za-z0-9]+(?:\.gz)?$/,
    source: "CloudFront standard logs",
  },
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html (TargetPrefixYYYY-mm-DD-HH-MM-SS-UniqueString,
    // or partitioned: …/[YYYY]/[MM]/[DD]/[YYYY]-[MM]-[DD]-[hh]-[mm]-[ss]-[UniqueString])
    format: "s3access",
    pattern: /\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$/,
    source: "S3 server access logs",
  },
];

/** The format AWS's key layout says `key` holds, or undefined when it is none of them. */
export function awsFormatForKey(key: string): ResolvedFormat | undefined {
  return LAYOUTS.find((layout) => layout.pattern.test(key))?.format;
}

/** The account and region an object's key names, where its layout has them. */
export interface KeyOrigin {
  account?: string;
  region?: string;
}

/** An AWS region's name (`us-east-2`, `us-gov-west-1`, `eu-central-2`, `cn-north-1`). */
const REGION = String.raw`[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}`;
const KEY_ORIGINS: RegExp[] = [
  // The services that write under AWSLogs/: `AWSLogs/[o-org/]<account>/<service>/<region>/…`, or Hive-style
  // `AWSLogs/aws-account-id=<account>/aws-service=<service>/aws-region=<region>/…` (pages cited above).
  new RegExp(
    String.raw`(?:^|/)AWSLogs/(?:o-[a-z0-9]+/)?(?:aws-account-id=)?(\d{12})/(?:aws-service=)?[A-Za-z-]+/(?:aws-region=)?(${REGION})/`,
  ),
  // Those without a region (CloudFront's v2 default path): the account alone.
  /(?:^|\/)AWSLogs\/(?:o-[a-z0-9]+\/)?(?:aws-account-id=)?(\d{12})\//,
  // S3 server access logs, partitioned: `<prefix><source account>/<source region>/<source bucket>/YYYY/MM/DD/<name>`
  // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html, "Date-based partitioning").
  new RegExp(
    String.raw`(?:^|/)(\d{12})/(${REGION})/[^/]+/\d{4}/\d{2}/\d{2}/\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-[0-9A-F]{16}$`,
  ),
];

/**
 * The account and region `key` names in the layout AWS's services deliver under, or `{}`. The
 * documents of formats whose lines do not name them (Classic ELB, VPC flow's default format,
 * CloudFront, S3 access) take them from here rather than from the function's own region.
 */
export function awsKeyOrigin(key: string): KeyOrigin {
  for (const pattern of KEY_ORIGINS) {
    const match = pattern.exec(key);
    if (match) return { ...(match[1] ? { account: match[1] } : {}), ...(match[2] ? { region: match[2] } : {}) };
  }
  return {};
}

/** A CloudWatch Logs subscription record as Firehose delivers it starts so. */
export function looksLikeCloudWatchRecords(head: Buffer): boolean {
  return /^\s*\{\s*"messageType"\s*:/.test(head.subarray(0, 256).toString("utf8"));
}

/** The table docs/aws-formats.md prints (docs/aws-formats.md "`format: aws`: AWS's key layouts"). */
export const AWS_KEY_LAYOUTS = LAYOUTS.map(({ format, source }) => ({ format, source }));
