/**
 * An HTTP proxy in front of the S3 emulator that cuts the connection part-way through an object
 * body — the "connection reset by peer" that long streaming reads meet in real life. It forwards
 * everything else untouched. Used by the integration tier to prove reads resume with a ranged GET.
 */
import { createServer, request as forward, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface CuttingProxy {
  url: string;
  /** How many object bodies it cut so far. */
  cuts: () => number;
  close: () => Promise<void>;
}

/**
 * Proxies `target`; the first `times` GETs whose path contains `keyFragment` are cut after
 * `afterBytes` bytes of body.
 */
export async function startCuttingProxy(
  target: string,
  options: { keyFragment: string; afterBytes: number; times: number },
): Promise<CuttingProxy> {
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
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        const cut =
          incoming.method === "GET" && (incoming.url ?? "").includes(options.keyFragment) && cuts < options.times;
        if (!cut) {
          answer.pipe(outgoing);
          return;
        }
        cuts += 1;
        let sent = 0;
        answer.on("data", (chunk: Buffer) => {
          if (sent >= options.afterBytes) return;
          const room = options.afterBytes - sent;
          outgoing.write(chunk.length > room ? chunk.subarray(0, room) : chunk);
          sent += Math.min(chunk.length, room);
          if (sent >= options.afterBytes) {
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
