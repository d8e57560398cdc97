/**
 * CloudFront standard logs, from the example file AWS documents:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
 * ("Standard log file fields": tab-separated, `#Version` and `#Fields` first; "Values are URL-encoded").
 */
import { describe, expect, it } from "vitest";
import { documentsOf } from "../../../../helpers/formatDocuments";
import { TAG_PARSE_FAILURE } from "../../../../../lambda/documents/tags";
import { CLOUDFRONT_DEFAULT_FIELDS } from "../../../../../lambda/documents/aws/cloudfront";
import { dashValues } from "./dashValues";
import {
  CLOUDFRONT_FIELDS as FIELDS,
  CLOUDFRONT_AGENT as AGENT,
  cloudFrontLine as line,
  CLOUDFRONT_FILE as FILE,
} from "../../../../helpers/awsDocumentedLogs";

describe("cloudfront", () => {
  it("reads the documented example file: header lines no documents, every request one, values decoded", async () => {
    const run = await documentsOf(FILE, "cloudfront");
    expect(run.documents).toHaveLength(3);
    const document = run.documents[0]?.source;
    expect(document).toMatchObject({
      "@timestamp": "2019-12-04T21:02:31Z",
      source: { ip: "192.0.2.100", port: 11040 },
      destination: { domain: "d111111abcdef8.cloudfront.net" },
      http: {
        request: { method: "GET", bytes: 23, id: "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==" },
        response: { status_code: 200, bytes: 392, body: { bytes: 78 }, mime_type: "text/html" },
        version: "2.0",
      },
      url: {
        original: "https://d111111abcdef8.cloudfront.net/index.html",
        domain: "d111111abcdef8.cloudfront.net",
        path: "/index.html",
        scheme: "https",
      },
      user_agent: {
        original:
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",
      },
      tls: { version: "1.2", version_protocol: "tls", cipher: "ECDHE-RSA-AES128-GCM-SHA256" },
      event: { outcome: "success", duration: 1_000_000, category: ["web"] },
      aws: {
        cloudfront: {
          edge_location: "LAX1",
          edge_result_type: "Hit",
          edge_response_result_type: "Hit",
          edge_detailed_result_type: "Hit",
          time_taken: 0.001,
          time_to_first_byte: 0.001,
        },
      },
    });
    expect(document).not.toHaveProperty("url.query");
    for (const { source } of run.documents) expect(dashValues(source)).toEqual([]);
    expect(run.header).toEqual(CLOUDFRONT_DEFAULT_FIELDS);
  });

  it("takes the field order from the object's own #Fields line (AWS has reordered and appended)", async () => {
    const values = line("id-1", "0.002").split("\t");
    // The same request, its columns reversed, and a field AWS does not document yet at the end.
    const reversedFields = [...CLOUDFRONT_DEFAULT_FIELDS].reverse();
    const reordered = [
      "#Version: 1.0",
      `#Fields: ${reversedFields.join(" ")} x-new-field`,
      [...values].reverse().concat("new-value").join("\t"),
      "",
    ].join("\n");
    const inOrder = await documentsOf(`#Version: 1.0\n#Fields: ${FIELDS}\n${values.join("\t")}\n`, "cloudfront");
    const run = await documentsOf(reordered, "cloudfront");
    const { aws, ...rest } = run.documents[0]?.source as { aws: { cloudfront: Record<string, unknown> } };
    const { aws: expectedAws, ...expectedRest } = inOrder.documents[0]?.source as (typeof run.documents)[0]["source"];
    expect(rest).toMatchObject({ ...expectedRest, log: { offset: expect.any(Number) } });
    expect(aws.cloudfront).toEqual({
      ...(expectedAws as { cloudfront: Record<string, unknown> }).cloudfront,
      new_field: "new-value",
    });
  });

  it("decodes the query and the first forwarded address; keeps the proxies' list as logged", async () => {
    const run = await documentsOf(
      `#Fields: ${FIELDS}\n${line("id-2", "0.1", "203.0.113.9,%20198.51.100.1", "q=caf%C3%A9%20au%20lait&page=2")}\n`,
      "cloudfront",
    );
    expect(run.documents[0]?.source).toMatchObject({
      url: {
        query: "q=café au lait&page=2",
        original: "https://d111111abcdef8.cloudfront.net/index.html?q=caf%C3%A9%20au%20lait&page=2",
      },
      network: { forwarded_ip: "203.0.113.9" },
      aws: { cloudfront: { forwarded_for: "203.0.113.9,%20198.51.100.1" } },
    });
  });

  it("keeps a malformed percent escape as it is, and a line that is no request as text, tagged", async () => {
    const odd = line("id-3", "0.1").replace(AGENT, "bad%ZZagent%");
    const run = await documentsOf(`#Fields: ${FIELDS}\n${odd}\nnot a request line\n`, "cloudfront");
    expect(run.documents[0]?.source).toMatchObject({ user_agent: { original: "bad%ZZagent%" } });
    expect(run.documents[1]?.source).toMatchObject({ message: "not a request line", tags: [TAG_PARSE_FAILURE] });
  });

  it("resumes after the header lines with the fields a continuation carried", async () => {
    const reversedFields = [...CLOUDFRONT_DEFAULT_FIELDS].reverse();
    const content = [
      "#Version: 1.0",
      `#Fields: ${reversedFields.join(" ")}`,
      ...["a", "b", "c"].map((id) => line(id, "0.1").split("\t").reverse().join("\t")),
      "",
    ].join("\n");
    const whole = await documentsOf(content, "cloudfront");
    const third = content.split("\n").slice(0, 3).join("\n").length + 1;
    const resumed = await documentsOf(content, "cloudfront", { start: third, header: whole.header });
    expect(resumed.documents).toEqual(whole.documents.slice(1));
    // Without it, the documented order would be assumed: the fields would be mis-read.
    const headless = await documentsOf(content, "cloudfront", { start: third });
    expect(headless.documents[0]?.source).not.toMatchObject({ source: { ip: "192.0.2.100" } });
  });
});
