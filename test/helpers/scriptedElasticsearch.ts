/**
 * A local server answering Elasticsearch's REST API as a test scripts it, per `METHOD /path`
 * (`_security/_authenticate`, `_has_privileges`, `_data_stream`, `_index_template`, `_count`, …),
 * with the product header the official client insists on. Records each request's Authorization.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer } from "./loopbackServer";

export class ScriptedElasticsearch extends LoopbackServer {
  private readonly answers = new Map<string, { status: number; body: unknown }>();
  readonly authorizations: string[] = [];
  readonly requests: Array<{ route: string; body: string }> = [];

  on(route: string, status: number, body: unknown = {}): this {
    this.answers.set(route, { status, body });
    return this;
  }

  reset(): void {
    this.answers.clear();
    this.authorizations.length = 0;
    this.requests.length = 0;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const route = `${request.method ?? "GET"} ${new URL(request.url ?? "/", "http://localhost").pathname}`;
    this.requests.push({ route, body: Buffer.concat(chunks).toString() });
    this.authorizations.push(request.headers.authorization ?? "");
    const answer = this.answers.get(route) ?? {
      status: 404,
      body: { error: { type: "unscripted", reason: route }, status: 404 },
    };
    response
      .writeHead(answer.status, { "content-type": "application/json", "x-elastic-product": "Elasticsearch" })
      .end(request.method === "HEAD" ? undefined : JSON.stringify(answer.body));
  }
}
