/**
 * What `pulumi stack export` must show of the Elasticsearch password a deployment read from Vault:
 * nowhere in clear, and the credentials parameter's value only as a secret (the engine's secret
 * envelope, its ciphertext under the stack's secrets provider).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "vitest";

/** The key Pulumi marks a secret value with in a checkpoint (sdk/go/common/resource/sig). */
const SECRET_SIGNATURE = "4dabf18193072939515e22adb298388d";
const SECRET_KIND = "1b47061264138c4ac30d75fd1eb44270";

interface ExportedResource {
  type: string;
  urn: string;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

/**
 * `pulumi stack export` as a person runs it. Not the Automation API's exportStack: that one passes
 * --show-secrets, which prints every secret decrypted (as `plaintext` beside the secret marker).
 */
export async function exportedDeployment(
  pulumi: string,
  stack: string,
  cwd: string,
  env: Record<string, string>,
): Promise<unknown> {
  const { stdout } = await promisify(execFile)(pulumi, ["stack", "export", "--stack", stack], {
    cwd,
    env: { ...process.env, ...env },
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  return (JSON.parse(stdout) as { deployment: unknown }).deployment;
}

/** Holds an exported deployment to the rule; returns the credentials parameters it checked. */
export function expectPasswordOnlyAsSecret(deployment: unknown, password: string): ExportedResource[] {
  const resources = (deployment as { resources?: ExportedResource[] }).resources ?? [];
  expect(placesHolding(resources, password), "where the state holds the password in clear").toEqual([]);
  const parameters = resources.filter((resource) => resource.type === "aws:ssm/parameter:Parameter");
  expect(parameters.length, "the stack holds the credentials parameter").toBeGreaterThan(0);
  for (const parameter of parameters)
    for (const side of ["inputs", "outputs"] as const)
      expect(parameter[side]?.value, `${parameter.urn} ${side}.value`).toMatchObject({
        [SECRET_SIGNATURE]: SECRET_KIND,
        ciphertext: expect.any(String),
      });
  return parameters;
}

/** Where in the resources a string containing `text` is: `<urn> <path>`. */
function placesHolding(resources: ExportedResource[], text: string): string[] {
  const places: string[] = [];
  const visit = (value: unknown, where: string): void => {
    if (typeof value === "string") {
      if (value.includes(text)) places.push(where);
    } else if (Array.isArray(value)) value.forEach((element, index) => visit(element, `${where}[${index}]`));
    else if (value !== null && typeof value === "object")
      for (const [key, member] of Object.entries(value)) visit(member, `${where}.${key}`);
  };
  for (const resource of resources) visit(resource, resource.urn);
  return places;
}
