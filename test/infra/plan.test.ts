/** `npm run plan` as a user runs it: a real process, the real stack file. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "./harness";

function plan(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "scripts/plan.ts"), ...args], { cwd: PROJECT_ROOT, encoding: "utf8" });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run plan", () => {
  it("prints, per producer of Pulumi.prod.yaml, what pulumi up would create", () => {
    const result = plan("--stack", "prod");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("Producer waf: s3://acme-central-logs/AWSLogs/123456789012/WAFLogs/*.gz → logs-aws.waf-default (format ndjson)");
    expect(result.stdout).toContain("queue      visibility 5400 s, maxReceiveCount 5 → DLQ (retention 14 days)");
    expect(result.stdout).toContain("+ s3://acme-central-logs → s3-log-shipper-prod-waf, s3-log-shipper-prod-alb");
    expect(result.stdout).toContain("alarms     DLQ depth > 0, backlog age > 3600 s, function errors > 0, silence: no object shipped in 60 min");
    expect(result.stdout.match(/silence: no object shipped/g)).toHaveLength(1);
    expect(result.stdout).toMatch(/\d+ resources to create \(3 producers\)/);
  }, 60_000);

  it("prints the validation message and exits non-zero for a bad config", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "plan-")), "Pulumi.broken.yaml");
    writeFileSync(
      file,
      [
        "config:",
        "  aws:region: eu-west-1",
        "  s3-log-shipper:elasticsearch: { endpoint: 'http://es.internal:9200', vault: { mount: secret, path: es } }",
        "  s3-log-shipper:producers:",
        "    - { name: waf, bucket: b, index: logs-waf, format: ndjson, maxReceiveCount: 3 }",
      ].join("\n"),
    );
    const result = plan("--stack", "broken", "--file", file);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("producers[0] (waf): maxReceiveCount must be at least 5, got 3");
    expect(result.stderr).toContain("elasticsearch.endpoint: must use https");
    expect(result.stdout).toBe("");
  }, 60_000);
});
