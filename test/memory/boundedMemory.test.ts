/**
 * Memory tier (run with the integration tier, one file at a time) — bounded memory: a json object far larger than a small function's heap goes through
 * the function's own reader, builder and indexer (bundled as deployed) in a child process with the
 * V8 flags the program gives a 128 MB function. Every record once; peak RSS under 128 MB.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { buildSync } from "esbuild";
import { describe, expect, it } from "vitest";
import { FUNCTION_BUILD_OPTIONS, PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { nodeOptionsFor } from "../../pipeline/function/functionEnvironment";

const MiB = 1024 * 1024;

/** The child bundled like the function (minified, the same stubs), so its memory is the function's, not tsx's. */
function bundledChild(): string {
  const built = buildSync({ ...FUNCTION_BUILD_OPTIONS, entryPoints: ["test/helpers/largeJsonChild.ts"] });
  const file = path.join(PROJECT_ROOT, ".cache", "test", "largeJsonChild.js");
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, built.outputFiles[0]?.text ?? "");
  return file;
}

describe("bounded memory", () => {
  it("ships a 300 MiB CloudTrail-shaped json object record by record in a 128 MB function's heap", () => {
    // Prepare: ~1.1 KiB records, enough for more than 300 MiB.
    const records = 285_000;
    const child = bundledChild();
    // Act
    const run = spawnSync(process.execPath, [...nodeOptionsFor(128).split(" "), child], {
      encoding: "utf8",
      env: { ...process.env, RECORDS: String(records) },
      maxBuffer: 1 * MiB,
    });
    // Assess
    expect(run.stderr).not.toMatch(/heap out of memory/);
    expect(run.status, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout.trim()) as {
      indexed: number;
      documents: number;
      offsets: number;
      objectBytes: number;
      peakRssBytes: number;
    };
    expect(result.objectBytes).toBeGreaterThan(300 * MiB);
    expect(result.indexed).toBe(records);
    expect(result.documents).toBe(records);
    // Each index once: 0 + 1 + … + (n − 1).
    expect(result.offsets).toBe((records * (records - 1)) / 2);
    process.stdout.write(
      `bounded memory: ${(result.objectBytes / MiB).toFixed(0)} MiB json, ${records} records, peak RSS ${(result.peakRssBytes / MiB).toFixed(0)} MiB with ${nodeOptionsFor(128)}\n`,
    );
    expect(result.peakRssBytes).toBeLessThan(128 * MiB);
  }, 120_000);
});
