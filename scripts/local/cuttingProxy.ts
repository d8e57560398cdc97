/**
 * An HTTP proxy that cuts the connection part-way through an object body — the "connection reset
 * by peer" that long streaming reads meet in real life — or answers late, as a busy Elasticsearch
 * node does. It forwards everything else untouched. Used by the integration tier to prove reads
 * resume with a ranged GET, and that an object Elasticsearch cannot take in one invocation continues
 * in the next, however fast the machine's own node indexes.
 */
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CuttingProxy {
  url: string;
  /** How many object bodies it cut so far. */
  cuts: () => number;
  close: () => Promise<void>;
}

export interface ProxyFaults {
  /** The first `times` GETs whose path contains `keyFragment` are cut after `afterBytes` bytes of body. */
  cut?: { keyFragment: string; afterBytes: number; times: number };
  /** Answers to requests whose path contains `pathFragment` go back `delayMs` after they arrive. */
  slowAnswers?: { pathFragment: string; delayMs: number };
}

/** Proxies `target` with `faults`. */
export async function startCuttingProxy(target: string, faults: ProxyFaults): Promise<CuttingProxy> {
  const upstream = new URL(target);
  let cuts = 0;
  const server: Server = createServer((incoming, outgoing) => {
    const proxied = forward(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        const path = incoming.url ?? "";
        const { cut: cutting, slowAnswers } = faults;
        if (slowAnswers && path.includes(slowAnswers.pathFragment)) {
          answer.pause();
          setTimeout(() => {
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
            answer.pipe(outgoing);
          }, slowAnswers.delayMs);
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        if (!cutting || incoming.method !== "GET" || !path.includes(cutting.keyFragment) || cuts >= cutting.times) {
          answer.pipe(outgoing);
          return;
        }
        cuts += 1;
        let sent = 0;
        answer.on("data", (chunk: Buffer) => {
          if (sent >= cutting.afterBytes) return;
          const room = cutting.afterBytes - sent;
          outgoing.write(chunk.length > room ? chunk.subarray(0, room) : chunk);
          sent += Math.min(chunk.length, room);
          if (sent >= cutting.afterBytes) {
            answer.destroy();
            // Give the bytes a moment to leave, then drop the client's connection mid-body.
            setTimeout(() => incoming.socket.destroy(), 20);
          }
        });
      },
    );
    proxied.on("error", () => outgoing.destroy());
    incoming.pipe(proxied);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cuts: () => cuts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
