/**
 * The benchmark's stand-ins, in their own process so they do not share the measured process's
 * JavaScript thread: an S3 endpoint that streams files from bench/data (GetObject, Range), and an
 * Elasticsearch `_bulk` endpoint that answers every item 201 at once, as a cluster does when it is
 * not the bottleneck. Prints its URL on stdout.
 */
import { createReadStream, statSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { DATA_DIR } from "./data";

// What Elasticsearch answers per item under the shipper's filter_path.
const ITEM = '{"create":{"status":201}}';

const server = createServer((request, response) => {
  if (request.method === "POST" && request.url?.startsWith("/_bulk")) {
    let newlines = 0;
    request.on("data", (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines += 1;
    });
    request.on("end", () => {
      const items = Math.floor(newlines / 2);
      const body = `{"took":1,"errors":false,"items":[${new Array(items).fill(ITEM).join(",")}]}`;
      response.writeHead(200, {
        "content-type": "application/json",
        "x-elastic-product": "Elasticsearch",
        "content-length": Buffer.byteLength(body),
      });
      response.end(body);
    });
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
