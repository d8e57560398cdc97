/** LogShipper's arguments, checked before anything is registered (pipeline/validation/shipperArguments.ts, instanceNames.ts). */
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import type { LogShipperArgs } from "../../../pipeline/arguments";
import { instanceNameProblems } from "../../../pipeline/validation/instanceNames";
import { checkedArguments, LogShipperArgumentsError } from "../../../pipeline/validation/shipperArguments";

const elasticsearch = {
  endpoint: "https://es.example.com:443",
  vault: { mount: "secret", path: "es" },
  adminVault: { mount: "secret", path: "es-admin" },
};
const producer = { name: "waf", bucket: "acme-logs", index: "logs-waf", format: "ndjson" } as const;

describe("checkedArguments", () => {
  it("takes plain arguments with the stack config's defaults", () => {
    const { config } = checkedArguments("logs", { elasticsearch, producers: [producer] });
    expect(config.producers[0]).toMatchObject({
      name: "waf",
      timeoutSeconds: 300,
      maxReceiveCount: 5,
      notifications: "bucket",
    });
  });

  it("names each problem by its argument path, without the stack config's namespace", () => {
    const refusal = () =>
      checkedArguments("logs", {
        elasticsearch,
        producers: [{ ...producer, maxReceiveCount: 3 }],
        alert: {},
      } as unknown as LogShipperArgs);
    expect(refusal).toThrow(LogShipperArgumentsError);
    expect(refusal).toThrow(/producers\[0\] \(waf\): maxReceiveCount must be at least 5, got 3/);
    expect(refusal).toThrow(/alert: not an argument of LogShipper, so it would be ignored; did you mean alerts\?/);
    expect(refusal).not.toThrow(/s3-log-shipper:/);
  });

  it("refuses an Output or a Promise where the component decides from the value which resources to create", () => {
    const refusal = () =>
      checkedArguments("logs", {
        elasticsearch,
        producers: [{ ...producer, bucket: pulumi.output("acme-logs") as unknown as string }],
      });
    expect(refusal).toThrow(/producers\[0\]\.bucket: must be a plain value, not an Output or a Promise/);
  });

  it("takes a VPC's subnets and security groups, and an alarm topic, as Outputs, checking the network when it resolves", async () => {
    const settings = checkedArguments("logs", {
      elasticsearch,
      producers: [producer],
      alerts: { topicArn: pulumi.output("arn:aws:sns:eu-west-1:123456789012:alerts") },
      network: { subnetIds: pulumi.output(["subnet-1"]), securityGroupIds: [pulumi.output("sg-1")] },
    });
    expect(pulumi.Output.isInstance(settings.alertTopicArn)).toBe(true);
    expect(settings.config.network).toBeUndefined();
    await expect(new Promise((resolve) => settings.network?.apply(resolve))).resolves.toEqual({
      subnetIds: ["subnet-1"],
      securityGroupIds: ["sg-1"],
    });
  });

  it("refuses a name that cannot be part of AWS names, and producer names too long beside it", () => {
    expect(() => checkedArguments("9 logs", { elasticsearch, producers: [producer] })).toThrow(
      /name "9 logs": must match/,
    );
    expect(instanceNameProblems("a-very-long-instance-name-x", ["a-producer-with-a-long-name"]).errors).toEqual([
      expect.stringMatching(/producers \(a-producer-with-a-long-name\): .* 54 characters together, over the 42/),
    ]);
  });

  it("only warns the standalone stack's instance about long producer names: its existing producers keep their names", () => {
    const names = instanceNameProblems("s3-log-shipper", ["a-producer-name-of-thirty-one-c"]);
    expect(names.errors).toEqual([]);
    expect(names.warnings).toHaveLength(1);
  });
});
