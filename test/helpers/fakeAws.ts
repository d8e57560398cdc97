/**
 * A local HTTP server answering the AWS calls the shipper makes, on the real wire protocols the
 * SDK speaks: S3 GetObject (path style, versions — `"null"` ones included —, Range, If-Match,
 * scripted faults: 5xx, access denied, a cut, a stall, a short answer), SSM GetParameter (JSON 1.1)
 * and SQS SendMessage / ChangeMessageVisibility (JSON 1.0), recorded here or handed to an
 * `SqsSimulator`. Unit and fault tiers; the integration tier uses moto.
 */
import { createHash, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { environmentVariables } from "../../lambda/contract/env";
import { LoopbackServer } from "./loopbackServer";
import type { SqsSimulator } from "./sqsSimulator";

export interface StoredObject {
  body: Buffer;
  eTag: string;
  versionId?: string;
}

/** Bucket versioning: off (no version ids), enabled (a new id per write) or suspended (id "null"). */
export type Versioning = "off" | "enabled" | "suspended";

/** What the server does with one GetObject instead of answering normally. */
export type S3Fault =
  | { kind: "status"; status: number; code: string }
  /** Sends this many body bytes, then destroys the connection. */
  | { kind: "cut"; afterBytes: number }
  /** Sends this many body bytes, then sends nothing more and keeps the connection open. */
  | { kind: "stall"; afterBytes: number }
  /** Sends this many body bytes with chunked encoding and ends the response cleanly, short. */
  | { kind: "short"; afterBytes: number };

export interface GetObjectRequest {
  bucket: string;
  key: string;
  versionId?: string;
  range?: string;
  ifMatch?: string;
  /** The access key the request was signed with (an assumed role's, when the function reads through one). */
  accessKeyId?: string;
}

export class FakeAws extends LoopbackServer {
  /** Current object per `bucket/key`. */
  readonly objects = new Map<string, StoredObject>();
  /** Every version written with an id, per `bucket/key#versionId`. */
  private readonly versions = new Map<string, StoredObject>();
  private readonly versioning = new Map<string, Versioning>();
  /** Keys whose GetObject is refused: the status, code and message S3 answers with. */
  private readonly denied = new Map<string, { status: number; code: string; message: string }>();
  readonly parameters = new Map<string, string>();
  readonly sentMessages: Array<{ queueUrl: string; body: string }> = [];
  readonly visibilityChanges: Array<{ receiptHandle: string; visibilityTimeout: number }> = [];
  readonly getObjectRequests: GetObjectRequest[] = [];
  parameterReads = 0;
  /** STS AssumeRole calls, in order. */
  readonly assumeRoleCalls: Array<{ roleArn: string; sessionName: string }> = [];
  /** How long credentials STS hands out stay valid; under 5 min the SDK refreshes them for every request. */
  assumedCredentialsLifetimeMs = 3_600_000;
  /** When set, AssumeRole call `number` (from 1) is refused with this code and status. */
  stsFault: (number: number) => { status: number; code: string } | undefined = () => undefined;
  /** Per GetObject (numbered from 1): a fault, or undefined to answer normally. */
  s3Fault: (request: GetObjectRequest, number: number) => S3Fault | undefined = () => undefined;
  failSendMessage = false;
  /** When set, SQS calls go to this simulated queue instead of being recorded. */
  sqs?: SqsSimulator;
  private readonly stalled = new Set<ServerResponse>();

  /** Back to no objects, no faults and nothing recorded (parameters stay). */
  resetS3(): void {
    this.objects.clear();
    this.versions.clear();
    this.versioning.clear();
    this.denied.clear();
    this.getObjectRequests.length = 0;
    this.s3Fault = () => undefined;
    this.assumeRoleCalls.length = 0;
    this.assumedCredentialsLifetimeMs = 3_600_000;
    this.stsFault = () => undefined;
    this.releaseStalls();
  }

  /** Ends every stalled GetObject answer: the reader sees a broken connection. */
  releaseStalls(): void {
    for (const response of this.stalled) response.destroy();
    this.stalled.clear();
  }

  setVersioning(bucket: string, versioning: Versioning): void {
    this.versioning.set(bucket, versioning);
  }

  /** Stores an object as S3 does under the bucket's versioning (or with an explicit version id). */
  putObject(bucket: string, key: string, body: Buffer | string, versionId?: string): StoredObject {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    const versioning = this.versioning.get(bucket) ?? "off";
    const id =
      versionId ??
      (versioning === "enabled" ? randomUUID().replace(/-/g, "") : versioning === "suspended" ? "null" : undefined);
    const stored: StoredObject = {
      body: bytes,
      eTag: `"${createHash("md5").update(bytes).digest("hex")}"`,
      ...(id ? { versionId: id } : {}),
    };
    this.objects.set(`${bucket}/${key}`, stored);
    if (id) this.versions.set(`${bucket}/${key}#${id}`, stored);
    return stored;
  }

  deleteObject(bucket: string, key: string): void {
    this.objects.delete(`${bucket}/${key}`);
  }

  /** GetObject on this key is refused, by default as a bucket policy the role lacks does (403 AccessDenied). */
  deny(bucket: string, key: string, refusal = { status: 403, code: "AccessDenied", message: "Access Denied" }): void {
    this.denied.set(`${bucket}/${key}`, refusal);
  }

  override async stop(): Promise<void> {
    for (const response of this.stalled) response.destroy();
    await super.stop();
  }

  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = request.headers["x-amz-target"];
    if (typeof target === "string")
      return this.handleJson(
        target,
        JSON.parse(Buffer.concat(chunks).toString() || "{}") as Record<string, unknown>,
        response,
      );
    if (request.method === "GET") return this.getObject(request, response);
    const form = new URLSearchParams(Buffer.concat(chunks).toString());
    if (request.method === "POST" && form.get("Action") === "AssumeRole") return this.assumeRole(form, response);
    response.writeHead(400).end();
  }

  /** STS AssumeRole (query protocol): a fresh access key per call, `ASIAFAKE<n>`. */
  private assumeRole(form: URLSearchParams, response: ServerResponse): void {
    this.assumeRoleCalls.push({ roleArn: form.get("RoleArn") ?? "", sessionName: form.get("RoleSessionName") ?? "" });
    const number = this.assumeRoleCalls.length;
    const fault = this.stsFault(number);
    if (fault) return xmlError(response, fault.status, fault.code, `scripted ${fault.code}`);
    const expiration = new Date(Date.now() + this.assumedCredentialsLifetimeMs).toISOString();
    response.writeHead(200, { "content-type": "text/xml" });
    response.end(
      `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>ASIAFAKE${number}</AccessKeyId><SecretAccessKey>secret-${number}</SecretAccessKey><SessionToken>token-${number}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><AssumedRoleId>AROAFAKE:${form.get("RoleSessionName")}</AssumedRoleId><Arn>${form.get("RoleArn")}</Arn></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></AssumeRoleResponse>`,
    );
  }

  private getObject(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", "http://localhost");
    const path = decodeURIComponent(url.pathname.slice(1));
    const slash = path.indexOf("/");
    const versionId = url.searchParams.get("versionId") ?? undefined;
    const ifMatch = request.headers["if-match"];
    const described: GetObjectRequest = {
      bucket: path.slice(0, slash),
      key: path.slice(slash + 1),
      ...(versionId ? { versionId } : {}),
      ...(request.headers.range ? { range: request.headers.range } : {}),
      ...(ifMatch ? { ifMatch } : {}),
      ...(accessKeyOf(request) ? { accessKeyId: accessKeyOf(request) } : {}),
    };
    this.getObjectRequests.push(described);
    const refusal = this.denied.get(path);
    if (refusal) return xmlError(response, refusal.status, refusal.code, refusal.message);
    const fault = this.s3Fault(described, this.getObjectRequests.length);
    if (fault?.kind === "status") return xmlError(response, fault.status, fault.code, `scripted ${fault.code}`);
    const stored = versionId ? this.versions.get(`${path}#${versionId}`) : this.objects.get(path);
    if (!stored)
      return versionId
        ? xmlError(response, 404, "NoSuchVersion", "The specified version does not exist.")
        : xmlError(response, 404, "NoSuchKey", "The specified key does not exist.");
    if (ifMatch && ifMatch !== stored.eTag)
      return xmlError(
        response,
        412,
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
      );
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? "");
    if (range) start = Number(range[1]);
    if (start > 0 && start >= stored.body.length)
      return xmlError(response, 416, "InvalidRange", "The requested range is not satisfiable");
    const body = stored.body.subarray(start);
    const headers = {
      etag: stored.eTag,
      ...(stored.versionId ? { "x-amz-version-id": stored.versionId } : {}),
      ...(range ? { "content-range": `bytes ${start}-${stored.body.length - 1}/${stored.body.length}` } : {}),
    };
    if (fault?.kind === "short" && fault.afterBytes < body.length) {
      // A proxy that ends a chunked answer early: no error on the wire, just fewer bytes.
      response.writeHead(range ? 206 : 200, headers);
      response.end(body.subarray(0, fault.afterBytes));
      return;
    }
    response.writeHead(range ? 206 : 200, { ...headers, "content-length": body.length });
    if (fault?.kind === "stall" && fault.afterBytes < body.length) {
      this.stalled.add(response);
      response.write(body.subarray(0, fault.afterBytes));
      response.on("close", () => this.stalled.delete(response));
      return;
    }
    if (fault?.kind === "cut" && fault.afterBytes < body.length) {
      response.write(body.subarray(0, fault.afterBytes), () => setTimeout(() => request.socket.destroy(), 10));
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
      case "AmazonSQS.SendMessage": {
        if (this.failSendMessage)
          return reply({ __type: "com.amazonaws.sqs#InternalError", message: "scripted failure" }, 500);
        const body = String(input.MessageBody);
        const id = this.sqs ? this.sqs.send(String(input.QueueUrl), body) : `m-${this.sentMessages.length + 1}`;
        if (!this.sqs) this.sentMessages.push({ queueUrl: String(input.QueueUrl), body });
        return reply({ MessageId: id, MD5OfMessageBody: createHash("md5").update(body).digest("hex") });
      }
      case "AmazonSQS.ChangeMessageVisibility": {
        const receiptHandle = String(input.ReceiptHandle);
        const visibilityTimeout = Number(input.VisibilityTimeout);
        if (this.sqs) {
          const refusal = this.sqs.changeVisibility(receiptHandle, visibilityTimeout);
          if (refusal) return reply({ __type: `com.amazonaws.sqs#${refusal}`, message: refusal }, 400);
          return reply({});
        }
        this.visibilityChanges.push({ receiptHandle, visibilityTimeout });
        return reply({});
      }
      default:
        return reply({ __type: "UnknownOperationException", message: target }, 400);
    }
  }
}

/** The access key id in a SigV4 Authorization header (`Credential=AKID/date/region/service/aws4_request`). */
function accessKeyOf(request: IncomingMessage): string | undefined {
  return /Credential=([^/]+)\//.exec(String(request.headers.authorization ?? ""))?.[1];
}

function xmlError(response: ServerResponse, status: number, code: string, message: string): void {
  response.writeHead(status, { "content-type": "application/xml" });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}

/** The function's environment for the AWS APIs of a fake at `url`: region, endpoints, path-style S3, keys. */
export function fakeAwsEnvironment(url: string): Record<string, string> {
  return {
    ...environmentVariables({
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL_S3: url,
      AWS_ENDPOINT_URL_SQS: url,
      AWS_ENDPOINT_URL_SSM: url,
      AWS_ENDPOINT_URL_STS: url,
      S3_FORCE_PATH_STYLE: "true",
    }),
    AWS_ACCESS_KEY_ID: "fake",
    AWS_SECRET_ACCESS_KEY: "fake",
  };
}
