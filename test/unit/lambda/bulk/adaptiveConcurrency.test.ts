/**
 * The function instance's bulk window (AIMD) against a local server answering like Elasticsearch:
 * whole-request 429/503, items refused by a full write queue, and a write pool that takes only so
 * many requests at once.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AdaptiveConcurrencyTransport } from "../../../../lambda/bulk/adaptiveConcurrency";
import { ElasticsearchBulkTransport } from "../../../../lambda/bulk/esClient";
import { BulkIndexer } from "../../../../lambda/bulk/indexer";
import type { BulkTransport } from "../../../../lambda/bulk/wire";
import { SILENT_OBJECT_EVENTS } from "../../../../lambda/contract/events";
import { FakeElasticsearch } from "../../../helpers/fakeElasticsearch";

const elasticsearch = new FakeElasticsearch();
let esUrl = "";
/** One stored value, as the function's credentials cache hands out (a new object would mean rotated credentials). */
const stored = { apiKey: "a2V5OnNlY3JldA==" };
const credentials = { get: () => Promise.resolve(stored), invalidate: () => undefined };

beforeAll(async () => {
  esUrl = await elasticsearch.start();
});
afterAll(() => elasticsearch.stop());
beforeEach(() => elasticsearch.reset());

function http(): ElasticsearchBulkTransport {
  return new ElasticsearchBulkTransport({ endpoint: esUrl, requestTimeoutMs: 5_000 }, credentials);
}

let bodies = 0;
/** A one-document bulk body with an id not used before. */
function body(): Buffer {
  bodies += 1;
  return Buffer.from(`{"create":{"_index":"logs-window","_id":"doc-${bodies}"}}\n{"n":${bodies}}\n`);
}

/** Sends `count` bodies at once through `transport`, each failure caught (only the window is watched). */
async function burst(transport: BulkTransport, count: number): Promise<void> {
  await Promise.all(Array.from({ length: count }, () => transport.send(body()).catch(() => undefined)));
}

describe("the instance's bulk window", () => {
  it("halves once for a burst of 429s sent under one window, not once per answer", async () => {
    // Prepare: every request is refused as a whole.
    const transport = new AdaptiveConcurrencyTransport(http(), 8);
    elasticsearch.requestBehaviour = () => ({ kind: "status", status: 429 });
    // Act: eight requests, all in flight under the window of 8.
    await burst(transport, 8);
    // Assess
    expect(transport.stats).toMatchObject({ window: 4, overloaded: 8, answered: 8 });
  });

  it("halves for each 429 or 503 sent after the last change, down to one", async () => {
    const transport = new AdaptiveConcurrencyTransport(http(), 8);
    elasticsearch.requestBehaviour = (n) => ({ kind: "status", status: n % 2 === 0 ? 503 : 429 });

    const windows: number[] = [];
    for (let n = 0; n < 5; n += 1) {
      await burst(transport, 1);
      windows.push(transport.stats.window);
    }

    expect(windows).toEqual([4, 2, 1, 1, 1]);
  });

  it("takes an item refused 429 by the write queue as overload, and other item errors not", async () => {
    const transport = new AdaptiveConcurrencyTransport(http(), 4);
    elasticsearch.itemBehaviour = (item) =>
      item.source.n === bodies
        ? { status: 400, type: "mapper_parsing_exception", reason: "failed to parse field [n]" }
        : undefined;
    await burst(transport, 1);
    expect(transport.stats.window).toBe(4);

    elasticsearch.itemBehaviour = () => ({
      status: 429,
      type: "es_rejected_execution_exception",
      reason: "rejected execution of bulk shard request",
    });
    await burst(transport, 1);
    expect(transport.stats).toMatchObject({ window: 2, overloaded: 1 });
  });

  it("grows by one for each window's worth of calm answers, up to the ceiling and no further", async () => {
    const transport = new AdaptiveConcurrencyTransport(http(), 4);
    elasticsearch.requestBehaviour = (n) => (n <= 2 ? { kind: "status", status: 429 } : { kind: "normal" });
    await burst(transport, 1);
    await burst(transport, 1);
    expect(transport.stats.window).toBe(1);

    const windows: number[] = [];
    for (let n = 0; n < 12; n += 1) {
      await burst(transport, 1);
      windows.push(transport.stats.window);
    }

    // 1 calm answer → 2, 2 more → 3, 3 more → 4 (the ceiling), then it stays.
    expect(windows).toEqual([2, 2, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4]);
    expect(transport.stats.lowest).toBe(1);
  });

  it("never has more requests in flight than the window, and hands out room in arrival order", async () => {
    const transport = new AdaptiveConcurrencyTransport(http(), 3);
    elasticsearch.requestBehaviour = () => ({ kind: "delay", ms: 30 });

    const answeredOrder: number[] = [];
    await Promise.all(Array.from({ length: 9 }, (_, n) => transport.send(body()).then(() => answeredOrder.push(n))));

    expect(elasticsearch.mostInProgress).toBe(3);
    expect(answeredOrder.slice(0, 3).sort()).toEqual([0, 1, 2]);
    expect(answeredOrder.slice(6).sort()).toEqual([6, 7, 8]);
  });

  it("takes the time spent waiting for room off the request's timeout, and fails retryably when none is left", async () => {
    const transport = new AdaptiveConcurrencyTransport(http(), 1);
    elasticsearch.requestBehaviour = (n) => (n === 1 ? { kind: "delay", ms: 300 } : { kind: "normal" });

    const slow = transport.send(body(), 5_000);
    const starved = transport.send(body(), 100);

    await expect(starved).rejects.toMatchObject({
      retryable: true,
      message: expect.stringContaining("no room for the bulk request before the function's time ran short") as unknown,
    });
    await expect(slow).resolves.toMatchObject({ errors: false });
    expect(elasticsearch.requests).toBe(1);
    // The place it waited for was handed on, not lost.
    await expect(transport.send(body(), 1_000)).resolves.toMatchObject({ errors: false });
  });

  it("against a write pool of one thread and a queue of two, four objects at once meet fewer 429s than with a fixed window, every document once", async () => {
    // Four objects at once (MESSAGE_CONCURRENCY), two requests each (ES_BULK_CONCURRENCY), as the
    // integration tier's node is set up: one write thread, a queue of two.
    const run = async (transport: BulkTransport) => {
      await elasticsearch.reset();
      elasticsearch.writePool = { threads: 1, queue: 2, serviceMs: 5 };
      await Promise.all(
        Array.from({ length: 4 }, async (_, object) => {
          const indexer = new BulkIndexer({
            index: `logs-pool-${object}`,
            transport,
            bulkMaxBytes: 5 * 1024 * 1024,
            bulkMaxDocuments: 10,
            bulkConcurrency: 2,
            retry: { maxAttempts: 40, baseDelayMs: 5, maxDelayMs: 40 },
            events: SILENT_OBJECT_EVENTS,
          });
          for (let n = 0; n < 200; n += 1) {
            const source = JSON.stringify({ object, n });
            await indexer.add({
              id: `o${object}-${n}`,
              source,
              offset: n,
              record: { offset: n, nextOffset: n + 1, text: source },
            });
          }
          expect(await indexer.finish()).toMatchObject({ indexed: 200, failed: 0, rejected: 0 });
        }),
      );
      const stored = [0, 1, 2, 3].map((object) => elasticsearch.ids(`logs-pool-${object}`).length);
      return { rejections: elasticsearch.poolRejections, stored };
    };

    const fixed = await run(http());
    const adaptive = await run(new AdaptiveConcurrencyTransport(http(), 8));

    expect(fixed.stored).toEqual([200, 200, 200, 200]);
    expect(adaptive.stored).toEqual([200, 200, 200, 200]);
    expect(adaptive.rejections).toBeLessThan(fixed.rejections / 2);
  }, 30_000);
});
