import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../../..");
// By absolute URL, so the loader resolves from any working directory.
const TSX_LOADER = pathToFileURL(require.resolve("tsx")).href;

function bundleFrom(cwd: string): { bytes: number; sha256: string } {
  const output = execFileSync(process.execPath, ["--import", TSX_LOADER, path.join(ROOT, "scripts/bundle.ts")], {
    cwd,
    encoding: "utf8",
  });
  return JSON.parse(output.trim()) as { bytes: number; sha256: string };
}

describe("the function bundle", () => {
  it("is byte-identical when built from different working directories", () => {
    // Act
    const fromRoot = bundleFrom(ROOT);
    const fromElsewhere = bundleFrom(mkdtempSync(path.join(tmpdir(), "bundle-cwd-")));
    // Assess
    expect(fromElsewhere.sha256).toBe(fromRoot.sha256);
    expect(fromRoot.bytes).toBeGreaterThan(10_000);
  }, 60_000);
});
