/** Runs `s3ls` in-process against a stack's outputs (written to a file, as `--outputs` reads them). */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runCli, type CliIo } from "../../cli/main";

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout as JSON (for --json runs). */
  json<T = Record<string, unknown>>(): T;
}

/** Writes `outputs` (plus the emulator's endpoints) to a temporary file and returns its path. */
export function writeOutputsFile(
  outputs: Record<string, unknown>,
  emulatorEndpoint: string,
  emulatorLambdaEndpoint?: string,
): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "s3ls-outputs-")), "outputs.json");
  writeFileSync(
    file,
    JSON.stringify({ ...outputs, emulatorEndpoint, ...(emulatorLambdaEndpoint ? { emulatorLambdaEndpoint } : {}) }),
  );
  return file;
}

/** Runs one command line; `interruptAfterMs` sends it a Ctrl-C that long after it starts. */
export async function s3ls(args: string[], options: { interruptAfterMs?: number } = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    onInterrupt(handler) {
      const timer = options.interruptAfterMs === undefined ? undefined : setTimeout(handler, options.interruptAfterMs);
      return () => clearTimeout(timer);
    },
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
