/**
 * A stack of the program run by the real Pulumi engine: the CLI built from source
 * (scripts/services/pulumi-cli.sh), the Automation API's inline program (this process runs
 * `shipperProgram()`, so no nodejs language plugin is needed), a file backend with passphrase
 * secrets, the stand-in AWS and Vault plugins, which create everything in the AWS emulator, and
 * Pulumi's own dynamic provider plugin, which runs the program's provider as Pulumi serialized it.
 */
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, symlinkSync } from "node:fs";
import * as path from "node:path";
import { BUNDLE_FILE, PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { shipperProgram } from "../../pipeline/standalone/shipperProgram";
import { EMULATOR_CREDENTIALS } from "../local/emulatorResources";
import { localStackConfig, type LocalServices, type LocalStackConfig } from "../local/localPipeline";

export const ENGINE_PASSPHRASE = "s3ls-engine-test-passphrase";

/** The Pulumi CLI, built (once, cached under .cache/) if needed. */
export function pulumiBinary(): string {
  return execFileSync("bash", [path.join(PROJECT_ROOT, "scripts/services/pulumi-cli.sh"), "path"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

/**
 * What the engine runs with: a file backend under `workDir`, passphrase secrets, no plugin downloads,
 * the stand-in AWS and Vault plugins and Pulumi's dynamic provider plugin found on PATH ("ambient"
 * plugins, plus `extraPath` first), and the emulator as the deployer's AWS.
 */
export function engineEnvironment(options: {
  workDir: string;
  services: LocalServices;
  region: string;
  extraPath?: string[];
}): Record<string, string> {
  const backend = path.join(options.workDir, "state");
  mkdirSync(backend, { recursive: true });
  return {
    PULUMI_CONFIG_PASSPHRASE: ENGINE_PASSPHRASE,
    PULUMI_BACKEND_URL: `file://${backend}`,
    PULUMI_HOME: path.join(options.workDir, "home"),
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    // The stand-in plugins and the dynamic provider plugin @pulumi/pulumi ships are found on PATH
    // ("ambient" plugins).
    PATH: [
      ...(options.extraPath ?? []),
      path.join(PROJECT_ROOT, "scripts/engine/plugins"),
      path.join(PROJECT_ROOT, "node_modules/@pulumi/pulumi"),
      process.env.PATH ?? "",
    ].join(":"),
    // The dynamic provider is the program's own code with the deployer's AWS SDK settings (the
    // default chain): here, the emulator's.
    AWS_ENDPOINT_URL_S3: options.services.awsEndpoint,
    AWS_ENDPOINT_URL_STS: options.services.awsEndpoint,
    AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    S3LS_EMULATOR_ENDPOINT: options.services.awsEndpoint,
    S3LS_EMULATOR_REGION: options.region,
    S3LS_EMULATOR_VAULT_DATA: JSON.stringify({
      username: options.services.elasticsearch.username,
      password: options.services.elasticsearch.password,
    }),
  };
}

export interface EngineStackOptions {
  stackName: string;
  /** Holds the file backend's state and the engine's home. */
  workDir: string;
  services: LocalServices;
  region: string;
  config: LocalStackConfig;
  /** Config outside the program's namespace (`vault:address`, a secret `vault:token`). */
  extraConfig?: Record<string, { value: string; secret?: boolean }>;
}

export interface EngineStack {
  stack: Stack;
  /** The file the file backend keeps the stack's state in. */
  stateFile: string;
}

export async function engineStack(options: EngineStackOptions): Promise<EngineStack> {
  const binary = pulumiBinary();
  const pulumiCommand = await PulumiCommand.get({ root: path.dirname(path.dirname(binary)), skipVersionCheck: true });
  const backend = path.join(options.workDir, "state");
  mkdirSync(backend, { recursive: true });
  // The engine reads the function bundle by the path the program names, relative to the directory
  // it runs in (the project directory under `pulumi up`; workDir here): make it resolve the same.
  const bundleDir = path.join(options.workDir, path.relative(PROJECT_ROOT, path.dirname(BUNDLE_FILE)));
  mkdirSync(path.dirname(bundleDir), { recursive: true });
  if (!existsSync(bundleDir)) symlinkSync(path.dirname(BUNDLE_FILE), bundleDir, "dir");
  // The dynamic provider plugin (the bucket's notification entries) finds its own script, and the
  // provider Pulumi serialized finds the AWS SDK, from node_modules of the directory it runs in.
  const nodeModules = path.join(options.workDir, "node_modules");
  if (!existsSync(nodeModules)) symlinkSync(path.join(PROJECT_ROOT, "node_modules"), nodeModules, "dir");
  const envVars = engineEnvironment({ workDir: options.workDir, services: options.services, region: options.region });
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: options.stackName, projectName: "s3-log-shipper", program: async () => shipperProgram() },
    {
      pulumiCommand,
      workDir: options.workDir,
      envVars,
      secretsProvider: "passphrase",
      projectSettings: { name: "s3-log-shipper", runtime: "nodejs", backend: { url: `file://${backend}` } },
    },
  );
  const config = localStackConfig(options.services, options.config, options.region);
  await stack.setAllConfig({
    ...Object.fromEntries(Object.entries(config).map(([key, value]) => [key, { value }])),
    ...options.extraConfig,
  });
  return { stack, stateFile: path.join(backend, ".pulumi", "stacks", "s3-log-shipper", `${options.stackName}.json`) };
}
