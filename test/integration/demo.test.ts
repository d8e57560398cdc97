/**
 * `npm run demo -- --serve`, as a newcomer runs it (issue 31): the demo ships its samples, then keeps
 * its functions polling; a file dropped into a demo bucket with `npm run demo:put` ships, `s3ls
 * trace` says so, `s3ls doctor` is all ok, and Ctrl-C stops it cleanly, leaving an outputs file that
 * no longer names the local mapping API that went with it.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { s3ls } from "../helpers/operatorCli";
import { Client } from "@elastic/elasticsearch";
import { startElasticsearch } from "../../scripts/local/services";

const OUTPUTS = path.join(PROJECT_ROOT, ".demo", "outputs.json");
const DROPPED = "s3://demo-central-logs/AWSLogs/elasticloadbalancing/2026/12/06/dropped by hand.log";
const TSX = path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx");

describe("npm run demo -- --serve", () => {
  let demo: ChildProcess | undefined;
  let output = "";

  afterAll(() => {
    demo?.kill("SIGKILL");
  });

  it("serves until Ctrl-C: a dropped file ships, trace and doctor say so, and the outputs file is left true", async () => {
    // Prepare: the demo, serving.
    demo = spawn(TSX, ["scripts/demo.ts", "--serve"], { cwd: PROJECT_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    demo.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const serving = Date.now();
    while (!output.includes("serving: the demo's functions poll")) {
      if (demo.exitCode !== null) throw new Error(`the demo ended (${demo.exitCode}): ${output}`);
      if (Date.now() - serving > 240_000) throw new Error(`the demo did not start serving: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(JSON.parse(readFileSync(OUTPUTS, "utf8"))).toHaveProperty("emulatorLambdaEndpoint");
    // The report: every producer's objects shipped, none dead-lettered, and an ALB line parsed into ECS fields.
    for (const producer of ["waf", "alb", "vpcflow", "cloudwatch", "cloudtrail"])
      expect(output).toMatch(new RegExp(`^${producer} +\\d+ objects? → +\\d+ documents .* DLQ depth 0$`, "m"));
    const sample = output.slice(output.indexOf("sample document"));
    expect(sample).toMatch(/"source": \{\s+"address": "[\d.]+",\s+"ip": "[\d.]+"/);
    expect(sample).toMatch(/"status_code": \d{3}/);
    // Each destination got its index template the way pulumi up puts it (the program's own provider).
    const es = await startElasticsearch("8");
    const client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    for (const destination of ["waf", "elb", "vpcflow", "cloudwatch", "cloudtrail"]) {
      const found = await client.indices.getIndexTemplate({ name: `s3-log-shipper-demo-logs-aws.${destination}` });
      expect(found.index_templates[0]?.index_template._meta).toEqual({
        managed_by: "s3-log-shipper",
        owner: "demo/s3-log-shipper",
      });
    }
    const mapping = await client.indices.getFieldMapping({ index: "demo-logs-aws.elb", fields: ["source.ip"] });
    expect(JSON.stringify(mapping)).toContain('"type":"ip"');
    await client.close();

    // Act: a file dropped as the demo says.
    const file = path.join(tmpdir(), "dropped.log");
    writeFileSync(file, "one\ntwo\nthree\nfour\n");
    const put = spawnSync(TSX, ["scripts/demoPut.ts", file, DROPPED], { cwd: PROJECT_ROOT, encoding: "utf8" });
    expect(put.status, put.stderr).toBe(0);

    // Assess: trace finds it shipped (within a few polls), doctor is all ok.
    let trace = await s3ls(["trace", DROPPED, "--count-lines", "--outputs", OUTPUTS]);
    for (let attempt = 0; attempt < 30 && trace.code !== 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      trace = await s3ls(["trace", DROPPED, "--count-lines", "--outputs", OUTPUTS]);
    }
    expect(trace.stdout).toContain("shipped completely: 4 documents for 4 lines");
    const doctor = await s3ls(["doctor", "--outputs", OUTPUTS]);
    expect(doctor.stdout.split("\n").filter((line) => /^\s+(!|\?) /.test(line))).toEqual([]);
    expect(doctor.code, doctor.stdout).toBe(0);

    // Ctrl-C: it stops, and the outputs file no longer names the mapping API that went with it.
    const exited = new Promise<number | null>((resolve) => demo?.once("exit", (code) => resolve(code)));
    demo.kill("SIGINT");
    expect(await exited).toBe(0);
    expect(output).toContain("stopped serving");
    expect(JSON.parse(readFileSync(OUTPUTS, "utf8"))).not.toHaveProperty("emulatorLambdaEndpoint");
  }, 300_000);
});
