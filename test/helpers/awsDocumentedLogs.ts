/**
 * The log lines AWS documents, one set per format, each from the page cited above it: what the unit
 * tests of the parsers assert on and what the README's example documents are made from
 * (scripts/formatExamples.ts), so the manual shows what the code does to AWS's own lines.
 */
import { CLOUDFRONT_DEFAULT_FIELDS } from "../../lambda/documents/aws/cloudfront";

// Elastic Load Balancing: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html,
// …/network/load-balancer-access-logs.html and …/classic/access-log-collection.html ("Example log entries")
export const ALB_TARGET_GROUP_ARN =
  "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067";
/** Today's documented HTTP entry, through conn_trace_id and the three transform fields. */
export const ALB_HTTP =
  `http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 ` +
  `0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - ${ALB_TARGET_GROUP_ARN} ` +
  `"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" ` +
  `"10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90 "-" "-" "-"`;
// https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html
// ("Example log entries"; shown on three lines there "only to make them easier to read")
export const ALB_CONNECTION_SUCCESS =
  `2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 4.036 ` +
  `"CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US" NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z ` +
  `FEF257372D5C14D4 Success TID_3180a73013c8ca4bac2f731159d4b0fe`;
export const ALB_CONNECTION_FAILED =
  `2023-10-04T17:05:15.514108Z 203.0.113.1 36280 443 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 - ` +
  `"CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US" NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z ` +
  `FEF257372D5C14D4 Failed:ClientCertUntrusted TID_1c71a68d70587445ad5127ff8b2687d7`;
export const NLB_TLS =
  `tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd ` +
  `72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - ` +
  `arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ` +
  `ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - - 2018-12-20T02:59:30`;
export const CLASSIC_HTTPS =
  `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000086 0.001048 0.001337 ` +
  `200 200 0 57 "GET https://www.example.com:443/ HTTP/1.1" "curl/7.38.0" DHE-RSA-AES128-SHA TLSv1.2`;

// VPC flow logs: https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html
export const VPC_FLOW_DEFAULT_HEADER =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
export const VPC_FLOW_ACCEPTED =
  "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";

// CloudFront: https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
export const CLOUDFRONT_FIELDS = CLOUDFRONT_DEFAULT_FIELDS.join(" ");
export const CLOUDFRONT_AGENT =
  "Mozilla/5.0%20(Windows%20NT%2010.0;%20Win64;%20x64)%20AppleWebKit/537.36%20(KHTML,%20like%20Gecko)%20Chrome/78.0.3904.108%20Safari/537.36";
export const cloudFrontLine = (requestId: string, timeTaken: string, forwardedFor = "-", query = "-") =>
  [
    "2019-12-04",
    "21:02:31",
    "LAX1",
    "392",
    "192.0.2.100",
    "GET",
    "d111111abcdef8.cloudfront.net",
    "/index.html",
    "200",
    "-",
    CLOUDFRONT_AGENT,
    query,
    "-",
    "Hit",
    requestId,
    "d111111abcdef8.cloudfront.net",
    "https",
    "23",
    timeTaken,
    forwardedFor,
    "TLSv1.2",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "Hit",
    "HTTP/2.0",
    "-",
    "-",
    "11040",
    timeTaken,
    "Hit",
    "text/html",
    "78",
    "-",
    "-",
  ].join("\t");
export const CLOUDFRONT_FILE = [
  "#Version: 1.0",
  `#Fields: ${CLOUDFRONT_FIELDS}`,
  cloudFrontLine("SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==", "0.001"),
  cloudFrontLine("k6WGMNkEzR5BEM_SaF47gjtX9zBDO2m349OY2an0QPEaUum1ZOLrow==", "0.000"),
  cloudFrontLine("f37nTMVvnKvV2ZSvEsivup_c2kZ7VXzYdjC-GUQZ5qNs-89BlWazbw==", "0.001"),
  "",
].join("\n");

// CloudFront standard logging (v2): https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html
// ("Example access log sent to Amazon S3", w3c output; "Example access log sent to Firehose", JSON output).
export const CLOUDFRONT_V2_W3C = [
  "#Fields: date time x-edge-location asn timestamp(ms) x-host-header cs(Cookie)",
  [
    "2024-11-14",
    "22:30:25",
    "SOF50-P2",
    "16509",
    "1731623425421",
    "d111111abcdef8.cloudfront.net",
    "examplecookie=value2",
  ].join("\t"),
  "",
].join("\n");
export const CLOUDFRONT_V2_JSON = [
  '{"date":"2024-11-15","time":"19:45:51","x-edge-location":"SOF50-P2","asn":"16509","timestamp(ms)":"1731699951183","origin-fbl":"0.254","origin-lbl":"0.254","x-host-header":"d111111abcdef8.cloudfront.net","cs(Cookie)":"examplecookie=value"}',
  '{"date":"2024-11-15","time":"19:45:52","x-edge-location":"SOF50-P2","asn":"16509","timestamp(ms)":"1731699952950","origin-fbl":"0.125","origin-lbl":"0.125","x-host-header":"d111111abcdef8.cloudfront.net","cs(Cookie)":"examplecookie=value"}',
  "",
].join("\n");

// S3 server access logs: https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html
export const S3_ACCESS_OWNER = "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be";
/** The documented record, as the page shows it today (through the access point ARN and aclRequired). */
export const S3_ACCESS_RECORD =
  `${S3_ACCESS_OWNER} amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 ${S3_ACCESS_OWNER} 3E57427F3EXAMPLE ` +
  `REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" - ` +
  `s9lzHYrFp76ZVxRcpX9+5cjAnEH2ROuNkd2BHfIa6UkFVdtjf5mKR3/eTPFvsiP/XV/VLi31234= SigV4 ECDHE-RSA-AES128-GCM-SHA256 ` +
  `AuthHeader amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com TLSV1.2 arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP Yes`;

// CloudWatch Logs through Firehose: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/SubscriptionFilters.html
export const CLOUDWATCH_TRAIL_MESSAGE = JSON.stringify({
  eventVersion: "1.03",
  userIdentity: { type: "Root" },
  eventSource: "ec2.amazonaws.com",
  eventName: "DescribeInstances",
});
export const CLOUDWATCH_DATA = {
  messageType: "DATA_MESSAGE",
  owner: "123456789012",
  logGroup: "CloudTrail",
  logStream: "123456789012_CloudTrail_us-east-1",
  subscriptionFilters: ["Destination"],
  logEvents: [
    {
      id: "31953106606966983378809025079804211143289615424298221568",
      timestamp: 1432826855000,
      message: CLOUDWATCH_TRAIL_MESSAGE,
    },
    {
      id: "31953106606966983378809025079804211143289615424298221569",
      timestamp: 1432826855000,
      message: "plain text event",
    },
    { id: "31953106606966983378809025079804211143289615424298221570", timestamp: 1432826855001, message: "{not json" },
  ],
};
export const CLOUDWATCH_CONTROL = {
  messageType: "CONTROL_MESSAGE",
  owner: "CloudwatchLogs",
  logGroup: "",
  logStream: "",
  subscriptionFilters: [],
  logEvents: [
    { id: "", timestamp: 1432826855000, message: "CWL CONTROL MESSAGE: Checking health of destination Firehose." },
  ],
};

// CloudTrail: https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html;
// WAF: https://docs.aws.amazon.com/waf/latest/developerguide/logging-examples.html
/** The documented EC2 StartInstances record. */
export const CLOUDTRAIL_START_INSTANCES = {
  eventVersion: "1.0",
  userIdentity: {
    type: "IAMUser",
    principalId: "EX_PRINCIPAL_ID",
    arn: "arn:aws:iam::123456789012:user/Alice",
    accountId: "123456789012",
    accessKeyId: "EXAMPLE_KEY_ID",
    userName: "Alice",
  },
  eventTime: "2014-03-06T21:22:54Z",
  eventSource: "ec2.amazonaws.com",
  eventName: "StartInstances",
  awsRegion: "us-east-2",
  sourceIPAddress: "205.251.233.176",
  userAgent: "ec2-api-tools 1.6.12.2",
  requestParameters: { instancesSet: { items: [{ instanceId: "i-ebeaf9e2" }] } },
  responseElements: { instancesSet: { items: [{ instanceId: "i-ebeaf9e2" }] } },
};
export const WAF_BLOCK = {
  timestamp: 1683355579981,
  formatVersion: 1,
  webaclId:
    "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/RateBasedStatementWebACL/372bc6fa-e4fc-4ea1-9047-01cab6ac9a6e",
  terminatingRuleId: "RBSRule",
  terminatingRuleType: "RATE_BASED",
  action: "BLOCK",
  httpSourceName: "ALB",
  httpSourceId: "123456789012-app/test/1234567890abcdef",
  httpRequest: {
    clientIp: "192.0.2.44",
    country: "US",
    headers: [
      { name: "Host", value: "shop.example" },
      { name: "User-Agent", value: "curl/7.88.1" },
    ],
    uri: "/login",
    args: "next=%2F",
    httpVersion: "HTTP/1.1",
    httpMethod: "POST",
    requestId: "1-645587bb-1a2b3c4d5e6f",
  },
};
