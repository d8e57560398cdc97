/**
 * Every version of this package the manual names is the one `package.json` says `npm pack` makes: a
 * reader who copies an install line gets a tarball, tag or plugin that exists (review finding: the
 * README installed s3-log-shipper-0.2.0.tgz while npm pack made 0.3.0).
 */
import { readFileSync, readdirSync, existsSync } from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../../pipeline/function/functionBuild";

const { name, version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, "package.json"), "utf8")) as {
  name: string;
  version: string;
};

/** The user's documents: the README and every page under docs/ (the CHANGELOG names past versions on purpose). */
function manualPages(): string[] {
  const docs = path.join(PROJECT_ROOT, "docs");
  const pages = existsSync(docs)
    ? readdirSync(docs, { recursive: true, encoding: "utf8" })
        .filter((file) => file.endsWith(".md"))
        .map((file) => path.join(docs, file))
    : [];
  return [path.join(PROJECT_ROOT, "README.md"), ...pages];
}

/** `s3-log-shipper-0.3.0.tgz`, `s3-log-shipper.git#v0.3.0`, `s3-log-shipper@v0.3.0`, `s3-log-shipper@0.3.0`. */
const NAMED_VERSION = new RegExp(String.raw`${name}(?:-|\.git#v?|@v?)(\d+\.\d+\.\d+(?:-[\w.]+)?)`, "g");

describe("the versions the manual names", () => {
  it.each(manualPages().map((page) => [path.relative(PROJECT_ROOT, page), page]))(
    "%s names only package.json's version",
    (_, page) => {
      const text = readFileSync(page, "utf8");
      const named = [...text.matchAll(NAMED_VERSION)].map((match) => ({ at: match[0], version: match[1] }));
      for (const mention of named) expect(mention.version, mention.at).toBe(version);
    },
  );

  it("finds the install line of the tarball npm pack makes", () => {
    const readme = readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
    expect(readme).toContain(`npm install ${name}-${version}.tgz`);
  });
});
