/**
 * Bundles the shipper function (`lambda/handler.ts`) with esbuild at deploy time, in memory.
 * Deterministic: fixed working directory, no source maps, no comments or metafile paths, so the
 * same source gives the same bytes wherever `pulumi up` runs — an unchanged program shows no diff.
 */
import { buildSync, type BuildOptions } from "esbuild";
import * as path from "node:path";

/** The repository root (this file lives in `pipeline/`). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Node.js runtime the function runs on; the bundle targets the same version. */
export const LAMBDA_RUNTIME = "nodejs22.x";

/** The file name inside the function's zip, and so the handler string `index.handler`. */
export const BUNDLE_FILE_NAME = "index.js";

export interface FunctionBundle {
  code: string;
  sizeBytes: number;
}

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
  cached = { code: output.text, sizeBytes: output.contents.byteLength };
  return cached;
}
