/**
 * `npm run bench [-- --quick] [-- --no-e2e] [-- --node PATH] [-- --rounds N]`: throughput and memory
 * of the shipper against the floor and a naive parser, on the same seeded bytes, plus the function
 * bundle's size and cold init. `--node` runs the measured processes on another Node.js binary (say,
 * the major the function's runtime uses). Floor, naive and shipper run in N interleaved rounds
 * (default 3) and each reports its fastest: on a shared virtual machine one run can be twice as slow
 * as the next, and interleaving gives every scenario the same chances. Figures only — nothing here
 * asserts on time. Writes bench/results.json.
 */
import "../scripts/local/quietSdkNotice";
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { Client } from "@elastic/elasticsearch";
import { buildSync } from "esbuild";
import {
  bundleShipperFunction,
  FUNCTION_BUILD_OPTIONS,
  PROJECT_ROOT,
  writeShipperBundle,
} from "../pipeline/function/functionBuild";
import { DEFAULT_TUNING } from "../pipeline/validation/defaults";
import { nodeOptionsFor } from "../pipeline/function/functionEnvironment";
import { putShipperTemplate } from "../scripts/local/shipperTemplate";
import { startElasticsearch } from "../scripts/local/services";
import { benchObject, type BenchObject } from "./data";

const USAGE = `usage: npm run bench [-- --quick] [-- --no-e2e] [-- --rounds N] [-- --node PATH]
  --quick        48 MiB objects instead of 1 GiB (under a minute)
  --no-e2e       skip the end-to-end run against Elasticsearch
  --rounds N     interleaved rounds per scenario, fastest reported (default 3)
  --node PATH    run the measured processes on this Node.js binary
`;

/** Flags, refused when unknown (a typo must not run a 5-minute benchmark with the wrong settings). */
function flags(): { quick: boolean; noE2e: boolean; rounds: number; node: string } {
  try {
    const { values } = parseArgs({
      options: {
        quick: { type: "boolean" },
        "no-e2e": { type: "boolean" },
        rounds: { type: "string" },
        node: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(USAGE);
      process.exit(0);
    }
    const rounds = values.rounds === undefined ? 3 : Number(values.rounds);
    if (!Number.isInteger(rounds) || rounds < 1)
      throw new Error(`--rounds takes a whole number of at least 1, got ${values.rounds}`);
    // A relative --node is meant from where the command was typed (npm runs scripts from the root).
    const node = values.node ? path.resolve(process.env.INIT_CWD ?? process.cwd(), values.node) : process.execPath;
    return { quick: values.quick ?? false, noE2e: values["no-e2e"] ?? false, rounds, node };
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

const FLAGS = flags();
const quick = FLAGS.quick;
const e2eEnabled = !FLAGS.noE2e;
/** The Node.js that runs every measured process. */
const MEASURED_NODE = FLAGS.node;
const ROUNDS = FLAGS.rounds;
const MB = 1024 * 1024;
const SIZE = quick ? 48 * MB : 1024 * MB;
const E2E_SIZE = quick ? 8 * MB : 256 * MB;
const TSX = pathToFileURL(require.resolve("tsx")).href;
/** The measured harness, bundled exactly like the function (minified, same stubs): the code as deployed. */
const SCENARIO = path.join(PROJECT_ROOT, ".cache", "bench", "scenario.js");
/** Every measured process gets the V8 settings a function of the default memory size gets. */
const FUNCTION_MEMORY_MB = DEFAULT_TUNING.memoryMb;
const V8_FLAGS = nodeOptionsFor(FUNCTION_MEMORY_MB).split(" ");

/**
 * The measured runs: the floor, a naive parser, and the shipper with requests as deployed (gzip
 * level 1), at gzip level 6, and uncompressed; for an object AWS's parsers read too (ALB, VPC flow
 * lines), the same bytes shipped parsed, compressed and not. Each names the scenario the measured
 * process runs.
 */
const SCENARIOS: Record<
  string,
  { scenario: string; gzipLevel?: number; memoryMb?: number; only?: string; parsed?: boolean }
> = {
  floor: { scenario: "floor" },
  naive: { scenario: "naive" },
  shipper: { scenario: "shipper", gzipLevel: 1 },
  "shipper-gzip6": { scenario: "shipper", gzipLevel: 6 },
  "shipper-none": { scenario: "shipper" },
  // The json object through a 128 MB function's heap: what bounded memory is for.
  "shipper-128mb": { scenario: "shipper", gzipLevel: 1, memoryMb: 128, only: "gzip-json" },
  parsed: { scenario: "shipper", gzipLevel: 1, parsed: true },
  "parsed-none": { scenario: "shipper", parsed: true },
};

/** Whether scenario `name` runs on `object`. */
function appliesTo(name: string, object: BenchObject): boolean {
  const run = SCENARIOS[name];
  if (!run || (run.only !== undefined && run.only !== object.name)) return false;
  if (run.parsed) return object.parsedFormat !== undefined;
  // A naive reader of Firehose's concatenated records would need its own parser: no baseline to offer.
  return !(object.format === "cloudwatch" && (name === "naive" || name === "shipper-gzip6"));
}

/**
 * The json object's size: a naive reader parses it whole, and V8 refuses strings over ~512 MiB; so
 * the full run measures 256 MiB. Naive runs on json without the function's V8 flags: parsing a
 * document whole needs ~5× its size in heap, more than any function memory a 48 MiB object fits in.
 */
const JSON_SIZE = Math.min(SIZE, 256 * MB);

/** The end-to-end runs, each as the scenario whose settings it takes. */
const E2E_RUNS: Record<string, string> = { e2e: "shipper", "e2e-none": "shipper-none", "e2e-parsed": "parsed" };

/** What crossed the wire to and from the bulk endpoint during one run. */
interface Wire {
  requests: number;
  requestBytes: number;
  decodedBytes: number;
  answerBytes: number;
  /** Request and answer bytes per GiB of uncompressed log data. */
  mbPerGbOfLogs: number;
}

interface Measurement {
  object: string;
  scenario: string;
  /** CPU seconds of the measured process, every thread (libuv's pool, where gzip runs, included). */
  cpuSeconds: number;
  wire?: Wire;
  uncompressedMB: number;
  lines: number;
  seconds: number;
  mbPerSecond: number;
  documentsPerSecond: number;
  peakRssMb: number;
  /** Every round's time, when the figure is the fastest of several. */
  roundsSeconds?: number[];
}

async function startBenchServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ["--import", TSX, path.join(__dirname, "servers.ts")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once("exit", (code) => reject(new Error(`bench server exited ${code}`)));
  });
  return { url, stop: () => child.kill() };
}

/** Runs the measured Node.js with `args`, without blocking this process; its exit code and output. */
function runMeasured(
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(MEASURED_NODE, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.once("error", reject);
    child.once("close", (status) => resolve({ status, stdout, stderr }));
  });
}

async function measure(
  object: BenchObject,
  name: string,
  s3Endpoint: string,
  es: { url: string; credentials: object; countsWire: boolean },
): Promise<Measurement> {
  const run = SCENARIOS[E2E_RUNS[name] ?? name];
  if (!run) throw new Error(`no scenario ${name}`);
  const scenario = name.startsWith("e2e") ? "e2e" : run.scenario;
  const format = run.parsed ? object.parsedFormat : object.format;
  if (!format) throw new Error(`${object.name} has no parsed format`);
  const input = {
    scenario,
    ...(run.gzipLevel === undefined ? {} : { gzipLevel: run.gzipLevel }),
    key: path.basename(object.file),
    format,
    s3Endpoint,
    esUrl: es.url,
    esCredentials: es.credentials,
    index: `bench-${object.name}-${name}-${Date.now()}`,
  };
  const flags =
    run.memoryMb !== undefined
      ? nodeOptionsFor(run.memoryMb).split(" ")
      : object.format === "json" && run.scenario === "naive"
        ? []
        : V8_FLAGS;
  // Not spawnSync: a run of over a minute blocked this process's event loop, and its next request
  // to the bench server reused a keep-alive connection the server had closed meanwhile (fetch failed).
  const result = await runMeasured([...flags, SCENARIO], {
    ...process.env,
    S3LS_BENCH_SCENARIO: JSON.stringify(input),
  });
  if (result.status !== 0) throw new Error(`${scenario} on ${object.name} failed: ${result.stderr}`);
  const line = result.stdout.trim().split("\n").pop() ?? "{}";
  const { lines, ms, cpuMs, maxRssMb } = JSON.parse(line) as {
    lines: number;
    ms: number;
    cpuMs: number;
    maxRssMb: number;
  };
  const seconds = ms / 1000;
  const uncompressedMB = object.uncompressedBytes / MB;
  const counted = es.countsWire
    ? ((await (await fetch(`${es.url}/_bench/wire`)).json()) as Omit<Wire, "mbPerGbOfLogs">)
    : undefined;
  return {
    object: object.name,
    scenario: name,
    cpuSeconds: round(cpuMs / 1000),
    ...(counted && counted.requests > 0
      ? {
          wire: {
            ...counted,
            mbPerGbOfLogs: round(((counted.requestBytes + counted.answerBytes) / object.uncompressedBytes) * 1024),
          },
        }
      : {}),
    uncompressedMB: round(uncompressedMB),
    lines,
    seconds: round(seconds),
    mbPerSecond: round(uncompressedMB / seconds),
    documentsPerSecond: Math.round(lines / seconds),
    peakRssMb: round(maxRssMb),
  };
}

/** The fastest of several rounds of one scenario, with every round's time and the highest peak RSS. */
function fastest(rounds: Measurement[]): Measurement {
  const best = rounds.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  return {
    ...best,
    peakRssMb: Math.max(...rounds.map((m) => m.peakRssMb)),
    roundsSeconds: rounds.map((m) => m.seconds),
  };
}

function coldInitMs(bundlePath: string, runs = 9): { medianMs: number; runsMs: number[] } {
  const runsMs: number[] = [];
  for (let n = 0; n < runs; n += 1) {
    const output = execFileSync(
      MEASURED_NODE,
      [
        "-e",
        `const t=process.hrtime.bigint();require(${JSON.stringify(bundlePath)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`,
      ],
      { encoding: "utf8" },
    );
    runsMs.push(round(Number(output)));
  }
  const sorted = [...runsMs].sort((a, b) => a - b);
  return { medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0, runsMs };
}

/** One line per measurement: throughput, CPU, memory and, for the shipper, the wire. */
function describe(m: Measurement): string {
  const wire = m.wire
    ? `  wire ${m.wire.mbPerGbOfLogs} MB per GB of logs (${m.wire.requests} requests, answers ${round(m.wire.answerBytes / MB)} MB)`
    : "";
  return `${m.scenario.padEnd(14)} ${String(m.mbPerSecond).padStart(7)} MB/s ${String(m.documentsPerSecond).padStart(9)} docs/s  CPU ${m.cpuSeconds} s  peak RSS ${m.peakRssMb} MB${wire}`;
}

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** A GET on the local node, authenticated, answered as JSON. */
async function nodeRequest(es: { url: string; username: string; password: string }, path: string, method = "GET") {
  const response = await fetch(`${es.url}${path}`, {
    method,
    headers: { authorization: `Basic ${Buffer.from(`${es.username}:${es.password}`).toString("base64")}` },
  });
  return (await response.json()) as unknown;
}

/**
 * The Elasticsearch node's CPU so far (every thread), in ms, from the kernel's count for its process
 * (/proc/<pid>/stat: utime + stime). Not `_nodes/stats/process`: the node refreshes that figure at
 * most once a second, so a short run read 0 CPU seconds.
 */
async function nodeCpuMs(es: { url: string; username: string; password: string }): Promise<number> {
  const info = (await nodeRequest(es, "/_nodes/_local/process")) as {
    nodes: Record<string, { process: { id: number } }>;
  };
  const pid = Object.values(info.nodes)[0]?.process.id;
  if (!pid) throw new Error("the Elasticsearch node did not name its process");
  // The command name, in parentheses, may hold spaces: the fields count from after it.
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime (fields 14 and 15 of proc(5))
  return (ticks / CLOCK_TICKS) * 1000;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

async function main(): Promise<void> {
  const started = Date.now();
  const measuredNode = execFileSync(MEASURED_NODE, ["--version"], { encoding: "utf8" }).trim();
  process.stdout.write(`measuring on Node.js ${measuredNode}, ${V8_FLAGS.join(" ")}\n`);
  process.stdout.write(
    `generating seeded objects (${SIZE / MB} MB uncompressed each${e2eEnabled ? `, ${E2E_SIZE / MB} MB for end to end` : ""})…\n`,
  );
  const objects = [
    await benchObject("gzip-ndjson", SIZE),
    await benchObject("plain-text", SIZE),
    await benchObject("gzip-json", JSON_SIZE),
    await benchObject("plain-vpcflow", SIZE),
    await benchObject("plain-cloudwatch", SIZE),
  ];
  buildSync({ ...FUNCTION_BUILD_OPTIONS, entryPoints: ["bench/scenario.ts"], write: true, outfile: SCENARIO });
  const server = await startBenchServer();
  const instant = { url: server.url, credentials: { apiKey: "bench" }, countsWire: true };
  const measured = Object.keys(SCENARIOS);
  const measurements: Measurement[] = [];
  try {
    for (const object of objects) {
      const rounds: Measurement[] = [];
      const scenarios = measured.filter((name) => appliesTo(name, object));
      for (let round = 1; round <= ROUNDS; round += 1) {
        for (const scenario of scenarios) rounds.push(await measure(object, scenario, server.url, instant));
      }
      for (const scenario of scenarios) {
        const m = fastest(rounds.filter((candidate) => candidate.scenario === scenario));
        measurements.push(m);
        process.stdout.write(
          `  ${object.name.padEnd(16)} ${describe(m)}  (rounds: ${m.roundsSeconds?.join(", ")} s)\n`,
        );
      }
    }
    if (e2eEnabled) {
      const es = await startElasticsearch("8");
      // Text and parsed documents typed as an ECS cluster types them (strings keywords, addresses ip),
      // not by dynamic mapping's text-and-keyword for every string.
      const client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
      await putShipperTemplate(client, "bench-*");
      await client.close();
      const target = {
        url: es.url,
        credentials: { username: es.username, password: es.password },
        countsWire: false,
      };
      // WAF's ndjson as deployed and uncompressed; ALB lines as text and parsed as alb: what parsing in
      // the function saves (or costs) the node, per document.
      const runs: Array<[BenchObject, string]> = [
        [await benchObject("gzip-ndjson", E2E_SIZE), "e2e"],
        [await benchObject("gzip-ndjson", E2E_SIZE), "e2e-none"],
        [await benchObject("plain-text", E2E_SIZE), "e2e"],
        [await benchObject("plain-text", E2E_SIZE), "e2e-parsed"],
        // CloudTrail's records as json (the record as it is) and as cloudtrail (the integration's shape).
        [await benchObject("gzip-json", E2E_SIZE), "e2e"],
        [await benchObject("gzip-json", E2E_SIZE), "e2e-parsed"],
      ];
      for (const [object, name] of runs) {
        const before = await nodeCpuMs(es);
        const m = await measure(object, name, server.url, target);
        // The node's work for the run includes making the documents searchable.
        await nodeRequest(es, "/bench-*/_refresh", "POST");
        const nodeMs = (await nodeCpuMs(es)) - before;
        const e2e = {
          ...m,
          elasticsearchCpuSecondsPerMillionDocuments: round((nodeMs / 1000 / m.lines) * 1e6),
        };
        measurements.push(e2e);
        process.stdout.write(
          `  ${object.name.padEnd(16)} ${describe(e2e)}  Elasticsearch ${es.version}: ${e2e.elasticsearchCpuSecondsPerMillionDocuments} CPU s per million documents\n`,
        );
      }
    }
  } finally {
    server.stop();
  }

  const of = (object: string, scenario: string) =>
    measurements.find(
      (m) => m.object === object && m.scenario === scenario && !("elasticsearchCpuSecondsPerMillionDocuments" in m),
    );
  const ratios = objects.map((object) => {
    const over = (scenario: string, base: string) =>
      round((of(object.name, scenario)?.mbPerSecond ?? 0) / (of(object.name, base)?.mbPerSecond ?? 1));
    return {
      object: object.name,
      ...(object.format === "cloudwatch"
        ? {
            // The same ALB lines as plain-text's, wrapped as log events: compared per document.
            documentsOverText: round(
              (of(object.name, "shipper")?.documentsPerSecond ?? 0) /
                (of("plain-text", "shipper")?.documentsPerSecond ?? 1),
            ),
            uncompressedDocumentsOverText: round(
              (of(object.name, "shipper-none")?.documentsPerSecond ?? 0) /
                (of("plain-text", "shipper-none")?.documentsPerSecond ?? 1),
            ),
          }
        : {
            shipperOverFloor: over("shipper", "floor"),
            shipperOverNaive: over("shipper", "naive"),
            uncompressedShipperOverNaive: over("shipper-none", "naive"),
          }),
      ...(object.parsedFormat
        ? {
            parsedFormat: object.parsedFormat,
            parsedOverText: over("parsed", "shipper"),
            uncompressedParsedOverText: over("parsed-none", "shipper-none"),
          }
        : {}),
    };
  });
  const bundle = bundleShipperFunction();
  const cold = coldInitMs(writeShipperBundle().file);
  const results = {
    date: new Date().toISOString(),
    mode: quick ? "quick" : "full",
    machine: { node: measuredNode, cpus: (await import("node:os")).cpus().length },
    v8Flags: { functionMemoryMb: FUNCTION_MEMORY_MB, flags: V8_FLAGS },
    rounds: ROUNDS,
    objects: objects.map(({ name, uncompressedBytes, storedBytes, lines }) => ({
      name,
      uncompressedBytes,
      storedBytes,
      lines,
    })),
    measurements,
    ratios,
    bundle: { bytes: bundle.sizeBytes, coldInitMedianMs: cold.medianMs, coldInitRunsMs: cold.runsMs },
    seconds: round((Date.now() - started) / 1000),
  };
  writeFileSync(path.join(__dirname, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  for (const ratio of ratios) {
    const parts =
      "documentsOverText" in ratio
        ? [
            `cloudwatch/text ${ratio.documentsOverText} per document (uncompressed requests: ${ratio.uncompressedDocumentsOverText})`,
          ]
        : [
            `shipper/floor ${ratio.shipperOverFloor}  shipper/naive ${ratio.shipperOverNaive} (uncompressed requests: ${ratio.uncompressedShipperOverNaive})`,
          ];
    if ("parsedOverText" in ratio)
      parts.push(
        `${ratio.parsedFormat}/text ${ratio.parsedOverText} (uncompressed requests: ${ratio.uncompressedParsedOverText})`,
      );
    process.stdout.write(`  ${ratio.object.padEnd(16)} ${parts.join("  ")}\n`);
  }
  process.stdout.write(
    `  bundle ${(bundle.sizeBytes / MB).toFixed(2)} MB (${bundle.sizeBytes} bytes), cold init median ${cold.medianMs} ms over ${cold.runsMs.length} fresh processes\n`,
  );
  process.stdout.write(`wrote bench/results.json in ${results.seconds} s\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
