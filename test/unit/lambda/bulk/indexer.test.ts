import { SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CredentialsProvider } from "../../../../lambda/bulk/credentials";
import { buildDeadLetterSource } from "../../../../lambda/documents/deadLetter";
import { DocumentBuilder, type ObjectContext } from "../../../../lambda/documents/builder";
import { rawText } from "../../../../lambda/documents/jsonFields";
import { objectIdPrefix } from "../../../../lambda/documents/ids";
import { ElasticsearchBulkTransport } from "../../../../lambda/bulk/esClient";
import { BulkIndexer, type IndexerOptions, type IndexingResult } from "../../../../lambda/bulk/indexer";
import { DEFAULTS } from "../../../../lambda/contract/env";
import type { LineFormat } from "../../../../lambda/contract/formats";
import { SILENT_OBJECT_EVENTS } from "../../../../lambda/contract/events";
import { readRecords } from "../../../../lambda/read/records";
import type { PreparedDocument } from "../../../../lambda/contract/shapes";
import { FakeAws } from "../../../helpers/fakeAws";
import { FakeElasticsearch, type RequestBehaviour } from "../../../helpers/fakeElasticsearch";

const PARAMETER = "/s3-log-shipper/test/elasticsearch";
const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 10, maxDelayMs: 40 };

const elasticsearch = new FakeElasticsearch();
const aws = new FakeAws();
let esUrl = "";
let awsUrl = "";

beforeAll(async () => {
  esUrl = await elasticsearch.start();
  awsUrl = await aws.start();
});
afterAll(async () => {
  await elasticsearch.stop();
  await aws.stop();
});
beforeEach(async () => {
  await elasticsearch.reset();
  aws.parameters.set(PARAMETER, JSON.stringify({ apiKey: "a2V5OnNlY3JldA==" }));
});

function documents(count: number): PreparedDocument[] {
  return Array.from({ length: count }, (_, n) => ({
    id: `id-${n}`,
    source: JSON.stringify({ message: `line ${n}`, n }),
    offset: n * 10,
    record: { offset: n * 10, nextOffset: n * 10 + 7, text: `line ${n}` },
  }));
}

function transport(requestTimeoutMs = 2_000, gzipLevel?: number): ElasticsearchBulkTransport {
  const ssm = new SSMClient({
    region: "eu-west-1",
    endpoint: awsUrl,
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  return new ElasticsearchBulkTransport(
    { endpoint: esUrl, requestTimeoutMs, ...(gzipLevel === undefined ? {} : { gzipLevel }) },
    new CredentialsProvider(ssm, PARAMETER, 60_000),
  );
}

/** An indexer on the fake Elasticsearch with the function's limits but fast retries and 3 documents per request, unless `options` say otherwise. */
function newIndexer(options: Partial<IndexerOptions> = {}): BulkIndexer {
  return new BulkIndexer({
    bulkMaxBytes: DEFAULTS.ES_BULK_MAX_BYTES,
    bulkConcurrency: DEFAULTS.ES_BULK_CONCURRENCY,
    index: "logs-test",
    transport: transport(),
    retry: FAST_RETRY,
    bulkMaxDocuments: 3,
    events: SILENT_OBJECT_EVENTS,
    ...options,
  });
}

async function index(docs: PreparedDocument[], options: Partial<IndexerOptions> = {}): Promise<IndexingResult> {
  const indexer = newIndexer(options);
  for (const document of docs) await indexer.add(document);
  return indexer.finish();
}

describe("BulkIndexer against an HTTP server answering like Elasticsearch", () => {
  it("stores every document with create and its deterministic id", async () => {
    // Act
    const result = await index(documents(7));
    // Assess
    expect(result).toMatchObject({ indexed: 7, duplicates: 0, failed: 0, rejected: 0 });
    expect(elasticsearch.ids("logs-test").sort()).toEqual(
      documents(7)
        .map((d) => d.id)
        .sort(),
    );
    expect(elasticsearch.requests).toBe(3);
    expect(elasticsearch.authorizations[0]).toBe("ApiKey a2V5OnNlY3JldA==");
  });

  it("counts an item 409 as a duplicate, not a failure", async () => {
    await index(documents(2));
    const result = await index(documents(4));
    expect(result).toMatchObject({ indexed: 2, duplicates: 2, failed: 0, rejected: 0 });
    expect(elasticsearch.documents("logs-test")).toHaveLength(4);
  });

  it.each([429, 500])("retries an item %i until it is accepted", async (status) => {
    let failedOnce = false;
    elasticsearch.itemBehaviour = (item) => {
      if (item.id === "id-1" && !failedOnce) {
        failedOnce = true;
        return {
          status,
          type: status === 429 ? "es_rejected_execution_exception" : "internal_error",
          reason: "scripted",
        };
      }
      return undefined;
    };
    const result = await index(documents(3));
    expect(result).toMatchObject({ indexed: 3, failed: 0 });
    expect(elasticsearch.ids("logs-test")).toHaveLength(3);
    expect(elasticsearch.requests).toBe(2);
  });

  const mappingError = {
    status: 400,
    type: "document_parsing_exception",
    reason: "[1:15] failed to parse field [n] of type [long]",
  };

  it("counts a mapping error as rejected when there is no dead-letter index", async () => {
    elasticsearch.itemBehaviour = (item) =>
      item.index === "logs-test" && item.id === "id-2" ? mappingError : undefined;
    const result = await index(documents(4));
    expect(result).toMatchObject({ indexed: 3, rejected: 1, failed: 0 });
    expect(result.lastError).toContain("document_parsing_exception");
    expect(elasticsearch.ids("logs-test")).not.toContain("id-2");
  });

  it("writes a mapping error to the dead-letter index with the raw record and the error", async () => {
    elasticsearch.itemBehaviour = (item) =>
      item.index === "logs-test" && item.id === "id-2" ? mappingError : undefined;
    const result = await index(documents(4), {
      deadLetterIndex: "logs-shipper-failed",
      deadLetterSource: (rejected) =>
        JSON.stringify({
          message: rawText(rejected.document.record),
          error: { type: rejected.type, message: rejected.reason },
        }),
    });
    expect(result).toMatchObject({ indexed: 3, deadLettered: 1, rejected: 0, failed: 0 });
    expect(elasticsearch.documents("logs-shipper-failed")).toEqual([
      { message: "line 2", error: { type: "document_parsing_exception", message: mappingError.reason } },
    ]);
    expect(elasticsearch.ids("logs-shipper-failed")).toEqual(["id-2"]);
  });

  it.each([429, 503])("retries a whole-request %i", async (status) => {
    elasticsearch.requestBehaviour = (n) => (n === 1 ? { kind: "status", status } : { kind: "normal" });
    const result = await index(documents(2));
    expect(result).toMatchObject({ indexed: 2, failed: 0 });
    expect(elasticsearch.ids("logs-test")).toHaveLength(2);
  });

  it("retries after the connection is reset mid-request", async () => {
    elasticsearch.requestBehaviour = (n) => (n === 1 ? { kind: "reset" } : { kind: "normal" });
    const result = await index(documents(2));
    expect(result).toMatchObject({ indexed: 2, failed: 0 });
    expect(elasticsearch.ids("logs-test")).toHaveLength(2);
  });

  it("retries a response slower than the request timeout, and the late write shows as duplicates", async () => {
    elasticsearch.requestBehaviour = (n) => (n === 1 ? { kind: "delay", ms: 1_500 } : { kind: "normal" });
    const indexer = newIndexer({
      transport: transport(300),
      retry: { maxAttempts: 4, baseDelayMs: 1_500, maxDelayMs: 1_500 },
      bulkMaxDocuments: 10,
    });
    for (const document of documents(3)) await indexer.add(document);
    const result = await indexer.finish();
    // The slow request still stored the documents after the client gave up on it.
    expect(result.failed).toBe(0);
    expect(result.indexed + result.duplicates).toBe(3);
    expect(elasticsearch.ids("logs-test").sort()).toEqual(["id-0", "id-1", "id-2"]);
  });

  it("gives up with every document counted as failed when Elasticsearch stays down", async () => {
    elasticsearch.requestBehaviour = () => ({ kind: "status", status: 503 });
    const indexer = newIndexer();
    for (const document of documents(3)) await indexer.add(document);
    const result = await indexer.finish();
    expect(result).toMatchObject({ indexed: 0, failed: 3 });
    expect(result.lastError).toContain("503");
    expect(indexer.unavailable).toBe(true);
    expect(elasticsearch.requests).toBe(FAST_RETRY.maxAttempts);
  });

  it("re-reads rotated credentials after a 401 and succeeds", async () => {
    aws.parameterReads = 0;
    elasticsearch.requestBehaviour = (n) =>
      n === 1
        ? {
            kind: "status",
            status: 401,
            body: { error: { type: "security_exception", reason: "unable to authenticate" }, status: 401 },
          }
        : { kind: "normal" };
    const result = await index(documents(1));
    expect(result).toMatchObject({ indexed: 1, failed: 0 });
    expect(aws.parameterReads).toBe(2);
  });

  it("rebuilds once a document refused for a reason its builder can fix, then stores it", async () => {
    elasticsearch.itemBehaviour = (item) =>
      item.source.spliced === true
        ? { status: 400, type: "document_parsing_exception", reason: "Duplicate field 'a'" }
        : undefined;
    const docs = [
      {
        id: "dup",
        source: JSON.stringify({ spliced: true, a: 2 }),
        offset: 0,
        record: { offset: 0, nextOffset: 14, text: '{"a":1,"a":2}', value: { a: 2 } },
      },
    ];
    const result = await index(docs, {
      rebuild: (_document, reason) =>
        reason.includes("Duplicate field") ? JSON.stringify({ spliced: false, a: 2 }) : undefined,
    });
    expect(result).toMatchObject({ indexed: 1, rejected: 0 });
    expect(elasticsearch.documents("logs-test")).toEqual([{ spliced: false, a: 2 }]);
  });

  it("splits a request refused with 413 until every part fits, storing each document once", async () => {
    // Prepare: documents of ~100 bytes, a limit of ~4 documents' worth.
    elasticsearch.maxBodyBytes = 500;
    elasticsearch.tooLargeAnswer = "afterBody"; // as some proxies do: the client sees the 413
    // Act
    const result = await index(documents(20), { bulkMaxDocuments: 20 });
    // Assess
    expect(result).toMatchObject({ indexed: 20, rejected: 0, failed: 0 });
    expect(elasticsearch.ids("logs-test").sort()).toEqual(
      documents(20)
        .map((d) => d.id)
        .sort(),
    );
    expect(elasticsearch.refusedSizes.length).toBeGreaterThan(0);
  });

  it("rejects a single document still refused with 413, or dead-letters it when there is a dead-letter index", async () => {
    elasticsearch.maxBodyBytes = 400;
    elasticsearch.tooLargeAnswer = "afterBody";
    const big: PreparedDocument = {
      id: "big",
      source: JSON.stringify({ message: "x".repeat(1_000) }),
      offset: 99,
      record: { offset: 99, nextOffset: 1_100, text: "x".repeat(1_000) },
    };
    const rejected = await index([...documents(2), big], { bulkMaxDocuments: 10 });
    expect(rejected).toMatchObject({ indexed: 2, rejected: 1, failed: 0 });
    expect(rejected.lastError).toMatch(
      /^413 request_entity_too_large: a request holding only this document \(\d+ bytes\) was refused as too large/,
    );

    await elasticsearch.reset();
    elasticsearch.maxBodyBytes = 400;
    elasticsearch.tooLargeAnswer = "afterBody";
    const deadLettered = await index([...documents(2), big], {
      bulkMaxDocuments: 10,
      deadLetterIndex: "logs-shipper-failed",
      deadLetterSource: (refused) => JSON.stringify({ status: refused.status, offset: refused.document.offset }),
    });
    expect(deadLettered).toMatchObject({ indexed: 2, deadLettered: 1, rejected: 0 });
    expect(elasticsearch.documents("logs-shipper-failed")).toEqual([{ status: 413, offset: 99 }]);
  });

  it("splits a large request whose 413 went out before its body was read, as Elasticsearch sends it", async () => {
    // Prepare: a 16 MB request (more than loopback's socket buffers, so the client is still writing
    // when the answer ends and reports a closed connection), a 1 MB limit answered on the headers.
    elasticsearch.maxBodyBytes = 1024 * 1024;
    elasticsearch.tooLargeAnswer = "early";
    const large = Array.from({ length: 400 }, (_, n): PreparedDocument => ({
      id: `l-${n}`,
      source: JSON.stringify({ message: "x".repeat(40_000), n }),
      offset: n,
      record: { offset: n, nextOffset: n + 1, text: "x" },
    }));
    const splits: number[] = [];
    // Act
    const result = await index(large, {
      bulkMaxDocuments: 400,
      bulkMaxBytes: 32 * 1024 * 1024,
      events: { ...SILENT_OBJECT_EVENTS, requestTooLarge: (refused) => splits.push(refused) },
    });
    // Assess
    expect(result).toMatchObject({ indexed: 400, failed: 0, rejected: 0 });
    expect(splits.length).toBeGreaterThan(0);
    expect(splits.every((size, n) => n === 0 || size <= (splits[n - 1] ?? 0) / 2)).toBe(true);
  });

  it("rejects a single large document only when it is answered early twice in a row; once is a blip, retried", async () => {
    // 6 MB: too large for the socket buffers, so the early 413 reaches the client as a closed connection.
    const big: PreparedDocument = {
      id: "big",
      source: JSON.stringify({ message: "x".repeat(6_000_000) }),
      offset: 7,
      record: { offset: 7, nextOffset: 6_000_010, text: "x" },
    };
    elasticsearch.requestBehaviour = (n) => (n === 1 ? { kind: "earlyTooLarge" } : { kind: "normal" });
    expect(await index([big])).toMatchObject({ indexed: 1, rejected: 0 });

    await elasticsearch.reset();
    elasticsearch.requestBehaviour = () => ({ kind: "earlyTooLarge" });
    const refused = await index([big]);
    expect(refused).toMatchObject({ indexed: 0, rejected: 1, failed: 0 });
    expect(elasticsearch.requests).toBe(2);
  });

  it.each<[string, (n: number) => RequestBehaviour]>([
    [
      "errors:false with a document missing (a faulty proxy)",
      (n) => (n === 1 ? { kind: "dropLast" } : { kind: "normal" }),
    ],
    ["errors:true with fewer items", (n) => (n === 1 ? { kind: "dropLast" } : { kind: "normal" })],
  ])("sends a request again when the answer lists fewer items than documents: %s", async (name, behaviour) => {
    elasticsearch.requestBehaviour = behaviour;
    if (name.startsWith("errors:true"))
      elasticsearch.itemBehaviour = (item, request) =>
        request === 1 && item.id === "id-0"
          ? { status: 429, type: "es_rejected_execution_exception", reason: "busy" }
          : undefined;
    const result = await index(documents(4), { bulkMaxDocuments: 4 });
    // What the first request did store answers 409 the second time.
    expect(result).toMatchObject({
      indexed: 1 + Number(name.startsWith("errors:true")),
      duplicates: 3 - Number(name.startsWith("errors:true")),
      failed: 0,
    });
    expect(elasticsearch.ids("logs-test").sort()).toEqual(["id-0", "id-1", "id-2", "id-3"]);
    expect(elasticsearch.requests).toBe(2);
  });

  it("does not retry a whole-request 400: the request itself is wrong", async () => {
    elasticsearch.requestBehaviour = () => ({ kind: "status", status: 400 });
    const result = await index(documents(2));
    expect(result).toMatchObject({ indexed: 0, failed: 2 });
    expect(elasticsearch.requests).toBe(1);
  });

  describe("documents appended as bulk lines by the builder's hot path", () => {
    const context: ObjectContext = {
      bucket: "b",
      key: "k.log",
      identity: "v1",
      region: "eu-west-1",
      eventTime: "2026-11-27T10:00:00.000Z",
      ingested: "2026-11-27T10:00:05.000Z",
    };

    /** Reads `content` as the shipper does and appends it through the builder; returns the totals. */
    async function ship(
      content: string,
      format: LineFormat,
      options: Partial<IndexerOptions> = {},
    ): Promise<IndexingResult> {
      const builder = new DocumentBuilder(context);
      const indexer = newIndexer({
        bulkMaxDocuments: 2,
        rebuild: (document, reason) => builder.rebuild(document, reason),
        recoverRecord: (source, offset) => builder.recoverRecord(source, offset),
        deadLetterIndex: "logs-shipper-failed",
        deadLetterSource: (rejected) => buildDeadLetterSource(rejected, context, "logs-test", "test"),
        ...options,
      });
      async function* once(): AsyncGenerator<Buffer> {
        yield Buffer.from(content);
      }
      for await (const batch of readRecords(once(), { format, firstByte: 0, bucket: "b", key: "k.log" })) {
        if (batch.kind === "lines") await builder.appendLines(batch.format, batch.lines, indexer);
      }
      return indexer.finish();
    }
    const idAt = (offset: number) => `${objectIdPrefix("b", "k.log", "v1")}${offset.toString(36)}`;

    it("dead-letters a refused line with its original text, recovered from the request body", async () => {
      // Prepare: the line at offset 8 is refused for good.
      const lines = ['{"n":1}', '{"n":"x","note":"é \\"q\\""}', '{"n":3}'];
      elasticsearch.itemBehaviour = (item) =>
        item.index === "logs-test" && item.id === idAt(8) ? mappingError : undefined;
      // Act
      const result = await ship(`${lines.join("\n")}\n`, "ndjson");
      // Assess
      expect(result).toMatchObject({ indexed: 2, deadLettered: 1, rejected: 0, failed: 0 });
      const [deadLetter] = elasticsearch.documents("logs-shipper-failed");
      expect(deadLetter).toMatchObject({
        message: lines[1],
        log: { offset: 8 },
        error: { type: "document_parsing_exception" },
      });
      expect(elasticsearch.ids("logs-shipper-failed")).toEqual([idAt(8)]);
    });

    it("dead-letters a refused text line exactly as it was", async () => {
      const line = 'GET /a?b=\\x "quoted" ✓ 𝄞\ttab';
      elasticsearch.itemBehaviour = (item) => (item.index === "logs-test" ? mappingError : undefined);
      const result = await ship(`${line}\n`, "text");
      expect(result).toMatchObject({ deadLettered: 1, rejected: 0 });
      expect(elasticsearch.documents("logs-shipper-failed")[0]).toMatchObject({ message: line });
    });

    it("rebuilds a line with duplicate keys by merging, once, and stores it", async () => {
      elasticsearch.itemBehaviour = (item, request) =>
        item.id === idAt(8) && request === 1
          ? { status: 400, type: "document_parsing_exception", reason: "Duplicate field 'a'" }
          : undefined;
      const result = await ship('{"n":1}\n{"a":1,"a":2}\n', "ndjson");
      expect(result).toMatchObject({ indexed: 2, rejected: 0, deadLettered: 0 });
      expect(elasticsearch.documents("logs-test").find((document) => document.a !== undefined)).toMatchObject({
        a: 2,
        log: { offset: 8 },
      });
    });

    it("retries a batch after a whole-request 503 and stores every line once", async () => {
      elasticsearch.requestBehaviour = (n) => (n === 1 ? { kind: "status", status: 503 } : { kind: "normal" });
      const content = Array.from({ length: 7 }, (_, n) => `line ${n}`).join("\n");
      const result = await ship(content, "text");
      expect(result).toMatchObject({ indexed: 7, failed: 0 });
      expect(
        elasticsearch
          .documents("logs-test")
          .map((document) => document.message)
          .sort(),
      ).toEqual(content.split("\n"));
    });
  });
});

describe("compressed bulk requests (elasticsearch.compression: gzip)", () => {
  /** Log-like documents: repetitive, as access logs are. */
  const logLines = (count: number): PreparedDocument[] =>
    Array.from({ length: count }, (_, n) => ({
      id: `id-${n}`,
      source: JSON.stringify({ message: `10.0.0.${n % 7} GET /health HTTP/1.1 200 ${n}`, n }),
      offset: n * 50,
      record: { offset: n * 50, nextOffset: n * 50 + 49, text: `line ${n}` },
    }));

  it("sends every body gzip-compressed with Content-Encoding, asks for compressed answers, and stores every document", async () => {
    const result = await index(logLines(200), { bulkMaxDocuments: 100, transport: transport(2_000, 1) });
    expect(result).toMatchObject({ indexed: 200, failed: 0, rejected: 0 });
    expect(elasticsearch.ids("logs-test")).toHaveLength(200);
    expect(elasticsearch.wire).toHaveLength(2);
    for (const request of elasticsearch.wire) {
      expect(request).toMatchObject({ contentEncoding: "gzip", acceptEncoding: "gzip" });
      expect(request.wireBytes).toBeLessThan(request.bodyBytes / 4);
    }
  });

  it("reads compressed answers that report item errors (a 409 is a duplicate, a 400 refused)", async () => {
    elasticsearch.itemBehaviour = (item) =>
      item.id === "id-3" ? { status: 400, type: "mapper_parsing_exception", reason: "failed to parse [n]" } : undefined;
    await index(logLines(2), { transport: transport(2_000, 1) });
    const result = await index(logLines(5), { transport: transport(2_000, 1) });
    expect(result).toMatchObject({ indexed: 2, duplicates: 2, rejected: 1 });
    expect(result.lastError).toContain("failed to parse [n]");
    expect(
      elasticsearch.wire.every((request) => request.answerWireBytes > 0 && request.contentEncoding === "gzip"),
    ).toBe(true);
  });

  it("compresses at the configured level (9 makes smaller bodies than 1)", async () => {
    await index(logLines(100), { bulkMaxDocuments: 100, transport: transport(2_000, 1) });
    const [fast] = elasticsearch.wire;
    await elasticsearch.reset();
    await index(logLines(100), { bulkMaxDocuments: 100, transport: transport(2_000, 9) });
    const [small] = elasticsearch.wire;
    expect(small?.bodyBytes).toBe(fast?.bodyBytes);
    expect(small?.wireBytes).toBeLessThan(fast?.wireBytes ?? 0);
  });

  it("sends the body as it is with compression none", async () => {
    await index(logLines(3));
    expect(elasticsearch.wire.map((request) => request.contentEncoding)).toEqual([undefined]);
    expect(elasticsearch.wire[0]?.wireBytes).toBe(elasticsearch.wire[0]?.bodyBytes);
  });

  it("splits by the uncompressed size Elasticsearch enforces: a 413 on the decompressed body splits until every part fits", async () => {
    // Each compressed request is far below the limit; decompressed, 20 documents are not.
    elasticsearch.maxBodyBytes = 2_000;
    const result = await index(logLines(40), { bulkMaxDocuments: 40, transport: transport(2_000, 1) });
    expect(result).toMatchObject({ indexed: 40, rejected: 0, failed: 0 });
    expect(elasticsearch.ids("logs-test")).toHaveLength(40);
    expect(elasticsearch.refusedSizes.length).toBeGreaterThan(0);
    expect(Math.min(...elasticsearch.refusedSizes)).toBeGreaterThan(2_000);
  });
});

describe("an ingest pipeline per producer (producers[].pipeline)", () => {
  it("names the pipeline on every document's action, and not on its dead letters", async () => {
    elasticsearch.itemBehaviour = (item) =>
      item.id === "id-1" && item.index === "logs-test"
        ? {
            status: 400,
            type: "illegal_argument_exception",
            reason: "pipeline [geoip-waf]: field [client.ip] not present",
          }
        : undefined;
    const seen: Array<{ index: string; id: string; pipeline?: string }> = [];
    const observed = elasticsearch.itemBehaviour;
    elasticsearch.itemBehaviour = (item, n) => {
      seen.push({ index: item.index, id: item.id, ...(item.pipeline ? { pipeline: item.pipeline } : {}) });
      return observed(item, n);
    };
    const result = await index(documents(3), {
      pipeline: "geoip-waf",
      deadLetterIndex: "logs-shipper-failed",
      deadLetterSource: (refused) => JSON.stringify({ reason: refused.reason }),
    });
    expect(result).toMatchObject({ indexed: 2, deadLettered: 1, rejected: 0 });
    expect(seen).toEqual([
      { index: "logs-test", id: "id-0", pipeline: "geoip-waf" },
      { index: "logs-test", id: "id-1", pipeline: "geoip-waf" },
      { index: "logs-test", id: "id-2", pipeline: "geoip-waf" },
      { index: "logs-shipper-failed", id: "id-1" },
    ]);
    expect(elasticsearch.documents("logs-shipper-failed")).toEqual([
      { reason: "pipeline [geoip-waf]: field [client.ip] not present" },
    ]);
  });
});

describe("BulkIndexer: the documents Elasticsearch acknowledged, counted from the first (issue 31)", () => {
  it("counts whole batches in order, answered out of order, and stops for good at one whose documents ran out of retries", async () => {
    // Prepare: batches of 3; the second request is answered last (slow), the third and every
    // attempt of its retries refused 503 — that batch is lost for this invocation.
    elasticsearch.requestBehaviour = (n) =>
      n === 2 ? { kind: "delay", ms: 300 } : n === 3 || n > 4 ? { kind: "status", status: 503 } : { kind: "normal" };
    const indexer = newIndexer({ bulkConcurrency: 4 });
    // Act
    for (const document of documents(12)) await indexer.add(document);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const whileSecondPending = indexer.acknowledgedDocuments();
    const result = await indexer.finish();
    // Assess: first batch alone while the second was unanswered; the first two after; never past the lost third.
    expect(whileSecondPending).toBe(3);
    expect(result.failed).toBe(3);
    expect(indexer.acknowledgedDocuments()).toBe(6);
    expect(indexer.documentsAdded).toBe(12);
  });

  it("holds new batches while one waits to be sent again, so a retry is not starved by newer requests", async () => {
    // Prepare: the first request is refused 429 once; the rest pass.
    elasticsearch.requestBehaviour = (n) => (n === 1 ? { kind: "status", status: 429 } : { kind: "normal" });
    const indexer = newIndexer({ bulkConcurrency: 4, retry: { maxAttempts: 4, baseDelayMs: 200, maxDelayMs: 200 } });
    const all = documents(12);
    // Act: the first batch, then — while it waits for its retry — three more.
    for (const document of all.slice(0, 3)) await indexer.add(document);
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (const document of all.slice(3)) await indexer.add(document);
    await indexer.finish();
    // Assess: the pushed-back batch was stored before any batch added after it was refused.
    expect(elasticsearch.ids("logs-test").slice(0, 3)).toEqual(["id-0", "id-1", "id-2"]);
    expect(indexer.acknowledgedDocuments()).toBe(12);
  });
});
