/**
 * `s3ls`: operator commands for a deployed s3-log-shipper stack — status, dead-letter inspection
 * and redrive, backfill and reship. Commander parses the arguments (every command has --help,
 * refuses unknown flags); every command takes --json for scripts and exits non-zero when
 * something is wrong (1: needs attention or failed, 2: used wrongly, 130: interrupted).
 */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { operatorClients } from "./awsClients";
import { backfill } from "./commands/backfill";
import { formatDeadLetters, listDeadLetters, redriveDeadLetters } from "./commands/dlq";
import { EXIT, UsageError } from "./errors";
import { NotificationSender, type ExistingObject } from "./objectNotifications";
import { progressReporter } from "./progress";
import { loadStackOutputs, producerForObject, selectProducers, type StackOutputs } from "./stackOutputs";
import { formatStatus, producerStatus } from "./commands/status";

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  /** Registers a Ctrl-C handler; returns its removal. */
  onInterrupt(handler: () => void): () => void;
}

const processIo: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  onInterrupt(handler) {
    process.on("SIGINT", handler);
    return () => process.off("SIGINT", handler);
  },
};

interface StackFlags {
  stack?: string;
  outputs?: string;
  json?: boolean;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError("must be a positive whole number");
  return number;
}

function date(value: string): Date {
  // A day alone means its start, in UTC.
  const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
  if (Number.isNaN(parsed.getTime())) throw new InvalidArgumentError("must be a date like 2026-11-01 or 2026-11-01T12:00:00Z");
  return parsed;
}

function s3Url(value: string): { bucket: string; key: string } {
  const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(value);
  if (!match) throw new UsageError(`${value} is not an object URL like s3://bucket/key`);
  return { bucket: match[1] as string, key: match[2] as string };
}

/** Runs one command line; resolves to the exit code. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  let exitCode: number = EXIT.ok;
  const print = (flags: StackFlags, json: unknown, text: string) => io.stdout.write(flags.json ? `${JSON.stringify(json, null, 2)}\n` : text);
  const stackOf = (flags: StackFlags): Promise<StackOutputs> => loadStackOutputs({ ...(flags.stack ? { stack: flags.stack } : {}), ...(flags.outputs ? { outputs: flags.outputs } : {}) });

  const program = new Command("s3ls")
    .description("Operate a deployed s3-log-shipper stack: status, dead letters, backfill, reship.")
    .exitOverride()
    .showHelpAfterError("(add --help for usage)")
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });

  const withStack = (command: Command): Command =>
    command
      .option("--stack <name>", "the Pulumi stack (reads `pulumi stack output --json`)")
      .option("--outputs <file>", "a file holding the stack outputs as JSON instead")
      .option("--json", "print JSON for scripts")
      .exitOverride()
      .showHelpAfterError("(add --help for usage)");

  withStack(program.command("status").description("per producer: queue, dead-letter queue, oldest message, alarms; exit 1 when something needs attention"))
    .option("--producer <name>", "only this producer")
    .action(async (flags: StackFlags & { producer?: string }) => {
      const outputs = await stackOf(flags);
      const clients = operatorClients(outputs);
      const statuses = await Promise.all(selectProducers(outputs, flags.producer).map((producer) => producerStatus(clients, producer)));
      print(flags, { producers: statuses }, formatStatus(statuses));
      if (statuses.some((status) => status.attention.length > 0)) exitCode = EXIT.attention;
    });

  const dlq = program.command("dlq").description("inspect and redrive a producer's dead-letter queue").exitOverride();
  withStack(dlq.command("list").description("each dead letter, left in the queue: its objects, receive count, first sent, and why it failed"))
    .requiredOption("--producer <name>", "the producer")
    .option("--limit <n>", "list at most this many", positiveInteger, 50)
    .action(async (flags: StackFlags & { producer: string; limit: number }) => {
      const outputs = await stackOf(flags);
      const [producer] = selectProducers(outputs, flags.producer);
      if (!producer) return;
      const letters = await listDeadLetters(operatorClients(outputs), producer, flags.limit);
      print(flags, { producer: producer.name, deadLetters: letters }, formatDeadLetters(producer.name, letters));
    });
  withStack(dlq.command("redrive").description("send dead letters back to the producer's queue (after fixing the cause)"))
    .requiredOption("--producer <name>", "the producer")
    .option("--max <n>", "move at most this many", positiveInteger)
    .option("--dry-run", "only count what would move")
    .action(async (flags: StackFlags & { producer: string; max?: number; dryRun?: boolean }) => {
      const outputs = await stackOf(flags);
      const [producer] = selectProducers(outputs, flags.producer);
      if (!producer) return;
      const result = await redriveDeadLetters(operatorClients(outputs), producer, { ...(flags.max ? { max: flags.max } : {}), dryRun: Boolean(flags.dryRun) });
      const text =
        result.method === "dry-run"
          ? `${producer.name}: would move ${result.moved} message(s) back to the queue (dry run: nothing moved)\n`
          : result.method === "message-move-task"
            ? `${producer.name}: SQS message move task started (${result.taskHandle ?? "no handle"}); watch it with s3ls status --producer ${producer.name}\n`
            : `${producer.name}: moved ${result.moved} message(s) back to the queue${result.failed > 0 ? `; ${result.failed} could not be sent and stay in the dead-letter queue` : ""}\n`;
      print(flags, { producer: producer.name, ...result }, text);
      if (result.failed > 0) exitCode = EXIT.attention;
    });

  withStack(program.command("backfill").description("ship objects that were in the producer's bucket before its notification existed"))
    .requiredOption("--producer <name>", "the producer")
    .option("--since <date>", "only objects modified at or after this date (UTC)", date)
    .option("--until <date>", "only objects modified before this date (UTC)", date)
    .option("--resume-after <key>", "go on after this key (printed by an interrupted run)")
    .addOption(new Option("--rate <n>", "notifications a second").argParser(positiveInteger).default(50))
    .option("--dry-run", "list and count, enqueue nothing")
    .action(async (flags: StackFlags & { producer: string; since?: Date; until?: Date; resumeAfter?: string; rate: number; dryRun?: boolean }) => {
      if (flags.since && flags.until && flags.since >= flags.until) throw new UsageError("--since must be before --until");
      const outputs = await stackOf(flags);
      const [producer] = selectProducers(outputs, flags.producer);
      if (!producer) return;
      const clients = operatorClients(outputs);
      let interrupted = false;
      const removeHandler = io.onInterrupt(() => (interrupted = true));
      const reporter = progressReporter(io.stderr, !flags.json);
      try {
        const result = await backfill(clients.s3, clients.sqs, outputs.region, producer, {
          ...(flags.since ? { since: flags.since } : {}),
          ...(flags.until ? { until: flags.until } : {}),
          ...(flags.resumeAfter ? { resumeAfter: flags.resumeAfter } : {}),
          dryRun: Boolean(flags.dryRun),
          rate: flags.rate,
          shouldStop: () => interrupted,
          onProgress: (progress) => reporter.update(progress),
        });
        reporter.stop();
        const verb = flags.dryRun ? "would enqueue" : "enqueued";
        const lines = [`${producer.name}: ${verb} ${result.enqueuedObjects} object(s) (${result.enqueuedBytes} bytes); ${result.skipped} listed object(s) outside the suffix or dates`];
        if (result.archived.length > 0) {
          const shown = result.archived.slice(0, 5).map((key) => `s3://${producer.bucket}/${key}`).join(", ");
          lines.push(`${result.archived.length} object(s) in an archive storage class were not enqueued (restore them, then s3ls reship): ${shown}${result.archived.length > 5 ? ", …" : ""}`);
        }
        if (flags.dryRun) lines.push("dry run: nothing was enqueued");
        if (result.stoppedBecause) lines.push(`stopped: ${result.stoppedBecause}`, result.resumeAfter ? `resume with: s3ls backfill --producer ${producer.name} --resume-after '${result.resumeAfter}' (and the same dates)` : "nothing was enqueued: run it again as it was");
        print(flags, { producer: producer.name, dryRun: Boolean(flags.dryRun), ...result }, `${lines.join("\n")}\n`);
        if (result.stoppedBecause) exitCode = result.stoppedBecause === "interrupted" ? EXIT.interrupted : EXIT.attention;
        else if (result.archived.length > 0) exitCode = EXIT.attention;
      } finally {
        removeHandler();
      }
    });

  withStack(program.command("reship").description("ship named objects again (after a mapping fix, say); the producer is the one whose bucket, prefix and suffix match"))
    .argument("<objects...>", "object URLs, s3://bucket/key")
    .option("--dry-run", "name the producer of each object, enqueue nothing")
    .action(async (urls: string[], flags: StackFlags & { dryRun?: boolean }) => {
      const outputs = await stackOf(flags);
      const clients = operatorClients(outputs);
      const targets = urls.map((url) => {
        const { bucket, key } = s3Url(url);
        return { bucket, key, producer: producerForObject(outputs, bucket, key) };
      });
      const shipped: Array<{ object: string; producer: string; size: number }> = [];
      for (const target of targets) {
        const head = await clients.s3.send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key })).catch((error: Error) => {
          throw new UsageError(`s3://${target.bucket}/${target.key}: ${error.name === "NotFound" ? "no such object" : error.message}`);
        });
        const object: ExistingObject = {
          bucket: target.bucket,
          key: target.key,
          size: head.ContentLength ?? 0,
          ...(head.ETag ? { eTag: head.ETag } : {}),
          ...(head.VersionId ? { versionId: head.VersionId } : {}),
          lastModified: head.LastModified ?? new Date(),
        };
        if (!flags.dryRun) {
          const sent = await new NotificationSender(clients.sqs, target.producer.queueUrl, outputs.region, 50).send([object]);
          if (sent.accepted !== 1) throw new Error(`the queue of ${target.producer.name} refused the notification: ${sent.error ?? "unknown"}`);
        }
        shipped.push({ object: `s3://${target.bucket}/${target.key}`, producer: target.producer.name, size: object.size });
      }
      const verb = flags.dryRun ? "would enqueue" : "enqueued";
      print(flags, { dryRun: Boolean(flags.dryRun), objects: shipped }, `${shipped.map((entry) => `${verb} ${entry.object} (${entry.size} bytes) for ${entry.producer}`).join("\n")}\n`);
    });

  try {
    await program.parseAsync(argv, { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version are "errors" that exit 0; every other one is a usage error.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      io.stderr.write(`s3ls: ${error.message}\n`);
      return EXIT.usage;
    }
    const message = error instanceof Error ? `${error.name === "Error" ? "" : `${error.name}: `}${error.message}` : String(error);
    io.stderr.write(`s3ls: ${message}\n`);
    return EXIT.attention;
  }
  return exitCode;
}
