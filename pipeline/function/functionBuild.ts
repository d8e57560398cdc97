/**
 * Bundles the shipper function (`lambda/handler.ts`) with esbuild: at pack time into the package
 * (`npm run build` → `dist/function/index.js`, what a consumer's functions run), and at deploy time
 * when the component runs from this repository's sources (`writeShipperBundle`), once per deployment,
 * into a file the functions' code archives name: the stack state keeps its path and hash, not
 * ~1.4 MB of text per producer.
 * Deterministic: fixed working directory, no source maps, no comments or metafile paths, so the
 * same source gives the same bytes wherever it is built — an unchanged program shows no diff.
 * Only the repository loads this module (esbuild is a development dependency of the package).
 */
import { buildSync, type BuildOptions } from "esbuild";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BUNDLE_FILE_NAME } from "./functionRuntime";

/** The repository root (this file lives in `pipeline/`). */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

export interface FunctionBundle {
  code: string;
  sizeBytes: number;
  sha256: string;
}

/** Where the deployed bundle is written (git-ignored); one file, rewritten only when it changes. */
export const BUNDLE_FILE = path.join(PROJECT_ROOT, ".cache", "bundle", BUNDLE_FILE_NAME);

/** How the function is bundled; the benchmark bundles its harness the same way. */
export const FUNCTION_BUILD_OPTIONS = {
  absWorkingDir: PROJECT_ROOT,
  bundle: true,
  platform: "node",
  target: "node22",
  format: "cjs",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  charset: "utf8",
  write: false,
  logLevel: "silent",
  // See lambda/stubs/ for why these dependencies are replaced.
  alias: { "apache-arrow/Arrow.node": "./lambda/stubs/apacheArrow.ts", undici: "./lambda/stubs/undici.ts" },
} satisfies BuildOptions;

let cached: FunctionBundle | undefined;

/** Builds (once per process) the minified CommonJS bundle of the shipper function. */
export function bundleShipperFunction(): FunctionBundle {
  if (cached) return cached;
  const result = buildSync({ ...FUNCTION_BUILD_OPTIONS, entryPoints: ["lambda/handler.ts"] });
  const output = result.outputFiles[0];
  if (!output) throw new Error("esbuild produced no output for lambda/handler.ts");
  cached = {
    code: output.text,
    sizeBytes: output.contents.byteLength,
    sha256: createHash("sha256").update(output.contents).digest("hex"),
  };
  return cached;
}

/**
 * Builds the bundle and writes it to `BUNDLE_FILE` unless the file already holds these bytes (so a
 * deploy running beside a test run never sees a half-written file). Returns the bundle and its file.
 */
export function writeShipperBundle(): FunctionBundle & { file: string } {
  const bundle = bundleShipperFunction();
  let current: string | undefined;
  try {
    current = readFileSync(BUNDLE_FILE, "utf8");
  } catch {
    current = undefined;
  }
  if (current !== bundle.code) {
    mkdirSync(path.dirname(BUNDLE_FILE), { recursive: true });
    const partial = `${BUNDLE_FILE}.${process.pid}.partial`;
    writeFileSync(partial, bundle.code);
    renameSync(partial, BUNDLE_FILE);
  }
  return { ...bundle, file: BUNDLE_FILE };
}
