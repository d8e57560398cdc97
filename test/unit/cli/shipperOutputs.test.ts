/** s3ls finds a LogShipper's outputs: the standalone stack's own, or the stack output of a consumer's program that holds them. */
import { describe, expect, it } from "vitest";
import { shipperOutputsIn } from "../../../cli/stackOutputs";
import { UsageError } from "../../../cli/errors";

const shipper = (queue: string) => ({
  region: "eu-west-1",
  alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts",
  credentialsParameterName: "/logs/dev/elasticsearch",
  producers: {
    waf: {
      bucket: "acme-logs",
      prefix: "waf/",
      suffix: "",
      queueUrl: `https://sqs.eu-west-1.amazonaws.com/123456789012/${queue}`,
      queueArn: `arn:aws:sqs:eu-west-1:123456789012:${queue}`,
      deadLetterQueueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq",
      deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:dlq",
      functionName: "fn",
      logGroupName: "/logs/dev/waf",
      alarmNames: [],
    },
  },
});

describe("shipperOutputsIn", () => {
  it("reads the standalone stack's outputs at the top", () => {
    expect(shipperOutputsIn(shipper("top"), "file").producers.waf?.queueUrl).toMatch(/top$/);
  });

  it("finds the one stack output holding a LogShipper's outputs among the program's others, with the local emulator's endpoints", () => {
    const outputs = shipperOutputsIn(
      { vpcId: "vpc-1", logShipping: shipper("consumer"), emulatorEndpoint: "http://127.0.0.1:39500" },
      "file",
    );
    expect(outputs.producers.waf?.queueUrl).toMatch(/consumer$/);
    expect(outputs.emulatorEndpoint).toBe("http://127.0.0.1:39500");
  });

  it("asks which when several outputs hold one, and takes the one --export names", () => {
    const two = { teamA: shipper("a"), teamB: shipper("b") };
    expect(() => shipperOutputsIn(two, "file")).toThrow(
      /several LogShippers \(teamA, teamB\); say which with --export NAME/,
    );
    expect(shipperOutputsIn(two, "file", "teamB").producers.waf?.queueUrl).toMatch(/\/b$/);
    expect(() => shipperOutputsIn(two, "file", "teamC")).toThrow(UsageError);
  });

  it("says what is missing when no output is a LogShipper's", () => {
    expect(() => shipperOutputsIn({ vpcId: "vpc-1" }, "pulumi stack output")).toThrow(
      /does not hold this stack's outputs/,
    );
  });
});
