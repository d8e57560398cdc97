/** A producer's settings on AWS's parsed formats: preserveOriginal, timestampField and the line filters. */
import { describe, expect, it } from "vitest";
import { documentOf, documentsOf } from "../../../../helpers/formatDocuments";
import { lineFilterOf } from "../../../../../lambda/contract/lineFilter";

const ALB =
  'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-"';
const VPC_HEADER =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";
const VPC_ACCEPT =
  "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
const VPC_REJECT =
  "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK";

describe("parsed formats and the producer's settings", () => {
  it("keeps the raw line in event.original only with preserveOriginal", async () => {
    expect(await documentOf(ALB, "alb", { preserveOriginal: true })).toMatchObject({ event: { original: ALB } });
    expect(await documentOf(ALB, "alb")).not.toHaveProperty("event.original");
    const cloudwatch = JSON.stringify({
      messageType: "DATA_MESSAGE",
      owner: "123456789012",
      logGroup: "g",
      logStream: "s",
      subscriptionFilters: [],
      logEvents: [{ id: "1", timestamp: 0, message: '{"level":"info"}' }],
    });
    expect(await documentOf(cloudwatch, "cloudwatch", { preserveOriginal: true })).toMatchObject({
      level: "info",
      event: { original: '{"level":"info"}' },
    });
  });

  it("takes @timestamp from timestampField where it names a parsed field, else the log's own time", async () => {
    expect(await documentOf(ALB, "alb", { timestampField: "event.start" })).toMatchObject({
      "@timestamp": "2018-07-02T22:22:48.364Z",
    });
    const missing = await documentOf(ALB, "alb", { timestampField: "no.such.field" });
    // The log's own time, not the notification's, and no fallback tag: the document has a real time.
    expect(missing["@timestamp"]).toBe("2018-07-02T22:23:00.186641Z");
    expect(missing).not.toHaveProperty("tags");
  });

  it("filters records on the raw line and reads the header line whatever the filter says", async () => {
    const run = await documentsOf([VPC_HEADER, VPC_ACCEPT, VPC_REJECT, ""].join("\n"), "vpcflow", {
      filter: lineFilterOf([" REJECT "], []),
    });
    expect(run.documents).toHaveLength(1);
    expect(run.documents[0]?.source).toMatchObject({ event: { action: "reject" }, source: { port: 49761 } });
  });
});
