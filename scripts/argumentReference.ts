/** `npm run docs:arguments`: writes the argument reference generated from the schema into README.md (pipeline/provider/argumentReference.ts). */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../pipeline/functionBuild";
import { argumentReference, REFERENCE_END, REFERENCE_START } from "../pipeline/provider/argumentReference";
import { generatePackageSchema } from "../pipeline/provider/schemaGeneration";

const readme = path.join(PROJECT_ROOT, "README.md");
const text = readFileSync(readme, "utf8");
const start = text.indexOf(REFERENCE_START);
const end = text.indexOf(REFERENCE_END);
if (start === -1 || end === -1) throw new Error(`README.md has no "${REFERENCE_START}" … "${REFERENCE_END}" section`);
writeFileSync(
  readme,
  text.slice(0, start) + argumentReference(generatePackageSchema()) + text.slice(end + REFERENCE_END.length),
);
process.stdout.write("README.md: argument reference written\n");
