/**
 * One resource per destination of a `LogShipper`: its index template and retention on the cluster
 * (indexTemplatesProvider.ts), put by `pulumi up` with an administrator's credential read from
 * Vault at each operation, never stored. A TypeScript program registers a dynamic resource; a
 * `LogShipper` built by the component provider for another language registers the same provider
 * as the package's own custom resource (as the bucket notification entries do:
 * bucketNotifications.ts says why).
 */
import * as pulumi from "@pulumi/pulumi";
import { isServedByComponentProvider } from "../resources/bucketNotifications";
import { childName } from "../validation/instanceNames";
import type { ManagedDestination } from "./indexTemplates";
import { ownerOf } from "./indexTemplates";
import {
  adminClusterClient,
  indexTemplatesProvider,
  type ClusterAddress,
  type IndexTemplatesInputs,
} from "./indexTemplatesProvider";

/** The type token of the same resource as this package's own provider serves it (provider/shipperProvider.ts). */
export const INDEX_TEMPLATES_TYPE = "s3-log-shipper:index:IndexTemplates";

const PROVIDER = indexTemplatesProvider(adminClusterClient);

/** A destination's template and retention, through Pulumi's dynamic provider. */
export class IndexTemplates extends pulumi.dynamic.Resource {
  declare readonly mechanism: pulumi.Output<string>;

  constructor(name: string, args: IndexTemplatesInputs, opts: pulumi.CustomResourceOptions) {
    super(PROVIDER, name, { ...args, mechanism: undefined, keptInUse: undefined }, opts);
  }
}

/** The same, served by this package's provider to programs in other languages. */
export class ProvidedIndexTemplates extends pulumi.CustomResource {
  declare readonly mechanism: pulumi.Output<string>;

  constructor(name: string, args: IndexTemplatesInputs, opts: pulumi.CustomResourceOptions) {
    super(INDEX_TEMPLATES_TYPE, name, { ...args, mechanism: undefined, keptInUse: undefined }, opts);
  }
}

/** A resource per destination, named after the instance and the destination. */
export function createIndexTemplates(
  instance: string,
  destinations: readonly ManagedDestination[],
  cluster: ClusterAddress,
  adminVault: { mount: string; path: string },
  parent: pulumi.Resource,
): Array<IndexTemplates | ProvidedIndexTemplates> {
  const Resource = isServedByComponentProvider() ? ProvidedIndexTemplates : IndexTemplates;
  const owner = ownerOf(pulumi.getStack(), instance);
  return destinations.map(
    (destination) =>
      new Resource(
        childName(instance, `index-template-${destination.name}`),
        { owner, destination, cluster, adminVault },
        { parent },
      ),
  );
}
