/**
 * Issue 36 on real Elasticsearch (8.x and 9.x): the requests `npm run plan -- --elasticsearch-requests
 * DIR` writes for a stack with a producer of every AWS format, made offline (no AWS, Vault or
 * cluster), applied file by file in their order to the node as an operator would apply them. Then
 * each format's documented example, as the function makes its documents, is written to its data
 * stream: none refused, each stream typed by our template (addresses `ip`, CloudTrail's members
 * `flattened`) and holding the retention.
 */
import { Client } from "@elastic/elasticsearch";
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { AWS_DATASETS, dataStreamName, destinationOf } from "../../lambda/contract/destination";
import type { ResolvedFormat } from "../../lambda/contract/formats";
import { templateNameOf, type ElasticsearchRequest } from "../../pipeline/elasticsearch/indexTemplates";
import {
  indexTemplatesProvider,
  type IndexTemplatesInputs,
  type IndexTemplatesOutputs,
} from "../../pipeline/elasticsearch/indexTemplatesProvider";
import { majorsUnderTest, startElasticsearch } from "../../scripts/local/services";
import { documentsOf } from "../helpers/formatDocuments";
import { EXAMPLES } from "../helpers/formatExamples";

const PROJECT_ROOT = path.resolve(__dirname, "../..");
const FORMATS = Object.keys(AWS_DATASETS) as Array<keyof typeof AWS_DATASETS>;
const RETENTION_DAYS = 14;

/** The stack file of a producer per AWS format, in `namespace`; and the request files the plan writes for it. */
async function writtenRequests(namespace: string): Promise<{ files: string[]; requests: ElasticsearchRequest[] }> {
  const directory = mkdtempSync(path.join(tmpdir(), "s3ls-es-requests-"));
  const stackFile = path.join(directory, "Pulumi.side.yaml");
  writeFileSync(
    stackFile,
    stringify({
      config: {
        "aws:region": "eu-west-1",
        "s3-log-shipper:elasticsearch": {
          endpoint: "https://unreachable.example.com:443",
          vault: { mount: "secret", path: "logging/es" },
          // The case the requests are for: a cluster this machine cannot reach, managed by hand.
          manageIndices: false,
        },
        "s3-log-shipper:defaults": { namespace, retentionDays: RETENTION_DAYS },
        "s3-log-shipper:producers": FORMATS.map((format) => ({
          name: `p-${format}`,
          bucket: `acme-${format}-logs`,
          format,
        })),
      },
    }),
  );
  const out = path.join(directory, "requests");
  await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "scripts/plan.ts", "--file", stackFile, "--stack", "side", "--elasticsearch-requests", out],
    { cwd: PROJECT_ROOT, env: { ...process.env, AWS_ACCESS_KEY_ID: "", VAULT_ADDR: "", VAULT_TOKEN: "" } },
  );
  const files = readdirSync(out).sort();
  return {
    files,
    requests: files.map((file) => JSON.parse(readFileSync(path.join(out, file), "utf8")) as ElasticsearchRequest),
  };
}

describe.each(majorsUnderTest())("the Elasticsearch side's requests, on Elasticsearch %s.x", (major) => {
  // Streams of this run's own: the test distribution deletes neither a data stream nor a template in use.
  const namespace = `es${major}side${Date.now().toString(36)}`;
  let client: Client;
  let written: { files: string[]; requests: ElasticsearchRequest[] };

  beforeAll(async () => {
    const es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    written = await writtenRequests(namespace);
  }, 300_000);

  afterAll(async () => {
    await client?.close();
  });

  it("writes one template per data stream the producers write, numbered in order, and the node takes each", async () => {
    const streams = [...new Set(Object.values(AWS_DATASETS))].map((dataset) => dataStreamName(dataset, namespace));
    expect(written.requests.map((request) => request.path).sort()).toEqual(
      streams.map((stream) => `/_index_template/${templateNameOf(stream)}`).sort(),
    );
    expect(written.files[0]).toMatch(/^001-PUT-_index_template-/);
    for (const request of written.requests) {
      expect(await client.transport.request(request)).toEqual({ acknowledged: true });
    }
  });

  it.each(FORMATS)(
    "indexes the documented %s example into its stream, none refused, typed by the template",
    async (format) => {
      const example = EXAMPLES.find((candidate) => candidate.format === format);
      if (!example) throw new Error(`no documented example of ${format}`);
      const destination = destinationOf(format as ResolvedFormat, format, { namespace });
      const { documents } = await documentsOf(example.content, format, {
        context: { key: example.key },
        ...(destination.dataStream ? { dataStream: destination.dataStream } : {}),
      });
      expect(documents.length).toBeGreaterThan(0);
      const answer = await client.bulk({
        refresh: true,
        operations: documents.flatMap((document) => [
          { create: { _index: destination.index, _id: `${format}-${document.id}` } },
          JSON.parse(document.raw) as Record<string, unknown>,
        ]),
      });
      const refused = answer.items.flatMap((item) => (item.create?.error ? [item.create.error] : []));
      expect(refused).toEqual([]);

      const template = await client.transport.request<{ template: { lifecycle?: { data_retention?: string } } }>({
        method: "POST",
        path: `/_index_template/_simulate_index/${destination.index}`,
      });
      expect(template.template.lifecycle?.data_retention).toBe(`${RETENTION_DAYS}d`);
      const mapping = await client.indices.getFieldMapping({
        index: destination.index,
        fields: ["source.ip", "@timestamp"],
      });
      const types = Object.values(mapping).flatMap((index) =>
        Object.entries(index.mappings).map(([field, found]) => [field, Object.values(found.mapping)[0]?.type] as const),
      );
      expect(Object.fromEntries(types)).toMatchObject({ "@timestamp": "date", "source.ip": "ip" });
    },
  );
});

describe.each(majorsUnderTest())("the index templates' provider on Elasticsearch %s.x", (major) => {
  const namespace = `es${major}prov${Date.now().toString(36)}`;
  const written = dataStreamName("aws.waf", namespace);
  const unwritten = dataStreamName("aws.vpcflow", namespace);
  let client: Client;
  let provider: ReturnType<typeof indexTemplatesProvider>;
  const inputsOf = (name: string, retentionDays?: number): IndexTemplatesInputs => ({
    owner: `test/es${major}`,
    destination: { name, dataStream: true, ...(retentionDays !== undefined ? { retentionDays } : {}) },
    cluster: { endpoint: "set by the test's connect" },
    adminVault: { mount: "unused", path: "unused" },
  });

  beforeAll(async () => {
    const es = await startElasticsearch(major);
    const connect = async () => new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    client = await connect();
    provider = indexTemplatesProvider(connect);
  }, 300_000);

  afterAll(async () => {
    await client?.close();
  });

  it("creates, updates the retention in place, and on destroy leaves the data and the template its data stream needs", async () => {
    const created = await provider.create(inputsOf(written, 30));
    const other = await provider.create(inputsOf(unwritten, 30));
    await client.index({
      index: written,
      document: { "@timestamp": "2026-12-07T10:00:00Z", message: "kept" },
      op_type: "create",
      refresh: true,
    });

    // A changed retentionDays: an update of the same template, which the stream takes at once.
    const news = inputsOf(written, 7);
    expect((await provider.diff?.(created.id, created.outs, news))?.replaces).toEqual([]);
    await provider.update?.(created.id, created.outs as IndexTemplatesOutputs, news);
    const template = await client.indices.getIndexTemplate({ name: templateNameOf(written) });
    expect(template.index_templates[0]?.index_template.template?.lifecycle?.data_retention).toBe("7d");

    // Destroy: the unused template goes; the stream's stays (Elasticsearch refuses), with its documents.
    await provider.delete?.(other.id, other.outs as IndexTemplatesOutputs);
    await provider.delete?.(created.id, created.outs as IndexTemplatesOutputs);
    await expect(client.indices.getIndexTemplate({ name: templateNameOf(unwritten) })).rejects.toMatchObject({
      meta: { statusCode: 404 },
    });
    expect((await client.indices.getIndexTemplate({ name: templateNameOf(written) })).index_templates).toHaveLength(1);
    expect((await client.count({ index: written })).count).toBe(1);
  });

  it("refuses to take over a template a person put under its name, and leaves it", async () => {
    const name = dataStreamName("aws.s3access", namespace);
    await client.indices.putIndexTemplate({
      name: templateNameOf(name),
      index_patterns: [name],
      priority: 250,
      data_stream: {},
    });
    await expect(provider.create(inputsOf(name))).rejects.toThrow(/exists and is not s3-log-shipper's/);
    const kept = await client.indices.getIndexTemplate({ name: templateNameOf(name) });
    expect(kept.index_templates[0]?.index_template._meta).toBeUndefined();
  });
});
