/**
 * Builds the shipper function bundle exactly as `pulumi up` does and reports its size and digest;
 * `--out FILE` also writes it (the integration tier and the benchmark run that file).
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { bundleShipperFunction } from "../pipeline/function/functionBuild";

const outFlag = process.argv.indexOf("--out");
const out = outFlag >= 0 ? process.argv[outFlag + 1] : undefined;
const bundle = bundleShipperFunction();
if (out) {
  mkdirSync(path.dirname(path.resolve(out)), { recursive: true });
  writeFileSync(out, bundle.code);
}
process.stdout.write(
  `${JSON.stringify({ bytes: bundle.sizeBytes, sha256: createHash("sha256").update(bundle.code).digest("hex"), ...(out ? { out } : {}) })}\n`,
);
