/**
 * VPC flow logs delivered to S3, from AWS's documented records:
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-records-examples.html (default format)
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html (every field, versions 2 to 8)
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-s3.html ("the first line of each log file
 * contains the field names")
 */
import { describe, expect, it } from "vitest";
import { documentsOf } from "../../../../helpers/formatDocuments";
import { TAG_PARSE_FAILURE } from "../../../../../lambda/contract/tags";
import { dashValues } from "./dashValues";
import {
  VPC_FLOW_DEFAULT_HEADER as DEFAULT_HEADER,
  VPC_FLOW_ACCEPTED as ACCEPTED,
} from "../../../../helpers/awsDocumentedLogs";

const REJECTED =
  "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK";
const NO_DATA = "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA";

/** A custom format up to the newest fields AWS documents, in an order of the owner's choosing. */
const CUSTOM_HEADER =
  "region az-id vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport " +
  "pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction " +
  "traffic-path pkt-src-aws-service pkt-dst-aws-service ecs-cluster-name reject-reason resource-id encryption-status version";
const CUSTOM_LINE =
  "us-east-1 use1-az4 vpc-0a1b2c3d subnet-0a1b2c3d i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 " +
  "10.0.1.5 52.216.10.1 49152 443 10.0.1.5 52.216.10.1 6 5000 12 1700000000 1700000060 ACCEPT 19 OK egress " +
  "8 - S3 - - vpc-0a1b2c3d 1 8";

describe("vpcflow", () => {
  it("reads the documented default-format records after the object's header line", async () => {
    const run = await documentsOf([DEFAULT_HEADER, ACCEPTED, REJECTED, NO_DATA, ""].join("\n"), "vpcflow");
    expect(run.documents).toHaveLength(3);
    const [accepted, rejected, noData] = run.documents.map((document) => document.source);
    expect(accepted).toMatchObject({
      "@timestamp": "2014-12-14T04:07:50.000Z",
      source: { ip: "172.31.16.139", address: "172.31.16.139", port: 20641, packets: 20, bytes: 4249 },
      destination: { ip: "172.31.16.21", port: 22 },
      network: { transport: "tcp", iana_number: "6", packets: 20, bytes: 4249 },
      related: { ip: ["172.31.16.139", "172.31.16.21"] },
      event: {
        start: "2014-12-14T04:06:50.000Z",
        end: "2014-12-14T04:07:50.000Z",
        action: "accept",
        outcome: "success",
        type: ["connection", "allowed"],
        category: ["network"],
      },
      cloud: { account: { id: "123456789010" }, provider: "aws" },
      aws: {
        vpcflow: {
          version: "2",
          account_id: "123456789010",
          interface_id: "eni-1235b8ca123456789",
          action: "ACCEPT",
          log_status: "OK",
        },
      },
    });
    expect(rejected).toMatchObject({ event: { outcome: "failure", type: ["connection", "denied"] } });
    // No data in the window: a document all the same, with what there is.
    expect(noData).toMatchObject({
      aws: { vpcflow: { log_status: "NODATA" } },
      event: { end: "2015-05-10T18:02:14.000Z" },
    });
    expect(noData).not.toHaveProperty("source");
    for (const document of run.documents) expect(dashValues(document.source)).toEqual([]);
    // The header names the fields of a continuation.
    expect(run.header).toEqual(DEFAULT_HEADER.split(" "));
  });

  it("reads an object without a header line in the default format", async () => {
    const run = await documentsOf(`${ACCEPTED}\n`, "vpcflow");
    expect(run.documents[0]?.source).toMatchObject({ source: { ip: "172.31.16.139" }, destination: { port: 22 } });
  });

  it("reads a custom format by the names in its header, whatever their order, up to the newest fields", async () => {
    const run = await documentsOf(`${CUSTOM_HEADER}\n${CUSTOM_LINE}\n`, "vpcflow");
    expect(run.documents).toHaveLength(1);
    const document = run.documents[0]?.source;
    expect(document).toMatchObject({
      "@timestamp": "2023-11-14T22:14:20.000Z",
      source: { ip: "10.0.1.5", port: 49152, bytes: 5000, packets: 12 },
      destination: { ip: "52.216.10.1", port: 443 },
      network: { transport: "tcp", type: "ipv4", direction: "egress" },
      cloud: { region: "us-east-1", account: { id: "123456789010" }, instance: { id: "i-01234567890123456" } },
      aws: {
        vpcflow: {
          version: "8",
          az_id: "use1-az4",
          vpc_id: "vpc-0a1b2c3d",
          pkt_srcaddr: "10.0.1.5",
          tcp_flags: 19,
          tcp_flags_array: ["fin", "syn", "ack"],
          traffic_path: 8,
          pkt_dst_aws_service: "S3",
          resource_id: "vpc-0a1b2c3d",
          encryption_status: "1",
        },
      },
    });
    expect(document).not.toHaveProperty("aws.vpcflow.reject_reason");
    expect(dashValues(document)).toEqual([]);
  });

  it("keeps a field AWS adds later as text under aws.vpcflow", async () => {
    const run = await documentsOf(`${DEFAULT_HEADER} future-field\n${ACCEPTED} some-value\n`, "vpcflow");
    expect(run.documents[0]?.source).toMatchObject({ aws: { vpcflow: { future_field: "some-value" } } });
  });

  it("indexes a record whose field count does not match the header once, as text, tagged", async () => {
    const run = await documentsOf(`${DEFAULT_HEADER}\n2 123456789010 eni-1 too few\n${ACCEPTED}\n`, "vpcflow");
    expect(run.documents.map((document) => document.source.tags)).toEqual([[TAG_PARSE_FAILURE], undefined]);
    expect(run.linesUnparsed).toBe(1);
  });

  it("resumes mid-object with the header a continuation carried: the same documents as one read", async () => {
    const content = [CUSTOM_HEADER, CUSTOM_LINE, CUSTOM_LINE.replace("49152", "49153"), ""].join("\n");
    const whole = await documentsOf(content, "vpcflow");
    const secondLine = content.indexOf("\n", CUSTOM_HEADER.length + 1) + 1;
    const resumed = await documentsOf(content, "vpcflow", { start: secondLine, header: whole.header });
    expect(resumed.documents).toEqual(whole.documents.slice(1));
    // Without the header, the record does not parse as the default format: it would be mis-read.
    const headless = await documentsOf(content, "vpcflow", { start: secondLine });
    expect(headless.documents[0]?.source.tags).toEqual([TAG_PARSE_FAILURE]);
  });
});
