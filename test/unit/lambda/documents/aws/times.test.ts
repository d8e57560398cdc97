/**
 * A time that does not exist (30 February, 29 February of a common year, second 60, an offset past
 * ±18:00) leaves the line unparsed — indexed once as text, tagged — instead of making a document
 * whose `@timestamp` Elasticsearch refuses (which fails the message, or fills the dead-letter index).
 */
import { describe, expect, it } from "vitest";
import { TAG_PARSE_FAILURE } from "../../../../../lambda/contract/tags";
import type { LogFormat } from "../../../../../lambda/contract/formats";
import { documentOf, documentsOf, OBJECT_CONTEXT } from "../../../../helpers/formatDocuments";
import {
  ALB_HTTP,
  CLOUDFRONT_FILE,
  CLOUDTRAIL_START_INSTANCES,
  S3_ACCESS_RECORD,
} from "../../../../helpers/awsDocumentedLogs";

const ALB_TIME = "2018-07-02T22:23:00.186641Z";
const CF_DATE = "2019-12-04";
const S3_TIME = "[06/Feb/2019:00:00:38 +0000]";
const CF_LINE = CLOUDFRONT_FILE.split("\n")[2] as string;

/** The one document of `line`, with a CloudFront line after its object's header lines. */
async function only(line: string, format: LogFormat): Promise<Record<string, unknown>> {
  if (format !== "cloudfront") return documentOf(line, format);
  const [version, fields] = CLOUDFRONT_FILE.split("\n");
  const run = await documentsOf(`${version}\n${fields}\n${line}\n`, format);
  return run.documents[0]?.source ?? {};
}

const unparsed = { tags: [TAG_PARSE_FAILURE] };

describe("times that do not exist", () => {
  it.each([
    ["alb", ALB_HTTP.replace(ALB_TIME, "2019-02-29T22:23:00.186641Z")],
    ["alb", ALB_HTTP.replace(ALB_TIME, "2018-04-31T22:23:00.186641Z")],
    ["alb", ALB_HTTP.replace(ALB_TIME, "2018-07-02T22:23:60.186641Z")],
    ["alb", ALB_HTTP.replace(ALB_TIME, "2018-07-02T22:23:00.186641+19:00")],
    ["cloudfront", CF_LINE.replace(CF_DATE, "2019-02-30")],
    ["s3access", S3_ACCESS_RECORD.replace(S3_TIME, "[30/Feb/2019:00:00:38 +0000]")],
    ["s3access", S3_ACCESS_RECORD.replace(S3_TIME, "[06/Feb/2019:00:00:38 +2500]")],
  ] as const)("%s: %s stays unparsed", async (format, line) => {
    expect(await only(line, format)).toMatchObject({ ...unparsed, message: line });
  });

  it.each([
    ["alb", ALB_HTTP.replace(ALB_TIME, "2020-02-29T22:23:00.186641Z"), "2020-02-29T22:23:00.186641Z"],
    ["alb", ALB_HTTP.replace(ALB_TIME, "2000-02-29T22:23:00.186641+02:00"), "2000-02-29T22:23:00.186641+02:00"],
    ["cloudfront", CF_LINE.replace(CF_DATE, "2020-02-29"), "2020-02-29T21:02:31Z"],
    ["s3access", S3_ACCESS_RECORD.replace(S3_TIME, "[29/Feb/2020:23:00:38 -0130]"), "2020-03-01T00:30:38.000Z"],
  ] as const)("%s: a leap day and an offset are times", async (format, line, timestamp) => {
    const document = await only(line, format);
    expect(document).not.toHaveProperty("tags");
    expect(document["@timestamp"]).toBe(timestamp);
  });

  it("leaves a CloudTrail record whose eventTime is no ISO time to the object's event time, the record still shaped", async () => {
    for (const eventTime of ["March 7, 2014", "2019-02-30T00:00:00Z"]) {
      const record = { ...CLOUDTRAIL_START_INSTANCES, eventTime };
      const run = await documentsOf(JSON.stringify({ Records: [record] }), "cloudtrail");
      expect(run.documents[0]?.source).toMatchObject({
        "@timestamp": OBJECT_CONTEXT.eventTime,
        event: { action: "StartInstances" },
      });
    }
  });
});
