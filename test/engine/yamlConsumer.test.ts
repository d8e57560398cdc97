/**
 * A Pulumi YAML program uses the component through the real engine: the CLI built from source,
 * Pulumi's YAML language host built from the Go module proxy, and the package — packed, installed
 * from its tarball — run as a plugin the way the Node.js language host runs one
 * (`@pulumi/pulumi/cmd/run-plugin` on the package's directory), from the executable
 * `pulumi-resource-s3-log-shipper` in the plugin directory the program's `packages:` entry names.
 * preview → up into the emulator (the bucket's notification entry written by the package's own
 * provider) → `s3ls status` on the program's output → preview shows no change → destroy.
 */
import { GetBucketNotificationConfigurationCommand, CreateBucketCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { engineEnvironment, pulumiBinary } from "../../scripts/engine/engineStack";
import { awsClients, REGION, type AwsClients } from "../../scripts/local/localPipeline";
import { resetMoto, startMoto } from "../../scripts/local/services";
import { s3ls, writeOutputsFile } from "../helpers/operatorCli";
import { consumerProject, packPackage } from "../helpers/packedPackage";
import { writeProviderPlugin } from "../helpers/providerPlugin";
import { expectPasswordOnlyAsSecret, exportedDeployment } from "../helpers/stateSecrets";

const BUCKET = "yaml-consumer-logs";
const VAULT_PASSWORD = "yaml-vault-password";

/**
 * The YAML language host's directory, built on first use (a minute or more from cold). Run
 * without blocking: a worker whose event loop is held for over a minute misses vitest's RPC
 * deadline and the run ends in "Timeout calling onTaskUpdate" although every test passed.
 */
async function yamlLanguageHost(): Promise<string> {
  const script = spawn("bash", [path.join(PROJECT_ROOT, "scripts/services/pulumi-language-yaml.sh"), "path"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  script.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const [code] = (await once(script, "close")) as [number | null];
  if (code !== 0) throw new Error(`pulumi-language-yaml.sh path exited with ${code}`);
  return output.trim();
}

/** The YAML program: everything a consumer writes, the package named by its plugin directory. */
function yamlProgram(pluginDir: string): string {
  return `name: yaml-consumer
runtime: yaml
packages:
  s3-log-shipper: ${pluginDir}
resources:
  shipper:
    type: s3-log-shipper:LogShipper
    properties:
      elasticsearch:
        endpoint: http://127.0.0.1:9200
        allowInsecureHttp: true
        vault:
          mount: local
          path: elasticsearch
        manageIndices: false
      defaults:
        timeoutSeconds: 60
      producers:
        - name: waf
          bucket: ${BUCKET}
          prefix: waf/
          index: logs-waf
          format: ndjson
        - name: alb
          bucket: ${BUCKET}
          prefix: alb/
          index: logs-alb
          format: text
outputs:
  logShipping: \${shipper.outputs}
`;
}

describe("a Pulumi YAML program using the component through the real engine", () => {
  let workDir: string;
  let stack: Stack;
  let aws: AwsClients;
  let endpoint: string;
  let logShipping: Record<string, unknown>;
  let programDir: string;
  let installedDir: string | undefined;
  let environment: Record<string, string>;

  beforeAll(async () => {
    endpoint = await startMoto();
    await resetMoto();
    aws = awsClients(endpoint);
    await aws.s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );
    workDir = mkdtempSync(path.join(tmpdir(), "s3ls-yaml-"));
    // The package, as `pulumi package add` would have it: installed with its dependencies.
    const installed = await consumerProject(await packPackage(workDir));
    installedDir = installed.dir;
    const pluginDir = path.join(workDir, "plugin");
    writeProviderPlugin(installed.dir, pluginDir);
    programDir = path.join(workDir, "program");
    mkdirSync(programDir);
    writeFileSync(path.join(programDir, "Pulumi.yaml"), yamlProgram(pluginDir));

    const yamlHost = await yamlLanguageHost();
    const pulumiCommand = await PulumiCommand.get({
      root: path.dirname(path.dirname(pulumiBinary())),
      skipVersionCheck: true,
    });
    const services = {
      awsEndpoint: endpoint,
      elasticsearch: { url: "http://127.0.0.1:9200", username: "shipper", password: VAULT_PASSWORD },
    };
    environment = engineEnvironment({ workDir, services, region: REGION, extraPath: [yamlHost] });
    stack = await LocalWorkspace.createOrSelectStack(
      { stackName: "yaml", workDir: programDir },
      {
        pulumiCommand,
        envVars: environment,
        secretsProvider: "passphrase",
      },
    );
    await stack.setConfig("aws:region", { value: REGION });
  }, 1_800_000);

  afterAll(async () => {
    await stack?.destroy().catch(() => undefined);
    for (const dir of [workDir, installedDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("previews the component and its children as creates", async () => {
    const preview = await stack.preview();
    expect(preview.changeSummary.create).toBeGreaterThan(40);
  });

  it("deploys into the emulator: queues, functions, and the bucket's entries written by the package's own provider", async () => {
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    logShipping = up.outputs.logShipping?.value as Record<string, unknown>;
    const producers = logShipping.producers as Record<string, { queueUrl: string; queueArn: string }>;
    expect(Object.keys(producers).sort()).toEqual(["alb", "waf"]);
    for (const producer of Object.values(producers))
      await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: producer.queueUrl, AttributeNames: ["QueueArn"] }));
    const entries = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
    expect(entries.QueueConfigurations?.map((entry) => [entry.Id, entry.QueueArn])).toEqual([
      ["shipper-yaml-waf", producers.waf?.queueArn],
      ["shipper-yaml-alb", producers.alb?.queueArn],
    ]);
    const again = await stack.preview();
    const { same = 0, ...changes } = again.changeSummary;
    expect(changes, "an unchanged program shows no diff").toEqual({});
    expect(same).toBeGreaterThan(40);
  });

  it("keeps the password read from Vault out of the stack's state but as a secret (pulumi stack export)", async () => {
    const deployment = await exportedDeployment(pulumiBinary(), "yaml", programDir, environment);
    const parameters = expectPasswordOnlyAsSecret(deployment, VAULT_PASSWORD);
    // One credentials parameter per component: children the provider registered, in the consumer's stack.
    expect(parameters.map((parameter) => parameter.urn.split("::").pop())).toEqual(["shipper-credentials-parameter"]);
  });

  it("gives s3ls what it needs in the program's output", async () => {
    // What `pulumi stack output --json` prints: the program's outputs, s3ls finds the LogShipper's.
    const file = writeOutputsFile({ logShipping }, endpoint);
    const status = await s3ls(["status", "--outputs", file]);
    expect(status.stderr).toBe("");
    expect(status.stdout).toMatch(/^ {2}waf$/m);
    expect(status.stdout).toMatch(/^ {2}alb$/m);
    expect(status.code).toBe(0);
  });

  it("destroys it, leaving the bucket's configuration empty of its entries", async () => {
    const destroyed = await stack.destroy();
    expect(destroyed.summary.result).toBe("succeeded");
    expect(
      (await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }))).QueueConfigurations ?? [],
    ).toEqual([]);
    expect((await aws.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
  });
});
