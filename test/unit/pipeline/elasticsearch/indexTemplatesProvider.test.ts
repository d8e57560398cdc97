/**
 * The provider of a destination's index template, against local servers that answer as
 * Elasticsearch (templates, ILM policies, "in use" refusals) and Vault's KV v2 API do: what it puts,
 * what it refuses to touch, what destroy leaves, and that the administrator's credential is read
 * from Vault at each operation and found in nothing it returns.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MANAGED_BY, putRequestsOf } from "../../../../pipeline/elasticsearch/indexTemplates";
import {
  adminClusterClient,
  indexTemplatesProvider,
  type IndexTemplatesInputs,
  type IndexTemplatesOutputs,
} from "../../../../pipeline/elasticsearch/indexTemplatesProvider";
import { LoopbackServer } from "../../../helpers/loopbackServer";

const vaultAddressOf = (server: KvVault) => server.address;
const ADMIN = { username: "admin", password: "admin-password-from-vault" };
const TOKEN = "s.vault-token";

async function bodyOf(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

function answer(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" });
  response.end(JSON.stringify(body));
}

/** Templates and policies by name, as a cluster of `version` keeps them; names in `inUse` refuse deletion as Elasticsearch does. */
class TemplateCluster extends LoopbackServer {
  version = "8.19.21";
  readonly templates = new Map<string, Record<string, unknown>>();
  readonly policies = new Map<string, Record<string, unknown>>();
  readonly inUse = new Set<string>();
  readonly requests: Array<{ method: string; path: string; authorization: string }> = [];

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? "/").split("?")[0] ?? "/";
    const method = request.method ?? "GET";
    const text = await bodyOf(request);
    this.requests.push({ method, path, authorization: request.headers.authorization ?? "" });
    const expected = `Basic ${Buffer.from(`${ADMIN.username}:${ADMIN.password}`).toString("base64")}`;
    if (request.headers.authorization !== expected) return answer(response, 401, { error: "unauthenticated" });
    if (path === "/") return answer(response, 200, { version: { number: this.version } });
    const [, api, kind, name = ""] = path.split("/");
    const store =
      api === "_index_template" ? this.templates : api === "_ilm" && kind === "policy" ? this.policies : undefined;
    const key = api === "_index_template" ? (kind ?? "") : name;
    if (!store) return answer(response, 400, { error: `no handler for ${method} ${path}` });
    if (method === "PUT") {
      store.set(key, JSON.parse(text) as Record<string, unknown>);
      return answer(response, 200, { acknowledged: true });
    }
    const found = store.get(key);
    if (!found) return answer(response, 404, { error: { type: "resource_not_found_exception" }, status: 404 });
    if (method === "GET")
      return store === this.templates
        ? answer(response, 200, { index_templates: [{ name: key, index_template: found }] })
        : answer(response, 200, { [key]: { policy: (found as { policy: unknown }).policy } });
    if (method === "DELETE") {
      if (this.inUse.has(key))
        return answer(response, 400, {
          error: {
            type: "illegal_argument_exception",
            reason: `unable to remove composable templates [${key}] as they are in use by a data streams [x]`,
          },
          status: 400,
        });
      store.delete(key);
      return answer(response, 200, { acknowledged: true });
    }
    return answer(response, 405, {});
  }
}

/** Vault's KV v2 read: the administrator's secret at secret/es-admin for TOKEN. */
class KvVault extends LoopbackServer {
  readonly reads: string[] = [];
  address = "";
  data: Record<string, string> = { ...ADMIN };

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.reads.push(request.url ?? "");
    if (request.headers["x-vault-token"] !== TOKEN) return answer(response, 403, { errors: ["permission denied"] });
    if (request.url !== "/v1/secret/data/es-admin") return answer(response, 404, { errors: [] });
    return answer(response, 200, { data: { data: this.data, metadata: { version: 1 } } });
  }
}

describe("the index templates' provider", () => {
  const cluster = new TemplateCluster();
  const vault = new KvVault();
  let inputs: IndexTemplatesInputs;
  const provider = indexTemplatesProvider(adminClusterClient);

  beforeEach(async () => {
    const endpoint = await cluster.start();
    const vaultAddress = await vault.start();
    vault.address = vaultAddress;
    cluster.templates.clear();
    cluster.policies.clear();
    cluster.inUse.clear();
    cluster.requests.length = 0;
    cluster.version = "8.19.21";
    vault.reads.length = 0;
    vault.data = { ...ADMIN };
    inputs = {
      owner: "prod/s3-log-shipper",
      destination: { name: "logs-aws.waf-default", dataStream: true, retentionDays: 90 },
      cluster: { endpoint },
      adminVault: { mount: "secret", path: "es-admin" },
    };
    // As Pulumi configures a dynamic provider: the stack's config, here vault:address and vault:token.
    const config: Record<string, string> = { "vault:address": vaultAddress, "vault:token": TOKEN };
    await provider.configure?.({ config: { get: (key) => config[key], require: (key) => config[key] ?? "" } });
  });

  afterEach(async () => {
    await cluster.stop();
    await vault.stop();
  });

  it("puts the destination's template with the administrator's credential read from Vault, which nothing it returns holds", async () => {
    const created = await provider.create(inputs);
    expect(created.id).toBe("s3-log-shipper-logs-aws.waf-default");
    const template = cluster.templates.get("s3-log-shipper-logs-aws.waf-default");
    // The same body --elasticsearch-requests writes.
    expect(template).toEqual(putRequestsOf(inputs.destination, "lifecycle", inputs.owner)[0]?.body);
    expect((template?._meta as Record<string, unknown>).owner).toBe("prod/s3-log-shipper");
    expect(vault.reads).toEqual(["/v1/secret/data/es-admin"]);
    expect(JSON.stringify(created.outs)).not.toContain(ADMIN.password);
    expect((created.outs as IndexTemplatesOutputs).mechanism).toBe("lifecycle");
  });

  it("reads nothing from Vault or the cluster to preview: a changed retention is an update of the same template, another destination a replacement", async () => {
    const olds: IndexTemplatesOutputs = { ...inputs, mechanism: "lifecycle" };
    const retention = await provider.diff?.("id", olds, {
      ...inputs,
      destination: { ...inputs.destination, retentionDays: 30 },
    });
    expect(retention).toMatchObject({ changes: true, replaces: [] });
    const moved = await provider.diff?.("id", olds, {
      ...inputs,
      destination: { ...inputs.destination, name: "logs-aws.waf-prod" },
    });
    expect(moved?.replaces).toEqual(["destination"]);
    expect(await provider.diff?.("id", olds, inputs)).toMatchObject({ changes: false });
    expect(vault.reads).toEqual([]);
    expect(cluster.requests).toEqual([]);
  });

  it("updates the retention in place, reading the credential again", async () => {
    const created = await provider.create(inputs);
    await provider.update?.(created.id, created.outs as IndexTemplatesOutputs, {
      ...inputs,
      destination: { ...inputs.destination, retentionDays: 30 },
    });
    const template = cluster.templates.get("s3-log-shipper-logs-aws.waf-default") as {
      template: { lifecycle: unknown };
    };
    expect(template.template.lifecycle).toEqual({ data_retention: "30d" });
    expect(vault.reads).toHaveLength(2);
  });

  it("refuses a template it did not put — a person's, another tool's, another stack's — and leaves it as it was", async () => {
    const foreign = { index_patterns: ["logs-aws.waf-default"], priority: 300, template: {} };
    cluster.templates.set("s3-log-shipper-logs-aws.waf-default", foreign);
    await expect(provider.create(inputs)).rejects.toThrow(
      /\/_index_template\/s3-log-shipper-logs-aws.waf-default exists and is not s3-log-shipper's: .*manageIndices: false/,
    );
    cluster.templates.set("s3-log-shipper-logs-aws.waf-default", {
      ...foreign,
      _meta: { managed_by: MANAGED_BY, owner: "staging/s3-log-shipper" },
    });
    await expect(provider.create(inputs)).rejects.toThrow(/another LogShipper's \(staging\/s3-log-shipper\)/);
    expect(cluster.requests.filter((request) => request.method !== "GET")).toEqual([]);
  });

  it("adopts a template it put before (a stack recreated, or requests applied by hand from the plan)", async () => {
    await provider.create(inputs);
    await expect(provider.create(inputs)).resolves.toMatchObject({ id: "s3-log-shipper-logs-aws.waf-default" });
  });

  it("on a cluster before 8.14, puts an ILM policy before the template, and drops it when the retention goes", async () => {
    cluster.version = "8.13.4";
    const created = await provider.create(inputs);
    expect(cluster.requests.filter((r) => r.method === "PUT").map((r) => r.path)).toEqual([
      "/_ilm/policy/s3-log-shipper-logs-aws.waf-default",
      "/_index_template/s3-log-shipper-logs-aws.waf-default",
    ]);
    const { retentionDays: _dropped, ...kept } = inputs.destination;
    await provider.update?.(created.id, created.outs as IndexTemplatesOutputs, { ...inputs, destination: kept });
    expect(cluster.policies.has("s3-log-shipper-logs-aws.waf-default")).toBe(false);
  });

  it("destroy deletes its template and policy, keeps one a data stream still uses, and never deletes data", async () => {
    cluster.version = "8.13.4";
    const created = await provider.create(inputs);
    cluster.inUse.add("s3-log-shipper-logs-aws.waf-default");
    await provider.delete?.(created.id, created.outs as IndexTemplatesOutputs);
    expect(cluster.templates.has("s3-log-shipper-logs-aws.waf-default")).toBe(true);
    cluster.inUse.clear();
    await provider.delete?.(created.id, created.outs as IndexTemplatesOutputs);
    expect(cluster.templates.size).toBe(0);
    expect(cluster.policies.size).toBe(0);
    const deleted = cluster.requests.filter((r) => r.method === "DELETE").map((r) => r.path);
    expect(deleted.every((p) => p.startsWith("/_index_template/") || p.startsWith("/_ilm/policy/"))).toBe(true);
  });

  it("when destroy cannot reach Vault or the cluster, says how to let go of the resource without touching the cluster", async () => {
    const created = await provider.create(inputs);
    await provider.configure?.({
      config: { get: (key) => (key === "vault:address" ? "http://127.0.0.1:1" : undefined), require: () => "" },
    });
    await expect(provider.delete?.(created.id, created.outs as IndexTemplatesOutputs)).rejects.toThrow(
      /removing the index template of logs-aws.waf-default failed \(reading Vault secret secret\/es-admin: .*\); to leave the cluster as it is and forget the resource: pulumi state delete <the URN ending in index-template-logs-aws.waf-default>/,
    );
    expect(cluster.templates.size).toBe(1);
  });

  it("never deletes what it did not put, even under its name", async () => {
    const created = await provider.create(inputs);
    cluster.templates.set("s3-log-shipper-logs-aws.waf-default", {
      index_patterns: ["x"],
      _meta: { managed_by: "someone" },
    });
    await provider.delete?.(created.id, created.outs as IndexTemplatesOutputs);
    expect(cluster.templates.has("s3-log-shipper-logs-aws.waf-default")).toBe(true);
  });

  it("names the Vault secret and what to do when it cannot be read, and never a value", async () => {
    const configure = (config: Record<string, string>) =>
      provider.configure?.({ config: { get: (key) => config[key], require: (key) => config[key] ?? "" } });
    await configure({ "vault:address": "http://127.0.0.1:1", "vault:token": TOKEN });
    await expect(provider.create(inputs)).rejects.toThrow(/secret\/es-admin: http:\/\/127\.0\.0\.1:1 does not answer/);
    await configure({ "vault:address": vaultAddressOf(vault), "vault:token": "another-token" });
    await expect(provider.create(inputs)).rejects.toThrow("Vault refused to read secret/es-admin (403)");
    await configure({ "vault:address": vaultAddressOf(vault), "vault:token": TOKEN });
    vault.data = { user: "admin", secret: "not-a-credential" };
    const refused = provider.create(inputs);
    await expect(refused).rejects.toThrow(
      'Vault secret secret/es-admin must hold "api_key", or "username" and "password"',
    );
    await expect(refused).rejects.not.toThrow(/not-a-credential/);
    expect(cluster.requests).toEqual([]);
  });
});
