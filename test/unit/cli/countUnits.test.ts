/**
 * `s3ls trace --count-lines` counts the documents an object should make the way the function makes
 * them (documents/formatRouting.ts): header lines and control messages none, a CloudWatch record
 * one per log event, `aws` by the key's layout. Objects served by scripted S3 answers.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countUnits } from "../../../cli/trace/countUnits";
import {
  CLOUDFRONT_FILE,
  CLOUDWATCH_CONTROL,
  CLOUDWATCH_DATA,
  VPC_FLOW_ACCEPTED,
  VPC_FLOW_DEFAULT_HEADER,
} from "../../helpers/awsDocumentedLogs";
import { ScriptedAws } from "../../helpers/scriptedAws";

const aws = new ScriptedAws();
let s3: S3Client;
beforeAll(async () => {
  const url = await aws.start();
  s3 = new S3Client({
    region: "eu-west-1",
    endpoint: url,
    forcePathStyle: true,
    credentials: { accessKeyId: "unit", secretAccessKey: "unit" },
  });
});
afterAll(async () => {
  s3.destroy();
  await aws.stop();
});

/** The count `trace` reports for `body` read as `format` under `key`. */
async function counted(body: string, format: string, key = "logs/object"): Promise<number> {
  aws.on("s3:GetObject", { body, headers: { etag: '"e1"', "content-length": String(Buffer.byteLength(body)) } });
  return countUnits(s3, { bucket: "acme-logs", key }, { format });
}

const VPC_FLOW = `${VPC_FLOW_DEFAULT_HEADER}\n${[1, 2, 3].map(() => VPC_FLOW_ACCEPTED).join("\n")}\n`;

describe("countUnits", () => {
  it("counts a VPC flow object's records, not its header line", async () => {
    expect(await counted(VPC_FLOW, "vpcflow")).toBe(3);
  });

  it("counts a CloudFront object's requests, not its #Version and #Fields lines", async () => {
    expect(await counted(CLOUDFRONT_FILE, "cloudfront")).toBe(3);
  });

  it("counts a Firehose object's log events, none for a control message", async () => {
    const body = `${JSON.stringify(CLOUDWATCH_CONTROL)}${JSON.stringify(CLOUDWATCH_DATA)}`;
    expect(await counted(body, "cloudwatch")).toBe(CLOUDWATCH_DATA.logEvents.length);
  });

  it("decides format: aws by the key's layout, as the function does", async () => {
    const key =
      "AWSLogs/123456789012/vpcflowlogs/us-east-1/2026/12/06/123456789012_vpcflowlogs_us-east-1_fl-1_20261206T0000Z_h.log";
    expect(await counted(VPC_FLOW, "aws", key)).toBe(3);
    // Any other key is text: the header is a line like the others.
    expect(await counted(VPC_FLOW, "aws")).toBe(4);
  });

  it("counts text lines and json records as before", async () => {
    expect(await counted("a\nb\n\nc\n", "text")).toBe(3);
    expect(await counted('[{"a":1},{"a":2}]', "json")).toBe(2);
  });
});
