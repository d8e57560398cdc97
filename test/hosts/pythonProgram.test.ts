/**
 * The Python program (test/package/python) through the real engine, as a Python user runs it: the
 * CLI and Pulumi's Python, Node.js and Go language hosts built from source, `pulumi package add` of
 * the package's directory (a clone of this repository, as `pulumi package add <git URL>` clones
 * it: the Node.js host installs and builds it, runs its provider for the schema, and the Python host
 * generates the SDK and installs it into the program's virtual environment), then preview, up into
 * the AWS emulator, `s3ls status` on the program's output, a second preview without changes, the
 * state as `pulumi stack export` shows it, and destroy. Every command and its output go to
 * .cache/hosts/python-program.log.
 *
 *   S3LS_PULUMI_SOURCE=<checkout or git directory of pulumi/pulumi> npm run test:hosts
 */
import { CreateBucketCommand, GetBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";
import {
  appendFileSync,
  chmodSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { SCHEMA_SNAPSHOT } from "../../pipeline/provider/schemaGeneration";
import { engineEnvironment, pulumiBinary } from "../../scripts/engine/engineStack";
import { awsClients, REGION, type AwsClients } from "../../scripts/local/localPipeline";
import { resetMoto, startMoto } from "../../scripts/local/services";
import { s3ls, writeOutputsFile } from "../helpers/operatorCli";
import { runToEnd, type Finished } from "../helpers/packedPackage";
import { expectPasswordOnlyAsSecret, exportedDeployment } from "../helpers/stateSecrets";

const BUCKET = "python-consumer-logs";
const STACK = "python";
const VAULT_PASSWORD = "python-vault-password";
const LOG = path.join(PROJECT_ROOT, ".cache", "hosts", "python-program.log");

/** Runs one command line to its end, and writes it and its output to the log. */
async function command(file: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<Finished> {
  const finished = await runToEnd(file, args, cwd, env);
  appendFileSync(
    LOG,
    `\n$ ${[path.basename(file), ...args].join(" ")}    # in ${cwd}\n${finished.output}(exit ${finished.code})\n`,
  );
  return finished;
}

/** The files under `dir` and their contents, leaving out what an install builds beside them. */
function filesUnder(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (at: string): void => {
    for (const name of readdirSync(at)) {
      if (name === "build" || name.endsWith(".egg-info") || name === "__pycache__") continue;
      const file = path.join(at, name);
      if (statSync(file).isDirectory()) walk(file);
      else files[path.relative(dir, file)] = readFileSync(file, "utf8");
    }
  };
  walk(dir);
  return files;
}

describe("the Python program on the real engine, the package added with pulumi package add", () => {
  let workDir: string;
  let programDir: string;
  let packageDir: string;
  let environment: Record<string, string>;
  let pulumi: string;
  let endpoint: string;
  let aws: AwsClients;
  let outputs: Record<string, Record<string, unknown>>;

  /** `pulumi …` in the program's directory, with the engine's environment; fails the test on a non-zero exit. */
  const run = async (args: string[]): Promise<string> => {
    const finished = await command(pulumi, args, programDir, environment);
    expect(finished.code, `pulumi ${args.join(" ")}:\n${finished.output.slice(-4000)}`).toBe(0);
    return finished.stdout;
  };

  beforeAll(async () => {
    mkdirSync(path.dirname(LOG), { recursive: true });
    writeFileSync(LOG, `# ${new Date().toISOString()}: the Python program on the real engine\n`);
    const hosts = await command(
      "bash",
      [path.join(PROJECT_ROOT, "scripts/services/pulumi-language-hosts.sh"), "path"],
      PROJECT_ROOT,
    );
    if (hosts.code !== 0)
      throw new Error(
        `Pulumi's language hosts are not built here (${hosts.output.trim()}): set S3LS_PULUMI_SOURCE to a checkout or git directory of github.com/pulumi/pulumi`,
      );
    pulumi = pulumiBinary();
    endpoint = await startMoto();
    await resetMoto();
    aws = awsClients(endpoint);
    await aws.s3.send(
      new CreateBucketCommand({ Bucket: BUCKET, CreateBucketConfiguration: { LocationConstraint: REGION } }),
    );

    workDir = mkdtempSync(path.join(tmpdir(), "s3ls-python-"));
    packageDir = path.join(workDir, "s3-log-shipper");
    const clone = await command("git", ["clone", "--quiet", PROJECT_ROOT, packageDir], workDir);
    expect(clone.code, clone.output).toBe(0);
    programDir = path.join(workDir, "program");
    cpSync(path.join(PROJECT_ROOT, "test", "package", "python"), programDir, { recursive: true });
    for (const [file, args] of [
      ["python3", ["-m", "venv", "venv"]],
      [
        path.join(programDir, "venv", "bin", "python"),
        ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", "requirements.txt"],
      ],
    ] as const) {
      const step = await command(file, [...args], programDir);
      expect(step.code, step.output).toBe(0);
    }

    const services = {
      awsEndpoint: endpoint,
      elasticsearch: { url: "http://127.0.0.1:9200", username: "shipper", password: VAULT_PASSWORD },
    };
    environment = engineEnvironment({
      workDir,
      services,
      region: REGION,
      extraPath: [hosts.output.trim().split("\n").pop() ?? "", path.dirname(pulumi)],
    });
    // pulumi package add installs the plugins the package needs (aws, vault) before it runs it, and
    // would download them: install the stand-ins under those versions instead.
    const wrappers = path.join(workDir, "plugins");
    mkdirSync(wrappers);
    for (const name of ["aws", "vault"]) {
      const { version } = JSON.parse(
        readFileSync(path.join(PROJECT_ROOT, "node_modules", "@pulumi", name, "package.json"), "utf8"),
      ) as { version: string };
      const wrapper = path.join(wrappers, `pulumi-resource-${name}`);
      writeFileSync(
        wrapper,
        `#!/bin/sh\nexec "${path.join(PROJECT_ROOT, "scripts/engine/plugins", `pulumi-resource-${name}`)}" "$@"\n`,
      );
      chmodSync(wrapper, 0o755);
      const installed = await command(
        pulumi,
        ["plugin", "install", "resource", name, `v${version}`, "--file", wrapper],
        workDir,
        environment,
      );
      expect(installed.code, installed.output).toBe(0);
    }
  }, 1_800_000);

  afterAll(async () => {
    if (programDir && pulumi)
      await command(pulumi, ["destroy", "--yes", "--skip-preview", "--stack", STACK], programDir, environment);
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("pulumi package add builds the package, generates the Python SDK gen-sdk generates, and installs it", async () => {
    await run(["package", "add", packageDir]);
    expect(readFileSync(path.join(programDir, "Pulumi.yaml"), "utf8")).toContain(`s3-log-shipper: ${packageDir}`);
    const generated = path.join(workDir, "gen-sdk");
    const ours = await command(
      "bash",
      [path.join(PROJECT_ROOT, "scripts/sdk/generate.sh"), SCHEMA_SNAPSHOT, generated],
      workDir,
    );
    expect(ours.code, ours.output).toBe(0);
    expect(filesUnder(path.join(programDir, "sdks", "s3-log-shipper"))).toEqual(
      filesUnder(path.join(generated, "python")),
    );
  });

  it("previews two LogShippers and their children as creates", async () => {
    await run(["stack", "init", STACK]);
    const config: Array<[string, string]> = [
      ["aws:region", REGION],
      ["elasticsearchEndpoint", "http://127.0.0.1:9200"],
      ["allowInsecureHttp", "true"],
      ["logsBucket", BUCKET],
    ];
    for (const [key, value] of config) await run(["config", "set", key, value]);
    const preview = JSON.parse(await run(["preview", "--json"])) as { changeSummary: Record<string, number> };
    expect(preview.changeSummary.create).toBeGreaterThan(60);
  });

  it("deploys into the emulator: each LogShipper's queues, and the bucket's entries for all three producers", async () => {
    await run(["up", "--yes", "--skip-preview"]);
    outputs = JSON.parse(await run(["stack", "output", "--json"])) as typeof outputs;
    expect(Object.keys(outputs).sort()).toEqual(["applicationLogShipping", "securityLogShipping"]);
    const queueArns: string[] = [];
    for (const shipping of Object.values(outputs))
      for (const producer of Object.values(
        shipping.producers as Record<string, { queue_url: string; queue_arn: string }>,
      )) {
        await aws.sqs.send(
          new GetQueueAttributesCommand({ QueueUrl: producer.queue_url, AttributeNames: ["QueueArn"] }),
        );
        queueArns.push(producer.queue_arn);
      }
    const entries = await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }));
    expect((entries.QueueConfigurations ?? []).map((entry) => entry.QueueArn).sort()).toEqual(queueArns.sort());
    expect(queueArns).toHaveLength(3);
  });

  it("gives s3ls what it needs in the program's output (Python's snake_case keys, two LogShippers)", async () => {
    const file = writeOutputsFile(outputs, endpoint);
    const status = await s3ls(["status", "--outputs", file, "--export", "securityLogShipping"]);
    appendFileSync(
      LOG,
      `\n$ s3ls status --outputs <pulumi stack output --json> --export securityLogShipping\n${status.stdout}${status.stderr}(exit ${status.code})\n`,
    );
    expect(status.stderr).toBe("");
    expect(status.stdout).toMatch(/^ {2}cloudtrail$/m);
    expect(status.stdout).toMatch(/^ {2}vpcflow$/m);
    expect(status.code).toBe(0);
  });

  it("previews no change on an unchanged program", async () => {
    await run(["preview", "--expect-no-changes"]);
  });

  it("keeps the password read from Vault out of the state but as a secret (pulumi stack export)", async () => {
    const deployment = await exportedDeployment(pulumi, STACK, programDir, environment);
    const parameters = expectPasswordOnlyAsSecret(deployment, VAULT_PASSWORD);
    expect(parameters.map((parameter) => parameter.urn.split("::").pop()).sort()).toEqual([
      "application-credentials-parameter",
      "security-credentials-parameter",
    ]);
  });

  it("destroys it: no queue, no entry left in the bucket's configuration", async () => {
    await run(["destroy", "--yes", "--skip-preview"]);
    expect(
      (await aws.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: BUCKET }))).QueueConfigurations ?? [],
    ).toEqual([]);
    expect((await aws.sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).toEqual([]);
  });
});
