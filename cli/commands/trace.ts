/**
 * `s3ls trace s3://bucket/key`: what became of one object — the producer whose filter matches it,
 * the function's summary lines for it (across continuations and redeliveries), dead letters that
 * name it, the documents in Elasticsearch whose `log.file.path` is the object (and, with
 * --count-lines, the lines or records it holds) — ending in one verdict and the command to run.
 */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import type { Client } from "@elastic/elasticsearch";
import type { Command } from "commander";
import { EXIT } from "../errors";
import type { OperatorClients } from "../awsClients";
import { clusterClient } from "../doctor/elasticsearch";
import { countUnits } from "../trace/countUnits";
import { objectLogLines, type ObjectLogLine } from "../trace/logLines";
import { producerForObject, type ProducerOutputs, type StackOutputs } from "../stackOutputs";
import { listDeadLetters } from "./dlq";
import { date, s3Url, type CommandContext, type StackFlags } from "./command";

/** Dead letters read per trace (peeked, not taken: they come back to the queue at once). */
const DEAD_LETTERS_READ = 100;
/** Without --since: the function's lines from this long before the object was written. */
const LOOKBACK_BEFORE_WRITE_MS = 5 * 60_000;
const DEFAULT_LOOKBACK_MS = 14 * 86_400_000;

export type TraceVerdict =
  | { kind: "complete"; documents: number; detail: string }
  | { kind: "partial"; documents: number; expected: number; detail: string; command: string }
  | { kind: "failed"; reason: string; command: string }
  | { kind: "in progress"; detail: string }
  | { kind: "never seen"; command: string };

export interface ObjectTrace {
  object: string;
  producer: string;
  lastModified: string | null;
  logLines: ObjectLogLine[];
  deadLetters: Array<{ messageId: string; receiveCount: number; reason: string | null }>;
  /** null: Elasticsearch could not be asked (why: `documentsUnchecked`). */
  documents: number | null;
  documentsUnchecked?: string;
  /** With --count-lines: the lines (or json records) the object holds. */
  lines?: number;
  verdict: TraceVerdict;
}

export async function traceObject(
  clients: OperatorClients,
  outputs: StackOutputs,
  object: { bucket: string; key: string },
  options: { since?: Date; countLines?: boolean; onProgress?: (bytes: number) => void } = {},
): Promise<ObjectTrace> {
  const producer = producerForObject(outputs, object.bucket, object.key);
  const lastModified = await clients.s3
    .send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key }))
    .then((head) => head.LastModified ?? null)
    .catch(() => null); // gone or not readable: the trace still reads logs and documents
  const since =
    options.since ??
    (lastModified
      ? new Date(lastModified.getTime() - LOOKBACK_BEFORE_WRITE_MS)
      : new Date(Date.now() - DEFAULT_LOOKBACK_MS));
  const [logLines, letters, documents, lines] = await Promise.all([
    objectLogLines(clients.logs, producer.logGroupName, object, since),
    listDeadLetters(clients, producer, DEAD_LETTERS_READ, object),
    documentCount(clients, outputs, producer, object),
    options.countLines
      ? countUnits(
          clients.s3,
          object,
          {
            format: producer.deployed?.format ?? "auto",
            ...(producer.deployed?.recordsField ? { recordsField: producer.deployed.recordsField } : {}),
          },
          options.onProgress,
        )
      : Promise.resolve(undefined),
  ]);
  const deadLetters = letters.map(({ messageId, receiveCount, reason }) => ({ messageId, receiveCount, reason }));
  const trace = {
    object: `s3://${object.bucket}/${object.key}`,
    producer: producer.name,
    lastModified: lastModified?.toISOString() ?? null,
    logLines,
    deadLetters,
    documents: typeof documents === "number" ? documents : null,
    ...(typeof documents === "string" ? { documentsUnchecked: documents } : {}),
    ...(lines !== undefined ? { lines } : {}),
  };
  return { ...trace, verdict: verdictOf(trace, producer, since) };
}

/** The documents whose `log.file.path` is the object, or why they could not be counted. */
async function documentCount(
  clients: OperatorClients,
  outputs: StackOutputs,
  producer: ProducerOutputs,
  object: { bucket: string; key: string },
): Promise<number | string> {
  const index = producer.deployed?.index;
  if (!index)
    return "the stack outputs do not name the producer's index (deployed before s3ls trace): pulumi up adds them";
  const connected = await clusterClient(clients, outputs);
  if (!("client" in connected)) return connected.detail;
  const client: Client = connected.client;
  try {
    const path = `s3://${object.bucket}/${object.key}`;
    // `log.file.path` is a keyword in ECS templates; dynamic mapping makes it text with a .keyword.
    const answer = await client.count({
      index,
      query: {
        bool: {
          should: [{ term: { "log.file.path": path } }, { term: { "log.file.path.keyword": path } }],
          minimum_should_match: 1,
        },
      },
      ignore_unavailable: true,
      allow_no_indices: true,
    });
    return answer.count;
  } catch (error) {
    return `could not count the documents in ${index}: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await client.close();
  }
}

type TraceFacts = Omit<ObjectTrace, "verdict">;

export function verdictOf(trace: TraceFacts, producer: ProducerOutputs, since: Date): TraceVerdict {
  const reship = `s3ls reship ${trace.object}`;
  const outcomes = trace.logLines;
  const last = outcomes[outcomes.length - 1];
  const shipped = outcomes.some((line) => line.message === "object shipped");
  const dropped = outcomes.reduce((sum, line) => sum + line.linesDropped, 0);
  const documents = trace.documents ?? 0;
  if (trace.deadLetters.length > 0) {
    const reason = trace.deadLetters.find((letter) => letter.reason)?.reason ?? last?.reason ?? "no reason logged";
    return {
      kind: "failed",
      reason:
        `in the dead-letter queue (${trace.deadLetters.length} message(s)): ${reason}` +
        (shipped ? ` (a later delivery shipped it: ${documents} documents; the dead letter still names it)` : ""),
      command: `fix the cause, then s3ls dlq redrive --producer ${producer.name}`,
    };
  }
  if (trace.lines !== undefined && (shipped || documents > 0)) {
    const expected = trace.lines - dropped;
    if (documents < expected)
      return {
        kind: "partial",
        documents,
        expected,
        detail: `${documents} of ${expected} documents (${trace.lines} lines${dropped > 0 ? `, ${dropped} dropped by include/exclude` : ""}; multiline events make fewer documents than lines)`,
        command: reship,
      };
    return {
      kind: "complete",
      documents,
      detail: `${documents} documents for ${trace.lines} lines${dropped > 0 ? ` (${dropped} dropped by include/exclude)` : ""}`,
    };
  }
  if (shipped) {
    // Each document is created once (a redelivery counts it as a duplicate), so the index holds at least these.
    const created = outcomes.reduce((sum, line) => sum + line.indexed, 0);
    if (trace.documents !== null && documents < created)
      return {
        kind: "partial",
        documents,
        expected: created,
        detail: `the function created ${created} documents, Elasticsearch holds ${documents} (deleted since? rolled over out of the index?)`,
        command: reship,
      };
    return {
      kind: "complete",
      documents,
      detail: `the function reported it shipped (${created} documents created); Elasticsearch holds ${trace.documents ?? `? (${trace.documentsUnchecked ?? "not asked"})`}`,
    };
  }
  if (last?.message === "object failed")
    return {
      kind: "failed",
      reason: `${last.reason ?? "no reason logged"}${last.transient ? " (transient: the message is retried until maxReceiveCount, then dead-lettered)" : ""}`,
      command: last.transient
        ? `wait for the retry, or after maxReceiveCount: s3ls dlq redrive --producer ${producer.name}`
        : `fix the cause, then ${reship}`,
    };
  if (last?.message === "object continued")
    return {
      kind: "in progress",
      detail: "continued in a new message; the next invocation ships the rest (trace again in a minute)",
    };
  if (last?.message === "object superseded")
    return {
      kind: "complete",
      documents,
      detail: `superseded: ${last.reason ?? "a newer version of the object was shipped instead"}`,
    };
  if (documents > 0)
    return {
      kind: "complete",
      documents,
      detail: `${documents} documents in Elasticsearch; no function line since ${since.toISOString()} (older than the log group keeps, or give --since)`,
    };
  return { kind: "never seen", command: `check s3ls doctor --producer ${producer.name}, then ${reship}` };
}

export function formatTrace(trace: ObjectTrace): string {
  const lines = [
    `${trace.object}`,
    `  producer     ${trace.producer}${trace.lastModified ? `; written ${trace.lastModified}` : ""}`,
  ];
  if (trace.logLines.length === 0) lines.push("  function     no line for this object");
  for (const line of trace.logLines)
    lines.push(
      `  function     ${line.at} ${line.message}: ${line.indexed} indexed, ${line.duplicates} duplicate, ${line.deadLettered} dead-lettered, ${line.failed} failed` +
        (line.linesDropped > 0 ? `, ${line.linesDropped} dropped` : "") +
        (line.reason ? `; ${line.reason}` : ""),
    );
  lines.push(
    `  dead letters ${trace.deadLetters.length === 0 ? "none name it" : trace.deadLetters.map((letter) => `${letter.messageId} (received ${letter.receiveCount}×): ${letter.reason ?? "no reason logged"}`).join("; ")}`,
  );
  lines.push(
    `  documents    ${trace.documents ?? `? ${trace.documentsUnchecked ?? ""}`}${trace.lines !== undefined ? ` (the object holds ${trace.lines} lines or records)` : ""}`,
  );
  const verdict = trace.verdict;
  switch (verdict.kind) {
    case "complete":
      lines.push("", `shipped completely: ${verdict.detail}`);
      break;
    case "partial":
      lines.push("", `shipped partly: ${verdict.detail}; ${verdict.command}`);
      break;
    case "failed":
      lines.push("", `failed: ${verdict.reason}; ${verdict.command}`);
      break;
    case "in progress":
      lines.push("", `in progress: ${verdict.detail}`);
      break;
    case "never seen":
      lines.push("", `never seen: no function line, dead letter or document names it; ${verdict.command}`);
  }
  return `${lines.join("\n")}\n`;
}

export function registerTrace(program: Command, context: CommandContext): void {
  context
    .withStack(
      program
        .command("trace")
        .description(
          "what became of one object: its producer, the function's lines for it, dead letters, its documents in Elasticsearch, and a verdict; exit 1 unless shipped completely",
        )
        .argument("<object>", "s3://bucket/key"),
    )
    .option(
      "--since <date>",
      "read the function's lines from this time (default: 5 minutes before the object was written)",
      date,
    )
    .option("--count-lines", "also count the object's lines (or json records), a streamed read, and compare")
    .action(async (url: string, flags: StackFlags & { since?: Date; countLines?: boolean }) => {
      const object = s3Url(url);
      const { outputs, clients } = await context.stackOf(flags);
      const stderr = context.io.stderr;
      const trace = await traceObject(clients, outputs, object, {
        ...(flags.since ? { since: flags.since } : {}),
        ...(flags.countLines ? { countLines: true } : {}),
        ...(stderr.isTTY
          ? { onProgress: (bytes: number) => stderr.write(`\rcounting lines: ${(bytes / 1e6).toFixed(1)} MB read`) }
          : {}),
      });
      if (stderr.isTTY && flags.countLines) stderr.write("\n");
      context.print(flags, trace, formatTrace(trace));
      if (trace.verdict.kind !== "complete") context.exitWith(EXIT.attention);
    });
}
