/**
 * `npm run bench:concurrency [-- --rounds N]`: the shipper's bulk requests against the integration
 * tier's Elasticsearch 8 node, whose write thread pool has one thread and a queue of two, with a
 * fixed number of requests in flight (before) and with the instance's adaptive window (AIMD, now).
 * Four objects at once (MESSAGE_CONCURRENCY) of 20,000 documents, 1,000 per request, two requests
 * each (ES_BULK_CONCURRENCY), as the function sends them. Reports documents/s, the node's write
 * rejections per 1,000 documents (its thread-pool statistics) and checks that every document is
 * there exactly once. Rounds alternate fixed/adaptive; figures only, no assertions on time.
 */
import "../scripts/local/quietSdkNotice";
import { Client } from "@elastic/elasticsearch";
import { parseArgs } from "node:util";
import { AdaptiveConcurrencyTransport } from "../lambda/bulk/adaptiveConcurrency";
import { ElasticsearchBulkTransport } from "../lambda/bulk/esClient";
import { BulkIndexer } from "../lambda/bulk/indexer";
import type { BulkTransport } from "../lambda/bulk/wire";
import { DEFAULTS } from "../lambda/contract/env";
import { SILENT_OBJECT_EVENTS } from "../lambda/contract/events";
import { startElasticsearch } from "../scripts/local/services";

const OBJECTS = DEFAULTS.MESSAGE_CONCURRENCY;
const DOCUMENTS = 20_000;
const PER_REQUEST = 1_000;
const { values } = parseArgs({ options: { rounds: { type: "string" } }, strict: true });
const ROUNDS = Number(values.rounds ?? 3);

async function main(): Promise<void> {
  const node = await startElasticsearch("8");
  const admin = new Client({ node: node.url, auth: { username: node.username, password: node.password } });
  const stored = { username: node.username, password: node.password };
  const credentials = { get: () => Promise.resolve(stored), invalidate: () => undefined };
  const rejectedWrites = async () => {
    const stats = await admin.nodes.stats({ metric: "thread_pool" });
    return Object.values(stats.nodes).reduce((sum, n) => sum + Number(n.thread_pool?.write?.rejected ?? 0), 0);
  };
  const line = `{"@timestamp":"2026-12-04T10:00:00Z","message":"${"x".repeat(200)}","http":{"response":{"status_code":200}}}`;

  const run = async (label: "fixed" | "adaptive", round: number) => {
    const index = `bench-window-${label}-${round}`;
    await admin.indices.create({
      index,
      settings: { number_of_shards: 1, number_of_replicas: 0, refresh_interval: "-1" },
    });
    const http = new ElasticsearchBulkTransport({ endpoint: node.url, requestTimeoutMs: 30_000 }, credentials);
    const transport: BulkTransport =
      label === "fixed" ? http : new AdaptiveConcurrencyTransport(http, DEFAULTS.ES_BULK_CONCURRENCY * OBJECTS);
    const rejectedBefore = await rejectedWrites();
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: OBJECTS }, async (_, object) => {
        const indexer = new BulkIndexer({
          index,
          transport,
          bulkMaxBytes: DEFAULTS.ES_BULK_MAX_BYTES,
          bulkMaxDocuments: PER_REQUEST,
          bulkConcurrency: DEFAULTS.ES_BULK_CONCURRENCY,
          retry: { maxAttempts: 50, baseDelayMs: 100, maxDelayMs: 2_000 },
          events: SILENT_OBJECT_EVENTS,
        });
        for (let n = 0; n < DOCUMENTS; n += 1) {
          const pending = indexer.add({
            id: `${object}-${n}`,
            source: line,
            offset: n,
            record: { offset: n, nextOffset: n + 1, text: line },
          });
          if (pending) await pending;
        }
        const result = await indexer.finish();
        if (result.indexed !== DOCUMENTS)
          throw new Error(`${label}: object ${object} indexed ${JSON.stringify(result)}`);
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rejected = (await rejectedWrites()) - rejectedBefore;
    await admin.indices.refresh({ index });
    const { count } = await admin.count({ index });
    await admin.indices.delete({ index });
    const window = transport instanceof AdaptiveConcurrencyTransport ? transport.stats : undefined;
    return { label, seconds, documents: count, rejected, window };
  };

  const results: Array<Awaited<ReturnType<typeof run>>> = [];
  for (let round = 1; round <= ROUNDS; round += 1)
    for (const label of ["fixed", "adaptive"] as const) {
      const result = await run(label, round);
      results.push(result);
      const total = OBJECTS * DOCUMENTS;
      process.stdout.write(
        `${label.padEnd(8)} round ${round}: ${Math.round(result.documents / result.seconds).toLocaleString("en")} documents/s, ` +
          `${((result.rejected * 1000) / total).toFixed(2)} write rejections per 1,000 documents (${result.rejected}), ` +
          `${result.documents === total ? "every document once" : `${result.documents} of ${total} documents`}` +
          `${result.window ? `; window ended at ${result.window.window}, lowest ${result.window.lowest}, ${result.window.overloaded} of ${result.window.answered} answers overloaded` : ""}\n`,
      );
    }
  await admin.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
