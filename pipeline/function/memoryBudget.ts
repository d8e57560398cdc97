/**
 * One memory budget per function, from `memoryMb`: everything that holds bytes gets its value from
 * here so that the worst case fits the function — a line at the line limit (and a multiline event)
 * in every message at once, and the bulk bodies those messages have in flight — and the V8 heap
 * flags that go with it. `pipeline/` derives the values, the function enforces them (its
 * environment: MAX_LINE_BYTES, MESSAGE_CONCURRENCY, ES_BULK_MAX_BYTES, ES_BULK_CONCURRENCY,
 * NODE_OPTIONS). Pure, so config validation, the plan and the tests share it.
 *
 * The model is measured, not derived: peak resident memory (VmHWM) of the deployed bundle on
 * Node 22 (the function's runtime) in test/memory/memorySizes.test.ts, per size:
 *   runtime (Node, the bundle, its clients, 64 KiB read chunks): ~100 MiB with a 2 MiB semi-space,
 *     plus ~3 MiB per MiB of semi-space above that (both semi-spaces, and the buffers a less
 *     frequent scavenge leaves uncollected);
 *   a line held by a message: ~12 times its length — its chunks and the joined copy, the string,
 *     the escaped copy, the bulk body it lands in, and the garbage of the lines before it that the
 *     next old-space collection has not reclaimed yet (measured 8.7–13× with the body term);
 *     ~20 times when lines are parsed as JSON (ndjson lines, json records, auto): the parsed value
 *     of a line of many small objects is several times its text (measured: 8 MiB ndjson lines of
 *     `{"k":1}` items took a 512 MB function with text's budget to 496 MiB);
 *   a bulk body in flight: ~2 times its size (the body and its gzip output).
 * The sum must stay under 92 % of memoryMb; the memory tier checks the derived values against the
 * real peak at 128, 256, 512 and 1024 MB.
 */
import { DEFAULTS } from "../../lambda/contract/env";
import type { LogFormat } from "../../lambda/contract/formats";

const MiB = 1024 * 1024;

export const MEMORY_MODEL = {
  runtimeMiB: 100,
  perSemiSpaceMiB: 3,
  lineCopies: 12,
  parsedLineCopies: 20,
  bodyCopies: 2,
  /** Share of memoryMb the modelled peak may take: the rest absorbs what the model misses. */
  headroom: 0.92,
} as const;

/** Line limits the budget chooses from, largest first; an explicit `maxLineBytes` may be any value in range. */
export const LINE_LIMITS = [8 * MiB, 4 * MiB, 2 * MiB, 1 * MiB, 512 * 1024, 256 * 1024] as const;
export const MIN_LINE_BYTES = 1024;

export interface MemoryBudgetRequest {
  memoryMb: number;
  /** The producer's format: ndjson lines and json records are parsed, text lines are not. */
  format: LogFormat;
  /** An explicit line limit (config `maxLineBytes`); absent: the largest the memory allows. */
  maxLineBytes?: number;
  /** A text producer's multiline setting: an event held next to the line being read. */
  multiline?: { maxBytes?: number };
}

/**
 * What holds bytes in a function of `memoryMb`: the values the function receives. Its heap flags
 * (`oldSpaceMiBFor`, `semiSpaceMiBFor`) and the model's peak (`estimatedPeakMiB`) follow from them.
 */
export interface MemoryBudget {
  memoryMb: number;
  /** Whether each line is parsed as JSON (every format but text). */
  linesParsed: boolean;
  maxLineBytes: number;
  /** A multiline event's bytes at most (absent: no multiline). */
  multilineMaxBytes?: number;
  messageConcurrency: number;
  bulkMaxBytes: number;
  bulkConcurrency: number;
}

/** V8's young generation grows with the function: 2 MiB at 128 MB up to 32 MiB from 2 GB. */
export function semiSpaceMiBFor(memoryMb: number): number {
  return Math.min(32, Math.max(2, Math.floor(memoryMb / 64)));
}

/** The old space: half the function, so V8 collects before growing towards the function's size. */
export function oldSpaceMiBFor(memoryMb: number): number {
  return Math.max(64, Math.floor(memoryMb / 2));
}

/**
 * Bulk bodies follow the line limit, not memoryMb directly, so that no size threshold of their own
 * can shrink the line limit where memory grows: Elastic's recommended ~5 MiB from 4 MiB lines, 2 MiB
 * from 1 MiB lines, and 1 MiB, one body in flight per message, below.
 */
function bulkFor(maxLineBytes: number): { bulkMaxBytes: number; bulkConcurrency: number } {
  if (maxLineBytes >= 4 * MiB)
    return { bulkMaxBytes: DEFAULTS.ES_BULK_MAX_BYTES, bulkConcurrency: DEFAULTS.ES_BULK_CONCURRENCY };
  if (maxLineBytes >= 1 * MiB) return { bulkMaxBytes: 2 * MiB, bulkConcurrency: DEFAULTS.ES_BULK_CONCURRENCY };
  return { bulkMaxBytes: 1 * MiB, bulkConcurrency: 1 };
}

/** The bytes one message holds at worst: its line, and an open multiline event next to it. */
function heldBytesPerMessage(maxLineBytes: number, multilineMaxBytes: number | undefined): number {
  return maxLineBytes + (multilineMaxBytes ?? 0);
}

/** The model's peak, in MiB, for a function of `memoryMb` running these values. */
export function estimatedPeakMiB(values: MemoryBudget): number {
  // The semi-space as a continuous bound (≥ the whole MiB the flag gets), so that one more MB of
  // memory never costs a whole step of runtime and shrinks what fits.
  const semiSpace = Math.min(32, Math.max(2, values.memoryMb / 64));
  const runtime = MEMORY_MODEL.runtimeMiB + MEMORY_MODEL.perSemiSpaceMiB * (semiSpace - 2);
  const perMessage =
    (values.linesParsed ? MEMORY_MODEL.parsedLineCopies : MEMORY_MODEL.lineCopies) *
      heldBytesPerMessage(values.maxLineBytes, values.multilineMaxBytes) +
    MEMORY_MODEL.bodyCopies * values.bulkMaxBytes * values.bulkConcurrency;
  return runtime + (values.messageConcurrency * perMessage) / MiB;
}

/** The peak the budget allows a function of `memoryMb`, in MiB. */
export function allowedPeakMiB(memoryMb: number): number {
  return memoryMb * MEMORY_MODEL.headroom;
}

/**
 * The budget for `request`, or why it cannot fit. Without an explicit line limit it takes the
 * largest line limit at which two messages still run at once (else the smallest), then as many
 * messages at once (up to the default, 4) as fit: long lines cost concurrency, never a crash.
 */
export function memoryBudgetFor(request: MemoryBudgetRequest): MemoryBudget | { problem: string } {
  return budgetThatFits(request) ?? { problem: tooLarge(request) };
}

function budgetThatFits(request: MemoryBudgetRequest): MemoryBudget | undefined {
  const { memoryMb } = request;
  const withLine = (maxLineBytes: number): MemoryBudget | undefined => {
    const multilineMaxBytes = request.multiline ? (request.multiline.maxBytes ?? maxLineBytes) : undefined;
    const { bulkMaxBytes, bulkConcurrency } = bulkFor(maxLineBytes);
    for (let messages = DEFAULTS.MESSAGE_CONCURRENCY; messages >= 1; messages -= 1) {
      const values: MemoryBudget = {
        memoryMb,
        linesParsed: request.format !== "text",
        maxLineBytes,
        ...(multilineMaxBytes !== undefined ? { multilineMaxBytes } : {}),
        messageConcurrency: messages,
        bulkMaxBytes,
        bulkConcurrency,
      };
      if (estimatedPeakMiB(values) <= allowedPeakMiB(memoryMb)) return values;
    }
    return undefined;
  };

  if (request.maxLineBytes !== undefined) return withLine(request.maxLineBytes);
  // The largest limit at which two messages still run at once, else the smallest: a limit that only
  // depends on whether two fit grows with memory (taking one message's largest would shrink it
  // where a second message starts to fit).
  for (const limit of LINE_LIMITS) {
    const budget = withLine(limit);
    if (budget && budget.messageConcurrency >= 2) return budget;
  }
  return withLine(LINE_LIMITS[LINE_LIMITS.length - 1] as number);
}

/** The smallest memoryMb at which `request`'s explicit values fit one message at a time. */
export function minimumMemoryMbFor(request: MemoryBudgetRequest): number {
  for (let memoryMb = 128; memoryMb <= 10_240; memoryMb += 64) {
    if (budgetThatFits({ ...request, memoryMb })) return memoryMb;
  }
  return Infinity;
}

function tooLarge(request: MemoryBudgetRequest): string {
  const explicit = [
    request.maxLineBytes !== undefined ? ["maxLineBytes", request.maxLineBytes] : undefined,
    request.multiline?.maxBytes !== undefined ? ["multiline.maxBytes", request.multiline.maxBytes] : undefined,
  ].filter((setting) => setting !== undefined);
  const names = explicit.map(([name]) => name).join(" or ");
  const needed = minimumMemoryMbFor(request);
  return (
    `${explicit.map(([name, value]) => `${name} ${value}`).join(" with ")} does not fit a ${request.memoryMb} MB function even one message at a time ` +
    `(a line is held about ${request.format === "text" ? MEMORY_MODEL.lineCopies : MEMORY_MODEL.parsedLineCopies} times over while it is shipped: docs/reliability.md "Memory"); ` +
    (Number.isFinite(needed) ? `raise memoryMb to at least ${needed}, or lower ${names}` : `lower ${names}`)
  );
}
