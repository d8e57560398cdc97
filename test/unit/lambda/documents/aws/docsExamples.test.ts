/** The example documents of docs/aws-formats.md are what the parsers make of AWS's documented lines (npm run docs:formats writes them). */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../../../pipeline/function/functionBuild";
import { EXAMPLES_END, EXAMPLES_START, formatExamples } from "../../../../helpers/formatExamples";

describe("the example document per AWS format in docs/aws-formats.md", () => {
  it("is what the function makes of the documented lines (npm run docs:formats writes it)", async () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "docs", "aws-formats.md"), "utf8");
    const start = readme.indexOf(EXAMPLES_START);
    const end = readme.indexOf(EXAMPLES_END) + EXAMPLES_END.length;
    expect(start, "docs/aws-formats.md has the generated section").toBeGreaterThan(-1);
    expect(readme.slice(start, end)).toBe(await formatExamples());
  });
});
