/**
 * The package from Python and Go, as their users get it: the packed package's provider started as
 * a plugin and asked for its schema (GetSchema, what `pulumi package add` asks), that schema held
 * to its snapshot, the Python and Go SDKs generated from it by Pulumi's own code generators
 * (scripts/sdk/gen-sdk), and the consumers' unit tests run against those SDKs: pytest in a virtual
 * environment with `pulumi` from PyPI (test/package/python/), `go test` with Pulumi's Go SDK
 * (test/package/go/). Each consumer runs two LogShippers through Pulumi's mocks.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { SCHEMA_SNAPSHOT } from "../../pipeline/provider/schemaGeneration";
import { consumerProject, packPackage, runLong, runToEnd } from "../helpers/packedPackage";
import { servedSchema, writeProviderPlugin } from "../helpers/providerPlugin";

const FIXTURES = path.join(PROJECT_ROOT, "test", "package");
/** The Go toolchain: on PATH, or where this machine's image puts it. */
const GO_PATH = `${process.env.PATH ?? ""}:/usr/local/go/bin`;

describe("the package from Python and Go", () => {
  let workDir: string;
  let schema: string;
  let sdk: string;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), "s3ls-languages-"));
    const installed = await consumerProject(await packPackage(workDir));
    schema = await servedSchema(writeProviderPlugin(installed.dir, path.join(workDir, "plugin")));
    writeFileSync(path.join(workDir, "schema.json"), schema);
    sdk = path.join(workDir, "sdk");
    await runLong(
      "bash",
      [path.join(PROJECT_ROOT, "scripts/sdk/generate.sh"), path.join(workDir, "schema.json"), sdk],
      workDir,
    );
    rmSync(installed.dir, { recursive: true, force: true });
  }, 900_000);

  afterAll(() => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("serves the schema its snapshot holds (npm run docs:arguments writes the snapshot)", () => {
    expect(JSON.parse(schema)).toEqual(JSON.parse(readFileSync(SCHEMA_SNAPSHOT, "utf8")));
  });

  it("Python: the generated SDK installs beside pulumi from PyPI, and the program's tests pass under Pulumi's mocks", async () => {
    const project = path.join(workDir, "python");
    cpSync(path.join(FIXTURES, "python"), project, { recursive: true });
    const venv = path.join(project, "venv");
    const python = path.join(venv, "bin", "python");
    const steps: Array<[string, string[]]> = [
      ["python3", ["-m", "venv", venv]],
      [
        python,
        [
          "-m",
          "pip",
          "install",
          "--quiet",
          "--disable-pip-version-check",
          "-r",
          "requirements.txt",
          path.join(sdk, "python"),
        ],
      ],
    ];
    for (const [command, args] of steps) {
      const step = await runToEnd(command, args, project);
      expect(step.code, `${command} ${args.join(" ")}:\n${step.output}`).toBe(0);
    }
    const pytest = await runToEnd(python, ["-m", "pytest", "-q", "-p", "no:cacheprovider"], project);
    process.stdout.write(`python consumer: ${pytest.output.trim().split("\n").pop() ?? ""}\n`);
    expect(pytest.code, pytest.output).toBe(0);
    expect(pytest.output).toMatch(/\b6 passed\b/);
  });

  it("Go: the generated SDK builds with Pulumi's Go SDK, and the program's tests pass under Pulumi's mocks", async () => {
    const project = path.join(workDir, "go");
    cpSync(path.join(FIXTURES, "go"), project, { recursive: true });
    cpSync(path.join(sdk, "go"), path.join(project, "sdk"), { recursive: true });
    // -mod=mod: the generated SDK's own go.mod may ask for entries the fixture's go.sum lacks.
    const goTest = await runToEnd("go", ["test", "-mod=mod", "-json", "./..."], project, { PATH: GO_PATH });
    const events = goTest.output
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { Action: string; Test?: string });
    const outcome = (action: string) =>
      events.filter((event) => event.Test && event.Action === action).map((event) => event.Test);
    process.stdout.write(`go consumer: ${outcome("pass").length} passed, ${outcome("fail").length} failed\n`);
    expect(goTest.code, goTest.output.slice(-4000)).toBe(0);
    expect(outcome("fail")).toEqual([]);
    expect(outcome("pass").sort()).toEqual([
      "TestAMissingRequiredArgumentIsRefusedWithItsName",
      "TestArgumentsArriveUnderTheSchemasNames",
      "TestEachLogShipperIsOneRemoteComponentRegistration",
      "TestOutputsAreReadableAsTheSDKsTypes",
    ]);
  });
});
