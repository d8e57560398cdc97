/**
 * Runs the deployed function bundle the way Lambda does: in its own process with its own
 * environment, one invocation at a time, killed (and cold-started again) when it overruns its
 * timeout. Its log lines are kept for assertions and reports.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { buildSync } from "esbuild";
import { PROJECT_ROOT } from "../../pipeline/function/functionBuild";
import * as path from "node:path";
import type { SQSBatchResponse, SQSEvent } from "aws-lambda";

export interface LambdaEmulatorOptions {
  bundlePath: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  /** Echo the function's log lines to this process's stderr. */
  echoLogs?: boolean;
  /** Called with every log line (the local pipeline writes them to the function's log group). */
  onLogLine?: (line: string) => void;
  /**
   * Run the host as plain JavaScript (bundled once with esbuild) instead of through tsx, whose
   * loader adds ~40 MB of resident memory: for measuring the container's memory as Lambda would.
   */
  plainHost?: boolean;
}

export type InvocationOutcome = { result: SQSBatchResponse } | { error: string };

const TSX = require.resolve("tsx");
const HOST = path.join(__dirname, "lambdaHost.ts");
/** The host as plain JavaScript, built once per process (see `plainHost`). */
let builtHost: string | undefined;
function plainHost(): string {
  if (builtHost) return builtHost;
  const file = path.join(PROJECT_ROOT, ".cache", "local", "lambdaHost.js");
  mkdirSync(path.dirname(file), { recursive: true });
  buildSync({ entryPoints: [HOST], bundle: true, platform: "node", format: "cjs", outfile: file, logLevel: "silent" });
  builtHost = file;
  return file;
}

/** Lambda stops a function at its timeout; a little slack covers process scheduling here. */
const TIMEOUT_SLACK_MS = 2_000;

export class LambdaEmulator {
  readonly logs: string[] = [];
  invocations = 0;
  /** The highest peak resident memory a container reported, in bytes. */
  peakRssBytes = 0;
  /** The Node.js version the container runs on (known once it started). */
  nodeVersion?: string;
  private child?: ChildProcess;
  private ready?: Promise<void>;
  private next = 0;

  constructor(private readonly options: LambdaEmulatorOptions) {}

  /** Invokes the function with an SQS event; a thrown error or a timeout is `{ error }`. */
  async invoke(event: SQSEvent): Promise<InvocationOutcome> {
    const child = await this.container();
    const id = ++this.next;
    this.invocations += 1;
    const timeoutMs = this.options.timeoutSeconds * 1000;
    return new Promise<InvocationOutcome>((resolve) => {
      const timer = setTimeout(() => {
        child.off("message", onMessage);
        this.keepLine(`{"level":"ERROR","message":"Task timed out after ${this.options.timeoutSeconds} seconds"}`);
        this.kill();
        resolve({ error: `Task timed out after ${this.options.timeoutSeconds} seconds` });
      }, timeoutMs + TIMEOUT_SLACK_MS);
      const onMessage = (message: {
        id?: number;
        result?: SQSBatchResponse;
        error?: string;
        peakRssBytes?: number;
      }) => {
        if (message.id !== id) return;
        this.peakRssBytes = Math.max(this.peakRssBytes, message.peakRssBytes ?? 0);
        clearTimeout(timer);
        child.off("message", onMessage);
        resolve(
          message.error !== undefined
            ? { error: message.error }
            : { result: message.result ?? { batchItemFailures: [] } },
        );
      };
      child.on("message", onMessage);
      child.send({ id, event, timeoutMs });
    });
  }

  /** Ends the container (the next invocation cold-starts). */
  kill(): void {
    this.child?.kill("SIGKILL");
    this.child = undefined;
    this.ready = undefined;
  }

  private keepLine(line: string): void {
    this.logs.push(line);
    this.options.onLogLine?.(line);
    if (this.options.echoLogs) process.stderr.write(`[${this.options.environment.PRODUCER ?? "fn"}] ${line}\n`);
  }

  private async container(): Promise<ChildProcess> {
    if (this.child && this.ready) {
      await this.ready;
      return this.child;
    }
    const child = fork(this.options.plainHost ? plainHost() : HOST, [], {
      // The function runs on nodejs22.x: S3LS_FUNCTION_NODE runs the host on that Node (.ci/run does).
      execPath: process.env.S3LS_FUNCTION_NODE || process.execPath,
      execArgv: this.options.plainHost ? [] : ["--import", TSX],
      env: {
        PATH: process.env.PATH ?? "",
        ...this.options.environment,
        S3LS_BUNDLE_PATH: this.options.bundlePath,
        // Lambda's Node 22 never prints the SDK's "Node 20 is ending" notice; a local host on 20 would.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim().length > 0) this.keepLine(line);
    };
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.child = child;
    this.ready = new Promise<void>((resolve, reject) => {
      const onReady = (message: { ready?: boolean; nodeVersion?: string }) => {
        if (message.ready) {
          this.nodeVersion = message.nodeVersion;
          child.off("message", onReady);
          resolve();
        }
      };
      child.on("message", onReady);
      child.once("exit", (code) =>
        reject(
          new Error(`function container exited with ${code} before it was ready: ${this.logs.slice(-5).join(" | ")}`),
        ),
      );
    });
    await this.ready;
    return child;
  }
}
