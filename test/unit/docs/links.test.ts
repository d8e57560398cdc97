/**
 * The manual's links and the code's pointers into it resolve: every relative link of README.md and
 * docs/*.md names a file that exists and, with `#anchor`, a heading of that file (GitHub's anchors);
 * every `docs/<page>.md "<heading>"` that a message, comment or page names is a heading of that page
 * (or a bold paragraph's lead). A moved or renamed section fails here, not in a reader's hands.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../pipeline/function/functionBuild";

const pages = [
  "README.md",
  ...readdirSync(path.join(PROJECT_ROOT, "docs"))
    .filter((file) => file.endsWith(".md"))
    .map((file) => `docs/${file}`),
];

const read = (file: string) => readFileSync(path.join(PROJECT_ROOT, file), "utf8");

/** The text outside fenced code blocks. */
function prose(text: string): string {
  return text.replace(/^```[\s\S]*?^```/gm, "");
}

/** The headings' texts, as written (without the leading #s). */
function headings(text: string): string[] {
  return [...prose(text).matchAll(/^#{1,6} (.+)$/gm)].map((match) => (match[1] ?? "").trim());
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens; repeats get -1, -2, … */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const heading of headings(text)) {
    const base = heading
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(base) ?? 0;
    result.add(count === 0 ? base : `${base}-${count}`);
    seen.set(base, count + 1);
  }
  return result;
}

const links = pages.flatMap((page) =>
  [...prose(read(page)).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((match) => match[1] ?? "")
    .filter((target) => !/^[a-z]+:/i.test(target))
    .map((target) => [page, target] as const),
);

describe("the manual's relative links", () => {
  it("are there: the front door links every page of docs/", () => {
    const fromReadme = links.filter(([page]) => page === "README.md").map(([, target]) => target.split("#")[0]);
    for (const page of pages.filter((file) => file.startsWith("docs/"))) expect(fromReadme).toContain(page);
  });

  it.each(links)("%s → %s resolves", (page, target) => {
    const [file = "", anchor] = target.split("#");
    const resolved = file === "" ? page : path.posix.join(path.posix.dirname(page), file);
    expect(existsSync(path.join(PROJECT_ROOT, resolved)), `${resolved} exists`).toBe(true);
    if (anchor !== undefined) expect([...anchors(read(resolved))]).toContain(anchor);
  });
});

/** Every `docs/<page>.md "<text>"` in the repository's sources and pages. */
const pointers = execFileSync("git", ["ls-files", "*.ts", "*.md", "*.sh", "*.yaml"], {
  cwd: PROJECT_ROOT,
  encoding: "utf8",
})
  .split("\n")
  .filter((file) => file !== "" && existsSync(path.join(PROJECT_ROOT, file)))
  .flatMap((file) =>
    [...read(file).matchAll(/docs\/([\w.-]+\.md) "([^"]+)"/g)].map(
      (match) => [file, `docs/${match[1] ?? ""}`, match[2] ?? ""] as const,
    ),
  );

describe("pointers into the manual from messages and comments", () => {
  it("exist (the alarms, doctor's fixes and config errors name sections)", () => {
    expect(pointers.length).toBeGreaterThan(10);
  });

  it.each(pointers)("%s names %s %s", (_, page, heading) => {
    expect(existsSync(path.join(PROJECT_ROOT, page)), `${page} exists`).toBe(true);
    const text = read(page);
    expect([...headings(text), ...[...text.matchAll(/\*\*([^*]+)\*\*/g)].map((match) => match[1])]).toContain(heading);
  });
});
