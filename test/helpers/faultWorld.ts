/**
 * The fault tier's world: the real handler, configured through the same `functionEnvironment` the
 * program deploys, behind a simulated SQS queue (receive counts, paced visibility, DLQ, retention,
 * continuations fed back), against a local S3 and an Elasticsearch stand-in whose answers are
 * scripted. A scenario notifies objects, drives the queue until it is empty, and checks per line:
 * indexed exactly once, or its message is in the DLQ with a reason naming the object.
 */
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { expect, vi } from "vitest";
import { validateConfig } from "../../pipeline/validation/config";
import { environmentVariables, type EnvironmentValues } from "../../lambda/contract/env";
import { functionEnvironment } from "../../pipeline/function/functionEnvironment";
import { DEAD_LETTER_RETENTION_SECONDS, QUEUE_RETENTION_SECONDS } from "../../pipeline/validation/messageLifetime";
import { eventBridgeEvent, lambdaContext, s3FormEncoded, s3Notification, s3Record, snsWrapped } from "./events";
import { FakeAws, fakeAwsEnvironment } from "./fakeAws";
import { FakeElasticsearch } from "./fakeElasticsearch";
import { SqsSimulator, type DriveResult } from "./sqsSimulator";

export const BUCKET = "acme-fault-logs";
export const INDEX = "logs-fault-default";
export const DEAD_LETTER_INDEX = "logs-shipper-failed";
const PARAMETER = "/s3-log-shipper/fault/elasticsearch";
const QUEUE_URL = "http://127.0.0.1/123456789012/s3-log-shipper-fault";
export const CREDENTIALS = { username: "shipper", password: "fault-tier-password-7f3a" };

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** One JSON log line the function wrote. */
export type LogLine = Record<string, unknown> & { level?: string; message?: string };

export interface ScenarioOptions {
  /** Producer settings as in stack config (name, bucket and index are set). */
  producer?: Record<string, unknown>;
  /** Lambda's remaining time at the start of each invocation. */
  contextMs?: number;
  batchSize?: number;
  /** Extra function environment (tuning the function accepts, e.g. smaller bulk requests). */
  /** Run-time settings beyond what the program deploys, by the function's own variable names. */
  environment?: EnvironmentValues;
}

/** Every environment key a scenario set, so the next one starts clean. */
const scenarioKeys = new Set<string>();

export class FaultWorld {
  readonly aws = new FakeAws();
  readonly elasticsearch = new FakeElasticsearch();
  private awsUrl = "";
  private esUrl = "";

  async start(): Promise<void> {
    this.awsUrl = await this.aws.start();
    this.esUrl = await this.elasticsearch.start();
  }

  async stop(): Promise<void> {
    await this.aws.stop();
    await this.elasticsearch.stop();
  }

  /**
   * A scenario in which one invocation cannot ship an object whole: 3 s of Lambda time and an
   * Elasticsearch that answers each request of `documentsPerRequest` after `delayMs` — objects
   * pause and continue.
   */
  async slowScenario(
    options: ScenarioOptions & { documentsPerRequest?: number; delayMs?: number } = {},
  ): Promise<Scenario> {
    const { documentsPerRequest = 500, delayMs = 250, ...rest } = options;
    const scenario = await this.scenario({
      contextMs: 3_000,
      ...rest,
      environment: { ES_BULK_MAX_DOCUMENTS: documentsPerRequest, ...rest.environment },
    });
    this.elasticsearch.requestBehaviour = () => ({ kind: "delay", ms: delayMs });
    return scenario;
  }

  /** A new scenario: fresh S3, Elasticsearch and queue, and a fresh function (a cold start). */
  async scenario(options: ScenarioOptions = {}): Promise<Scenario> {
    this.aws.resetS3();
    await this.elasticsearch.reset();
    this.aws.parameters.set(PARAMETER, JSON.stringify(CREDENTIALS));
    const { producers, elasticsearch } = validateConfig({
      elasticsearch: {
        endpoint: this.esUrl,
        allowInsecureHttp: true,
        requestTimeoutSeconds: 2,
        vault: { mount: "secret", path: "fault" },
        manageIndices: false,
      },
      producers: [{ name: "fault", bucket: BUCKET, index: INDEX, format: "ndjson", ...options.producer }],
    });
    const producer = producers[0];
    if (!producer) throw new Error("no producer");
    const deployed = functionEnvironment({ producer, elasticsearch, parameterName: PARAMETER, queueUrl: QUEUE_URL });
    delete deployed.NODE_OPTIONS; // V8 flags for the deployed function, not for this test process
    const environment: Record<string, string> = {
      ...deployed,
      ...fakeAwsEnvironment(this.awsUrl),
      ...environmentVariables({ ...options.environment }),
      POWERTOOLS_LOG_LEVEL: "INFO",
    };
    for (const key of scenarioKeys) delete process.env[key];
    for (const [key, value] of Object.entries(environment)) {
      scenarioKeys.add(key);
      process.env[key] = value;
    }
    const sqs = new SqsSimulator({
      queueUrl: QUEUE_URL,
      visibilityTimeoutSeconds: producer.visibilityTimeoutSeconds,
      maxReceiveCount: producer.maxReceiveCount,
      retentionSeconds: QUEUE_RETENTION_SECONDS,
      deadLetterRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS,
    });
    this.aws.sqs = sqs;
    // A fresh module graph: the handler's runtime, logger and metrics are per container.
    vi.resetModules();
    const { handler } = (await import("../../lambda/handler.js")) as { handler: Handler };
    return new Scenario(this, sqs, handler, options);
  }
}

export class Scenario {
  readonly logs: LogLine[] = [];
  /** Everything the function wrote, to check what must never appear in it. */
  output = "";
  readonly contextMs: number;

  constructor(
    readonly world: FaultWorld,
    readonly sqs: SqsSimulator,
    private readonly handler: Handler,
    private readonly options: ScenarioOptions,
  ) {
    this.contextMs = options.contextMs ?? 5_000;
  }

  /** Stores an object in the scenario's bucket and sends its notification, as S3 would. */
  putAndNotify(key: string, body: Buffer | string): void {
    this.world.aws.putObject(BUCKET, key, body);
    this.notify(key);
  }

  /** Sends the S3 notification of objects already put, as S3 would (one message, one record each). */
  notify(...keys: Array<string | { key: string; versionId?: string; eTag?: string }>): string[] {
    return keys.map((entry) => {
      const { key, ...rest } = typeof entry === "string" ? { key: entry } : entry;
      const stored = this.world.aws.objects.get(`${BUCKET}/${key}`);
      const eTag = rest.eTag ?? stored?.eTag.replace(/"/g, "");
      const versionId = rest.versionId ?? stored?.versionId;
      return this.send(
        s3Notification(
          s3Record(BUCKET, encodeURIComponent(key).replace(/%2F/g, "/"), {
            ...(eTag ? { eTag } : {}),
            ...(versionId ? { versionId } : {}),
            size: stored?.body.length ?? 0,
          }),
        ),
      );
    });
  }

  /**
   * Sends the notification of an object already put through one of S3's routes to a queue: the
   * bucket's own notification (key form-encoded), the same wrapped by SNS, or an EventBridge event
   * (key as it is).
   */
  notifyThrough(route: "bucket" | "sns" | "eventbridge", key: string): string {
    const stored = this.world.aws.objects.get(`${BUCKET}/${key}`);
    if (!stored) throw new Error(`no object ${key} in ${BUCKET}`);
    const eTag = stored.eTag.replace(/"/g, "");
    if (route === "eventbridge")
      return this.send(
        eventBridgeEvent(BUCKET, key, "Object Created", {
          size: stored.body.length,
          etag: eTag,
          versionId: stored.versionId ?? null,
        }),
      );
    const notification = s3Notification(
      s3Record(BUCKET, s3FormEncoded(key), {
        eTag,
        size: stored.body.length,
        ...(stored.versionId ? { versionId: stored.versionId } : {}),
      }),
    );
    return this.send(route === "sns" ? snsWrapped(notification) : notification);
  }

  /** Sends any body to the queue. */
  send(body: string): string {
    return this.sqs.send(this.sqs.settings.queueUrl, body);
  }

  /**
   * Drives the queue until it is empty (or for `maxInvocations`, leaving the rest); every invocation
   * must end before Lambda's timeout, no message may expire, and no log may hold the password.
   */
  async run(maxInvocations?: number): Promise<DriveResult> {
    const restore = this.capture();
    let result: DriveResult;
    try {
      result = await this.sqs.drive(this.handler, {
        batchSize: this.options.batchSize ?? 10,
        context: () => lambdaContext(this.contextMs),
        maxInvocations: maxInvocations ?? 200,
      });
    } finally {
      restore();
    }
    if (maxInvocations === undefined)
      expect(this.sqs.depth, "messages left in the queue after 200 invocations").toBe(0);
    expect(this.sqs.expired, "messages expired before reaching the DLQ").toEqual([]);
    expect(Math.max(...result.durationsMs), "an invocation ran past Lambda's timeout").toBeLessThan(this.contextMs);
    expect(this.output, "the function wrote the Elasticsearch password").not.toContain(CREDENTIALS.password);
    return result;
  }

  /** The reason of the last "message failed" line for each message in the DLQ. */
  deadLetterReasons(): string[] {
    return this.sqs.deadLetters.map((letter) => {
      const failures = this.logs.filter((line) => line.message === "message failed" && line.messageId === letter.id);
      const last = failures[failures.length - 1];
      return typeof last?.reason === "string" ? last.reason : `(no "message failed" line for ${letter.id})`;
    });
  }

  /**
   * Captures the function's output while `work` runs: for work the handler gave up on, which goes
   * on after the invocation returned (as it would after a thaw in Lambda).
   */
  async capturing<T>(work: () => Promise<T>): Promise<T> {
    const restore = this.capture();
    try {
      return await work();
    } finally {
      restore();
    }
  }

  /** Log lines with this message. */
  logged(message: string): LogLine[] {
    return this.logs.filter((line) => line.message === message);
  }

  /** Documents of `index` that came from s3://BUCKET/key. */
  documents(key: string, index = INDEX): Array<Record<string, unknown>> {
    return this.world.elasticsearch
      .documents(index)
      .filter(
        (document) =>
          (document.log as { file?: { path?: string } } | undefined)?.file?.path === `s3://${BUCKET}/${key}`,
      );
  }

  /**
   * For each object: every expected line is indexed exactly once (`line` field of JSON records,
   * else `message`) or is in the dead-letter index, and nothing else is indexed; for the objects
   * `inDeadLetterQueue` names, lines may be missing but a message in the DLQ must name the object
   * in its reason — and still no line is indexed twice.
   */
  expectEachLineOnce(expected: Record<string, string[]>, options: { inDeadLetterQueue?: string[] } = {}): void {
    const reasons = this.deadLetterReasons();
    for (const [key, lines] of Object.entries(expected)) {
      const found = this.documents(key).map((document) => String(document.line ?? document.message));
      const counts = new Map<string, number>();
      for (const value of found) counts.set(value, (counts.get(value) ?? 0) + 1);
      const twice = [...counts].filter(([, count]) => count > 1).map(([value]) => value);
      expect(
        twice.length,
        `${twice.length} lines of ${key} indexed more than once (first: ${twice.slice(0, 3).join(", ")})`,
      ).toBe(0);
      const wanted = new Set(lines);
      const unexpected = found.filter((value) => !wanted.has(value));
      expect(
        unexpected.length,
        `${unexpected.length} documents of ${key} are no line of it (first: ${unexpected.slice(0, 3).join(", ")})`,
      ).toBe(0);
      const inDeadLetterIndex = new Set(
        this.documents(key, DEAD_LETTER_INDEX).map((document) => String(document.message)),
      );
      const missing = lines.filter((line) => !counts.has(line) && !inDeadLetterIndex.has(line));
      if (options.inDeadLetterQueue?.includes(key)) {
        expect(
          reasons.some((reason) => reason.includes(`s3://${BUCKET}/${key}`)),
          `the DLQ names s3://${BUCKET}/${key}; reasons: ${reasons.join(" | ")}`,
        ).toBe(true);
      } else {
        expect(
          missing.length,
          `${missing.length} of ${lines.length} lines of ${key} neither indexed nor dead-lettered (first: ${missing.slice(0, 3).join(", ")}); DLQ: ${reasons.join(" | ") || "empty"}`,
        ).toBe(0);
      }
    }
  }

  /** Captures the function's stdout and stderr (Powertools writes warnings and errors to stderr). */
  private capture(): () => void {
    const original = {
      stdout: process.stdout.write.bind(process.stdout),
      stderr: process.stderr.write.bind(process.stderr),
    };
    const take = (chunk: unknown): boolean => {
      const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
      this.output += text;
      for (const line of text.split("\n")) {
        if (!line.startsWith("{")) continue;
        try {
          this.logs.push(JSON.parse(line) as LogLine);
        } catch {
          // not a log line
        }
      }
      return true;
    };
    process.stdout.write = take as typeof process.stdout.write;
    process.stderr.write = take as typeof process.stderr.write;
    return () => {
      process.stdout.write = original.stdout;
      process.stderr.write = original.stderr;
    };
  }
}

/** Lines of an ndjson object: `{"line":"<tag>#<n>", …}`; returns the content and the tags. */
export function ndjsonObject(tag: string, count: number, padding = 60): { content: string; lines: string[] } {
  const lines = Array.from({ length: count }, (_, n) => `${tag}#${n}`);
  return {
    content: lines.map((line, n) => JSON.stringify({ line, n, padding: "p".repeat(padding) })).join("\n") + "\n",
    lines,
  };
}

/** Lines of a text object: `<tag>#<n> …`; the tags are the whole lines. */
export function textObject(tag: string, count: number, padding = 60): { content: string; lines: string[] } {
  const lines = Array.from({ length: count }, (_, n) => `${tag}#${n} GET /index.html 200 ${"p".repeat(padding)}`);
  return { content: lines.join("\n") + "\n", lines };
}
