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

  it("reads a Python program's export, whose keys the generated SDK spells in snake_case, and keeps the owners' statements as they are", () => {
    // What `pulumi stack output --json` printed for test/package/python/shippers.py on the real engine (trimmed).
    const statement = { Effect: "Allow", Condition: { ArnLike: { "aws:SourceArn": "arn:aws:sqs:*" } } };
    const python = {
      applicationLogShipping: {
        alarm_topic_arn: "arn:aws:sns:eu-west-1:123456789012:application-alerts-topic-ab0a7f6",
        credentials_parameter_name: "/application/python/elasticsearch",
        region: "eu-west-1",
        producers: {
          "waf-app": {
            alarm_names: ["application-waf-alarms-dlq-depth-06c7b61"],
            bucket: "python-consumer-logs",
            bucket_owner_statements: { bucket_policy: [statement], key_policy: [], topic_policy: [] },
            dead_letter_queue_arn: "arn:aws:sqs:eu-west-1:123456789012:application-waf-dlq",
            dead_letter_queue_url: "http://127.0.0.1:39500/123456789012/application-waf-dlq",
            deployed: {
              format: "ndjson",
              index: "logs-waf-app",
              max_receive_count: 5,
              message_retention_seconds: 1209600,
              object_kms_key_arns: [],
              visibility_timeout_seconds: 360,
            },
            function_name: "application-waf-function-1f2e3d4",
            log_group_name: "/application/python/waf",
            notifications: "bucket",
            prefix: "waf/",
            queue_arn: "arn:aws:sqs:eu-west-1:123456789012:application-waf-queue",
            queue_url: "http://127.0.0.1:39500/123456789012/application-waf-queue",
            suffix: "",
          },
        },
      },
    };
    const outputs = shipperOutputsIn(python, "pulumi stack output");
    expect(outputs.credentialsParameterName).toBe("/application/python/elasticsearch");
    const producer = outputs.producers["waf-app"];
    expect(producer?.queueUrl).toBe("http://127.0.0.1:39500/123456789012/application-waf-queue");
    expect(producer?.deployed?.maxReceiveCount).toBe(5);
    expect(producer?.bucketOwnerStatements?.bucketPolicy).toEqual([statement]);
  });

  it("says what is missing when no output is a LogShipper's", () => {
    expect(() => shipperOutputsIn({ vpcId: "vpc-1" }, "pulumi stack output")).toThrow(
      /does not hold this stack's outputs/,
    );
  });
});
