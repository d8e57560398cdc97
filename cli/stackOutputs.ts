/**
 * Where the commands find the stack: its outputs, from `pulumi stack output --json --stack NAME`
 * or from a file holding that JSON. Nothing re-reads stack config.
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { z } from "zod";
import { stackOutputsSchema, type ProducerStackOutputs } from "../pipeline/stackOutputs";
import { describeObjectFilter, matchesObjectFilter, objectFilterOf } from "../lambda/contract/objectFilter";
import { UsageError } from "./errors";

/** The program's outputs, and in a file the local stack writes, the AWS emulator the stack lives in. */
const readableOutputsSchema = stackOutputsSchema.extend({
  emulatorEndpoint: z.url().optional(),
  /** The local stack's Lambda event source mapping API (scripts/local/lambdaControlPlane.ts), when not the emulator's. */
  emulatorLambdaEndpoint: z.url().optional(),
});

export type ProducerOutputs = ProducerStackOutputs & { name: string };
export type StackOutputs = z.infer<typeof readableOutputsSchema>;

/**
 * The outputs of one `LogShipper`: the stack's own outputs (the standalone stack exports them at
 * the top), or the one stack output that holds them (a consumer's program: `export const logShipping
 * = shipper.outputs`); `exportName` picks one where several do.
 */
export async function loadStackOutputs(source: {
  stack?: string;
  outputs?: string;
  exportName?: string;
}): Promise<StackOutputs> {
  if (source.stack && source.outputs) throw new UsageError("give --stack or --outputs, not both");
  let text: string;
  let where: string;
  if (source.outputs) {
    where = source.outputs;
    text = await readFile(source.outputs, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read --outputs ${source.outputs}: ${error.code ?? error.message}`);
    });
  } else if (source.stack) {
    where = `pulumi stack output --json --stack ${source.stack}`;
    text = await promisify(execFile)("pulumi", ["stack", "output", "--json", "--stack", source.stack], {
      maxBuffer: 16 * 1024 * 1024,
    })
      .then((result) => result.stdout)
      .catch((error: Error & { stderr?: string; code?: string | number }) => {
        throw new UsageError(pulumiFailure(source.stack as string, where, error));
      });
  } else {
    throw new UsageError(
      "say where the stack is: --stack NAME (reads `pulumi stack output`) or --outputs FILE (that JSON)",
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`${where} is not JSON`);
  }
  return shipperOutputsIn(json, where, source.exportName);
}

/** The exports that can be a LogShipper's outputs, found by shape, or the one named. */
export function shipperOutputsIn(json: unknown, where: string, exportName?: string): StackOutputs {
  const top =
    json !== null && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  // An outputs file of the local stack names the emulator beside the exports.
  const emulator = { emulatorEndpoint: top.emulatorEndpoint, emulatorLambdaEndpoint: top.emulatorLambdaEndpoint };
  const exported = (name: string) => {
    const value = schemaNames(top[name]);
    return value !== null && typeof value === "object" ? { ...emulator, ...(value as Record<string, unknown>) } : value;
  };
  if (exportName !== undefined) {
    if (!(exportName in top))
      throw new UsageError(`${where} has no output ${exportName}; it has ${Object.keys(top).join(", ") || "none"}`);
    json = exported(exportName);
  } else if (!readableOutputsSchema.safeParse(json).success) {
    const holders = Object.keys(top).filter((name) => readableOutputsSchema.safeParse(exported(name)).success);
    if (holders.length > 1)
      throw new UsageError(
        `${where} holds the outputs of several LogShippers (${holders.join(", ")}); say which with --export NAME`,
      );
    if (holders.length === 1) json = exported(holders[0] as string);
  }
  const parsed = readableOutputsSchema.safeParse(schemaNames(json));
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `${issue.path.join(".") || "(top)"}: ${issue.message}`)
      .join("; ");
    throw new UsageError(
      `${where} does not hold this stack's outputs (${problems}); was it deployed with this version of s3-log-shipper?`,
    );
  }
  return parsed.data;
}

/**
 * The outputs under the schema's names. A Python program that exports `shipper.outputs` exports
 * the generated SDK's output object, whose keys are Python's (`queue_url`, `alarm_topic_arn`: the
 * SDK turns every property of a typed output into snake_case, and `pulumi stack output --json`
 * prints them so); TypeScript, Go and YAML programs export the schema's camelCase. Keys of objects
 * only: arrays (alarm names, the owners' IAM statements) are kept as they are, and producer names
 * have no `_` (config's PRODUCER_NAME_PATTERN), so no name changes.
 */
function schemaNames(value: unknown): unknown {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      /^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(key)
        ? key.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase())
        : key,
      schemaNames(member),
    ]),
  );
}

/**
 * Why `pulumi stack output` failed, in words a new user can act on. Its own messages: "no stack
 * named 'x' found", and, without a login, "PULUMI_ACCESS_TOKEN must be set for login during
 * non-interactive CLI sessions"; without the CLI, execFile fails ENOENT with nothing on stderr.
 */
function pulumiFailure(
  stack: string,
  where: string,
  error: Error & { stderr?: string; code?: string | number },
): string {
  const stderr = (error.stderr ?? "").trim();
  const instead = `or give --outputs FILE holding \`pulumi stack output --json --stack ${stack}\` from a machine where it works`;
  if (error.code === "ENOENT")
    return `--stack needs the Pulumi CLI, and there is no pulumi on PATH here: install it (docs/getting-started.md "Deploy the standalone stack"), ${instead}`;
  if (/no stack named/i.test(stderr))
    return `stack ${stack} does not exist in the backend the Pulumi CLI is logged in to (pulumi stack ls lists its stacks, pulumi whoami -v names the backend): check the name, or pulumi login to the backend that holds it; ${stderr}`;
  if (/PULUMI_ACCESS_TOKEN|not logged in|pulumi login|log in/i.test(stderr))
    return `the Pulumi CLI is not logged in to a backend: pulumi login (to the stack's backend), ${instead}; ${stderr}`;
  return `${where} failed${typeof error.code === "number" ? ` (exit ${error.code})` : ""}: ${stderr || error.message}`;
}

/** The producers named (all when `name` is undefined); an unknown name is a usage error naming the known ones. */
export function selectProducers(outputs: StackOutputs, name: string | undefined): ProducerOutputs[] {
  const all = Object.entries(outputs.producers).map(([producerName, producer]) => ({
    ...producer,
    name: producerName,
  }));
  if (name === undefined) return all;
  const found = all.find((producer) => producer.name === name);
  if (!found)
    throw new UsageError(
      `no producer "${name}" in this stack; it has ${all.map((producer) => producer.name).join(", ") || "none"}`,
    );
  return [found];
}

/** The one producer whose filter (bucket, prefix and suffix, or key pattern) matches an object; none or several is an error. */
export function producerForObject(outputs: StackOutputs, bucket: string, key: string): ProducerOutputs {
  const matching = selectProducers(outputs, undefined).filter((producer) =>
    matchesObjectFilter(objectFilterOf(producer), bucket, key),
  );
  if (matching.length === 1) return matching[0] as ProducerOutputs;
  if (matching.length === 0)
    throw new UsageError(
      `no producer of this stack reads s3://${bucket}/${key} (bucket, prefix and suffix of each: ${selectProducers(
        outputs,
        undefined,
      )
        .map((p) => `${p.name} ${describeObjectFilter(objectFilterOf(p))}`)
        .join(", ")})`,
    );
  throw new UsageError(
    `s3://${bucket}/${key} matches several producers (${matching.map((p) => p.name).join(", ")}); their filters overlap`,
  );
}
