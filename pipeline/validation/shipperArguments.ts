/**
 * `LogShipper`'s arguments checked before anything is registered: plain values validated by the
 * stack-config schema (`config.ts`), each problem named by its argument path, plus the names the
 * instance's resources will carry (`instanceNames.ts`). The few arguments that shape no resource —
 * a VPC's subnets and security groups, an existing alarm topic — may be Outputs of other resources;
 * they are checked when they resolve.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LogShipperArgs, NetworkArgs } from "../arguments";
import { ARGUMENTS_VOCABULARY, StackConfigError } from "./vocabulary";
import { validateConfig, validateNetwork } from "./config";
import type { NetworkConfig, RawShipperConfig, ShipperConfig } from "./schema";
import { instanceNameProblems } from "./instanceNames";
import { isPlainObject } from "../../lambda/contract/plainObjects";

/** Arguments `LogShipper` refuses; the message lists every problem by its argument path. No stack trace is printed. */
export class LogShipperArgumentsError extends pulumi.RunError {
  constructor(
    readonly instance: string,
    readonly problems: string[],
  ) {
    super(`LogShipper "${instance}": invalid arguments:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "LogShipperArgumentsError";
  }
}

/** The arguments once checked. */
export interface ShipperSettings {
  config: ShipperConfig;
  /** `network` when it held Outputs: resolved and checked when they are known (`config.network` is then unset). */
  network?: pulumi.Output<NetworkConfig>;
  /** `alerts.topicArn`, which may be an Output of the consumer's own topic. */
  alertTopicArn?: pulumi.Input<string>;
  /** Worth a warning, not a refusal (instanceNames.ts). */
  warnings: string[];
}

/** Where an argument may hold Outputs: nothing is shaped by these values, only passed on. */
const LATE_BOUND = [/^network\.(subnetIds|securityGroupIds)(\[\d+\])?$/, /^alerts\.topicArn$/];

/** Checks `args`; throws `LogShipperArgumentsError` before any resource exists. */
export function checkedArguments(instance: string, args: LogShipperArgs | undefined): ShipperSettings {
  const problems: string[] = [];
  if (!isPlainObject(args)) throw new LogShipperArgumentsError(instance, ["the arguments must be an object"]);
  const raw: RawShipperConfig = {};
  let network: pulumi.Output<NetworkConfig> | undefined;
  let alertTopicArn: pulumi.Input<string> | undefined;
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined) continue;
    const late = outputsIn(value, key).filter((path) => !LATE_BOUND.some((pattern) => pattern.test(path)));
    if (late.length > 0) {
      problems.push(
        ...late.map(
          (path) =>
            `${path}: must be a plain value, not an Output or a Promise — LogShipper decides from it which resources to create, ` +
            `and checks it, before any exists. Pass the value itself (a bucket by its name, the resource that creates it in dependsOn)`,
        ),
      );
      continue;
    }
    if (key === "network" && outputsIn(value, key).length > 0) {
      network = pulumi
        .output(args.network as pulumi.Input<NetworkArgs>)
        .apply((resolved) => checkedLater(instance, () => validateNetwork(resolved, ARGUMENTS_VOCABULARY)));
      continue;
    }
    if (key === "alerts" && isPlainObject(value) && outputsIn(value.topicArn, "alerts.topicArn").length > 0) {
      const { topicArn, ...rest } = value;
      alertTopicArn = topicArn as pulumi.Input<string>;
      raw[key] = rest;
      continue;
    }
    raw[key] = value;
  }
  let config: ShipperConfig | undefined;
  try {
    config = validateConfig(raw, ARGUMENTS_VOCABULARY);
  } catch (error) {
    if (!(error instanceof StackConfigError)) throw error;
    problems.push(...error.problems);
  }
  const producerNames = Array.isArray(raw.producers)
    ? raw.producers.flatMap((producer: unknown) =>
        isPlainObject(producer) && typeof producer.name === "string" ? [producer.name] : [],
      )
    : [];
  const names = instanceNameProblems(instance, producerNames);
  problems.push(...names.errors);
  if (problems.length > 0 || !config) throw new LogShipperArgumentsError(instance, problems);
  const topicArn = alertTopicArn ?? config.alerts.topicArn;
  return {
    config,
    ...(network ? { network } : {}),
    ...(topicArn !== undefined ? { alertTopicArn: topicArn } : {}),
    warnings: names.warnings,
  };
}

/** The argument paths under `path` that hold an Output or a Promise. */
function outputsIn(value: unknown, path: string): string[] {
  if (pulumi.Output.isInstance(value) || value instanceof Promise) return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => outputsIn(item, `${path}[${index}]`));
  if (isPlainObject(value)) return Object.entries(value).flatMap(([key, item]) => outputsIn(item, `${path}.${key}`));
  return [];
}

/** Runs a check of values that resolved during the deployment, as the same refusal. */
function checkedLater<T>(instance: string, check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof StackConfigError) throw new LogShipperArgumentsError(instance, error.problems);
    throw error;
  }
}
