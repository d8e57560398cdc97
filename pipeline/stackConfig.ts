/** Reads the `s3-log-shipper:*` keys from Pulumi stack config and validates them. */
import * as pulumi from "@pulumi/pulumi";
import { CONFIG_NAMESPACE, ConfigError, validateConfig, type ShipperConfig } from "./config";

/**
 * The validated config of the current stack. A broken config stops the program with
 * `pulumi.RunError` — one message naming each key and its fix, no stack trace.
 */
export function loadStackConfig(): ShipperConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  try {
    return validateConfig({
      elasticsearch: readObject(config, "elasticsearch"),
      alerts: readObject(config, "alerts"),
      network: readObject(config, "network"),
      defaults: readObject(config, "defaults"),
      producers: readObject(config, "producers"),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new pulumi.RunError(error.message);
    throw error;
  }
}

function readObject(config: pulumi.Config, key: string): unknown {
  try {
    return config.getObject<unknown>(key);
  } catch {
    throw new ConfigError([`${key}: is not valid YAML/JSON; check the indentation under ${CONFIG_NAMESPACE}:${key}`]);
  }
}
