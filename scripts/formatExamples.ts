/** `npm run docs:formats`: writes the example document of each AWS format into README.md (test/helpers/formatExamples.ts). */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../pipeline/function/functionBuild";
import { EXAMPLES_END, EXAMPLES_START, formatExamples } from "../test/helpers/formatExamples";

async function main(): Promise<void> {
  const readme = path.join(PROJECT_ROOT, "README.md");
  const text = readFileSync(readme, "utf8");
  const start = text.indexOf(EXAMPLES_START);
  const end = text.indexOf(EXAMPLES_END);
  if (start === -1 || end === -1) throw new Error(`README.md has no "${EXAMPLES_START}" … "${EXAMPLES_END}" section`);
  writeFileSync(readme, text.slice(0, start) + (await formatExamples()) + text.slice(end + EXAMPLES_END.length));
  process.stdout.write("README.md: format examples written\n");
}

void main();
