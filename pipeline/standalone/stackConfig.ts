/**
 * The standalone stack's arguments: the `s3-log-shipper:*` keys of Pulumi stack config, checked with
 * stack-config wording (`s3-log-shipper:alert: not a setting …`) before they become `LogShipper`'s
 * arguments, which the component checks again as any consumer's.
 */
import * as pulumi from "@pulumi/pulumi";
import type { LogShipperArgs } from "../arguments";
import { CONFIG_NAMESPACE, type RawShipperConfig } from "../validation/schema";
import { StackConfigError } from "../validation/vocabulary";
import { validateConfig } from "../validation/config";

/**
 * `LogShipper`'s arguments from the current stack's config. A broken config stops the program with
 * `pulumi.RunError` — one message naming each key and its fix, no stack trace.
 */
export function stackArguments(): LogShipperArgs {
  const raw = readNamespace(pulumi.runtime.allConfig());
  try {
    validateConfig(raw);
  } catch (error) {
    if (error instanceof StackConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
  // Validated: every key is an argument of LogShipper, each value of its shape.
  return raw as unknown as LogShipperArgs;
}

/**
 * Every key of the namespace, known or not (a misspelt key must be reported, not ignored), with its
 * value parsed as Pulumi's `getObject` parses it (stack YAML arrives as JSON text).
 */
export function readNamespace(all: Record<string, string>): RawShipperConfig {
  const raw: RawShipperConfig = {};
  for (const [fullKey, text] of Object.entries(all)) {
    if (!fullKey.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const key = fullKey.slice(CONFIG_NAMESPACE.length + 1);
    try {
      raw[key] = JSON.parse(text) as unknown;
    } catch {
      // A plain string: no setting of this program is one, so validation names the key.
      raw[key] = text;
    }
  }
  return raw;
}
