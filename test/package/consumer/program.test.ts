// The consumer's own unit test of its program, with Pulumi's mocks (node:test, run with tsx).
import * as pulumi from "@pulumi/pulumi";
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";

const registered: pulumi.runtime.MockResourceArgs[] = [];

before(() => {
  pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        registered.push(args);
        return {
          id: `${args.name}-id`,
          state: {
            ...args.inputs,
            arn: `arn:aws:mock:eu-west-1:123456789012:${args.name}`,
            url: `https://sqs.mock/${args.name}`,
            name: args.inputs.name ?? `${args.name}-1a2b3c4`,
          },
        };
      },
      call: (args) => {
        const answers: Record<string, Record<string, unknown>> = {
          "aws:index/getCallerIdentity:getCallerIdentity": { accountId: "123456789012", arn: "arn", userId: "u" },
          "aws:index/getPartition:getPartition": { partition: "aws", dnsSuffix: "amazonaws.com" },
          "aws:index/getRegion:getRegion": { region: "eu-west-1", name: "eu-west-1" },
          "vault:kv/getSecretV2:getSecretV2": { data: { api_key: "bW9jazprZXk=" } },
        };
        const answer = answers[args.token];
        if (!answer) throw new Error(`no mock for ${args.token}`);
        return answer;
      },
    },
    "platform",
    "dev",
    false,
  );
});

describe("the platform program", () => {
  it("ships the archive bucket's CloudTrail logs, alarms by e-mail, and exports what s3ls reads", async () => {
    // Imported after the mocks are set: the program creates resources when it loads.
    const program = await import("./program.js");
    const outputs = await new Promise<Record<string, unknown>>((resolve) =>
      program.logShipping.apply((value) => resolve(value as unknown as Record<string, unknown>)),
    );
    const functions = registered.filter((r) => r.type === "aws:lambda/function:Function");
    assert.deepEqual(
      functions.map((f) => f.name),
      ["security-logs-cloudtrail-function"],
    );
    assert.equal(functions[0]?.inputs.memorySize, 1024);
    const subscriptions = registered.filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription");
    assert.deepEqual(
      subscriptions.map((s) => s.inputs.endpoint),
      ["secops@acme.example"],
    );
    assert.deepEqual(Object.keys(outputs.producers as object), ["cloudtrail"]);
    const parameter = registered.find((r) => r.type === "aws:ssm/parameter:Parameter");
    assert.equal(parameter?.inputs.name, "/security-logs/dev/elasticsearch");
  });
});
