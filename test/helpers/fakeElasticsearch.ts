/**
 * A local HTTP server that answers `_bulk` like Elasticsearch: `create` stores a document or
 * answers 409 when the id exists, per-item and whole-request failures can be scripted, and
 * connection resets and slow answers are real socket behaviour. Gzip request bodies are decoded
 * and answers compressed when asked for, as Elasticsearch does with `http.compression` on. Tests
 * assert on what it stored and on what came over the wire.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzipSync, gzipSync } from "node:zlib";
import { LoopbackServer } from "./loopbackServer";

export interface BulkItemRequest {
  index: string;
  id: string;
  /** The action's ingest pipeline, when it named one. */
  pipeline?: string;
  source: Record<string, unknown>;
}

/** One `_bulk` request as it came over the wire. */
export interface WireRequest {
  contentEncoding: string | undefined;
  acceptEncoding: string | undefined;
  /** Body bytes as sent (compressed, when it was), and once decoded. */
  wireBytes: number;
  bodyBytes: number;
  /** Bytes of the answer as sent. */
  answerWireBytes: number;
}

/** What the server does with one whole request (numbered from 1). */
export type RequestBehaviour =
  | { kind: "normal" }
  | { kind: "status"; status: number; body?: unknown }
  | { kind: "reset" }
  | { kind: "delay"; ms: number }
  /** Stores every document, then resets the connection instead of answering. */
  | { kind: "resetAfterIndexing" }
  /** A faulty proxy: the last document is neither stored nor answered, and the answer says no errors. */
  | { kind: "dropLast" }
  /** Answers 413 on the headers, before reading the body (once, whatever the size: a network blip look-alike). */
  | { kind: "earlyTooLarge" };

/** Overrides the answer for one item: return a status and error, or undefined to store it. */
export type ItemBehaviour = (
  item: BulkItemRequest,
  requestNumber: number,
) => { status: number; type: string; reason: string } | undefined;

export class FakeElasticsearch extends LoopbackServer {
  readonly stored = new Map<string, Map<string, Record<string, unknown>>>();
  requests = 0;
  itemAttempts = 0;
  authorizations: string[] = [];
  requestBehaviour: (requestNumber: number) => RequestBehaviour = () => ({ kind: "normal" });
  itemBehaviour: ItemBehaviour = () => undefined;
  /** Requests with a larger body are refused 413, like http.max_content_length or a proxy's limit. */
  maxBodyBytes = Number.POSITIVE_INFINITY;
  /**
   * When the 413 goes out: "early", on the headers, as Elasticsearch (Netty) and most proxies do —
   * the client then loses the answer while still sending; or "afterBody", once all was read.
   */
  tooLargeAnswer: "early" | "afterBody" = "early";
  /** Answers 401 to a request whose Authorization header this refuses. */
  acceptsAuthorization: (header: string) => boolean = () => true;
  /** Body sizes of the requests answered 413. */
  readonly refusedSizes: number[] = [];
  /** Every request read to the end, in order. */
  readonly wire: WireRequest[] = [];
  /**
   * Elasticsearch's write thread pool: a bulk request holds one of `threads` for `serviceMs`, waits
   * in a queue of `queue` when none is free, and has every item refused 429
   * (es_rejected_execution_exception) when the queue is full too. Undefined: unbounded, instant.
   */
  writePool?: { threads: number; queue: number; serviceMs: number };
  /** Requests whose items the write pool refused. */
  poolRejections = 0;
  /** The most requests handled at once. */
  mostInProgress = 0;
  private inProgress = 0;
  private poolAdmitted = 0;
  private poolBusy = 0;
  private readonly poolWaiting: Array<() => void> = [];

  /**
   * Back to an empty, well-behaved node between tests. Waits first for any request still being
   * handled: a slow answer an earlier test's client gave up on still writes when it completes.
   */
  /** `_search` requests with an `ids` query: the index searched and the ids asked for. */
  readonly searches: Array<{ index: string; ids: string[] }> = [];
  /** The status `_search` answers with (403: a credential without `read`). */
  searchStatus = 200;

  /**
   * A data stream's rollover: what `index` holds moves to a backing index of its own, which a
   * search of `index` still reads, and `create` of the same id in `index` no longer answers 409.
   */
  rollOver(index: string): void {
    const documents = this.stored.get(index);
    if (!documents) return;
    this.stored.set(`${index}#${this.stored.size}`, documents);
    this.stored.delete(index);
  }

  private async answerSearch(index: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const query = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { query?: { ids?: { values?: string[] } } };
    const ids = query.query?.ids?.values ?? [];
    this.searches.push({ index, ids });
    if (this.searchStatus !== 200) {
      send(response, this.searchStatus, {
        error: { type: "security_exception", reason: "action [indices:data/read/search] is unauthorized" },
        status: this.searchStatus,
      });
      return;
    }
    const held = ids.filter((id) =>
      [...this.stored.entries()].some(
        ([name, documents]) => (name === index || name.startsWith(`${index}#`)) && documents.has(id),
      ),
    );
    send(response, 200, { hits: { hits: held.map((id) => ({ _id: id })) } });
  }

  async reset(): Promise<void> {
    await this.settled();
    this.searches.length = 0;
    this.searchStatus = 200;
    this.stored.clear();
    this.requests = 0;
    this.itemAttempts = 0;
    this.authorizations = [];
    this.requestBehaviour = () => ({ kind: "normal" });
    this.itemBehaviour = () => undefined;
    this.maxBodyBytes = Number.POSITIVE_INFINITY;
    this.tooLargeAnswer = "early";
    this.acceptsAuthorization = () => true;
    this.refusedSizes.length = 0;
    this.wire.length = 0;
    this.writePool = undefined;
    this.poolRejections = 0;
    this.mostInProgress = 0;
  }

  /** Resolves when no request is being handled (a slow answer the client gave up on included). */
  async settled(): Promise<void> {
    while (this.inProgress > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  documents(index: string): Record<string, unknown>[] {
    return [...(this.stored.get(index)?.values() ?? [])];
  }

  ids(index: string): string[] {
    return [...(this.stored.get(index)?.keys() ?? [])];
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.inProgress += 1;
    this.mostInProgress = Math.max(this.mostInProgress, this.inProgress);
    try {
      await this.answer(request, response);
    } finally {
      this.inProgress -= 1;
    }
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const search = /^\/([^/?]+)\/_search/.exec(request.url ?? "");
    if (request.method === "POST" && search) {
      await this.answerSearch(decodeURIComponent(search[1] ?? ""), request, response);
      return;
    }
    if (request.method !== "POST" || !request.url?.startsWith("/_bulk")) {
      request.resume();
      send(response, 404, { error: { type: "not_found", reason: `${request.method} ${request.url}` } });
      return;
    }
    this.requests += 1;
    const behaviour = this.requestBehaviour(this.requests);
    const announced = Number(request.headers["content-length"] ?? 0);
    const contentEncoding = request.headers["content-encoding"];
    // A compressed body's length says nothing of its size: Elasticsearch decompresses before its
    // http.max_content_length check (Netty's decompressor drops Content-Length), so no early 413.
    const early = this.tooLargeAnswer === "early" && contentEncoding === undefined && announced > this.maxBodyBytes;
    if (behaviour.kind === "earlyTooLarge" || early) {
      this.refusedSizes.push(announced);
      send(response, 413, {
        error: {
          type: "content_too_long_exception",
          reason: `request body of ${announced} bytes is larger than ${this.maxBodyBytes}`,
        },
        status: 413,
      });
      request.resume(); // read and drop the rest, as Netty does
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received = Buffer.concat(chunks);
    if (contentEncoding !== undefined && contentEncoding !== "gzip") {
      send(response, 400, { error: { type: "fake", reason: `unexpected content-encoding ${contentEncoding}` } });
      return;
    }
    const decoded = contentEncoding === "gzip" ? gunzipSync(received) : received;
    const acceptEncoding = request.headers["accept-encoding"];
    const compressAnswer = acceptEncoding?.includes("gzip") ?? false;
    const wire: WireRequest = {
      contentEncoding,
      acceptEncoding,
      wireBytes: received.length,
      bodyBytes: decoded.length,
      answerWireBytes: 0,
    };
    this.wire.push(wire);
    const reply = (status: number, body: unknown): void => {
      wire.answerWireBytes = send(response, status, body, compressAnswer);
    };
    this.authorizations.push(request.headers.authorization ?? "");
    if (!this.acceptsAuthorization(request.headers.authorization ?? "")) {
      return reply(401, {
        error: { type: "security_exception", reason: "unable to authenticate with provided credentials" },
        status: 401,
      });
    }
    const size = decoded.length;
    if (size > this.maxBodyBytes) {
      this.refusedSizes.push(size);
      return reply(413, {
        error: {
          type: "content_too_long_exception",
          reason: `request body of ${size} bytes is larger than ${this.maxBodyBytes}`,
        },
        status: 413,
      });
    }
    if (behaviour.kind === "reset") {
      request.socket.destroy();
      return;
    }
    if (behaviour.kind === "status") {
      return reply(
        behaviour.status,
        behaviour.body ?? { error: { type: "fake", reason: `scripted ${behaviour.status}` }, status: behaviour.status },
      );
    }
    if (behaviour.kind === "delay") await new Promise((resolve) => setTimeout(resolve, behaviour.ms));
    if (this.writePool) {
      const { threads, queue, serviceMs } = this.writePool;
      if (this.poolAdmitted >= threads + queue) {
        this.poolRejections += 1;
        return reply(200, { took: 1, errors: true, items: rejectedByPool(decoded, threads, queue) });
      }
      this.poolAdmitted += 1;
      try {
        if (this.poolBusy >= threads) await new Promise<void>((resolve) => this.poolWaiting.push(resolve));
        else this.poolBusy += 1;
        await new Promise((resolve) => setTimeout(resolve, serviceMs));
      } finally {
        this.poolAdmitted -= 1;
        // The thread goes to the next queued request, or back to the pool.
        const next = this.poolWaiting.shift();
        if (next) next();
        else this.poolBusy -= 1;
      }
    }

    let lines = decoded
      .toString("utf8")
      .split("\n")
      .filter((line) => line.length > 0);
    if (behaviour.kind === "dropLast") lines = lines.slice(0, -2);
    const items: unknown[] = [];
    let errors = false;
    for (let position = 0; position < lines.length; position += 2) {
      const action = JSON.parse(lines[position] ?? "{}") as {
        create?: { _index: string; _id: string; pipeline?: string };
      };
      const source = JSON.parse(lines[position + 1] ?? "{}") as Record<string, unknown>;
      if (!action.create) throw new Error(`only create is expected, got ${lines[position]}`);
      const item: BulkItemRequest = {
        index: action.create._index,
        id: action.create._id,
        ...(action.create.pipeline === undefined ? {} : { pipeline: action.create.pipeline }),
        source,
      };
      this.itemAttempts += 1;
      const override = this.itemBehaviour(item, this.requests);
      const documents = this.stored.get(item.index) ?? new Map<string, Record<string, unknown>>();
      this.stored.set(item.index, documents);
      let result: Record<string, unknown>;
      if (override) {
        result = {
          _index: item.index,
          _id: item.id,
          status: override.status,
          error: { type: override.type, reason: override.reason },
        };
      } else if (documents.has(item.id)) {
        result = {
          _index: item.index,
          _id: item.id,
          status: 409,
          error: {
            type: "version_conflict_engine_exception",
            reason: `[${item.id}]: version conflict, document already exists`,
          },
        };
      } else {
        documents.set(item.id, source);
        result = { _index: item.index, _id: item.id, status: 201, result: "created" };
      }
      if ((result.status as number) >= 300) errors = true;
      items.push({ create: result });
    }
    if (behaviour.kind === "resetAfterIndexing") {
      request.socket.destroy();
      return;
    }
    reply(200, { took: 1, errors, items });
  }
}

/** Every item of a bulk body refused as Elasticsearch refuses them when its write queue is full. */
function rejectedByPool(body: Buffer, threads: number, queue: number): unknown[] {
  const actions = body
    .toString("utf8")
    .split("\n")
    .filter((line, position) => line.length > 0 && position % 2 === 0);
  return actions.map((line) => {
    const action = (JSON.parse(line) as { create: { _index: string; _id: string } }).create;
    return {
      create: {
        _index: action._index,
        _id: action._id,
        status: 429,
        error: {
          type: "es_rejected_execution_exception",
          reason: `rejected execution of bulk shard request on EsThreadPoolExecutor[name = write, queue capacity = ${queue}, pool size = ${threads}]`,
        },
      },
    };
  });
}

/** Answers `body` as JSON, gzip-compressed when `compress`; returns the bytes sent. */
function send(response: ServerResponse, status: number, body: unknown, compress = false): number {
  const json = Buffer.from(JSON.stringify(body));
  const payload = compress ? gzipSync(json) : json;
  response.writeHead(status, {
    "content-type": "application/json",
    // The official client refuses servers that do not say they are Elasticsearch.
    "x-elastic-product": "Elasticsearch",
    "content-length": payload.length,
    ...(compress ? { "content-encoding": "gzip" } : {}),
  });
  response.end(payload);
  return payload.length;
}
