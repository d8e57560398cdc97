/** `s3ls` refuses what it cannot do, with exit code 2 and a message saying why, before touching AWS. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { s3ls } from "../../helpers/operatorCli";

const producer = (bucket: string, prefix: string, suffix: string) => ({
  bucket,
  prefix,
  suffix,
  queueUrl: "http://127.0.0.1:1/123456789012/q",
  queueArn: "arn:aws:sqs:eu-west-1:123456789012:q",
  deadLetterQueueUrl: "http://127.0.0.1:1/123456789012/dlq",
  deadLetterQueueArn: "arn:aws:sqs:eu-west-1:123456789012:dlq",
  functionName: "f",
  logGroupName: "/s3-log-shipper/unit/waf",
  alarmNames: [],
});

const outputsFile = path.join(mkdtempSync(path.join(tmpdir(), "s3ls-unit-")), "outputs.json");
writeFileSync(
  outputsFile,
  JSON.stringify({
    region: "eu-west-1",
    alarmTopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts",
    credentialsParameterName: "/s3-log-shipper/unit/elasticsearch",
    // Port 1: a command that got past its argument checks would fail to connect, not pass.
    emulatorEndpoint: "http://127.0.0.1:1",
    producers: {
      waf: producer("central", "waf/", ".gz"),
      alb: producer("central", "alb/", ""),
      wide: producer("central", "waf/", ""),
    },
  }),
);

describe("s3ls arguments", () => {
  it.each([
    ["an unknown command", ["frobnicate"], /unknown command 'frobnicate'/],
    ["an unknown flag", ["status", "--outputs", outputsFile, "--bogus"], /unknown option '--bogus'/],
    [
      "dlq list without --producer",
      ["dlq", "list", "--outputs", outputsFile],
      /required option '--producer <name>' not specified/,
    ],
    [
      "a limit that is not a positive number",
      ["dlq", "list", "--producer", "waf", "--limit", "0", "--outputs", outputsFile],
      /must be a positive whole number/,
    ],
    [
      "a --since that is not a date",
      ["backfill", "--producer", "waf", "--since", "yesterday", "--outputs", outputsFile],
      /must be a date like 2026-11-01/,
    ],
    [
      "--since after --until",
      ["backfill", "--producer", "waf", "--since", "2026-11-02", "--until", "2026-11-01", "--outputs", outputsFile],
      /--since must be before --until/,
    ],
    ["no stack", ["status"], /say where the stack is: --stack NAME .* or --outputs FILE/],
    [
      "--stack and --outputs together",
      ["status", "--stack", "prod", "--outputs", outputsFile],
      /give --stack or --outputs, not both/,
    ],
    [
      "an outputs file that is missing",
      ["status", "--outputs", "/nonexistent/outputs.json"],
      /cannot read --outputs \/nonexistent\/outputs.json: ENOENT/,
    ],
    [
      "an unknown producer",
      ["dlq", "list", "--producer", "nope", "--outputs", outputsFile],
      /no producer "nope" in this stack; it has waf, alb, wide/,
    ],
    [
      "reship of something that is not an s3:// URL",
      ["reship", "central/waf/a.gz", "--outputs", outputsFile],
      /is not an object URL like s3:\/\/bucket\/key/,
    ],
    [
      "reship of an object no producer reads",
      ["reship", "s3://central/vpc/a.gz", "--outputs", outputsFile],
      /no producer of this stack reads s3:\/\/central\/vpc\/a.gz/,
    ],
    [
      "reship of an object two producers read",
      ["reship", "s3://central/waf/a.gz", "--outputs", outputsFile],
      /matches several producers \(waf, wide\)/,
    ],
  ])("refuses %s", async (_name, args, message) => {
    const run = await s3ls(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).toBe("");
  });

  it("refuses a file that is not this stack's outputs, naming what is missing", async () => {
    const file = path.join(path.dirname(outputsFile), "other.json");
    writeFileSync(
      file,
      JSON.stringify({
        region: "eu-west-1",
        alarmTopicArn: "arn",
        credentialsParameterName: "/p",
        producers: { waf: { queueUrl: "x" } },
      }),
    );
    const run = await s3ls(["status", "--outputs", file]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not hold this stack's outputs \(producers\.waf\.bucket: .*\)/);
  });

  it("prints help for every command, exit 0", async () => {
    for (const command of [[], ["status"], ["dlq"], ["dlq", "list"], ["dlq", "redrive"], ["backfill"], ["reship"]]) {
      const run = await s3ls([...command, "--help"]);
      expect(run.code, command.join(" ")).toBe(0);
      expect(run.stdout).toMatch(/^Usage: s3ls/);
    }
  });

  it("exits 1 with the AWS error when the stack's endpoints cannot be reached", async () => {
    const run = await s3ls(["status", "--outputs", outputsFile, "--producer", "waf"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^s3ls: /);
  });
});
