/**
 * Code the manual shows as a file of the repository is that file: a fenced block right after
 * `<!-- example: PATH -->` holds PATH's text exactly (the Python and Go programs under
 * test/package/, which the package tier runs), so an example a reader copies is one that ran.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../pipeline/function/functionBuild";

const EXAMPLE = /<!-- example: (\S+) -->\n```\w*\n([\s\S]*?)\n```/g;

function manualPages(): string[] {
  const docs = path.join(PROJECT_ROOT, "docs");
  const pages = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".md"))
        .map((file) => path.join("docs", file))
    : [];
  return ["README.md", ...pages];
}

const examples = manualPages().flatMap((page) =>
  [...readFileSync(path.join(PROJECT_ROOT, page), "utf8").matchAll(EXAMPLE)].map(
    (match) => [page, match[1] ?? "", match[2] ?? ""] as const,
  ),
);

describe("the manual's examples taken from files", () => {
  it("shows the Python and the Go consumer", () => {
    expect(examples.map(([, file]) => file)).toEqual(
      expect.arrayContaining(["test/package/python/shippers.py", "test/package/go/main.go"]),
    );
  });

  it.each(examples)("%s shows %s as it is", (_, file, shown) => {
    expect(shown).toBe(readFileSync(path.join(PROJECT_ROOT, file), "utf8").replace(/\n$/, ""));
  });
});
