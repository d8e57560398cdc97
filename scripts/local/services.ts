/** Starts, stops and describes the local test services through `scripts/services/*.sh`. */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";

const SERVICES = path.join(PROJECT_ROOT, "scripts", "services");

export type ElasticsearchMajor = "8" | "9";

export interface ElasticsearchInfo {
  url: string;
  username: string;
  password: string;
  version: string;
}

/**
 * Runs a service script and returns its stdout. With `show`, each line it prints (downloads,
 * installs, start-up) appears at once, tagged with `show`, on stderr: a first run takes minutes.
 */
function script(name: string, args: string[], show?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(SERVICES, name), args, { stdio: ["ignore", "pipe", "pipe"], timeout: 600_000 });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.setEncoding("utf8").on("data", (text: string) => {
      stdout += text;
      if (!show) return;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) if (line.trim()) process.stderr.write(`[${show}] ${line}\n`);
    });
    child.stderr.setEncoding("utf8").on("data", (text: string) => (stderr += text));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new Error(
            `${name} ${args.join(" ")} failed (exit ${code}): ${stderr.trim().split("\n").slice(-15).join("\n")}`,
          ),
        );
    });
  });
}

export async function startMoto(): Promise<string> {
  await script("moto.sh", ["start"], "moto");
  return (JSON.parse((await script("moto.sh", ["status"])).trim()) as { url: string }).url;
}

export async function resetMoto(): Promise<void> {
  await script("moto.sh", ["reset"]);
}

export async function startElasticsearch(major: ElasticsearchMajor): Promise<ElasticsearchInfo> {
  await script("elasticsearch.sh", ["start", major], `elasticsearch ${major}`);
  return elasticsearchInfo(major);
}

/** A user of the running node that may create documents in `logs-*noread*` streams but not read them. */
export async function addWriterOnlyUser(major: ElasticsearchMajor, username: string, password: string): Promise<void> {
  await script("elasticsearch.sh", ["writer", major, username, password], `elasticsearch ${major}`);
}

export async function stopElasticsearch(major: ElasticsearchMajor): Promise<void> {
  await script("elasticsearch.sh", ["stop", major]);
}

export async function elasticsearchInfo(major: ElasticsearchMajor): Promise<ElasticsearchInfo> {
  const status = JSON.parse((await script("elasticsearch.sh", ["status", major])).trim()) as {
    credentialsFile: string;
  };
  return JSON.parse(readFileSync(status.credentialsFile, "utf8")) as ElasticsearchInfo;
}

/** The Elasticsearch majors to test: all by default, or those in S3LS_ES_MAJORS ("8,9"). */
export function majorsUnderTest(): ElasticsearchMajor[] {
  const wanted = (process.env.S3LS_ES_MAJORS ?? "8,9").split(",").map((m) => m.trim());
  return (["8", "9"] as const).filter((major) => wanted.includes(major));
}
