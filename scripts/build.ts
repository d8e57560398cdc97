/**
 * `npm run build` (and `prepare`, so `npm pack` and an install from git run it): the package as it
 * ships, in `dist/`.
 * - `dist/pipeline/`, `dist/cli/`: the component, its provider and `s3ls`, compiled, with `.d.ts`;
 * - `dist/function/index.js`: the shipper function bundled (esbuild, deterministic), which the
 *   component deploys from wherever it is installed (pipeline/function/bundle.ts);
 * - `dist/schema.json`: the schema other languages get from the component provider, inferred from
 *   the sources (pipeline/provider/schemaGeneration.ts).
 * Prints each part's size and the bundle's SHA-256.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { BUNDLE_FILE_NAME } from "../pipeline/function/functionRuntime";
import { bundleShipperFunction, PROJECT_ROOT } from "../pipeline/function/functionBuild";
import { generatePackageSchema } from "../pipeline/provider/schemaGeneration";

const DIST = path.join(PROJECT_ROOT, "dist");

function main(): void {
  const started = Date.now();
  rmSync(DIST, { recursive: true, force: true });
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: PROJECT_ROOT,
    stdio: "inherit",
  });
  const cli = path.join(DIST, "cli", "s3ls.js");
  writeFileSync(cli, `#!/usr/bin/env node\n${readFileSync(cli, "utf8")}`);
  chmodSync(cli, 0o755);

  const bundle = bundleShipperFunction();
  const bundleFile = path.join(DIST, "function", BUNDLE_FILE_NAME);
  mkdirSync(path.dirname(bundleFile), { recursive: true });
  writeFileSync(bundleFile, bundle.code);

  const schemaFile = path.join(DIST, "schema.json");
  writeFileSync(schemaFile, `${JSON.stringify(generatePackageSchema(), null, 2)}\n`);

  process.stdout.write(
    `dist/ built in ${((Date.now() - started) / 1000).toFixed(1)} s: function bundle ${bundle.sizeBytes} bytes (sha256 ${bundle.sha256}), ` +
      `schema ${statSync(schemaFile).size} bytes\n`,
  );
}

main();
