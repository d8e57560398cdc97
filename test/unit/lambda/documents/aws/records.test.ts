/**
 * CloudTrail records and AWS WAF log lines keep their own JSON and gain ECS fields beside it:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html and logging-examples.html
 */
import { describe, expect, it } from "vitest";
import { documentsOf } from "../../../../helpers/formatDocuments";
import { TAG_INVALID_JSON } from "../../../../../lambda/documents/tags";
import { CLOUDTRAIL_START_INSTANCES as START_INSTANCES, WAF_BLOCK } from "../../../../helpers/awsDocumentedLogs";

const ASSUMED_ROLE_DENIED = {
  eventVersion: "1.08",
  userIdentity: {
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:session",
    arn: "arn:aws:sts::123456789012:assumed-role/Auditor/session",
    accountId: "123456789012",
    sessionContext: { sessionIssuer: { type: "Role", userName: "Auditor" } },
  },
  eventTime: "2026-11-27T10:00:00Z",
  eventSource: "s3.amazonaws.com",
  eventName: "GetBucketAcl",
  awsRegion: "eu-west-1",
  sourceIPAddress: "cloudtrail.amazonaws.com",
  userAgent: "cloudtrail.amazonaws.com",
  errorCode: "AccessDenied",
  recipientAccountId: "123456789012",
};

describe("cloudtrail", () => {
  it("expands a log file's Records, each as AWS wrote it with the ECS fields beside it", async () => {
    const run = await documentsOf(JSON.stringify({ Records: [START_INSTANCES, ASSUMED_ROLE_DENIED] }), "cloudtrail");
    expect(run.documents).toHaveLength(2);
    const [started, denied] = run.documents.map((document) => document.source);
    expect(started).toMatchObject({
      ...START_INSTANCES,
      "@timestamp": "2014-03-06T21:22:54Z",
      event: { action: "StartInstances", provider: "ec2.amazonaws.com", outcome: "success", kind: "event" },
      source: { ip: "205.251.233.176" },
      user: { name: "Alice", id: "EX_PRINCIPAL_ID" },
      user_agent: { original: "ec2-api-tools 1.6.12.2" },
      cloud: { account: { id: "123456789012" }, region: "us-east-2", provider: "aws" },
    });
    // A service's name where an address would be: source.address and source.domain, never source.ip.
    expect(denied).toMatchObject({
      event: { action: "GetBucketAcl", outcome: "failure" },
      source: { address: "cloudtrail.amazonaws.com", domain: "cloudtrail.amazonaws.com" },
      user: { name: "Auditor" },
      cloud: { region: "eu-west-1" },
    });
    expect(denied).not.toHaveProperty("source.ip");
  });
});

describe("waf", () => {
  it("adds the ECS fields beside a WAF record, keeping the record whole", async () => {
    const run = await documentsOf(`${JSON.stringify(WAF_BLOCK)}\nnot json\n`, "waf");
    expect(run.documents[0]?.source).toMatchObject({
      ...WAF_BLOCK,
      "@timestamp": "2023-05-06T06:46:19.981Z",
      event: { action: "BLOCK", type: ["denied"], category: ["web"] },
      source: { ip: "192.0.2.44", geo: { country_iso_code: "US" } },
      http: { request: { method: "POST", id: "1-645587bb-1a2b3c4d5e6f" }, version: "1.1" },
      url: { path: "/login", query: "next=%2F", domain: "shop.example" },
      user_agent: { original: "curl/7.88.1" },
      rule: { id: "RBSRule" },
      cloud: { region: "us-east-1", account: { id: "123456789012" } },
    });
    // A line that is not JSON is indexed as ndjson's are.
    expect(run.documents[1]?.source).toMatchObject({ message: "not json", tags: [TAG_INVALID_JSON] });
  });
});
