import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const CHILD = path.join(__dirname, "..", "..", "..", "helpers", "failingBulkRequest.ts");

describe("ElasticsearchBulkTransport", () => {
  it("fails a 5 MB bulk request in a 64 MB heap: the error keeps the body by reference and no credentials", () => {
    // Act: a heap far below what a key-by-key copy of 5 MB needs.
    const child = spawnSync(process.execPath, ["--max-old-space-size=64", "--import", "tsx", CHILD], {
      encoding: "utf8",
      cwd: path.join(__dirname, "..", "..", "..", ".."),
    });
    // Assess
    expect(child.stderr).not.toMatch(/heap out of memory/);
    expect(child.status).toBe(0);
    expect(JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}")).toEqual({
      error: "BulkRequestError",
      status: 503,
      retryable: true,
      bodyKeptAsIs: true,
      credentialsLeft: false,
    });
  }, 30_000);
});
