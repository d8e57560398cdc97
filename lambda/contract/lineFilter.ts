/**
 * A producer's include/exclude filters (`producers[].include`, `producers[].exclude`): a line — or a
 * `json` record's JSON text — is shipped when it matches any `include` (when there are some) and no
 * `exclude` (exclude wins). Matching is a search anywhere in the line, as Filebeat's
 * `include_lines` and Elastic's forwarder's `include` do.
 *
 * Expressions run with RE2 semantics (re2js, a maintained port of RE2 to JavaScript): matching
 * takes time linear in the line, so `(a+)+$` on a long line cannot stall the function the way a
 * backtracking engine (JavaScript's RegExp) would, and a bounded line length alone would not
 * prevent (an 8 MiB line is plenty to backtrack for hours). The price: RE2 has no look-around and no
 * back-references — such expressions are refused at plan time, naming the key — and a match costs
 * about 3× RegExp's (~0.4 µs per access-log line, only for producers with filters).
 *
 * Pipeline and function share this module: `pipeline/validation/config.ts` refuses what does not compile,
 * the function compiles the same text from its environment (`LINE_INCLUDE`, `LINE_EXCLUDE`, JSON
 * arrays).
 */
import type { RE2JS as RE2JSClass } from "re2js";
import { FunctionEnvironmentError } from "../errors";

/**
 * re2js (~150 KB of the bundle) is loaded on first use, not at the function's start-up: most
 * producers have no filters, and a cold start pays for every module evaluated.
 */
function re2(): typeof RE2JSClass {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, see above
  return (require("re2js") as typeof import("re2js")).RE2JS;
}

/** `pattern` compiled under RE2 (refused patterns never reach the function: pipeline/validation/config.ts). */
export function compileRe2(pattern: string): { test(text: string): boolean } {
  return re2().compile(pattern);
}

export interface LineFilter {
  /** Whether the line (as text) is shipped. */
  keeps(text: string): boolean;
}

/** Why `pattern` is refused, or undefined when it compiles under RE2. */
export function patternProblem(pattern: string): string | undefined {
  try {
    re2().compile(pattern);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The filter of `include` and `exclude`, or undefined when both are empty (every line kept). */
export function lineFilterOf(include: readonly string[], exclude: readonly string[]): LineFilter | undefined {
  if (include.length === 0 && exclude.length === 0) return undefined;
  const RE2JS = re2();
  const included = include.map((pattern) => RE2JS.compile(pattern));
  const excluded = exclude.map((pattern) => RE2JS.compile(pattern));
  return {
    keeps: (text) =>
      (included.length === 0 || included.some((pattern) => pattern.test(text))) &&
      !excluded.some((pattern) => pattern.test(text)),
  };
}

/** The filter the function's environment describes (JSON arrays of expressions); throws naming the variable at fault. */
export function lineFilterFromEnvironment(
  include: string | undefined,
  exclude: string | undefined,
): LineFilter | undefined {
  return lineFilterOf(patternsOf("LINE_INCLUDE", include), patternsOf("LINE_EXCLUDE", exclude));
}

function patternsOf(variable: string, value: string | undefined): string[] {
  if (value === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new FunctionEnvironmentError(
      `invalid function environment: ${variable}: must be a JSON array of expressions`,
    );
  }
  if (!Array.isArray(parsed) || !parsed.every((pattern): pattern is string => typeof pattern === "string"))
    throw new FunctionEnvironmentError(
      `invalid function environment: ${variable}: must be a JSON array of expressions`,
    );
  for (const pattern of parsed) {
    const problem = patternProblem(pattern);
    if (problem)
      throw new FunctionEnvironmentError(
        `invalid function environment: ${variable}: ${JSON.stringify(pattern)}: ${problem}`,
      );
  }
  return parsed;
}
