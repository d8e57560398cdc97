/**
 * The shipper function's code as the component deploys it. The package ships the bundle built at
 * pack time (`dist/function/index.js`): a consumer needs no build tools, and its bytes — and so the
 * code asset's hash — are the same on every machine and in every directory. Run from this
 * repository's sources (the standalone stack, the tests), the component bundles `lambda/` with
 * esbuild at deploy time instead (`functionBuild.ts`), so a change to the function deploys.
 */
import * as pulumi from "@pulumi/pulumi";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { BUNDLE_FILE_NAME } from "./functionRuntime";

/** Where the package's build puts the bundle, beside the compiled component (`dist/pipeline/function/bundle.js`). */
const SHIPPED_BUNDLE = path.join(__dirname, "..", "..", "function", BUNDLE_FILE_NAME);

/** The file the functions' code archive names: the package's bundle, or one built from the sources now. */
export async function functionBundleFile(): Promise<string> {
  if (path.extname(__filename) !== ".ts") {
    if (!existsSync(SHIPPED_BUNDLE))
      throw new pulumi.RunError(
        `s3-log-shipper: the function bundle ${SHIPPED_BUNDLE} is missing from the package; reinstall it (a git checkout builds it with npm install, through its prepare script)`,
      );
    return SHIPPED_BUNDLE;
  }
  // From the repository's sources: esbuild (a development dependency) is loaded only here.
  const { writeShipperBundle } = await import("./functionBuild.js");
  return writeShipperBundle().file;
}

/**
 * One archive for every producer. Its file is named relative to the working directory when it lies
 * below it (the standalone stack's `.cache/bundle/index.js`, a consumer's
 * `node_modules/s3-log-shipper/dist/function/index.js`), so another checkout's `pulumi up` shows no
 * diff; elsewhere (a hoisted `node_modules`, the component provider of another language) by its
 * absolute path. The engine compares code assets by their hash.
 */
export function functionCode(): pulumi.asset.AssetArchive {
  const named = functionBundleFile().then((file) => {
    const relative = path.relative(process.cwd(), file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
  });
  return new pulumi.asset.AssetArchive({ [BUNDLE_FILE_NAME]: new pulumi.asset.FileAsset(named) });
}
