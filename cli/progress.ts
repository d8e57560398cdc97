/**
 * Backfill progress on stderr: a live bar (cli-progress) on a terminal, a line every few seconds
 * otherwise (CI logs, pipes), nothing with --json. The ETA counts only what is listed so far, so
 * it is marked "≥" while the listing goes on.
 */
import { SingleBar } from "cli-progress";

/** How far a backfill got: what the reporter shows (the backfill command fills it in). */
export interface BackfillProgress {
  listedObjects: number;
  listedBytes: number;
  enqueuedObjects: number;
  enqueuedBytes: number;
  listingDone: boolean;
}

export interface ProgressReporter {
  update(progress: BackfillProgress): void;
  stop(): void;
}

const LINE_EVERY_MS = 5_000;

export function progressReporter(
  stream: NodeJS.WriteStream | { write(text: string): unknown; isTTY?: boolean },
  enabled: boolean,
): ProgressReporter {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  const describe = (progress: BackfillProgress): Record<string, string> => {
    const seconds = Math.max(0.001, (Date.now() - started) / 1000);
    const rate = progress.enqueuedObjects / seconds;
    const remaining = progress.listedObjects - progress.enqueuedObjects;
    const eta = rate > 0 ? `${progress.listingDone ? "" : "≥"}${Math.ceil(remaining / rate)} s` : "?";
    return {
      listed: `${progress.listedObjects} objects (${megabytes(progress.listedBytes)})${progress.listingDone ? "" : "…"}`,
      enqueued: `${progress.enqueuedObjects} (${megabytes(progress.enqueuedBytes)})`,
      rate: `${rate.toFixed(1)}/s`,
      remaining: eta,
    };
  };
  if ("isTTY" in stream && stream.isTTY) {
    const bar = new SingleBar(
      {
        format: "{bar} {percentage}% | listed {listed} | enqueued {enqueued} | {rate} | ETA {remaining}",
        stream: stream as NodeJS.WriteStream,
        hideCursor: true,
      },
      undefined,
    );
    let startedBar = false;
    return {
      update(progress) {
        const fields = describe(progress);
        if (!startedBar) {
          bar.start(Math.max(1, progress.listedObjects), progress.enqueuedObjects, fields);
          startedBar = true;
        }
        bar.setTotal(Math.max(1, progress.listedObjects));
        bar.update(progress.enqueuedObjects, fields);
      },
      stop: () => bar.stop(),
    };
  }
  let last = 0;
  let latest: BackfillProgress | undefined;
  const line = (progress: BackfillProgress) => {
    const fields = describe(progress);
    stream.write(`listed ${fields.listed} · enqueued ${fields.enqueued} · ${fields.rate} · ETA ${fields.remaining}\n`);
  };
  return {
    update(progress) {
      latest = progress;
      if (Date.now() - last < LINE_EVERY_MS) return;
      last = Date.now();
      line(progress);
    },
    stop() {
      if (latest) line(latest);
    },
  };
}

function megabytes(bytes: number): string {
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
