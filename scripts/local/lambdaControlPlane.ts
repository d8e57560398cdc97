/**
 * The local stack's stand-in for Lambda's event source mapping API (ListEventSourceMappings,
 * GetEventSourceMapping, UpdateEventSourceMapping on Lambda's REST paths), so that `s3ls doctor`
 * reads, and an operator disables, the mappings the local function hosts run. Not moto's: moto's
 * Lambda runs an enabled SQS mapping itself on every SendMessage (it receives the message to
 * invoke the function, in Docker), which would take messages from the local poller. A disabled
 * mapping stops its poller, as a disabled mapping stops Lambda reading the queue. Test equipment.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalMapping {
  uuid: string;
  functionName: string;
  functionArn: string;
  eventSourceArn: string;
  batchSize: number;
  enabled: boolean;
}

const PATH = /^\/2015-03-31\/event-source-mappings\/?([^/?]*)$/;

export class LambdaControlPlane {
  private server?: Server;

  constructor(readonly mappings: LocalMapping[]) {}

  /** Starts answering; returns the endpoint for a Lambda client. */
  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.server.unref(); // the tests end with their function hosts; this must not keep them alive
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? "/", "http://localhost");
    const match = PATH.exec(url.pathname);
    const send = (status: number, body: unknown): void => {
      response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
    };
    if (!match) return send(404, { Type: "User", Message: `no route ${request.method} ${url.pathname}` });
    const uuid = match[1];
    if (!uuid) {
      const functionName = url.searchParams.get("FunctionName");
      const source = url.searchParams.get("EventSourceArn");
      const listed = this.mappings.filter(
        (mapping) =>
          (!functionName || functionName === mapping.functionName || functionName === mapping.functionArn) &&
          (!source || source === mapping.eventSourceArn),
      );
      return send(200, { EventSourceMappings: listed.map(described) });
    }
    const mapping = this.mappings.find((candidate) => candidate.uuid === uuid);
    if (!mapping) return send(404, { Type: "User", Message: `The resource you requested does not exist. (${uuid})` });
    if (request.method === "PUT") {
      const update = JSON.parse(Buffer.concat(chunks).toString() || "{}") as { Enabled?: boolean; BatchSize?: number };
      if (update.Enabled !== undefined) mapping.enabled = update.Enabled;
      if (update.BatchSize !== undefined) mapping.batchSize = update.BatchSize;
      return send(202, described(mapping));
    }
    return send(200, described(mapping));
  }
}

function described(mapping: LocalMapping) {
  return {
    UUID: mapping.uuid,
    FunctionArn: mapping.functionArn,
    EventSourceArn: mapping.eventSourceArn,
    BatchSize: mapping.batchSize,
    State: mapping.enabled ? "Enabled" : "Disabled",
  };
}
