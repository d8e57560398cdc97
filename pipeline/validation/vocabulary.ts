/**
 * How the settings' problems are worded: the key as the user writes it (stack config or LogShipper's
 * arguments), the path of a nested key, a producer's label, and the error that lists them all.
 */
import { isPlainObject } from "../../lambda/contract/plainObjects";
import { CONFIG_NAMESPACE } from "./schema";

/**
 * Where the settings come from, for the messages that name a top-level key: stack config
 * (`s3-log-shipper:producers`) or `LogShipper`'s arguments (`producers`). Everything below the top
 * level reads the same either way (`producers[1] (alb): maxReceiveCount must be at least 5`).
 */
export interface SettingsVocabulary {
  /** The heading of the error's message. */
  title: string;
  /** A top-level key as the user writes it. */
  key(name: string): string;
  /** What an unknown top-level key is not. */
  unknown: string;
  /** How to set a section. */
  set: string;
}

export const STACK_CONFIG_VOCABULARY: SettingsVocabulary = {
  title: "invalid stack config",
  key: (name) => `${CONFIG_NAMESPACE}:${name}`,
  unknown: "not a setting of this program, so it would be ignored",
  set: "set",
};

export const ARGUMENTS_VOCABULARY: SettingsVocabulary = {
  title: "invalid LogShipper arguments",
  key: (name) => name,
  unknown: "not an argument of LogShipper, so it would be ignored",
  set: "pass",
};

/** Settings that break the contract. The message names every key at fault and its fix. */
export class StackConfigError extends Error {
  constructor(
    readonly problems: string[],
    vocabulary: SettingsVocabulary = STACK_CONFIG_VOCABULARY,
  ) {
    super(`${vocabulary.title}:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "StackConfigError";
  }
}

export function keyPath(key: string, path: PropertyKey[]): string {
  const rest = path.map((part) => (typeof part === "number" ? `[${part}]` : `.${String(part)}`)).join("");
  return `${key}${rest}: `;
}

export function producerLabel(candidate: unknown, position: number): string {
  const name = isPlainObject(candidate) && typeof candidate.name === "string" ? ` (${candidate.name})` : "";
  return `producers[${position}]${name}`;
}
