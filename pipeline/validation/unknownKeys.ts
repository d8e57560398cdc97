/**
 * Unknown config keys, reported with the nearest valid key: a typo such as `alert` for `alerts`
 * would otherwise be ignored (and the stack deploy without alarm e-mails) or reported twice, as an
 * unknown key and as the real key missing.
 */
import { closest, distance } from "fastest-levenshtein";

export interface UnknownKeyProblem {
  key: string;
  /** The valid key it most probably meant, if one is close enough. */
  suggestion?: string;
  message: string;
}

/** A suggestion must be at most this many edits away, and fewer than half the key's length. */
const MAX_EDITS = 3;

/** The valid key `key` was probably meant to be, or undefined when none is close. */
export function nearestKey(key: string, valid: readonly string[]): string | undefined {
  if (valid.length === 0) return undefined;
  const lower = key.toLowerCase();
  const candidate = closest(
    lower,
    valid.map((name) => name.toLowerCase()),
  );
  const edits = distance(lower, candidate);
  if (edits > MAX_EDITS || edits * 2 >= Math.max(key.length, candidate.length)) return undefined;
  return valid.find((name) => name.toLowerCase() === candidate);
}

/** One problem per unknown key: "did you mean `x`?", or the valid keys when none is close. */
export function unknownKeyProblems(
  keys: readonly string[],
  valid: readonly string[],
  prefix = "",
): UnknownKeyProblem[] {
  return keys.map((key) => {
    const suggestion = nearestKey(key, valid);
    if (suggestion)
      return {
        key,
        suggestion,
        message: `unknown key ${JSON.stringify(key)}; did you mean ${JSON.stringify(prefix + suggestion)}?`,
      };
    return {
      key,
      message: `unknown key ${JSON.stringify(key)}; valid keys are ${valid.map((name) => JSON.stringify(prefix + name)).join(", ")}`,
    };
  });
}
