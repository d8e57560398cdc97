/**
 * The package as consumers get it: `npm pack` of this repository (which builds dist/ through
 * `prepare`), installed from the tarball into a new project directory outside the repository.
 */
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";

const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

export function run(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): string {
  return execFileSync(command, args, {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
    maxBuffer: 64 << 20,
    ...(env ? { env } : {}),
  });
}

/** A command's end: its exit code, its stdout alone (a command's JSON), and stdout with stderr as they came. */
export interface Finished {
  code: number;
  stdout: string;
  output: string;
}

/**
 * Runs a command to its end without blocking the test worker (for what takes tens of seconds: npm
 * pack builds the package, installs fetch it): a worker whose event loop is held for a minute
 * misses vitest's RPC deadline, and the tier ends in "Timeout calling onTaskUpdate" with every
 * test passed. A failure is a result, with its output.
 */
export async function runToEnd(
  command: string,
  args: readonly string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<Finished> {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let output = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
    output += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const [code] = (await once(child, "close")) as [number | null];
  return { code: code ?? 1, stdout, output };
}

/** `runToEnd` for a command that must succeed: its stdout, or an error with the end of its output. */
export async function runLong(command: string, args: string[], cwd: string): Promise<string> {
  const finished = await runToEnd(command, args, cwd);
  if (finished.code !== 0)
    throw new Error(`${command} ${args.join(" ")} exited with ${finished.code}:\n${finished.output.slice(-4000)}`);
  return finished.stdout;
}

/** Packs the repository into `destination`; returns the tarball's path. */
export async function packPackage(destination: string): Promise<string> {
  const output = await runLong(NPM, ["pack", "--json", "--pack-destination", destination], PROJECT_ROOT);
  // The build's own lines come first; npm's JSON answer is the array at the end.
  const packed = JSON.parse(output.slice(output.lastIndexOf("\n[") + 1)) as Array<{ filename: string }>;
  return path.join(destination, packed[0]?.filename ?? "");
}

/** A version the repository itself uses (`typescript@5.9.3`), so a consumer's tools are the tested ones. */
export function devVersion(name: string): string {
  const manifest = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
    devDependencies: Record<string, string>;
  };
  return `${name}@${manifest.devDependencies[name]}`;
}

/** A new project directory with the tarball (and `packages`) installed; returns it and the install's seconds. */
export async function consumerProject(
  tarball: string,
  packages: string[] = [],
): Promise<{ dir: string; seconds: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), "s3ls-consumer-"));
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "consumer", version: "1.0.0", private: true }));
  const started = Date.now();
  await runLong(NPM, ["install", "--no-audit", "--no-fund", tarball, ...packages], dir);
  return { dir, seconds: (Date.now() - started) / 1000 };
}
