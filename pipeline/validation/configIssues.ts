/**
 * Zod's issues as stack-config problems: each names its key, an unknown key names the nearest
 * valid one. Apart from the contract itself (`config.ts`) because it is about zod's schema tree,
 * not about any setting.
 */
import type { z } from "zod";
import { unknownKeyProblems } from "./unknownKeys";

/**
 * Zod issues as problems naming the key: an unknown key names the nearest valid one, and the key it
 * probably meant is then not also reported missing.
 */
export function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  schema: z.ZodType,
  value: unknown,
  describeKey: (path: PropertyKey[]) => string,
): string[] {
  const problems: string[] = [];
  const meant = new Set<string>();
  for (const issue of issues) {
    if (issue.code !== "unrecognized_keys") continue;
    for (const problem of unknownKeyProblems(issue.keys, keysAt(schema, issue.path))) {
      problems.push(`${describeKey(issue.path)}${problem.message}`);
      if (problem.suggestion) meant.add(JSON.stringify([...issue.path, problem.suggestion]));
    }
  }
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") continue;
    if (meant.has(JSON.stringify(issue.path)) && valueAt(value, issue.path) === undefined) continue;
    problems.push(`${describeKey(issue.path)}${issue.message}`);
  }
  return problems;
}

/** The keys an object schema accepts at `path` inside `schema` (arrays and wrappers looked through). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let current: z.core.$ZodType = schema;
  for (let step = 0; ;) {
    const def = current._zod.def as {
      type: string;
      shape?: Record<string, z.core.$ZodType>;
      element?: z.core.$ZodType;
      innerType?: z.core.$ZodType;
      in?: z.core.$ZodType;
    };
    if (def.innerType) current = def.innerType;
    else if (def.type === "pipe" && def.in) current = def.in;
    else if (step >= path.length) return def.shape ? Object.keys(def.shape) : [];
    else if (def.type === "array" && def.element) {
      current = def.element;
      step += 1;
    } else if (def.shape && def.shape[String(path[step])]) {
      current = def.shape[String(path[step])] as z.core.$ZodType;
      step += 1;
    } else return [];
  }
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const part of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}
