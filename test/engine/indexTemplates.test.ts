/**
 * The index templates on the real Pulumi engine (issue 36): a stack with `manageIndices` and an
 * `adminVault`, deployed through the CLI built from source, whose dynamic provider plugin runs the
 * templates' provider as Pulumi serialized it. It reads the administrator's credential from a local
 * server answering as Vault's KV v2 API (address and token from the stack's `vault:*` config, the
 * token a secret), and puts the template on a real Elasticsearch node: up, a second preview without
 * changes, a changed `retentionDays` as an update of the same template, a state without the
 * credential, destroy leaving the documents.
 */
import { Client } from "@elastic/elasticsearch";
import { CreateBucketCommand } from "@aws-sdk/client-s3";
import type { Stack } from "@pulumi/pulumi/automation";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import { templateNameOf } from "../../pipeline/elasticsearch/indexTemplates";
import { engineStack } from "../../scripts/engine/engineStack";
import { awsClients, REGION } from "../../scripts/local/localPipeline";
import { resetMoto, startElasticsearch, startMoto } from "../../scripts/local/services";
import { LoopbackServer } from "../helpers/loopbackServer";

const TOKEN = "s.engine-vault-token-5d1e";

/** Vault's KV v2 read of secret/es-admin: the node's administrator, for TOKEN only. */
class KvVault extends LoopbackServer {
  reads = 0;
  constructor(private readonly data: Record<string, string>) {
    super();
  }
  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.reads += 1;
    const allowed = request.headers["x-vault-token"] === TOKEN && request.url === "/v1/secret/data/es-admin";
    response.writeHead(allowed ? 200 : 403, { "content-type": "application/json" });
    response.end(JSON.stringify(allowed ? { data: { data: this.data } } : { errors: ["permission denied"] }));
  }
}

describe("the index templates on the real Pulumi engine", () => {
  const namespace = `engine${Date.now().toString(36)}`;
  const stream = `logs-aws.waf-${namespace}`;
  const producer = (retentionDays: number) => ({
    name: "waf",
    bucket: "engine-templates",
    prefix: "waf/",
    format: "waf",
    namespace,
    retentionDays,
  });
  let stack: Stack;
  let stateFile: string;
  let workDir: string;
  let vault: KvVault;
  let client: Client;
  let password: string;
  let deploy: (retentionDays: number) => Promise<void>;

  beforeAll(async () => {
    const [endpoint, es] = await Promise.all([startMoto(), startElasticsearch("8")]);
    await resetMoto();
    password = es.password;
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    vault = new KvVault({ username: es.username, password: es.password });
    const vaultAddress = await vault.start();
    await awsClients(endpoint).s3.send(
      new CreateBucketCommand({
        Bucket: "engine-templates",
        CreateBucketConfiguration: { LocationConstraint: REGION },
      }),
    );
    workDir = mkdtempSync(path.join(PROJECT_ROOT, ".cache", "engine-templates-"));
    deploy = async (retentionDays: number) => {
      ({ stack, stateFile } = await engineStack({
        stackName: "templates",
        workDir,
        region: REGION,
        services: { awsEndpoint: endpoint, elasticsearch: es },
        config: {
          elasticsearch: { manageIndices: true, adminVault: { mount: "secret", path: "es-admin" } },
          producers: [producer(retentionDays)],
        },
        extraConfig: {
          "vault:address": { value: vaultAddress },
          "vault:token": { value: TOKEN, secret: true },
        },
      }));
    };
    await deploy(30);
  }, 600_000);

  afterAll(async () => {
    await stack?.destroy().catch(() => undefined);
    await vault?.stop();
    await client?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("puts the destination's template at up, with the credential read from Vault, and a second preview shows no change", async () => {
    const preview = await stack.preview();
    expect(vault.reads, "preview reads nothing from Vault").toBe(0);
    expect(preview.changeSummary.create).toBeGreaterThan(10);
    const up = await stack.up();
    expect(up.summary.result).toBe("succeeded");
    expect(vault.reads).toBeGreaterThan(0);
    const template = await client.indices.getIndexTemplate({ name: templateNameOf(stream) });
    const body = template.index_templates[0]?.index_template;
    expect(body?._meta).toEqual({ managed_by: "s3-log-shipper", owner: "templates/s3-log-shipper" });
    expect(body?.template?.lifecycle?.data_retention).toBe("30d");
    const again = await stack.preview();
    const { same = 0, ...changes } = again.changeSummary;
    expect(changes, "an unchanged program shows no diff").toEqual({});
    expect(same).toBeGreaterThan(10);
    // The state names the Vault secret, never the credential or the token in plain text.
    const state = readFileSync(stateFile, "utf8");
    expect(state).toContain("es-admin");
    expect(state).not.toContain(password);
    expect(state).not.toContain(TOKEN);
  });

  it("updates the same template when retentionDays changes: no replacement", async () => {
    await deploy(7);
    const preview = await stack.preview();
    expect(preview.changeSummary.update).toBe(1);
    expect(preview.changeSummary.replace ?? 0).toBe(0);
    expect(preview.changeSummary.create ?? 0).toBe(0);
    await stack.up();
    const template = await client.indices.getIndexTemplate({ name: templateNameOf(stream) });
    expect(template.index_templates[0]?.index_template.template?.lifecycle?.data_retention).toBe("7d");
  });

  it("destroys the stack and leaves the documents, and the template their data stream still needs", async () => {
    await client.index({
      index: stream,
      op_type: "create",
      refresh: true,
      document: { "@timestamp": "2026-12-07T10:00:00Z", message: "kept" },
    });
    const destroyed = await stack.destroy();
    expect(destroyed.summary.result).toBe("succeeded");
    expect((await client.count({ index: stream })).count).toBe(1);
    expect((await client.indices.getIndexTemplate({ name: templateNameOf(stream) })).index_templates).toHaveLength(1);
  });
});
