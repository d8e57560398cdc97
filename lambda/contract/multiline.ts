/**
 * A `text` producer's multiline setting (`producers[].multiline`), as the program writes it into the
 * function's environment (`MULTILINE`, JSON) and the function reads it back. Filebeat's pattern
 * multiline: a line "continues" an event when it matches `pattern` (or, with `negate`, when it does
 * not); with `match: after` such lines are appended to the line before them that does not continue,
 * with `match: before` they are prepended to the next line that does not continue (Filebeat
 * reference, "Manage multiline messages"). `pattern` has RE2 semantics, like include/exclude.
 */
import * as z from "zod/mini";
import { FunctionEnvironmentError } from "../errors";
import { DEFAULTS } from "./env";

export const MULTILINE_MATCHES = ["after", "before"] as const;

/** Filebeat's default `max_lines`. */
export const DEFAULT_MULTILINE_MAX_LINES = 500;

export interface MultilineSettings {
  pattern: string;
  negate: boolean;
  match: (typeof MULTILINE_MATCHES)[number];
  /** Lines in one event at most; the event is cut there and the rest starts the next one. */
  maxLines: number;
  /** Bytes of one event's text at most (its lines and the newlines between them). */
  maxBytes: number;
}

const schema = z.object({
  pattern: z.string().check(z.minLength(1)),
  negate: z.boolean(),
  match: z.enum(MULTILINE_MATCHES),
  maxLines: z.number().check(z.int(), z.positive()),
  maxBytes: z.number().check(z.int(), z.positive(), z.lte(DEFAULTS.MAX_LINE_BYTES)),
});

/** The `MULTILINE` variable for `settings`. */
export function multilineVariable(settings: MultilineSettings): string {
  return JSON.stringify(settings);
}

/** The settings `MULTILINE` holds, or undefined when it is unset; throws naming the variable when it is malformed. */
export function multilineFromEnvironment(value: string | undefined): MultilineSettings | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = undefined;
  }
  const result = schema.safeParse(parsed);
  if (!result.success)
    throw new FunctionEnvironmentError(
      `invalid function environment: MULTILINE: must be JSON like {"pattern":"^\\\\[","negate":true,"match":"after","maxLines":500,"maxBytes":8388608}`,
    );
  return result.data;
}
