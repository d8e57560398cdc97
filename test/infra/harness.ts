/**
 * Runs the whole Pulumi program (`index.ts`) under mocks with a given stack config and returns
 * every resource it registered. The program is imported only after the mocks and config are set
 * (a static import would register resources before the mocks exist).
 */
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { isIndexTemplatesProps } from "../../pipeline/elasticsearch/indexTemplatesProvider";
import type { PolicyDocument } from "../../pipeline/resources/policies";
import {
  installOfflineMocks,
  settle,
  toConfigMap,
  type OfflineMocks,
  type RecordedResource,
} from "../../scripts/offlineMocks";

export const PROJECT_ROOT = path.resolve(__dirname, "../..");

/** How the engine registers every dynamic resource, such as the bucket's notification entries. */
export const NOTIFICATION_ENTRIES = "pulumi-nodejs:dynamic:Resource";
/** The program's other dynamic resource: a destination's index templates (their inputs name a destination). */
export const isIndexTemplates = (resource: RecordedResource) =>
  resource.type === NOTIFICATION_ENTRIES && isIndexTemplatesProps(resource.state);

export interface ProgramRun extends OfflineMocks {
  exports: Record<string, unknown>;
  ofType(type: string): RecordedResource[];
  named(type: string, name: string): RecordedResource;
}

export async function runProgram(
  config: Record<string, string>,
  options: { vaultData?: Record<string, string>; stack?: string } = {},
): Promise<ProgramRun> {
  const recorded = await installOfflineMocks(
    { region: config["aws:region"] ?? "eu-west-1", ...(options.vaultData ? { vaultData: options.vaultData } : {}) },
    "s3-log-shipper",
    options.stack ?? "test",
  );
  pulumi.runtime.setAllConfig(config);
  const exports = (await import(path.join(PROJECT_ROOT, "index.ts"))) as Record<string, unknown>;
  await settle(recorded);
  // The notification entries by their type, as before the index templates became dynamic resources too.
  const ofType = (type: string) =>
    recorded.resources.filter(
      (resource) => resource.type === type && !(type === NOTIFICATION_ENTRIES && isIndexTemplates(resource)),
    );
  return {
    ...recorded,
    exports,
    ofType,
    named(type, name) {
      const found = ofType(type).find((resource) => resource.name === name);
      if (!found)
        throw new Error(
          `no ${type} named ${name}; have ${ofType(type)
            .map((r) => r.name)
            .join(", ")}`,
        );
      return found;
    },
  };
}

/** The policy document a resource holds in `field` (JSON text in the state). */
export function policyOf(resource: RecordedResource, field = "policy"): PolicyDocument {
  return JSON.parse(String(resource.state[field])) as PolicyDocument;
}

/** A stack config in eu-west-1 with a placeholder Elasticsearch, plus the `s3-log-shipper:` settings given. */
export function stackConfig(settings: Record<string, unknown>): Record<string, string> {
  return toConfigMap({
    "aws:region": "eu-west-1",
    "s3-log-shipper:elasticsearch": {
      endpoint: "https://es.example.com:443",
      vault: { mount: "secret", path: "es" },
      adminVault: { mount: "secret", path: "es-admin" },
    },
    ...Object.fromEntries(Object.entries(settings).map(([key, value]) => [`s3-log-shipper:${key}`, value])),
  });
}
