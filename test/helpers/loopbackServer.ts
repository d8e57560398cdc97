/** Base of the local fake services: an HTTP (or HTTPS) server on 127.0.0.1 with a random port. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";

export abstract class LoopbackServer {
  private server?: Server;

  /** Starts listening; returns the base URL. With `tls`, serves HTTPS with that key and certificate chain (PEM). */
  async start(tls?: { key: string; cert: string }): Promise<string> {
    const handler = (request: IncomingMessage, response: ServerResponse) => void this.handle(request, response);
    this.server = tls ? createTlsServer(tls, handler) : createServer(handler);
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    const { port } = this.server.address() as AddressInfo;
    return `${tls ? "https" : "http"}://127.0.0.1:${port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  protected abstract handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
}
