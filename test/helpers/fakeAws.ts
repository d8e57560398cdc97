/**
 * A local HTTP server answering the few AWS calls the shipper makes, on the real wire protocols the
 * SDK speaks: S3 GetObject (path style, Range, If-Match, a connection cut on demand), SSM
 * GetParameter (JSON 1.1) and SQS SendMessage / ChangeMessageVisibility (JSON 1.0).
 * Unit tier only; the integration tier uses moto.
 */
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer } from "./loopbackServer";

export interface StoredObject {
  body: Buffer;
  eTag: string;
  versionId?: string;
}

export class FakeAws extends LoopbackServer {
  readonly objects = new Map<string, StoredObject>();
  readonly parameters = new Map<string, string>();
  readonly sentMessages: Array<{ queueUrl: string; body: string }> = [];
  readonly visibilityChanges: Array<{ receiptHandle: string; visibilityTimeout: number }> = [];
  readonly getObjectRanges: Array<string | undefined> = [];
  parameterReads = 0;
  /** Cut the connection after this many body bytes of the next GetObject (once). */
  cutNextGetObjectAfter?: number;
  failSendMessage = false;

  putObject(bucket: string, key: string, body: Buffer | string, versionId?: string): StoredObject {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const stored = { body: bytes, eTag: `"${createHash("md5").update(bytes).digest("hex")}"`, ...(versionId ? { versionId } : {}) };
    this.objects.set(`${bucket}/${key}`, stored);
    return stored;
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = request.headers["x-amz-target"];
    if (typeof target === "string") return this.handleJson(target, JSON.parse(Buffer.concat(chunks).toString() || "{}") as Record<string, unknown>, response);
    if (request.method === "GET") return this.getObject(request, response);
    response.writeHead(400).end();
  }

  private getObject(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = decodeURIComponent(url.pathname.slice(1));
    const stored = this.objects.get(path);
    this.getObjectRanges.push(request.headers.range);
    if (!stored) return xmlError(response, 404, "NoSuchKey", "The specified key does not exist.");
    const ifMatch = request.headers["if-match"];
    if (ifMatch && ifMatch !== stored.eTag) return xmlError(response, 412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    if (range) start = Number(range[1]);
    if (start > 0 && start >= stored.body.length) return xmlError(response, 416, "InvalidRange", "The requested range is not satisfiable");
    const body = stored.body.subarray(start);
    response.writeHead(range ? 206 : 200, {
      "content-length": body.length,
      etag: stored.eTag,
      ...(stored.versionId ? { "x-amz-version-id": stored.versionId } : {}),
      ...(range ? { "content-range": `bytes ${start}-${stored.body.length - 1}/${stored.body.length}` } : {}),
    });
    const cut = this.cutNextGetObjectAfter;
    if (cut !== undefined && cut < body.length) {
      this.cutNextGetObjectAfter = undefined;
      response.write(body.subarray(0, cut), () => setTimeout(() => request.socket.destroy(), 10));
      return;
    }
    response.end(body);
  }

  private handleJson(target: string, input: Record<string, unknown>, response: ServerResponse): void {
    const reply = (body: unknown, status = 200): void => {
      response.writeHead(status, { "content-type": "application/x-amz-json-1.0" });
      response.end(JSON.stringify(body));
    };
    switch (target) {
      case "AmazonSSM.GetParameter": {
        this.parameterReads += 1;
        const name = String(input.Name);
        const value = this.parameters.get(name);
        if (value === undefined) return reply({ __type: "ParameterNotFound", message: name }, 400);
        return reply({ Parameter: { Name: name, Type: "SecureString", Value: value, Version: 1 } });
      }
      case "AmazonSQS.SendMessage":
        if (this.failSendMessage) return reply({ __type: "com.amazonaws.sqs#InternalError", message: "scripted failure" }, 500);
        this.sentMessages.push({ queueUrl: String(input.QueueUrl), body: String(input.MessageBody) });
        return reply({ MessageId: `m-${this.sentMessages.length}`, MD5OfMessageBody: createHash("md5").update(String(input.MessageBody)).digest("hex") });
      case "AmazonSQS.ChangeMessageVisibility":
        this.visibilityChanges.push({ receiptHandle: String(input.ReceiptHandle), visibilityTimeout: Number(input.VisibilityTimeout) });
        return reply({});
      default:
        return reply({ __type: "UnknownOperationException", message: target }, 400);
    }
  }
}

function xmlError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { "content-type": "application/xml" });
  response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}
