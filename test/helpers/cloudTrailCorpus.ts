/**
 * The CloudTrail corpus (test/corpus/cloudtrail/): real records gathered from public, permissively
 * licensed repositories (SOURCES.md), one CloudTrail log file per source. What the unit tests shape,
 * the integration tier indexes and the rules measurement reads.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";

export const CORPUS_DIR = path.join(PROJECT_ROOT, "test", "corpus", "cloudtrail");

/** The corpus's log files: name and bytes (gzip, as CloudTrail delivers them). */
export function corpusFiles(): Array<{ name: string; gzip: Buffer }> {
  return readdirSync(CORPUS_DIR)
    .filter((name) => name.endsWith(".json.gz"))
    .sort()
    .map((name) => ({ name, gzip: readFileSync(path.join(CORPUS_DIR, name)) }));
}

/** Every record of the corpus, in file order. */
export function corpusRecords(): Array<Record<string, unknown>> {
  return corpusFiles().flatMap(
    ({ gzip }) =>
      (JSON.parse(gunzipSync(gzip).toString("utf8")) as { Records: Array<Record<string, unknown>> }).Records,
  );
}
