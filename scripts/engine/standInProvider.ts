/**
 * Stand-in resource plugins for the real Pulumi engine: the AWS and Vault plugins cannot be
 * obtained on this machine, so `pulumi-resource-aws` and `pulumi-resource-vault` (launchers in
 * plugins/) run this provider, which creates every resource in the AWS emulator through the same
 * mapping the mocks driver uses (scripts/local/emulatorResources.ts) and answers the invokes.
 * Test equipment: it diffs by comparing values and replaces on any change.
 *
 *   S3LS_EMULATOR_ENDPOINT, S3LS_EMULATOR_REGION   where the emulator is
 *   S3LS_EMULATOR_VAULT_DATA                       what the Vault KV lookup returns (JSON)
 */
import * as provider from "@pulumi/pulumi/provider";
import { isDeepStrictEqual } from "node:util";
import { EmulatorResources, withoutSecretMarkers } from "../local/emulatorResources";

const [kind = "aws", ...engineArgs] = process.argv.slice(2);
/** The versions the program's SDKs ask for (package.json): the engine loads the plugin by them. */
const VERSIONS: Record<string, string> = { aws: "7.48.0", vault: "7.8.0" };

const endpoint = process.env.S3LS_EMULATOR_ENDPOINT;
if (!endpoint)
  throw new Error(
    "S3LS_EMULATOR_ENDPOINT is not set: the stand-in provider creates resources in the AWS emulator only",
  );
const emulator = new EmulatorResources({ endpoint, region: process.env.S3LS_EMULATOR_REGION ?? "eu-west-1" });
const vaultData = JSON.parse(process.env.S3LS_EMULATOR_VAULT_DATA ?? "{}") as Record<string, string>;

/** Types whose changes are updates, not replacements: the function is a record the local host reads. */
const UPDATED_IN_PLACE = new Set(["aws:lambda/function:Function"]);

/** The resource type of a URN (`urn:pulumi:stack::project::parent$type::name`). */
function typeOf(urn: string): string {
  const qualified = urn.split("::")[2] ?? "";
  return qualified.slice(qualified.lastIndexOf("$") + 1);
}

function nameOf(urn: string): string {
  return urn.split("::")[3] ?? "";
}

const standIn: provider.Provider = {
  version: VERSIONS[kind] ?? "0.0.1",
  async check(_urn, _olds, news) {
    return { inputs: news };
  },
  async diff(_id, urn, olds: Record<string, unknown>, news: Record<string, unknown>) {
    const changed = Object.keys(news).filter(
      (key) => !isDeepStrictEqual(withoutSecretMarkers(olds[key]), withoutSecretMarkers(news[key])),
    );
    // A function changes in place (as AWS updates its code and settings); anything else is replaced.
    const inPlace = UPDATED_IN_PLACE.has(typeOf(urn));
    return { changes: changed.length > 0, replaces: inPlace ? [] : changed, deleteBeforeReplace: true };
  },
  async update(_id, _urn, olds: Record<string, unknown>, news: Record<string, unknown>) {
    // Records only (see UPDATED_IN_PLACE): the new settings, with the name and ARN it already has.
    return { outs: { ...news, name: olds.name, arn: olds.arn, invokeArn: olds.invokeArn } };
  },
  async create(urn, inputs: Record<string, unknown>) {
    const created = await emulator.create(typeOf(urn), nameOf(urn), inputs);
    return { id: created.id, outs: created.outputs };
  },
  async delete(id, urn) {
    await emulator.delete(typeOf(urn), id);
  },
  async invoke(token, inputs: Record<string, unknown>) {
    return { outputs: emulator.invoke(token, inputs, vaultData) };
  },
};

void provider.main(standIn, engineArgs);
