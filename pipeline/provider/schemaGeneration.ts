/**
 * The package's schema for other languages, inferred from the TypeScript sources by the same code
 * `@pulumi/pulumi`'s component provider uses (its analyzer reads `LogShipper`, `LogShipperArgs` and
 * every type they name, with their TSDoc), when the package is built (`scripts/build.ts` writes
 * `dist/schema.json`). Needs the sources and the TypeScript compiler: only the repository loads it.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { Analyzer } from "@pulumi/pulumi/provider/experimental/analyzer";
import { generateSchema, type PackageSpec } from "@pulumi/pulumi/provider/experimental/schema";
import { PACKAGE_NAME } from "./shipperProvider";

const REPOSITORY_ROOT = path.resolve(__dirname, "../..");

/**
 * The schema as last reviewed: the Python and Go SDKs are generated from what the provider serves,
 * and the package tier holds that to this file (`npm run docs:arguments` writes it).
 */
export const SCHEMA_SNAPSHOT = path.join(REPOSITORY_ROOT, "test", "package", "schema.snapshot.json");

export function generatePackageSchema(root: string = REPOSITORY_ROOT): PackageSpec {
  const packageJson = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
    version: string;
    description: string;
  };
  // The entry the analyzer starts from: the library's sources (the package's `exports` name its compiled form).
  const analyzer = new Analyzer(
    root,
    PACKAGE_NAME,
    { ...packageJson, exports: undefined, main: "pipeline/index.js" },
    new Set(["LogShipper"]),
  );
  const { components, typeDefinitions, dependencies } = analyzer.analyze();
  return generateSchema(
    PACKAGE_NAME,
    packageJson.version,
    packageJson.description,
    components,
    typeDefinitions,
    dependencies,
  );
}
