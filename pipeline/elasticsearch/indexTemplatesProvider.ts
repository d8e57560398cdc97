/**
 * The provider behind a destination's index template (indexTemplatesResource.ts): on `pulumi up` it
 * puts the requests indexTemplates.ts makes; on a changed `retentionDays` it puts them again (an
 * update: the template is the same one); on `pulumi destroy` it deletes its template and policy,
 * never a data stream or an index.
 *
 * - **Never touches what it did not create.** Before each PUT and DELETE it reads the template or
 *   policy: one that exists without our `_meta.owner` (another tool's, a person's, another stack's)
 *   is refused with what to do, and left as it is.
 * - **A template a data stream still uses stays.** Elasticsearch refuses to delete it (the stream
 *   would have no template to roll over with); destroy leaves it with the data rather than failing
 *   (an ILM policy indices still use, dropped by an update, is named in the outputs' `keptInUse`).
 * - **No credential in state.** The inputs name the Vault secret of an administrator's credential;
 *   each operation reads it (vaultSecret.ts) and forgets it. Preview (diff) calls no cluster.
 *
 * Pulumi serializes this provider into the state as it does the notification entries' (see
 * notificationEntriesProvider.ts): the Elasticsearch client and Node's modules are required inside
 * the functions. The package's own modules it captures are required by the serialized code through
 * the package's exports (`s3-log-shipper/internal/indexTemplates`, `…/internal/vaultSecret` in
 * package.json): a consumer's `pulumi up` fails to serialize the provider without them (the package
 * tier found it).
 */
import type { Client } from "@elastic/elasticsearch";
import type * as pulumi from "@pulumi/pulumi";
import { readKvSecret, vaultAccessOf, vaultCredentialsOf, type VaultAccess } from "./vaultSecret";
import {
  MANAGED_BY,
  policyNameOf,
  putRequestsOf,
  retentionMechanismOf,
  templateNameOf,
  type ElasticsearchRequest,
  type ManagedDestination,
  type RetentionMechanism,
} from "./indexTemplates";

/** The cluster as the function's config names it (no credential). */
export interface ClusterAddress {
  endpoint?: string;
  cloudId?: string;
  caCertificate?: string;
  caFingerprint?: string;
}

export interface IndexTemplatesInputs {
  /** `<stack>/<instance>`: written into `_meta.owner`, the mark of what this resource may change. */
  owner: string;
  destination: ManagedDestination;
  cluster: ClusterAddress;
  /** The KV v2 secret of an administrator's credential (`api_key`, or `username` and `password`). */
  adminVault: { mount: string; path: string };
}

export interface IndexTemplatesOutputs extends IndexTemplatesInputs {
  /** How the retention was put, by the cluster's version. */
  mechanism: RetentionMechanism;
  /** What destroy left because a data stream still uses it (Elasticsearch refuses to delete it). */
  keptInUse?: string[];
}

/**
 * Whether a dynamic resource's properties are a destination's index templates (Pulumi gives every
 * dynamic resource one type; the bucket's notification entries are the other kind). The emulator,
 * the plan and the infrastructure tests tell them apart by this alone.
 */
export function isIndexTemplatesProps(props: Record<string, unknown>): boolean {
  return props.destination !== undefined && props.owner !== undefined;
}

/** A client for the cluster with the administrator's credential. */
export type AdminClusterFor = (inputs: IndexTemplatesInputs, vault: VaultAccess) => Promise<Client>;

/** The administrator's credential read from Vault now, for this operation's requests only. */
export async function adminClusterClient(inputs: IndexTemplatesInputs, vault: VaultAccess): Promise<Client> {
  const { mount, path: secretPath } = inputs.adminVault;
  const where = `${mount}/${secretPath}`;
  const credentials = vaultCredentialsOf(await readKvSecret(vault, mount, secretPath), where);
  if ("problem" in credentials) throw new Error(credentials.problem);
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- see the file comment */
  const { Client } = require("@elastic/elasticsearch") as typeof import("@elastic/elasticsearch");
  const cluster = inputs.cluster;
  return new Client({
    ...(cluster.endpoint ? { node: cluster.endpoint } : { cloud: { id: cluster.cloudId ?? "" } }),
    auth: "apiKey" in credentials ? { apiKey: credentials.apiKey } : credentials,
    ...(cluster.caCertificate ? { tls: { ca: cluster.caCertificate } } : {}),
    ...(cluster.caFingerprint ? { caFingerprint: cluster.caFingerprint } : {}),
    requestTimeout: 30_000,
    maxRetries: 2,
  });
}

/** `~/.vault-token`, where `vault login` leaves the token. */
function vaultTokenFile(): string | undefined {
  /* eslint-disable @typescript-eslint/no-require-imports -- required here for the serializer (file comment) */
  const { readFileSync } = require("node:fs") as typeof import("node:fs");
  const { homedir } = require("node:os") as typeof import("node:os");
  const { join } = require("node:path") as typeof import("node:path");
  /* eslint-enable @typescript-eslint/no-require-imports */
  try {
    return readFileSync(join(homedir(), ".vault-token"), "utf8").trim() || undefined;
  } catch {
    return undefined;
  }
}

export function indexTemplatesProvider(connect: AdminClusterFor): pulumi.dynamic.ResourceProvider {
  // Filled by configure (the stack's vault:* config, which the Vault provider reads too).
  const session: { vault: VaultAccess } = { vault: {} };

  const vault = (): VaultAccess => vaultAccessOf(session.vault, process.env, vaultTokenFile);

  const statusOf = (error: unknown): number | undefined =>
    (error as { meta?: { statusCode?: number } } | undefined)?.meta?.statusCode;

  /** The `_meta` of the template or policy at `requestPath`, or undefined when there is none. */
  async function existingMeta(client: Client, requestPath: string): Promise<Record<string, unknown> | undefined> {
    try {
      const found = (await client.transport.request({ method: "GET", path: requestPath })) as Record<string, unknown>;
      if (requestPath.startsWith("/_index_template/")) {
        const templates = found.index_templates as Array<{ index_template: { _meta?: Record<string, unknown> } }>;
        return templates[0]?.index_template._meta ?? {};
      }
      const name = requestPath.split("/").pop() ?? "";
      return (found[name] as { policy?: { _meta?: Record<string, unknown> } } | undefined)?.policy?._meta ?? {};
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Throws, naming what is there and what to do, when `requestPath` holds something not ours. */
  async function refuseForeign(client: Client, requestPath: string, owner: string): Promise<"ours" | "absent"> {
    const meta = await existingMeta(client, requestPath);
    if (meta === undefined) return "absent";
    if (meta.managed_by === MANAGED_BY && meta.owner === owner) return "ours";
    const whose =
      meta.managed_by === MANAGED_BY ? `another LogShipper's (${String(meta.owner)})` : "not s3-log-shipper's";
    throw new Error(
      `${requestPath} exists and is ${whose}: s3-log-shipper changes only what it created. ` +
        `Delete or rename it, or set elasticsearch.manageIndices: false and manage the destination yourself`,
    );
  }

  /**
   * The cluster's version: `GET /`, or where a cluster serves no root (Elasticsearch's test
   * distribution leaves that module out), the local node's.
   */
  async function versionOf(client: Client): Promise<string> {
    try {
      const info = (await client.transport.request({ method: "GET", path: "/" })) as { version: { number: string } };
      return info.version.number;
    } catch (error) {
      if (statusOf(error) !== 405 && statusOf(error) !== 404) throw error;
      const nodes = (await client.transport.request({
        method: "GET",
        path: "/_nodes/_local",
        querystring: { filter_path: "nodes.*.version" },
      })) as { nodes: Record<string, { version: string }> };
      return Object.values(nodes.nodes)[0]?.version ?? "0";
    }
  }

  /** Puts every request of the destination, after checking each target is absent or ours. */
  async function put(inputs: IndexTemplatesInputs): Promise<RetentionMechanism> {
    const client = await connect(inputs, vault());
    try {
      const mechanism = retentionMechanismOf(await versionOf(client));
      const requests: ElasticsearchRequest[] = putRequestsOf(inputs.destination, mechanism, inputs.owner);
      for (const request of requests) await refuseForeign(client, request.path, inputs.owner);
      for (const request of requests) await client.transport.request(request);
      return mechanism;
    } finally {
      await client.close();
    }
  }

  /** Deletes `requestPath` when it is ours; returns whether Elasticsearch kept it because a data stream uses it. */
  async function deleteOurs(client: Client, requestPath: string, owner: string): Promise<boolean> {
    const meta = await existingMeta(client, requestPath);
    if (meta === undefined || meta.managed_by !== MANAGED_BY || meta.owner !== owner) return false;
    try {
      await client.transport.request({ method: "DELETE", path: requestPath });
      return false;
    } catch (error) {
      // "unable to remove composable templates [...] as they are in use by a data streams [...]";
      // an ILM policy still assigned to indices: "Cannot delete policy [...]. It is in use by one or more indices".
      const body = JSON.stringify((error as { meta?: { body?: unknown } }).meta?.body ?? "");
      if (statusOf(error) === 400 && /in use/.test(body)) return true;
      throw error;
    }
  }

  return {
    async configure(request: pulumi.dynamic.ConfigureRequest) {
      session.vault = {
        address: request.config.get("vault:address"),
        token: request.config.get("vault:token"),
        namespace: request.config.get("vault:namespace"),
      };
    },

    async diff(_id: string, olds: IndexTemplatesOutputs, news: IndexTemplatesInputs) {
      // Another destination or owner is another template: replaced. Anything else (retentionDays,
      // the cluster's address, the admin secret's path) puts the same template again.
      const replaces = [
        ...(olds.destination?.name !== news.destination.name ? ["destination"] : []),
        ...(olds.owner !== news.owner ? ["owner"] : []),
      ];
      const same = (key: keyof IndexTemplatesInputs) => JSON.stringify(olds[key]) === JSON.stringify(news[key]);
      const changes = replaces.length > 0 || !same("destination") || !same("cluster") || !same("adminVault");
      return { changes, replaces, deleteBeforeReplace: true };
    },

    async create(inputs: IndexTemplatesInputs) {
      const mechanism = await put(inputs);
      const outs: IndexTemplatesOutputs = { ...inputs, mechanism };
      return { id: templateNameOf(inputs.destination.name), outs };
    },

    async update(_id: string, olds: IndexTemplatesOutputs, news: IndexTemplatesInputs) {
      const mechanism = await put(news);
      // A retention through ILM that is no longer: its policy goes, unless indices still use it.
      const hadPolicy = olds.mechanism === "ilm" && olds.destination.retentionDays !== undefined;
      const hasPolicy = mechanism === "ilm" && news.destination.retentionDays !== undefined;
      const keptInUse: string[] = [];
      if (hadPolicy && !hasPolicy) {
        const client = await connect(news, vault());
        try {
          const policy = `/_ilm/policy/${policyNameOf(news.destination.name)}`;
          if (await deleteOurs(client, policy, news.owner)) keptInUse.push(policy);
        } finally {
          await client.close();
        }
      }
      const outs: IndexTemplatesOutputs = { ...news, mechanism, ...(keptInUse.length > 0 ? { keptInUse } : {}) };
      return { outs };
    },

    async delete(_id: string, props: IndexTemplatesOutputs) {
      try {
        const client = await connect(props, vault());
        try {
          // The template first: the policy is in use while the template names it.
          await deleteOurs(client, `/_index_template/${templateNameOf(props.destination.name)}`, props.owner);
          if (props.mechanism === "ilm")
            await deleteOurs(client, `/_ilm/policy/${policyNameOf(props.destination.name)}`, props.owner);
        } finally {
          await client.close();
        }
      } catch (error) {
        // Turning manageIndices off because the cluster cannot be reached from here deletes these
        // resources, which needs the cluster: say how to let go of one without touching it.
        throw new Error(
          `removing the index template of ${props.destination.name} failed (${error instanceof Error ? error.message : String(error)}); ` +
            `to leave the cluster as it is and forget the resource: pulumi state delete <the URN ending in index-template-${props.destination.name}> (pulumi stack --show-urns lists it)`,
          { cause: error },
        );
      }
    },
  };
}
