/**
 * AWS WAF log records shaped as Elastic's AWS integration names them (lambda/documents/aws/waf.ts):
 * https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html and logging-examples.html
 */
import { describe, expect, it } from "vitest";
import { documentsOf } from "../../../../helpers/formatDocuments";
import { TAG_INVALID_JSON, TAG_ORIGINAL_KEPT } from "../../../../../lambda/contract/tags";
import { WAF_BLOCK } from "../../../../helpers/awsDocumentedLogs";

const DATA_STREAM = { type: "logs", dataset: "aws.waf", namespace: "default", module: "aws" } as const;

describe("waf", () => {
  it("shapes a rate-based block under ECS and aws.waf.*, the web ACL's ARN read into cloud.*, headers as a map", async () => {
    const record = {
      ...WAF_BLOCK,
      ja3Fingerprint: "e3b0c44298fc1c149afbf4c8996fb924",
      ClientASN: 64496,
      labels: [{ name: "awswaf:managed:aws:bot-control:bot:category:http_library" }],
      ruleGroupList: [{ ruleGroupId: "AWS#AWSManagedRulesCommonRuleSet", terminatingRule: null, excludedRules: null }],
      requestHeadersInserted: null,
      responseCodeSent: null,
    };
    const run = await documentsOf(`${JSON.stringify(record)}\nnot json\n`, "waf", { dataStream: DATA_STREAM });
    const document = run.documents[0]?.source;
    expect(document).toMatchObject({
      "@timestamp": "2023-05-06T06:46:19.981Z",
      data_stream: { dataset: "aws.waf" },
      event: {
        kind: "alert",
        action: "BLOCK",
        type: ["access", "denied"],
        category: ["web", "network"],
        dataset: "aws.waf",
      },
      source: { ip: "192.0.2.44", geo: { country_iso_code: "US" }, as: { number: 64496 } },
      related: { ip: ["192.0.2.44"] },
      http: { request: { method: "POST", id: "1-645587bb-1a2b3c4d5e6f" }, version: "1.1" },
      network: { protocol: "http", transport: "tcp" },
      url: { path: "/login", query: "next=%2F", domain: "shop.example" },
      user_agent: { original: "curl/7.88.1" },
      tls: { client: { ja3: "e3b0c44298fc1c149afbf4c8996fb924" } },
      rule: { id: "RBSRule", ruleset: "RATE_BASED" },
      cloud: { region: "us-east-1", account: { id: "123456789012" }, service: { name: "wafv2" } },
      aws: {
        waf: {
          arn: WAF_BLOCK.webaclId,
          id: "regional/webacl/RateBasedStatementWebACL/372bc6fa-e4fc-4ea1-9047-01cab6ac9a6e",
          format_version: "1",
          source: { name: "ALB", id: "123456789012-app/test/1234567890abcdef" },
          request: { headers: { Host: "shop.example", "User-Agent": "curl/7.88.1" } },
          labels: [{ name: "awswaf:managed:aws:bot-control:bot:category:http_library" }],
          // What the integration drops (null members) is dropped here too.
          rule_group_list: [{ ruleGroupId: "AWS#AWSManagedRulesCommonRuleSet" }],
        },
      },
    });
    for (const member of ["httpRequest", "webaclId", "terminatingRuleId", "action", "timestamp"])
      expect(document).not.toHaveProperty(member);
    expect(document).not.toHaveProperty("aws.waf.response_code_sent");
    // A line that is not JSON is indexed as ndjson's are.
    expect(run.documents[1]?.source).toMatchObject({ message: "not json", tags: [TAG_INVALID_JSON] });
  });
  it("keeps the record whole in event.original, tagged, when part of it has no field: a member AWS adds, headers a flattened field refuses", async () => {
    const request = WAF_BLOCK.httpRequest as Record<string, unknown>;
    const added = { ...WAF_BLOCK, responseHeaders: [{ name: "x-new", value: "1" }] };
    const addedToRequest = { ...WAF_BLOCK, httpRequest: { ...request, tlsCipher: "TLS_AES_128_GCM_SHA256" } };
    // A cookie of 12,000 `€`: 36,000 bytes, more than Lucene's longest term in a flattened field.
    const cookie = { name: "Cookie", value: "€".repeat(12_000) };
    const huge = { ...WAF_BLOCK, httpRequest: { ...request, headers: [...(request.headers as unknown[]), cookie] } };
    const records = [added, addedToRequest, huge, WAF_BLOCK];
    const run = await documentsOf(records.map((record) => JSON.stringify(record)).join("\n"), "waf", {
      dataStream: DATA_STREAM,
    });
    for (const [index, record] of records.slice(0, 3).entries())
      expect(run.documents[index]?.source).toMatchObject({
        event: { original: JSON.stringify(record), action: "BLOCK" },
        tags: [TAG_ORIGINAL_KEPT],
      });
    expect(run.documents[2]?.source).not.toHaveProperty("aws.waf.request.headers");
    // AWS's documented record has a field for every member.
    expect(run.documents[3]?.source).not.toHaveProperty("event.original");
    expect(run.documents[3]?.source).not.toHaveProperty("tags");
  });
});
