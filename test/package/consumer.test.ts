/**
 * The package as a consumer gets it: `npm pack` (which builds dist/), installed from the tarball into
 * new directories outside the repository, used by a plain-JavaScript program and by a TypeScript
 * program with its own unit test — nothing imported from the sources. Measured on the way: the
 * tarball's size and the install's time (printed).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleShipperFunction, PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { consumerProject, devVersion, packPackage, run } from "../helpers/packedPackage";

const FIXTURES = path.join(PROJECT_ROOT, "test", "package", "consumer");

interface MocksRun {
  resources: Array<{ type: string; name: string }>;
  parameters: string[];
  functions: Array<{ name: string; codePath: string; handler: string }>;
  outputs: Array<{ producers: Record<string, { functionName: string; logGroupName: string }> }>;
  refusal?: { name: string; message: string; registeredMeanwhile: number };
}

/** A consumer's project with the package installed and the consumer's files (test/package/consumer/). */
async function projectWithFixtures(
  tarball: string,
  packages: string[] = [],
): Promise<{ dir: string; seconds: number }> {
  const project = await consumerProject(tarball, packages);
  cpSync(FIXTURES, project.dir, { recursive: true });
  return project;
}

describe("the package installed from its tarball", () => {
  let workDir: string;
  let tarball: string;
  let first: { dir: string; seconds: number };
  let second: { dir: string; seconds: number };
  let mocks: MocksRun;

  beforeAll(async () => {
    workDir = mkdtempSync(path.join(tmpdir(), "s3ls-pack-"));
    // Prepare: npm pack runs `prepare` (npm run build) first, as a publish does.
    tarball = await packPackage(workDir);
    first = await projectWithFixtures(tarball, [
      devVersion("typescript"),
      devVersion("tsx"),
      devVersion("@types/node"),
    ]);
    second = await projectWithFixtures(tarball);
    process.stdout.write(
      `package: tarball ${(statSync(tarball).size / 1024).toFixed(0)} KiB; install in a new project ${second.seconds.toFixed(1)} s ` +
        `(with typescript, tsx and @types/node ${first.seconds.toFixed(1)} s)\n`,
    );
    mocks = JSON.parse(run(process.execPath, ["mocks.js"], first.dir)) as MocksRun;
  }, 600_000);

  afterAll(() => {
    for (const dir of [workDir, first?.dir, second?.dir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("ships compiled JavaScript, declarations, the function bundle, the schema and the plugin file, and no tests", () => {
    const files = run("tar", ["tzf", tarball], workDir).trim().split("\n");
    expect(files).toEqual(
      expect.arrayContaining([
        "package/package.json",
        "package/PulumiPlugin.yaml",
        "package/CHANGELOG.md",
        "package/README.md",
        "package/dist/pipeline/index.js",
        "package/dist/pipeline/index.d.ts",
        "package/dist/pipeline/packageMain.js",
        "package/dist/function/index.js",
        "package/dist/schema.json",
        "package/dist/cli/s3ls.js",
      ]),
    );
    expect(files.filter((file) => /(^package\/(test|bench|scripts)\/)|\.test\.|\.ts$(?<!\.d\.ts)/.test(file))).toEqual(
      [],
    );
  });

  it("gives a plain JavaScript program two LogShippers in one stack: no name twice, a function per producer, a credentials parameter each", () => {
    const urns = mocks.resources.map((resource) => `${resource.type}::${resource.name}`);
    expect(urns.filter((urn, index) => urns.indexOf(urn) !== index)).toEqual([]);
    expect(mocks.functions.map((fn) => fn.name).sort()).toEqual([
      "team-a-alb-function",
      "team-a-waf-function",
      "team-b-alb-function",
      "team-b-waf-function",
    ]);
    expect(mocks.parameters.sort()).toEqual(["/team-a/dev/elasticsearch", "/team-b/dev/elasticsearch"]);
    expect(mocks.outputs.map((output) => Object.keys(output.producers).sort())).toEqual([
      ["alb", "waf"],
      ["alb", "waf"],
    ]);
    expect(mocks.outputs.map((output) => output.producers.waf?.logGroupName)).toEqual([
      "/team-a/dev/waf",
      "/team-b/dev/waf",
    ]);
  });

  it("names the function's code by a file that exists from the program's directory, the same bytes the sources build, from any directory", () => {
    const fromSecond = JSON.parse(run(process.execPath, ["mocks.js"], second.dir)) as MocksRun;
    const paths = new Set([...mocks.functions, ...fromSecond.functions].map((fn) => fn.codePath));
    // One path for every function in both projects: relative to the project, inside the installed package.
    expect([...paths]).toEqual([path.join("node_modules", "s3-log-shipper", "dist", "function", "index.js")]);
    const hashes = [first.dir, second.dir].map((dir) => {
      const file = path.join(dir, [...paths][0] ?? "");
      expect(existsSync(file), file).toBe(true);
      return createHash("sha256").update(readFileSync(file)).digest("hex");
    });
    process.stdout.write(`package: function bundle sha256 ${hashes.join(" = ")} from two projects\n`);
    expect(hashes).toEqual([bundleShipperFunction().sha256, bundleShipperFunction().sha256]);
  });

  it("refuses invalid arguments naming each key, before registering anything", () => {
    expect(mocks.refusal).toMatchObject({ name: "LogShipperArgumentsError", registeredMeanwhile: 0 });
    expect(mocks.refusal?.message).toContain(`producers[0] (alb): format must be one of`);
    expect(mocks.refusal?.message).toContain(`producers[0] (alb): unknown key "indx"; did you mean "index"?`);
  });

  it("types a TypeScript consumer: its program compiles against the shipped declarations, a misspelt key does not", () => {
    const tsc = path.join(first.dir, "node_modules", "typescript", "bin", "tsc");
    expect(() => run(process.execPath, [tsc, "-p", "."], first.dir)).not.toThrow();
    const typo = spawnSync(
      process.execPath,
      [
        tsc,
        "--noEmit",
        "--strict",
        "--module",
        "nodenext",
        "--moduleResolution",
        "nodenext",
        "--skipLibCheck",
        "typo.ts",
      ],
      { cwd: first.dir, encoding: "utf8" },
    );
    expect(typo.status).not.toBe(0);
    expect(typo.stdout).toMatch(/typo\.ts.*'indx' does not exist in type 'ProducerArgs'/s);
  });

  it("runs the consumer's own unit test of its program with Pulumi's mocks", () => {
    const tsx = path.join(first.dir, "node_modules", "tsx", "dist", "cli.mjs");
    const test = spawnSync(process.execPath, [tsx, "--test", "program.test.ts"], { cwd: first.dir, encoding: "utf8" });
    expect(test.stdout + test.stderr).toMatch(/# pass 1\b/);
    expect(test.status, test.stdout + test.stderr).toBe(0);
  });

  it("shows a consumer of a generated SDK one remote component under mocks, its children living in the provider", () => {
    const remote = JSON.parse(run(process.execPath, ["remote.js"], second.dir)) as {
      registered: Array<{ type: string; name: string }>;
    };
    expect(remote.registered).toEqual([{ type: "s3-log-shipper:index:LogShipper", name: "logs" }]);
  });

  it("ships s3ls, which runs from the consumer's project", () => {
    const help = run(path.join(second.dir, "node_modules", ".bin", "s3ls"), ["--help"], second.dir);
    expect(help).toContain("Operate a deployed s3-log-shipper stack");
  });
});
