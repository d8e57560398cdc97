/** `npm run plan` as a user runs it: a real process, the real stack file. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { validateConfig } from "../../pipeline/validation/config";
import {
  managedDestinationsOf,
  ownerOf,
  putRequestsOfAll,
  requestFileName,
} from "../../pipeline/elasticsearch/indexTemplates";
import { STANDALONE_INSTANCE } from "../../pipeline/validation/instanceNames";
import { readNamespace } from "../../pipeline/standalone/stackConfig";
import { readStackConfig } from "../../scripts/offlineMocks";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { createTestCa } from "../helpers/privateCa";
import { PROJECT_ROOT } from "./harness";

function plan(args: string[], callerDirectory?: string): { status: number | null; stdout: string; stderr: string } {
  // npm runs scripts from the project root and names the caller's directory in INIT_CWD.
  const env = { ...process.env, ...(callerDirectory ? { INIT_CWD: callerDirectory } : {}) };
  const result = spawnSync(process.execPath, ["--import", "tsx", path.join(PROJECT_ROOT, "scripts/plan.ts"), ...args], {
    cwd: PROJECT_ROOT,
    encoding: "utf8",
    env,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run plan", () => {
  it("prints, per producer of Pulumi.prod.yaml, what pulumi up would create", () => {
    const result = plan(["--stack", "prod"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "Producer waf: s3://acme-central-logs/AWSLogs/123456789012/WAFLogs/*.gz → logs-aws.waf-default (format waf)",
    );
    expect(result.stdout).toContain("queue      visibility 5400 s, maxReceiveCount 5 → DLQ (retention 14 days)");
    // The keys of the estate contract, each where a reader of the plan looks for it.
    expect(result.stdout).toContain(
      "Producer cloudtrail: s3://acme-cloudtrail/AWSLogs/o-*/*/CloudTrail/*.json.gz → logs-aws.cloudtrail-default (format cloudtrail)",
    );
    expect(result.stdout).toContain(
      "notified   by EventBridge rule s3-log-shipper-cloudtrail-objects-rule on the default bus",
    );
    expect(result.stdout).toContain(
      "reads      a bucket of the stack's account, with the function's role, decrypting with arn:aws:kms:eu-west-1:123456789012:key/5f0c2a1e-8d7b-4c1a-9e3f-2b6d4a8c0e11",
    );
    expect(result.stdout).toContain("+ s3://acme-central-logs ← s3-log-shipper-prod-waf, s3-log-shipper-prod-alb");
    expect(result.stdout).toContain(
      "region eu-west-1 · Elasticsearch https://acme-security.es.eu-west-1.aws.elastic-cloud.com:443 · requests gzip level 1",
    );
    expect(result.stdout).toContain(
      "alarms     DLQ depth > 0, backlog age > 3600 s, function errors > 0, silence: no object shipped in 60 min",
    );
    expect(result.stdout.match(/silence: no object shipped/g)).toHaveLength(1);
    // The memory budget of each producer's memoryMb (512 and 1024 in Pulumi.prod.yaml) and format
    // (waf's and alb's lines are both parsed).
    expect(result.stdout).toContain(
      "memory     lines and records ≤ 4 MiB, 3 messages at once, bulk bodies ≤ 5 MiB × 2 per object, V8 --max-old-space-size=256 --max-semi-space-size=8",
    );
    expect(result.stdout).toContain(
      "memory     lines and records ≤ 8 MiB, 4 messages at once, bulk bodies ≤ 5 MiB × 2 per object, V8 --max-old-space-size=512 --max-semi-space-size=16",
    );
    // The index templates each destination gets, their retention, and whose credential puts them.
    expect(result.stdout).toContain(
      "Index templates (3; priority 250, put with the administrator's credential read from Vault secret/logging/elasticsearch-admin at each operation):",
    );
    expect(result.stdout).toContain(
      "+ s3-log-shipper-logs-aws.cloudtrail-default → logs-aws.cloudtrail-default (data stream, documents kept 400 days)",
    );
    expect(result.stdout).toContain(
      "+ s3-log-shipper-logs-aws.waf-default → logs-aws.waf-default (data stream, documents kept 90 days)",
    );
    expect(result.stdout).toMatch(/\d+ resources to create \(3 producers\)/);
  }, 60_000);

  it("prints a private CA and a producer's multiline setting where a reader looks for them", () => {
    // Prepare: a self-managed cluster with its CA, and an application log of stack traces.
    const ca = createTestCa("plan-ca");
    const directory = mkdtempSync(path.join(tmpdir(), "plan-"));
    const stackFile = (elasticsearch: Record<string, unknown>) =>
      stringify({
        config: {
          "aws:region": "eu-west-1",
          "s3-log-shipper:elasticsearch": {
            endpoint: "https://es.internal:9200",
            vault: { mount: "secret", path: "es" },
            manageIndices: false,
            ...elasticsearch,
          },
          "s3-log-shipper:producers": [
            {
              name: "app",
              bucket: "acme-app-logs",
              index: "logs-app",
              format: "text",
              multiline: { pattern: "^\\s+at ", match: "after" },
            },
          ],
        },
      });
    writeFileSync(path.join(directory, "pem.yaml"), stackFile({ caCertificate: ca.cert }));
    writeFileSync(path.join(directory, "fingerprint.yaml"), stackFile({ caFingerprint: ca.fingerprint }));
    // Act
    const pem = plan(["--stack", "pem", "--file", "pem.yaml"], directory);
    const fingerprint = plan(["--stack", "fingerprint", "--file", "fingerprint.yaml"], directory);
    // Assess
    expect(pem.status, pem.stderr).toBe(0);
    expect(pem.stdout).toContain("TLS: the server's certificate is verified against caCertificate only (CN=plan-ca)");
    // A stack that manages its cluster elsewhere is told where the requests are.
    expect(pem.stdout).toContain(
      "Index templates: none (elasticsearch.manageIndices: false; npm run plan -- --elasticsearch-requests DIR writes them to apply yourself)",
    );
    expect(pem.stdout).toContain(
      'documents  multiline lines matching "^\\\\s+at " join the event before them (at most 500 lines, 4194304 bytes)',
    );
    expect(fingerprint.status, fingerprint.stderr).toBe(0);
    expect(fingerprint.stdout).toContain(
      `TLS: the server's certificate is verified against the CA of caFingerprint ${ca.fingerprint} in the chain it presents`,
    );
  }, 60_000);

  it("prints a parsed format and preserveOriginal on the producer's line: the README's 'Adding a producer'", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "plan-"));
    const producer = {
      name: "vpcflow",
      bucket: "acme-central-logs",
      prefix: "AWSLogs/123456789012/vpcflowlogs/",
      suffix: ".log.gz",
      format: "vpcflow",
    };
    const stackFile = (extra: Record<string, unknown>) =>
      stringify({
        config: {
          "aws:region": "eu-west-1",
          "s3-log-shipper:elasticsearch": {
            endpoint: "https://es.internal:9200",
            vault: { mount: "secret", path: "es" },
            manageIndices: false,
          },
          "s3-log-shipper:producers": [{ ...producer, ...extra }],
        },
      });
    writeFileSync(path.join(directory, "kept.yaml"), stackFile({ preserveOriginal: true }));
    writeFileSync(path.join(directory, "plain.yaml"), stackFile({}));
    writeFileSync(path.join(directory, "text.yaml"), stackFile({ format: "text", preserveOriginal: true }));

    const kept = plan(["--stack", "kept", "--file", "kept.yaml"], directory);
    const plain = plan(["--stack", "plain", "--file", "plain.yaml"], directory);
    const text = plan(["--stack", "text", "--file", "text.yaml"], directory);

    const line =
      "Producer vpcflow: s3://acme-central-logs/AWSLogs/123456789012/vpcflowlogs/*.log.gz → logs-aws.vpcflow-default (format vpcflow";
    expect(kept.status, kept.stderr).toBe(0);
    expect(kept.stdout).toContain(`${line}, raw line kept in event.original)`);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toContain(`${line})`);
    expect(text.status).not.toBe(0);
    expect(text.stderr + text.stdout).toMatch(
      /producers\[0\] \(vpcflow\): preserveOriginal only applies to AWS's parsed formats/,
    );
  }, 60_000);

  it("prints the memory an explicit maxLineBytes costs: the README's example", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "plan-"));
    writeFileSync(
      path.join(directory, "app.yaml"),
      stringify({
        config: {
          "aws:region": "eu-west-1",
          "s3-log-shipper:elasticsearch": {
            endpoint: "https://es.internal:9200",
            vault: { mount: "secret", path: "es" },
            manageIndices: false,
          },
          "s3-log-shipper:producers": [
            {
              name: "app",
              bucket: "acme-app-logs",
              index: "logs-app",
              format: "text",
              memoryMb: 256,
              maxLineBytes: 8388608,
            },
          ],
        },
      }),
    );

    const result = plan(["--stack", "app", "--file", "app.yaml"], directory);

    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "memory     lines and records ≤ 8 MiB, 1 message at once, bulk bodies ≤ 5 MiB × 2 per object, V8 --max-old-space-size=128 --max-semi-space-size=4",
    );
  }, 60_000);

  it("prints the validation message and exits non-zero for a bad config", () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), "plan-")), "Pulumi.broken.yaml");
    writeFileSync(
      file,
      [
        "config:",
        "  aws:region: eu-west-1",
        "  s3-log-shipper:elasticsearch: { endpoint: 'http://es.internal:9200', vault: { mount: secret, path: es }, manageIndices: false }",
        "  s3-log-shipper:producers:",
        "    - { name: waf, bucket: b, index: logs-waf, format: ndjson, maxReceiveCount: 3 }",
      ].join("\n"),
    );
    const result = plan(["--stack", "broken", "--file", file]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("producers[0] (waf): maxReceiveCount must be at least 5, got 3");
    expect(result.stderr).toContain("elasticsearch.endpoint: must use https");
    expect(result.stdout).toBe("");
  }, 60_000);

  it("refuses an unknown flag with the usage instead of planning prod", () => {
    const result = plan(["--stak", "staging"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Unknown option '--stak'");
    expect(result.stderr).toContain("usage: npm run plan");
    expect(result.stdout).toBe("");
  }, 60_000);

  it("takes --file from the directory the command was typed in, and names file:line:column of a YAML mistake", () => {
    // Prepare: a draft beside the user, with a mis-indented key on line 5.
    const directory = mkdtempSync(path.join(tmpdir(), "plan-"));
    writeFileSync(
      path.join(directory, "draft.yaml"),
      [
        "config:",
        "  aws:region: eu-west-1",
        "  s3-log-shipper:producers:",
        "    - name: waf",
        "     bucket: acme-waf-logs",
      ].join("\n"),
    );
    // Act
    const result = plan(["--stack", "draft", "--file", "draft.yaml"], directory);
    // Assess: one line, no stack trace.
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toMatch(
      new RegExp(`^${path.join(directory, "draft.yaml").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:5:\\d+: \\S.*$`),
    );
  }, 60_000);

  it("writes the requests that put each destination's template, the same bodies the deploy sends, without AWS, Vault or a cluster", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "plan-requests-"));
    const result = plan(["--stack", "prod", "--elasticsearch-requests", "requests"], directory);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("3 requests (retention through the data stream lifecycle), to apply in order:");
    const files = readdirSync(path.join(directory, "requests")).sort();
    const expected = putRequestsOfAll(
      managedDestinationsOf(
        validateConfig(readNamespace(readStackConfig(path.join(PROJECT_ROOT, "Pulumi.prod.yaml")))).producers,
      ).destinations,
      "lifecycle",
      ownerOf("prod", STANDALONE_INSTANCE),
    );
    expect(files).toEqual(expected.map((request, position) => requestFileName(position, request)));
    expect(files.map((file) => JSON.parse(readFileSync(path.join(directory, "requests", file), "utf8")))).toEqual(
      expected,
    );
  }, 60_000);

  it("writes ILM policies before the templates naming them for a cluster before 8.14, and refuses a version it cannot read", () => {
    const directory = mkdtempSync(path.join(tmpdir(), "plan-requests-"));
    const file = path.join(directory, "Pulumi.kept.yaml");
    writeFileSync(
      file,
      stringify({
        config: {
          "aws:region": "eu-west-1",
          "s3-log-shipper:elasticsearch": {
            endpoint: "https://es.example.com:443",
            vault: { mount: "secret", path: "es" },
            manageIndices: false,
          },
          "s3-log-shipper:producers": [{ name: "waf", bucket: "acme-waf-logs", format: "waf", retentionDays: 90 }],
        },
      }),
    );
    const result = plan([
      "--stack",
      "kept",
      "--file",
      file,
      "--elasticsearch-requests",
      directory + "/out",
      "--elasticsearch-version",
      "8.13.4",
    ]);
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(path.join(directory, "out")).sort()).toEqual([
      "001-PUT-_ilm-policy-s3-log-shipper-logs-aws.waf-default.json",
      "002-PUT-_index_template-s3-log-shipper-logs-aws.waf-default.json",
    ]);
    const refused = plan([
      "--stack",
      "kept",
      "--file",
      file,
      "--elasticsearch-requests",
      directory + "/x",
      "--elasticsearch-version",
      "latest",
    ]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('--elasticsearch-version must be a version like 8.19, got "latest"');
  }, 60_000);
});
