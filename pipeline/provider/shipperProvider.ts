/**
 * The component provider other Pulumi languages use (`pulumi package add`): it serves the package's
 * schema, constructs `LogShipper` from a program's arguments, and creates, updates and deletes the
 * bucket notification entries and index templates the component registers when it runs here (bucketNotifications.ts
 * says why those cannot be a dynamic resource in this process).
 *
 * Not `@pulumi/pulumi`'s experimental `ComponentProvider`: that one infers the schema from the
 * TypeScript sources whenever it starts (sources and the TypeScript compiler in every install) and
 * serves components only. The schema here is the one that inference gives, generated when the
 * package is built (`schemaGeneration.ts`), and shipped.
 */
import type * as pulumi from "@pulumi/pulumi";
import type {
  ConstructResult,
  CreateResult,
  DiffResult,
  Provider,
  ReadResult,
  UpdateResult,
} from "@pulumi/pulumi/provider";
import { LogShipper } from "../logShipper";
import type { LogShipperArgs } from "../arguments";
import { NOTIFICATION_ENTRIES_TYPE } from "../resources/bucketNotifications";
import { deployerS3Client, notificationEntriesProvider } from "../resources/notificationEntriesProvider";
import { adminClusterClient, indexTemplatesProvider } from "../elasticsearch/indexTemplatesProvider";
import { INDEX_TEMPLATES_TYPE } from "../elasticsearch/indexTemplatesResource";

/** The package's name in every type token: `s3-log-shipper:index:LogShipper`. */
export const PACKAGE_NAME = "s3-log-shipper";

/** How other languages name the component (the module of a source-inferred schema is always `index`). */
export const LOG_SHIPPER_TOKEN = `${PACKAGE_NAME}:index:LogShipper`;

const entries = notificationEntriesProvider(deployerS3Client);
const templates = indexTemplatesProvider(adminClusterClient);

export class ShipperProvider implements Provider {
  constructor(
    readonly version: string,
    private readonly packageSchema: () => Promise<string>,
  ) {}

  getSchema(): Promise<string> {
    return this.packageSchema();
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<ConstructResult> {
    if (type !== LOG_SHIPPER_TOKEN)
      throw new Error(`${PACKAGE_NAME} has no component ${type}; it has ${LOG_SHIPPER_TOKEN}`);
    // The arguments are checked by the component itself, as a TypeScript program's are.
    const shipper = new LogShipper(name, inputs as LogShipperArgs, options);
    return { urn: shipper.urn, state: { outputs: shipper.outputs } };
  }

  async check(urn: string, _olds: unknown, news: pulumi.Inputs) {
    providerOf(urn);
    return { inputs: news };
  }

  async diff(id: string, urn: string, olds: pulumi.Inputs, news: pulumi.Inputs): Promise<DiffResult> {
    const provider = providerOf(urn);
    return provider.diff ? provider.diff(id, olds, news) : {};
  }

  async create(urn: string, inputs: pulumi.Inputs): Promise<CreateResult> {
    return providerOf(urn).create(inputs);
  }

  async read(id: string, urn: string, props: pulumi.Inputs): Promise<ReadResult> {
    const provider = providerOf(urn);
    return provider.read ? provider.read(id, props) : { id, props };
  }

  async update(id: string, urn: string, olds: pulumi.Inputs, news: pulumi.Inputs): Promise<UpdateResult> {
    const provider = providerOf(urn);
    return provider.update ? provider.update(id, olds, news) : { outs: news };
  }

  async delete(id: string, urn: string, props: pulumi.Inputs): Promise<void> {
    await providerOf(urn).delete?.(id, props);
  }
}

/**
 * The custom resources this provider serves, each through the provider a TypeScript program runs
 * as a dynamic one; any other type is a mistake worth naming. The templates' provider reads Vault's
 * address and token from VAULT_ADDR and VAULT_TOKEN here (the engine starts this plugin with the
 * deploying shell's environment; a dynamic provider also reads the stack's vault:* config).
 */
function providerOf(urn: string): pulumi.dynamic.ResourceProvider {
  const type = urn.split("::")[2]?.split("$").pop();
  if (type === NOTIFICATION_ENTRIES_TYPE) return entries;
  if (type === INDEX_TEMPLATES_TYPE) return templates;
  throw new Error(`${PACKAGE_NAME}'s provider serves no resource of type ${type ?? urn}`);
}
