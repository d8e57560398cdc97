/**
 * `--stack NAME` runs `pulumi stack output`: where the CLI is missing, not logged in, or the stack
 * does not exist, s3ls says which and the fix — not an empty reason. A stand-in `pulumi` on PATH
 * prints what the real CLI prints in each case.
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { s3ls } from "../../helpers/operatorCli";

const originalPath = process.env.PATH;
afterEach(() => {
  process.env.PATH = originalPath;
});

/** A directory holding only a `pulumi` that prints `stderr` and exits 255, as the real CLI fails. */
function pulumiPrinting(stderr: string): string {
  const directory = mkdtempSync(path.join(tmpdir(), "s3ls-pulumi-"));
  const script = path.join(directory, "pulumi");
  writeFileSync(script, `#!/bin/sh\necho ${JSON.stringify(stderr)} >&2\nexit 255\n`);
  chmodSync(script, 0o755);
  return directory;
}

describe("--stack", () => {
  it("says the Pulumi CLI is missing, and how to go on without it", async () => {
    process.env.PATH = mkdtempSync(path.join(tmpdir(), "s3ls-empty-"));

    const run = await s3ls(["status", "--stack", "prod"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain("s3ls: --stack needs the Pulumi CLI, and there is no pulumi on PATH here: install it");
    expect(run.stderr).toContain(
      "or give --outputs FILE holding `pulumi stack output --json --stack prod` from a machine where it works",
    );
  });

  it("says the CLI is not logged in", async () => {
    process.env.PATH = `${pulumiPrinting("error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions")}:/usr/bin:/bin`;

    const run = await s3ls(["doctor", "--stack", "prod"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "s3ls: the Pulumi CLI is not logged in to a backend: pulumi login (to the stack's backend)",
    );
  });

  it("says the stack does not exist in the backend it is logged in to", async () => {
    process.env.PATH = `${pulumiPrinting("error: no stack named 'prod' found")}:/usr/bin:/bin`;

    const run = await s3ls(["trace", "s3://b/k", "--stack", "prod"]);

    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      "s3ls: stack prod does not exist in the backend the Pulumi CLI is logged in to (pulumi stack ls lists its stacks, pulumi whoami -v names the backend)",
    );
  });
});
