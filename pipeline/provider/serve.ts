/**
 * Starts the component provider, as Pulumi's plugin runner (`@pulumi/pulumi/cmd/run-plugin`) calls
 * the package's main module when it runs it as a plugin (`packageMain.ts`).
 */
import { main } from "@pulumi/pulumi/provider";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { useProvidedNotificationEntries } from "../resources/bucketNotifications";
import { ShipperProvider } from "./shipperProvider";

/** The package root: `dist/pipeline/provider/` in the package, `pipeline/provider/` in the repository. */
const PACKAGE_ROOT = path.resolve(__dirname, path.extname(__filename) === ".ts" ? "../.." : "../../..");

export async function serve(args: string[] = process.argv.slice(2)): Promise<void> {
  // The AWS SDK's notice that its 2027 releases need Node 22 says nothing a deployment can act on
  // (docs/development.md "Node.js versions"); it would print in every `pulumi up` of a program in another language.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const { version } = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, "package.json"), "utf8")) as { version: string };
  useProvidedNotificationEntries();
  await main(new ShipperProvider(version, packageSchema), args);
}

/** The schema built with the package (`dist/schema.json`), or, run from the sources, inferred now. */
async function packageSchema(): Promise<string> {
  if (path.extname(__filename) !== ".ts") return readFileSync(path.join(PACKAGE_ROOT, "dist", "schema.json"), "utf8");
  const { generatePackageSchema } = await import("./schemaGeneration.js");
  return JSON.stringify(generatePackageSchema());
}
