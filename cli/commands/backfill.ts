/**
 * `s3ls backfill`: ships objects that were in a producer's bucket before its notification existed.
 * Lists the bucket under the producer's prefix (or its key pattern's literal start; paged, in key
 * order), keeps the keys its filter matches modified in [since, until), and enqueues a notification per object. The listing runs
 * ahead of the sending (bounded), so progress knows how much is listed and can estimate the rest.
 * Interrupted, it reports the last key enqueued: `--resume-after` that key goes on from there.
 */
import { ListObjectsV2Command } from "@aws-sdk/client-s3";
import { Option, type Command } from "commander";
import type { OperatorClients } from "../awsClients";
import { EXIT, UsageError } from "../errors";
import { progressReporter, type BackfillProgress } from "../progress";
import { selectProducers } from "../stackOutputs";
import { date, positiveInteger, type CommandContext, type StackFlags } from "./command";
import { listingPrefix, matchesObjectFilter, objectFilterOf } from "../../lambda/contract/objectFilter";
import { NotificationSender, type ExistingObject } from "../objectNotifications";
import type { ProducerOutputs } from "../stackOutputs";

export interface BackfillOptions {
  since?: Date;
  until?: Date;
  resumeAfter?: string;
  dryRun: boolean;
  /** Messages a second. */
  rate: number;
  /** Set to stop after the batch being sent (Ctrl-C). */
  shouldStop: () => boolean;
  onProgress?: (progress: BackfillProgress) => void;
}

export interface BackfillResult extends BackfillProgress {
  /** Listed keys outside the suffix or the dates. */
  skipped: number;
  /** Keys in an archive storage class (Glacier Flexible Retrieval, Deep Archive): not enqueued, restore them first. */
  archived: string[];
  /** The last key enqueued (or listed, in a dry run). */
  lastKey?: string;
  /** Set when the run stopped early: `--resume-after` this key goes on. */
  resumeAfter?: string;
  stoppedBecause?: string;
}

/** Storage classes GetObject refuses until the object is restored. */
const ARCHIVED = new Set(["GLACIER", "DEEP_ARCHIVE"]);

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Objects listed but not sent yet, at most: bounds memory on buckets with millions of keys. */
const MAX_LISTED_AHEAD = 50_000;

export async function backfill(
  { s3, sqs }: Pick<OperatorClients, "s3" | "sqs">,
  region: string,
  producer: ProducerOutputs,
  options: BackfillOptions,
): Promise<BackfillResult> {
  const filter = objectFilterOf(producer);
  const prefix = listingPrefix(filter);
  const progress: BackfillProgress = {
    listedObjects: 0,
    listedBytes: 0,
    enqueuedObjects: 0,
    enqueuedBytes: 0,
    listingDone: false,
  };
  const result: BackfillResult = { ...progress, skipped: 0, archived: [] };
  // Listed and not sent yet: `ahead[next…]`. A cursor, not shift/splice (each would move up to
  // MAX_LISTED_AHEAD entries per batch); the array is compacted when the listing refills it.
  let ahead: ExistingObject[] = [];
  let next = 0;
  let listingError: unknown;
  // Set when the sending stops for any reason, so the listing stops too (and is not left waiting for room).
  let stopped = false;
  const stop = (): boolean => stopped || options.shouldStop();

  const listing = (async () => {
    let token: string | undefined;
    do {
      while (ahead.length - next >= MAX_LISTED_AHEAD && !stop())
        await new Promise((resolve) => setTimeout(resolve, 50));
      if (stop()) return;
      ahead = ahead.slice(next);
      next = 0;
      const page = await s3.send(
        new ListObjectsV2Command({
          Bucket: producer.bucket,
          ...(prefix ? { Prefix: prefix } : {}),
          ...(token ? { ContinuationToken: token } : options.resumeAfter ? { StartAfter: options.resumeAfter } : {}),
        }),
      );
      for (const entry of page.Contents ?? []) {
        const key = entry.Key ?? "";
        const lastModified = entry.LastModified ?? new Date(0);
        if (
          !matchesObjectFilter(filter, producer.bucket, key) ||
          (options.since && lastModified < options.since) ||
          (options.until && lastModified >= options.until)
        ) {
          result.skipped += 1;
          continue;
        }
        if (entry.StorageClass && ARCHIVED.has(entry.StorageClass)) {
          // GetObject refuses these until restored: each would only fail its message into the DLQ.
          result.archived.push(key);
          continue;
        }
        ahead.push({
          bucket: producer.bucket,
          key,
          size: entry.Size ?? 0,
          ...(entry.ETag ? { eTag: entry.ETag } : {}),
          lastModified,
        });
        progress.listedObjects += 1;
        progress.listedBytes += entry.Size ?? 0;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      options.onProgress?.(progress);
    } while (token);
  })()
    .catch((error: unknown) => (listingError = error))
    .finally(() => (progress.listingDone = true));

  const sender = new NotificationSender(sqs, producer.queueUrl, region, options.rate);
  for (;;) {
    if (listingError) {
      result.stoppedBecause = `listing s3://${producer.bucket}/${prefix} failed: ${describe(listingError)}`;
      break;
    }
    if (options.shouldStop()) {
      result.stoppedBecause = "interrupted";
      break;
    }
    if (next === ahead.length) {
      if (progress.listingDone) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    const batch = ahead.slice(next, next + 10);
    next += batch.length;
    let accepted: { accepted: number; error?: string };
    try {
      accepted = options.dryRun ? { accepted: batch.length } : await sender.send(batch);
    } catch (error) {
      // Not one of this batch is known to be enqueued: the resume key stays before it.
      accepted = { accepted: 0, error: describe(error) };
    }
    for (const object of batch.slice(0, accepted.accepted)) {
      progress.enqueuedObjects += 1;
      progress.enqueuedBytes += object.size;
      result.lastKey = object.key;
    }
    options.onProgress?.(progress);
    if (accepted.error) {
      result.stoppedBecause = `sending to the queue failed: ${accepted.error}`;
      break;
    }
  }
  stopped = true;
  await listing;
  Object.assign(result, progress);
  if (result.stoppedBecause && result.lastKey !== undefined) result.resumeAfter = result.lastKey;
  else if (result.stoppedBecause && options.resumeAfter) result.resumeAfter = options.resumeAfter;
  return result;
}

/** The run's report: what was enqueued, what was left out and why, and how to go on after a stop. */
export function formatBackfill(producer: ProducerOutputs, result: BackfillResult, dryRun: boolean): string {
  const verb = dryRun ? "would enqueue" : "enqueued";
  const lines = [
    `${producer.name}: ${verb} ${result.enqueuedObjects} object(s) (${result.enqueuedBytes} bytes); ${result.skipped} listed object(s) outside the suffix or dates`,
  ];
  if (result.archived.length > 0) {
    const shown = result.archived
      .slice(0, 5)
      .map((key) => `s3://${producer.bucket}/${key}`)
      .join(", ");
    lines.push(
      `${result.archived.length} object(s) in an archive storage class were not enqueued (restore them, then s3ls reship): ${shown}${result.archived.length > 5 ? ", …" : ""}`,
    );
  }
  if (dryRun) lines.push("dry run: nothing was enqueued");
  if (result.stoppedBecause) {
    lines.push(
      `stopped: ${result.stoppedBecause}`,
      result.resumeAfter
        ? `resume with: s3ls backfill --producer ${producer.name} --resume-after '${result.resumeAfter}' (and the same dates)`
        : "nothing was enqueued: run it again as it was",
    );
  }
  return `${lines.join("\n")}\n`;
}

export function registerBackfill(program: Command, context: CommandContext): void {
  context
    .withStack(
      program
        .command("backfill")
        .description("ship objects that were in the producer's bucket before its notification existed"),
    )
    .requiredOption("--producer <name>", "the producer")
    .option("--since <date>", "only objects modified at or after this date (UTC)", date)
    .option("--until <date>", "only objects modified before this date (UTC)", date)
    .option("--resume-after <key>", "go on after this key (printed by an interrupted run)")
    .addOption(new Option("--rate <n>", "notifications a second").argParser(positiveInteger).default(50))
    .option("--dry-run", "list and count, enqueue nothing")
    .action(
      async (
        flags: StackFlags & {
          producer: string;
          since?: Date;
          until?: Date;
          resumeAfter?: string;
          rate: number;
          dryRun?: boolean;
        },
      ) => {
        if (flags.since && flags.until && flags.since >= flags.until)
          throw new UsageError("--since must be before --until");
        const { outputs, clients } = await context.stackOf(flags);
        const [producer] = selectProducers(outputs, flags.producer);
        if (!producer) return;
        let interrupted = false;
        const removeHandler = context.io.onInterrupt(() => (interrupted = true));
        const reporter = progressReporter(context.io.stderr, !flags.json);
        try {
          const result = await backfill(clients, outputs.region, producer, {
            ...(flags.since ? { since: flags.since } : {}),
            ...(flags.until ? { until: flags.until } : {}),
            ...(flags.resumeAfter ? { resumeAfter: flags.resumeAfter } : {}),
            dryRun: Boolean(flags.dryRun),
            rate: flags.rate,
            shouldStop: () => interrupted,
            onProgress: (progress) => reporter.update(progress),
          });
          reporter.stop();
          context.print(
            flags,
            { producer: producer.name, dryRun: Boolean(flags.dryRun), ...result },
            formatBackfill(producer, result, Boolean(flags.dryRun)),
          );
          if (result.stoppedBecause)
            context.exitWith(result.stoppedBecause === "interrupted" ? EXIT.interrupted : EXIT.attention);
          else if (result.archived.length > 0) context.exitWith(EXIT.attention);
        } finally {
          removeHandler();
        }
      },
    );
}
