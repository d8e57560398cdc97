/** Starts, stops and describes the local test services through `scripts/services/*.sh`. */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { PROJECT_ROOT } from "../../pipeline/bundle";

const run = promisify(execFile);
const SERVICES = path.join(PROJECT_ROOT, "scripts", "services");

export type ElasticsearchMajor = "8" | "9";

export interface ElasticsearchInfo {
  url: string;
  username: string;
  password: string;
  version: string;
}

async function script(name: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(path.join(SERVICES, name), args, { maxBuffer: 16 * 1024 * 1024, timeout: 600_000 });
  return stdout;
}

export async function startMoto(): Promise<string> {
  await script("moto.sh", "start");
  return (JSON.parse((await script("moto.sh", "status")).trim()) as { url: string }).url;
}

export async function resetMoto(): Promise<void> {
  await script("moto.sh", "reset");
}

export async function startElasticsearch(major: ElasticsearchMajor): Promise<ElasticsearchInfo> {
  await script("elasticsearch.sh", "start", major);
  return elasticsearchInfo(major);
}

export async function stopElasticsearch(major: ElasticsearchMajor): Promise<void> {
  await script("elasticsearch.sh", "stop", major);
}

export async function elasticsearchInfo(major: ElasticsearchMajor): Promise<ElasticsearchInfo> {
  const status = JSON.parse((await script("elasticsearch.sh", "status", major)).trim()) as { credentialsFile: string };
  return JSON.parse(readFileSync(status.credentialsFile, "utf8")) as ElasticsearchInfo;
}

/** The Elasticsearch majors to test: all by default, or those in S3LS_ES_MAJORS ("8,9"). */
export function majorsUnderTest(): ElasticsearchMajor[] {
  const wanted = (process.env.S3LS_ES_MAJORS ?? "8,9").split(",").map((m) => m.trim());
  return (["8", "9"] as const).filter((major) => wanted.includes(major));
}
