/**
 * `npm run docs:arguments`: writes what is generated from the schema — the argument reference in
 * docs/configuration.md (pipeline/provider/argumentReference.ts) and the schema's snapshot the other languages'
 * SDKs are generated from and held to (test/package/schema.snapshot.json).
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../pipeline/function/functionBuild";
import { argumentReference, REFERENCE_END, REFERENCE_START } from "../pipeline/provider/argumentReference";
import { generatePackageSchema, SCHEMA_SNAPSHOT } from "../pipeline/provider/schemaGeneration";

const schema = generatePackageSchema();
const readme = path.join(PROJECT_ROOT, "docs", "configuration.md");
const text = readFileSync(readme, "utf8");
const start = text.indexOf(REFERENCE_START);
const end = text.indexOf(REFERENCE_END);
if (start === -1 || end === -1)
  throw new Error(`docs/configuration.md has no "${REFERENCE_START}" … "${REFERENCE_END}" section`);
writeFileSync(readme, text.slice(0, start) + argumentReference(schema) + text.slice(end + REFERENCE_END.length));
process.stdout.write("docs/configuration.md: argument reference written\n");
writeFileSync(SCHEMA_SNAPSHOT, `${JSON.stringify(schema, null, 2)}\n`);
process.stdout.write(`${path.relative(PROJECT_ROOT, SCHEMA_SNAPSHOT)}: schema written\n`);
