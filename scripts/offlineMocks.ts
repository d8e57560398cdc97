/**
 * Runs the Pulumi program offline: `pulumi.runtime.setMocks` answers every resource with the
 * computed outputs AWS would give (ARNs, URLs, names) and every invoke the program makes; an invoke
 * it does not know fails loudly. Used by `npm run plan` and by the infrastructure tests; with an
 * `emulator`, every resource is also created in the AWS emulator and answered with what it says
 * (the integration tier and `npm run demo`).
 */
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { parseDocument } from "yaml";
import type { EmulatorResources } from "./local/emulatorResources";

export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  state: Record<string, unknown>;
  /** The explicit provider it was created with (`urn::id`), when not the default one. */
  provider?: string;
}

export interface OfflineMockOptions {
  region: string;
  accountId?: string;
  /** What the Vault KV v2 lookup returns (placeholder credentials by default). */
  vaultData?: Record<string, string>;
  /** Create every resource in the AWS emulator and answer with its outputs. */
  emulator?: EmulatorResources;
}

export interface OfflineMocks {
  resources: RecordedResource[];
  invokes: string[];
  /** Resources being created in the emulator right now. */
  pending: number;
}

const PLACEHOLDER_VAULT_DATA = { api_key: "offline-plan-placeholder-not-a-credential" };

/** Installs the mocks; must run before the program module is imported. */
export async function installOfflineMocks(
  options: OfflineMockOptions,
  project: string,
  stack: string,
): Promise<OfflineMocks> {
  const region = options.region;
  const accountId = options.accountId ?? "123456789012";
  const recorded: OfflineMocks = { resources: [], invokes: [], pending: 0 };
  let serial = 0;

  await pulumi.runtime.setMocks(
    {
      newResource(
        args: pulumi.runtime.MockResourceArgs,
      ): { id: string; state: Record<string, unknown> } | Promise<{ id: string; state: Record<string, unknown> }> {
        serial += 1;
        const inputs = (args.inputs ?? {}) as Record<string, unknown>;
        const { emulator } = options;
        if (emulator) {
          recorded.pending += 1;
          return emulator
            .create(args.type, args.name, inputs)
            .then(({ id, outputs }) => {
              recorded.resources.push({ type: args.type, name: args.name, inputs, state: outputs });
              return { id, state: outputs };
            })
            .finally(() => (recorded.pending -= 1));
        }
        const name =
          typeof inputs.name === "string" ? inputs.name : `${args.name}-${serial.toString(16).padStart(7, "0")}`;
        const computed = computedOutputs(args.type, name, inputs, { region, accountId, serial });
        const state = { ...inputs, name, ...computed.state };
        recorded.resources.push({
          type: args.type,
          name: args.name,
          inputs,
          state,
          ...(args.provider ? { provider: args.provider } : {}),
        });
        return { id: computed.id, state };
      },
      call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        recorded.invokes.push(args.token);
        if (options.emulator)
          return options.emulator.invoke(
            args.token,
            args.inputs as Record<string, unknown>,
            options.vaultData ?? PLACEHOLDER_VAULT_DATA,
          );
        switch (args.token) {
          case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId, arn: `arn:aws:iam::${accountId}:user/offline`, userId: "AIDAOFFLINE", id: accountId };
          case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
          case "aws:index/getRegion:getRegion":
            return { name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region, id: region };
          case "vault:kv/getSecretV2:getSecretV2": {
            const data = options.vaultData ?? PLACEHOLDER_VAULT_DATA;
            return {
              ...args.inputs,
              data,
              dataJson: JSON.stringify(data),
              path: `${String(args.inputs.mount)}/data/${String(args.inputs.name)}`,
              destroyed: false,
              createdTime: "2026-01-01T00:00:00Z",
              deletionTime: "",
              customMetadata: {},
              id: "vault",
            };
          }
          default:
            throw new Error(`offline mocks: no answer for invoke ${args.token}; add it to scripts/offlineMocks.ts`);
        }
      },
    },
    project,
    stack,
    false,
  );
  return recorded;
}

function computedOutputs(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  ctx: { region: string; accountId: string; serial: number },
): { id: string; state: Record<string, unknown> } {
  const { region, accountId } = ctx;
  switch (type) {
    case "aws:sqs/queue:Queue": {
      const url = `https://sqs.${region}.amazonaws.com/${accountId}/${name}`;
      return { id: url, state: { arn: `arn:aws:sqs:${region}:${accountId}:${name}`, url } };
    }
    case "aws:iam/role:Role":
      return { id: name, state: { arn: `arn:aws:iam::${accountId}:role/${name}` } };
    case "aws:kms/key:Key": {
      const keyId = `00000000-0000-4000-8000-${ctx.serial.toString().padStart(12, "0")}`;
      return { id: keyId, state: { keyId, arn: `arn:aws:kms:${region}:${accountId}:key/${keyId}` } };
    }
    case "aws:ssm/parameter:Parameter":
      return { id: name, state: { arn: `arn:aws:ssm:${region}:${accountId}:parameter${name}`, version: 1 } };
    case "aws:sns/topic:Topic":
      return {
        id: `arn:aws:sns:${region}:${accountId}:${name}`,
        state: { arn: `arn:aws:sns:${region}:${accountId}:${name}` },
      };
    case "aws:lambda/function:Function":
      return {
        id: name,
        state: {
          arn: `arn:aws:lambda:${region}:${accountId}:function:${name}`,
          invokeArn: `arn:aws:apigateway:${region}:lambda:path/functions/${name}`,
        },
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { id: name, state: { arn: `arn:aws:logs:${region}:${accountId}:log-group:${name}` } };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { id: name, state: { arn: `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}` } };
    case "aws:cloudwatch/eventRule:EventRule":
      return {
        id: name,
        state: { arn: `arn:aws:events:${region}:${accountId}:rule/${name}`, eventBusName: "default" },
      };
    // Its `arn` is an input (the target's), which must stay as given.
    case "aws:cloudwatch/eventTarget:EventTarget":
      return { id: `${String(inputs.rule)}-${name}`, state: {} };
    case "aws:sns/topicSubscription:TopicSubscription":
      return { id: `${String(inputs.topic)}:${name}`, state: { arn: `${String(inputs.topic)}:${name}` } };
    default:
      return {
        id: `${name}-id`,
        state: {
          arn: `arn:aws:mock:${region}:${accountId}:${type.split(":").pop() ?? "resource"}/${name}`,
          ...("id" in inputs ? {} : {}),
        },
      };
  }
}

/** Reads a `Pulumi.<stack>.yaml` file into the flat config map Pulumi hands the program. */
/** A stack file that is not valid YAML; the message is `file:line:column: what`. */
export class StackFileError extends Error {}

/**
 * The `config:` of a stack file as Pulumi passes it. Throws `StackFileError` naming the file, line
 * and column of the first YAML mistake (the YAML library's own error carries a long stack).
 */
export function readStackConfig(file: string): Record<string, string> {
  const document = parseDocument(readFileSync(file, "utf8"));
  const [error] = document.errors;
  if (error) {
    const at = error.linePos?.[0];
    const what = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? error.code;
    throw new StackFileError(`${file}:${at?.line ?? 1}:${at?.col ?? 1}: ${what}`);
  }
  const value = document.toJS() as { config?: Record<string, unknown> } | null;
  return toConfigMap(value?.config ?? {});
}

/** Pulumi passes structured values as JSON strings. */
export function toConfigMap(config: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
  );
}

/** Resolves when `output` has a value (or rejects with its error). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    // Errors inside an apply reject the output's internal promise; surface them.
    (output as unknown as { promise: () => Promise<T> }).promise().then(resolve, reject);
  });
}

/** Waits until the program stops registering resources. */
export async function settle(recorded: OfflineMocks, quietRounds = 5): Promise<void> {
  let last = -1;
  let quiet = 0;
  while (quiet < quietRounds) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (recorded.resources.length === last && recorded.pending === 0) quiet += 1;
    else {
      quiet = 0;
      last = recorded.resources.length;
    }
  }
}
