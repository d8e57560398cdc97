/** `npm run docs:formats`: writes the example document of each AWS format into docs/aws-formats.md (test/helpers/formatExamples.ts). */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PROJECT_ROOT } from "../pipeline/function/functionBuild";
import { EXAMPLES_END, EXAMPLES_START, formatExamples } from "../test/helpers/formatExamples";

async function main(): Promise<void> {
  const readme = path.join(PROJECT_ROOT, "docs", "aws-formats.md");
  const text = readFileSync(readme, "utf8");
  const start = text.indexOf(EXAMPLES_START);
  const end = text.indexOf(EXAMPLES_END);
  if (start === -1 || end === -1)
    throw new Error(`docs/aws-formats.md has no "${EXAMPLES_START}" … "${EXAMPLES_END}" section`);
  writeFileSync(readme, text.slice(0, start) + (await formatExamples()) + text.slice(end + EXAMPLES_END.length));
  process.stdout.write("docs/aws-formats.md: format examples written\n");
}

void main();
