/**
 * S3 server access logs, from the record AWS documents:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html ("Log record fields": bracketed
 * time, quoted Request-URI, Referer and User-Agent, `-` for no value; fields appended over the years)
 */
import { describe, expect, it } from "vitest";
import { documentOf, documentsOf } from "../../../../helpers/formatDocuments";
import { TAG_PARSE_FAILURE } from "../../../../../lambda/contract/tags";
import { dashValues } from "./dashValues";
import { S3_ACCESS_OWNER as OWNER, S3_ACCESS_RECORD as RECORD } from "../../../../helpers/awsDocumentedLogs";

/** The 2014 record: no field after Version Id. */
const RECORD_2014 =
  `${OWNER} mybucket [06/Feb/2014:00:00:38 +0000] 192.0.2.3 ${OWNER} 3E57427F3EXAMPLE REST.GET.VERSIONING - ` +
  `"GET /mybucket?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" -`;

describe("s3access", () => {
  it("parses the documented record into ECS and aws.s3access fields", async () => {
    const document = await documentOf(RECORD, "s3access");
    expect(document).toMatchObject({
      "@timestamp": "2019-02-06T00:00:38.000Z",
      source: { ip: "192.0.2.3" },
      client: { ip: "192.0.2.3", user: { id: OWNER } },
      event: { id: "3E57427F3EXAMPLE", action: "REST.GET.VERSIONING", outcome: "success", duration: 7_000_000 },
      http: { request: { method: "GET" }, response: { status_code: 200, body: { bytes: 113 } }, version: "1.1" },
      url: { original: "/amzn-s3-demo-bucket1?versioning", path: "/amzn-s3-demo-bucket1", query: "versioning" },
      user_agent: { original: "S3Console/0.4" },
      tls: { cipher: "ECDHE-RSA-AES128-GCM-SHA256", version: "1.2", version_protocol: "tls" },
      aws: {
        s3access: {
          bucket_owner: OWNER,
          bucket: "amzn-s3-demo-bucket1",
          operation: "REST.GET.VERSIONING",
          http_status: 200,
          bytes_sent: 113,
          total_time: 7,
          signature_version: "SigV4",
          authentication_type: "AuthHeader",
          host_header: "amzn-s3-demo-bucket1.s3.us-west-1.amazonaws.com",
          access_point_arn: "arn:aws:s3:us-west-1:123456789012:accesspoint/example-AP",
          acl_required: "Yes",
        },
      },
    });
    expect(dashValues(document)).toEqual([]);
    expect(document).not.toHaveProperty("aws.s3access.object_size");
  });

  it("parses a record of 2014 without the fields appended since, and keeps ones appended later", async () => {
    expect(await documentOf(RECORD_2014, "s3access")).toMatchObject({
      "@timestamp": "2014-02-06T00:00:38.000Z",
      http: { response: { status_code: 200 } },
    });
    const appended = await documentOf(`${RECORD} us-east-1 future-value`, "s3access");
    expect(appended).toMatchObject({
      cloud: { region: "us-east-1" },
      aws: { s3access: { source_region: "us-east-1", field_27: "future-value" } },
    });
  });

  it("reads a time in another zone as UTC, and a record that is none as text, tagged", async () => {
    const zoned = RECORD.replace("[06/Feb/2019:00:00:38 +0000]", "[06/Feb/2019:02:00:38 +0200]");
    expect(await documentOf(zoned, "s3access")).toMatchObject({ "@timestamp": "2019-02-06T00:00:38.000Z" });
    const run = await documentsOf(`${OWNER} bucket [not a time] x\n`, "s3access");
    expect(run.documents[0]?.source).toMatchObject({ tags: [TAG_PARSE_FAILURE] });
  });
});
