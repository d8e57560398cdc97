/** Reads the `s3-log-shipper:*` keys from Pulumi stack config and validates them. */
import * as pulumi from "@pulumi/pulumi";
import {
  CONFIG_NAMESPACE,
  StackConfigError,
  validateConfig,
  type RawShipperConfig,
  type ShipperConfig,
} from "./config";

/**
 * The validated config of the current stack. A broken config stops the program with
 * `pulumi.RunError` — one message naming each key and its fix, no stack trace.
 */
export function loadStackConfig(): ShipperConfig {
  try {
    return validateConfig(readNamespace(pulumi.runtime.allConfig()));
  } catch (error) {
    if (error instanceof StackConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
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
