/**
 * Fault tier — AWS's formats across invocations: an object whose header names its fields (a custom
 * VPC flow format, CloudFront's #Fields) continued mid-object keeps reading by that header, and a
 * Firehose CloudWatch object continues at a record's start; every record is indexed once, parsed.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLOUDFRONT_DEFAULT_FIELDS } from "../../lambda/documents/aws/cloudfront";
import { TAG_PARSE_FAILURE } from "../../lambda/contract/tags";
import { cloudFrontLine } from "../helpers/awsDocumentedLogs";
import { FaultWorld } from "../helpers/faultWorld";

const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

function continuationsOf(scenario: { logs: Array<Record<string, unknown>> }): Array<Record<string, unknown>> {
  return scenario.logs
    .filter((line) => line.message === "object continued")
    .map((line) => line.next as Record<string, unknown>);
}

/** Each value of `keyOf` over the documents, with how many times it was indexed. */
function countsOf(documents: Array<Record<string, unknown>>, keyOf: (document: Record<string, unknown>) => unknown) {
  const counts = new Map<unknown, number>();
  for (const document of documents) counts.set(keyOf(document), (counts.get(keyOf(document)) ?? 0) + 1);
  return counts;
}

const get = (document: Record<string, unknown>, path: string): unknown =>
  path.split(".").reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], document);

describe("AWS's formats continue where they left off", () => {
  it("resumes a custom-format VPC flow object with its header: every record once, parsed by name", async () => {
    // A custom format whose order differs from the default: read without its header, every record would be mis-read.
    const header =
      "srcport dstport srcaddr dstaddr protocol packets bytes start end action log-status version account-id interface-id";
    const records = Array.from(
      { length: 4_000 },
      (_, n) =>
        `${1_024 + n} 443 10.0.${n % 250}.7 52.216.10.1 6 12 5000 1700000000 1700000060 ACCEPT OK 5 123456789010 eni-0a1b2c3d`,
    );
    const scenario = await world.slowScenario({ producer: { format: "vpcflow" } });
    scenario.putAndNotify(
      "AWSLogs/123456789010/vpcflowlogs/us-east-1/flow.log.gz",
      gzipSync(`${header}\n${records.join("\n")}\n`),
    );

    await scenario.run();

    const continuations = continuationsOf(scenario);
    expect(continuations.length).toBeGreaterThan(0);
    expect(continuations).toContainEqual(
      expect.objectContaining({ unit: "line", format: "vpcflow", header: header.split(" ") }),
    );
    const documents = scenario.documents("AWSLogs/123456789010/vpcflowlogs/us-east-1/flow.log.gz");
    expect(
      documents.filter((document) => (document.tags as string[] | undefined)?.includes(TAG_PARSE_FAILURE)),
    ).toEqual([]);
    const ports = countsOf(documents, (document) => get(document, "source.port"));
    expect(ports.size).toBe(4_000);
    expect([...ports.values()].every((count) => count === 1)).toBe(true);
    expect(documents[0]).toMatchObject({
      destination: { port: 443 },
      network: { transport: "tcp" },
      aws: { vpcflow: { version: "5" } },
    });
    expect(scenario.sqs.deadLetters).toEqual([]);
  }, 90_000);

  it("resumes a CloudFront object whose #Fields reorders the columns", async () => {
    const fields = [...CLOUDFRONT_DEFAULT_FIELDS].reverse();
    // The documented line's columns in the reversed order the #Fields line names.
    const line = (n: number): string => cloudFrontLine(`request-${n}`, "0.001").split("\t").reverse().join("\t");
    const content = [
      "#Version: 1.0",
      `#Fields: ${fields.join(" ")}`,
      ...Array.from({ length: 3_000 }, (_, n) => line(n)),
      "",
    ].join("\n");
    const scenario = await world.slowScenario({ producer: { format: "cloudfront" } });
    scenario.putAndNotify("cf/E2EXAMPLE1234.2019-12-04-21.a1b2c3d4.gz", gzipSync(content));

    await scenario.run();

    expect(continuationsOf(scenario)).toContainEqual(expect.objectContaining({ format: "cloudfront", header: fields }));
    const documents = scenario.documents("cf/E2EXAMPLE1234.2019-12-04-21.a1b2c3d4.gz");
    const requests = countsOf(documents, (document) => get(document, "http.request.id"));
    expect(requests.size).toBe(3_000);
    expect([...requests.values()].every((count) => count === 1)).toBe(true);
    expect(documents.every((document) => get(document, "source.ip") === "192.0.2.100")).toBe(true);
  }, 90_000);

  it("continues a Firehose CloudWatch object, one gzip member per record, at a record's start", async () => {
    const records = Array.from({ length: 60 }, (_, r) =>
      gzipSync(
        JSON.stringify({
          messageType: "DATA_MESSAGE",
          owner: "123456789012",
          logGroup: "/aws/lambda/orders",
          logStream: `stream-${r}`,
          subscriptionFilters: ["to-firehose"],
          logEvents: Array.from({ length: 50 }, (_, e) => ({
            id: `${r}-${e}`,
            timestamp: 1_764_237_600_000 + r * 1_000 + e,
            message: JSON.stringify({ level: "info", order: `${r}-${e}` }),
          })),
        }),
      ),
    );
    const control = gzipSync(
      JSON.stringify({
        messageType: "CONTROL_MESSAGE",
        owner: "CloudwatchLogs",
        logGroup: "",
        logStream: "",
        subscriptionFilters: [],
        logEvents: [],
      }),
    );
    const scenario = await world.slowScenario({ producer: { format: "cloudwatch" }, documentsPerRequest: 200 });
    scenario.putAndNotify("firehose/2026/11/27/10/orders-1", Buffer.concat([control, ...records]));

    await scenario.run();

    expect(continuationsOf(scenario)).toContainEqual(
      expect.objectContaining({ unit: "line", format: "cloudwatch", gzip: true }),
    );
    const documents = scenario.documents("firehose/2026/11/27/10/orders-1");
    const orders = countsOf(documents, (document) => document.order);
    expect(orders.size).toBe(3_000);
    expect([...orders.values()].every((count) => count === 1)).toBe(true);
    expect(documents[0]).toMatchObject({ level: "info", aws: { cloudwatch: { log_group: "/aws/lambda/orders" } } });
    expect(scenario.sqs.deadLetters).toEqual([]);
  }, 90_000);
});
