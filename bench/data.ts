/**
 * Seeded benchmark objects: gzip ndjson (AWS WAF lines) and plain text (ALB lines) of a chosen
 * uncompressed size, written once to bench/data/ and reused while the seed and size match.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync } from "node:fs";
import * as path from "node:path";
import { once } from "node:events";
import { createGzip, constants } from "node:zlib";
import { albLine, seededRandom, wafLine } from "../scripts/local/sampleLogs";

export const DATA_DIR = path.join(__dirname, "data");

export interface BenchObject {
  name: string;
  file: string;
  format: "ndjson" | "text";
  gzip: boolean;
  uncompressedBytes: number;
  lines: number;
  storedBytes: number;
}

/** Generates (or reuses) an object of at least `bytes` uncompressed. */
export async function benchObject(kind: "gzip-ndjson" | "plain-text", bytes: number, seed = 42): Promise<BenchObject> {
  mkdirSync(DATA_DIR, { recursive: true });
  const gzip = kind === "gzip-ndjson";
  const file = path.join(DATA_DIR, `${kind}-${bytes}-${seed}${gzip ? ".ndjson.gz" : ".log"}`);
  const meta = `${file}.meta.json`;
  if (existsSync(file) && existsSync(meta))
    return (await import(meta, { with: { type: "json" } })).default as BenchObject;

  const random = seededRandom(seed);
  const line = gzip ? wafLine : albLine;
  const temporary = `${file}.partial`;
  const out = createWriteStream(temporary);
  const sink = gzip ? createGzip({ level: constants.Z_BEST_SPEED }) : undefined;
  if (sink) sink.pipe(out);
  const target = sink ?? out;
  let written = 0;
  let lines = 0;
  while (written < bytes) {
    let chunk = "";
    for (let n = 0; n < 2_000; n += 1) chunk += `${line(random, lines + n)}\n`;
    lines += 2_000;
    written += Buffer.byteLength(chunk);
    if (!target.write(chunk)) await once(target, "drain");
  }
  target.end();
  await once(out, "finish");
  renameSync(temporary, file);
  const object: BenchObject = {
    name: kind,
    file,
    format: gzip ? "ndjson" : "text",
    gzip,
    uncompressedBytes: written,
    lines,
    storedBytes: statSync(file).size,
  };
  await import("node:fs/promises").then((fs) => fs.writeFile(meta, JSON.stringify(object)));
  return object;
}
