/**
 * The benchmark's stand-ins, in their own process so they do not share the measured process's
 * JavaScript thread: an S3 endpoint that streams files from bench/data (GetObject, Range), and an
 * Elasticsearch `_bulk` endpoint that answers every item 201 at once, as a cluster does when it is
 * not the bottleneck: it decodes gzip bodies and compresses its answers when asked, as Elasticsearch
 * does with `http.compression` on, and counts the bytes that crossed the wire (`GET /_bench/wire`
 * reads and resets them). Prints its URL on stdout.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { createGunzip, gzipSync } from "node:zlib";
import { DATA_DIR } from "./data";

// What Elasticsearch answers per item under the shipper's filter_path.
const ITEM = '{"create":{"status":201}}';

/** Bytes on the wire since the last read: request bodies as sent and once decoded, answers as sent. */
const wire = { requests: 0, requestBytes: 0, decodedBytes: 0, answerBytes: 0 };

const server = createServer((request, response) => {
  if (request.method === "POST" && request.url?.startsWith("/_bulk")) {
    let newlines = 0;
    const compressed = request.headers["content-encoding"] === "gzip";
    const decoded = compressed ? request.pipe(createGunzip()) : request;
    if (compressed) request.on("data", (chunk: Buffer) => (wire.requestBytes += chunk.length));
    decoded.on("data", (chunk: Buffer) => {
      if (!compressed) wire.requestBytes += chunk.length;
      wire.decodedBytes += chunk.length;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines += 1;
    });
    decoded.on("end", () => {
      const items = Math.floor(newlines / 2);
      const json = Buffer.from(`{"took":1,"errors":false,"items":[${new Array(items).fill(ITEM).join(",")}]}`);
      const gzipAnswer = request.headers["accept-encoding"]?.includes("gzip") ?? false;
      const body = gzipAnswer ? gzipSync(json, { level: 1 }) : json;
      wire.requests += 1;
      wire.answerBytes += body.length;
      response.writeHead(200, {
        "content-type": "application/json",
        "x-elastic-product": "Elasticsearch",
        "content-length": body.length,
        ...(gzipAnswer ? { "content-encoding": "gzip" } : {}),
      });
      response.end(body);
    });
    return;
  }
  if (request.method === "GET" && request.url === "/_bench/wire") {
    const counted = JSON.stringify(wire);
    Object.assign(wire, { requests: 0, requestBytes: 0, decodedBytes: 0, answerBytes: 0 });
    response.writeHead(200, { "content-type": "application/json" }).end(counted);
    return;
  }
  if (request.method === "GET") {
    // Path style: /bucket/key — the key is a file name in bench/data.
    const key = decodeURIComponent((request.url ?? "/").split("?")[0]?.split("/").slice(2).join("/") ?? "");
    const file = path.join(DATA_DIR, path.basename(key));
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      response.writeHead(404, { "content-type": "application/xml" }).end("<Error><Code>NoSuchKey</Code></Error>");
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    const start = range ? Number(range[1]) : 0;
    response.writeHead(range ? 206 : 200, {
      "content-length": size - start,
      etag: `"${size}-bench"`,
      ...(range ? { "content-range": `bytes ${start}-${size - 1}/${size}` } : {}),
    });
    createReadStream(file, { start, highWaterMark: 1024 * 1024 }).pipe(response);
    return;
  }
  response.writeHead(400).end();
});
server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
