/**
 * `format: aws`: the format each of AWS's services' key layouts names, from the keys their
 * documentation shows (each page is cited in lambda/read/awsKeyLayout.ts), and the format an object
 * that matches none gets from its first bytes.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../../pipeline/function/functionBuild";
import { AWS_KEY_LAYOUTS, awsFormatForKey, awsKeyOrigin } from "../../../../lambda/read/awsKeyLayout";
import { ALB_HTTP, CLASSIC_HTTPS, CLOUDFRONT_V2_JSON, CLOUDWATCH_DATA } from "../../../helpers/awsDocumentedLogs";
import { documentsOf } from "../../../helpers/formatDocuments";

const KEYS: Array<[string, string | undefined]> = [
  [
    "prefix/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2016/05/01/123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20140215T2340Z_172.160.001.192_20sg8hgm.log.gz",
    "alb",
  ],
  [
    "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2016/05/01/123456789012_elasticloadbalancing_us-east-2_net.my-loadbalancer.1234567890abcdef_20140215T2340Z_5ad3ebd8.log.gz",
    "nlb",
  ],
  [
    "my-app/AWSLogs/123456789012/elasticloadbalancing/us-west-2/2014/02/15/123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_20140215T2340Z_172.160.001.192_20sg8hgm.log",
    "elb",
  ],
  [
    "AWSLogs/123456789012/vpcflowlogs/us-east-1/2018/06/20/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.gz",
    "vpcflow",
  ],
  [
    "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/year=2018/month=06/day=20/hour=16/123456789012_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_fe123456.log.parquet",
    "vpcflow",
  ],
  [
    "AWSLogs/123456789012/CloudTrail/us-east-2/2014/03/06/123456789012_CloudTrail_us-east-2_20140306T2155Z_eXam9lEEXAMpLE.json.gz",
    "cloudtrail",
  ],
  [
    "AWSLogs/o-exampleorgid/111111111111/CloudTrail/us-east-1/2024/01/01/111111111111_CloudTrail_us-east-1_20240101T0000Z_abc.json.gz",
    "cloudtrail",
  ],
  [
    "AWSLogs/123456789012/CloudTrail-Digest/us-east-2/2014/03/06/123456789012_CloudTrail-Digest_us-east-2_trail_us-east-2_20140306T215524Z.json.gz",
    "json",
  ],
  [
    "AWSLogs/123456789012/WAFLogs/us-east-1/TestWebACL/2021/10/28/19/50/123456789012_waflogs_us-east-1_TestWebACL_20211028T1950Z_e0ca43b5.log.gz",
    "waf",
  ],
  // The ALB's connection logs, beside its access logs: the documented names, with and without a prefix
  // (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html).
  [
    "logging-prefix/AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/05/01/conn_log_123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz",
    "alb",
  ],
  [
    "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/05/01/conn_log.123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz",
    "alb",
  ],
  // CloudFront standard logging (v2) without a prefix of the owner's, plain and Hive-style
  // (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html).
  ["AWSLogs/123456789012/CloudFront/E1TR1RHV123ABC.2024-11-14-22.a1b2c3d4.gz", "cloudfront"],
  ["AWSLogs/aws-account-id=123456789012/CloudFront/myFolderA/year=2025/part-0001.log", "cloudfront"],
  ["example-prefix/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz", "cloudfront"],
  ["E2EXAMPLE1234.2026-11-27-10.a1b2c3d4.gz", "cloudfront"],
  ["logs/2013-11-01-21-32-16-E568B2907131C0C0", "s3access"],
  [
    "logs/123456789012/us-west-2/amzn-s3-demo-source-bucket/2023/03/01/2023-03-01-21-32-16-E568B2907131C0C0",
    "s3access",
  ],
  // Not a log: ELB's test file; Firehose's own names (told by content); anything else.
  ["AWSLogs/123456789012/ELBAccessLogTestFile", undefined],
  ["firehose/2026/11/27/10/cwl-stream-1-2026-11-27-10-00-00-0b1c2d3e-4f5a-6b7c-8d9e-0f1a2b3c4d5e", undefined],
  ["app/2026-11-27/service.log.gz", undefined],
  ["AWSLogs/not-an-account/vpcflowlogs/x.log", undefined],
];

describe("format: aws", () => {
  it.each(KEYS)("%s → %s", (key, format) => {
    expect(awsFormatForKey(key)).toBe(format);
  });

  it("reads an object whose key matches no layout as CloudWatch records when it starts like one, else as text", async () => {
    const key = "firehose/2026/11/27/10/cwl-stream-1-2026-11-27-10-00-00-0b1c2d3e";
    const record = JSON.stringify({
      messageType: "DATA_MESSAGE",
      owner: "123456789012",
      logGroup: "/aws/lambda/app",
      logStream: "s",
      subscriptionFilters: ["f"],
      logEvents: [{ id: "1", timestamp: 0, message: "hello" }],
    });
    const cloudwatch = await documentsOf(record, "aws", { context: { key } });
    expect(cloudwatch.documents[0]?.source).toMatchObject({
      message: "hello",
      aws: { cloudwatch: { log_group: "/aws/lambda/app" } },
    });
    const text = await documentsOf("just a line\n", "aws", { context: { key } });
    expect(text.documents[0]?.source).toMatchObject({ message: "just a line" });
    expect(text.documents[0]?.source).not.toHaveProperty("tags");
  });

  it("parses an ALB object by its key", async () => {
    const key = KEYS[0]?.[0] as string;
    const line =
      'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 404 404 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - -';
    const run = await documentsOf(`${line}\n`, "aws", { context: { key } });
    expect(run.documents[0]?.source).toMatchObject({ http: { response: { status_code: 404 } } });
  });
});

describe("the account and region of a key", () => {
  it.each([
    [KEYS[0]?.[0], { account: "123456789012", region: "us-east-2" }],
    [
      "my-app/AWSLogs/123456789012/elasticloadbalancing/us-west-2/2014/02/15/123456789012_elasticloadbalancing_us-west-2_my-loadbalancer_20140215T2340Z_172.160.001.192_20sg8hgm.log",
      { account: "123456789012", region: "us-west-2" },
    ],
    [
      "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=eu-central-2/year=2018/x.log.gz",
      { account: "123456789012", region: "eu-central-2" },
    ],
    [
      "AWSLogs/o-exampleorgid/111111111111/CloudTrail/us-gov-west-1/2024/01/01/x.json.gz",
      { account: "111111111111", region: "us-gov-west-1" },
    ],
    ["AWSLogs/123456789012/CloudFront/E1TR1RHV123ABC.2024-11-14-22.a1b2c3d4.gz", { account: "123456789012" }],
    [
      "logs/123456789012/us-west-2/amzn-s3-demo-source-bucket/2023/03/01/2023-03-01-21-32-16-E568B2907131C0C0",
      { account: "123456789012", region: "us-west-2" },
    ],
    ["logs/2013-11-01-21-32-16-E568B2907131C0C0", {}],
    ["example-prefix/EMLARXS9EXAMPLE.2019-11-14-20.RT4KCN4SGK9.gz", {}],
    ["AWSLogs/not-an-account/vpcflowlogs/us-east-1/x.log", {}],
  ])("%s → %o", (key, origin) => {
    expect(awsKeyOrigin(key as string)).toEqual(origin);
  });

  it("becomes cloud.region and cloud.account.id of lines that name neither, never over the line's own", async () => {
    const key =
      "my-app/AWSLogs/210987654321/elasticloadbalancing/ap-southeast-2/2014/02/15/210987654321_elasticloadbalancing_ap-southeast-2_my-loadbalancer_20140215T2340Z_172.160.001.192_20sg8hgm.log";
    const classic = await documentsOf(`${CLASSIC_HTTPS}\n`, "elb", { context: { key } });
    expect(classic.documents[0]?.source).toMatchObject({
      cloud: { region: "ap-southeast-2", account: { id: "210987654321" } },
    });
    // An ALB line names its target group's account and region: those win.
    const alb = await documentsOf(`${ALB_HTTP}\n`, "alb", { context: { key } });
    expect(alb.documents[0]?.source).toMatchObject({ cloud: { region: "us-east-2", account: { id: "123456789012" } } });
    // Where the key names none, the function's region, and no account.
    const plain = await documentsOf(`${CLASSIC_HTTPS}\n`, "elb", { context: { key: "elb/x.log" } });
    expect(plain.documents[0]?.source).toMatchObject({ cloud: { region: "eu-west-1" } });
    expect(plain.documents[0]?.source).not.toHaveProperty("cloud.account");
    // Text lines of such a key take its region and account too (the hot path), with a timestamp field the general path.
    const text = await documentsOf("a line\n", "text", { context: { key } });
    expect(text.documents[0]?.source).toMatchObject({
      cloud: { region: "ap-southeast-2", account: { id: "210987654321" } },
    });
    const timed = await documentsOf(`${CLASSIC_HTTPS}\n`, "elb", { context: { key, timestampField: "event.end" } });
    expect(timed.documents[0]?.source).toMatchObject({
      cloud: { region: "ap-southeast-2", account: { id: "210987654321" } },
    });
  });

  it("is the account of every path's documents, and never over a record's own", async () => {
    const key =
      "AWSLogs/210987654321/elasticloadbalancing/ap-southeast-2/2014/02/15/210987654321_elasticloadbalancing_ap-southeast-2_lb_20140215T2340Z_172.160.001.192_20sg8hgm.log";
    const fromKey = { cloud: { provider: "aws", region: "ap-southeast-2", account: { id: "210987654321" } } };
    // Text and JSON lines on the hot path, a JSON document's records on the general path.
    for (const [content, format] of [
      ["a line\n", "text"],
      ['{"a":1}\n', "ndjson"],
      ['[{"a":1}]', "json"],
    ] as const) {
      const run = await documentsOf(content, format, { context: { key } });
      expect(run.documents[0]?.source, format).toMatchObject(fromKey);
    }
    // A record's own account (and region) stay; a CloudWatch record's owner is its account.
    const own = await documentsOf('{"cloud":{"account":"mine","region":"moon-1"}}\n', "ndjson", { context: { key } });
    expect(own.documents[0]?.source).toMatchObject({ cloud: { provider: "aws", account: "mine", region: "moon-1" } });
    const cloudwatch = await documentsOf(JSON.stringify(CLOUDWATCH_DATA), "cloudwatch", { context: { key } });
    expect(cloudwatch.documents[0]?.source).toMatchObject({ cloud: { account: { id: "123456789012" } } });
  });
});

describe("the table of key layouts in docs/aws-formats.md", () => {
  const readme = readFileSync(path.join(PROJECT_ROOT, "docs", "aws-formats.md"), "utf8");
  const table = readme.slice(readme.indexOf("<!-- key layouts:"), readme.indexOf("| anything else | `text` |"));
  const rows = [...table.matchAll(/^\| `([^`]+)`[^|]* \| `([a-z0-9]+)`/gm)].map(
    (row) => [row[1] ?? "", row[2] ?? ""] as const,
  );

  it("has an example key of every layout, each naming the format the function decides", () => {
    expect(rows.map(([, format]) => format).sort()).toEqual(
      [...AWS_KEY_LAYOUTS.map((layout) => layout.format), "cloudwatch"].sort(),
    );
    for (const [key, format] of rows) {
      // Firehose's CloudWatch objects are told by their first bytes, not their key.
      expect(awsFormatForKey(key), key).toBe(format === "cloudwatch" ? undefined : format);
    }
  });
});

describe("vpcflow in Parquet", () => {
  it("is refused with what to change, not read as lines of binary", async () => {
    const key = "AWSLogs/aws-account-id=123456789012/aws-service=vpcflowlogs/aws-region=us-east-1/x.log.parquet";
    await expect(
      documentsOf(Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(64, 7)]), "aws", { context: { key } }),
    ).rejects.toThrow(/Parquet file: deliver the flow log in the Text log file format/);
  });
});

describe("cloudfront in Parquet (standard logging v2 to S3)", () => {
  it("is refused with what to change, by format: cloudfront and by the v2 key layout", async () => {
    const parquet = Buffer.concat([Buffer.from("PAR1"), Buffer.alloc(64, 7)]);
    const key = "AWSLogs/123456789012/CloudFront/E1TR1RHV123ABC.2024-11-14-22.a1b2c3d4.parquet";
    for (const format of ["cloudfront", "aws"] as const)
      await expect(documentsOf(parquet, format, { context: { key } })).rejects.toThrow(
        /Parquet file: deliver CloudFront's standard logs \(v2\) in the w3c, JSON or plain output format/,
      );
    // A v2 JSON object under the same path is read.
    const json = await documentsOf(CLOUDFRONT_V2_JSON, "aws", { context: { key: key.replace(".parquet", ".log.gz") } });
    expect(json.documents).toHaveLength(2);
    expect(json.linesUnparsed).toBe(0);
  });
});
