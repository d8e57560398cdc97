/**
 * A local server answering the AWS calls `s3ls doctor` and `s3ls trace` make, on each service's
 * real wire protocol (JSON 1.0/1.1 by X-Amz-Target, S3's and Lambda's REST paths, SNS's query
 * protocol), with answers a test scripts per operation. An operation nobody scripted answers 501
 * and is recorded in `unscripted`, so a test sees a call it did not expect.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer } from "./loopbackServer";

export interface ScriptedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** JSON protocols: the parsed body; query protocol: the form fields. */
  body: Record<string, unknown>;
}

export interface ScriptedAnswer {
  status?: number;
  /** An object is sent as JSON; a string as it is (XML for S3 and SNS). */
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (request: ScriptedRequest) => ScriptedAnswer;

export const S3_XMLNS = 'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"';

export class ScriptedAws extends LoopbackServer {
  private readonly handlers = new Map<string, Handler>();
  readonly calls: string[] = [];
  readonly unscripted: string[] = [];

  /** Scripts an operation, by the name `operationOf` gives it (e.g. `AmazonSQS.GetQueueAttributes`, `s3:GetBucketEncryption`). */
  on(operation: string, answer: ScriptedAnswer | Handler): this {
    this.handlers.set(operation, typeof answer === "function" ? answer : () => answer);
    return this;
  }

  reset(): void {
    this.handlers.clear();
    this.calls.length = 0;
    this.unscripted.length = 0;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const url = new URL(request.url ?? "/", "http://localhost");
    const target = request.headers["x-amz-target"];
    const form = typeof target === "string" ? undefined : new URLSearchParams(text);
    const operation =
      typeof target === "string"
        ? target
        : form?.get("Action")
          ? `query:${form.get("Action")}`
          : restOperation(request.method ?? "GET", url);
    this.calls.push(operation);
    const handler = this.handlers.get(operation);
    if (!handler) {
      this.unscripted.push(operation);
      response.writeHead(501).end();
      return;
    }
    const answer = handler({
      method: request.method ?? "GET",
      path: url.pathname,
      query: url.searchParams,
      body:
        typeof target === "string"
          ? (JSON.parse(text || "{}") as Record<string, unknown>)
          : Object.fromEntries(form ?? []),
    });
    const body =
      answer.body === undefined ? "" : typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
    const contentType = typeof answer.body === "string" ? "application/xml" : "application/x-amz-json-1.1";
    response.writeHead(answer.status ?? 200, { "content-type": contentType, ...answer.headers }).end(body);
  }
}

/** S3 (path style) and Lambda's REST operations, by method and path. */
function restOperation(method: string, url: URL): string {
  if (url.pathname.startsWith("/2015-03-31/event-source-mappings")) return "lambda:ListEventSourceMappings";
  const [, bucket = "", ...key] = url.pathname.split("/");
  if (key.length > 0 && key.join("/") !== "") return method === "HEAD" ? "s3:HeadObject" : "s3:GetObject";
  if (url.searchParams.has("notification")) return "s3:GetBucketNotificationConfiguration";
  if (url.searchParams.has("encryption")) return "s3:GetBucketEncryption";
  if (url.searchParams.get("list-type") === "2") return "s3:ListObjectsV2";
  return `s3:${method} ${bucket}`;
}

/** An AWS JSON-protocol error answer (`__type` is what the SDK reads the error's name from). */
export function jsonError(status: number, type: string, message = type): ScriptedAnswer {
  return { status, body: { __type: type, message }, headers: { "x-amzn-errortype": type } };
}

/** An S3 REST-XML error answer. */
export function s3Error(status: number, code: string, message = code): ScriptedAnswer {
  return { status, body: `<Error><Code>${code}</Code><Message>${message}</Message></Error>` };
}
