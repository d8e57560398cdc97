import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULTS } from "../../../lambda/contract/env";
import { LOG_FORMATS } from "../../../lambda/contract/formats";
import {
  allowedPeakMiB,
  estimatedPeakMiB,
  LINE_LIMITS,
  memoryBudgetFor,
  MIN_LINE_BYTES,
  minimumMemoryMbFor,
  oldSpaceMiBFor,
  semiSpaceMiBFor,
  type MemoryBudget,
} from "../../../pipeline/function/memoryBudget";

const MiB = 1024 * 1024;
const memorySizes = fc.integer({ min: 128, max: 10_240 });
const lineLimits = fc.integer({ min: MIN_LINE_BYTES, max: DEFAULTS.MAX_LINE_BYTES });
const formats = fc.constantFrom(...LOG_FORMATS);
const requests = fc.record(
  {
    memoryMb: memorySizes,
    format: formats,
    maxLineBytes: lineLimits,
    multiline: fc.record({ maxBytes: fc.integer({ min: 1024, max: DEFAULTS.MAX_LINE_BYTES }) }, { requiredKeys: [] }),
  },
  { requiredKeys: ["memoryMb", "format"] },
);

function fits(budget: MemoryBudget | { problem: string }): MemoryBudget {
  if ("problem" in budget) throw new Error(budget.problem);
  return budget;
}

describe("the memory budget", () => {
  it("adds up: for any size and settings it fits, the worst case is within the function's memory", () => {
    fc.assert(
      fc.property(requests, (request) => {
        const budget = memoryBudgetFor(request);
        if ("problem" in budget) return;
        // Recomputed from the values the function receives, not trusted from the budget.
        expect(estimatedPeakMiB(budget)).toBeLessThanOrEqual(allowedPeakMiB(request.memoryMb));
        expect(budget.messageConcurrency).toBeGreaterThanOrEqual(1);
        expect(budget.messageConcurrency).toBeLessThanOrEqual(DEFAULTS.MESSAGE_CONCURRENCY);
        expect(budget.maxLineBytes).toBe(request.maxLineBytes ?? budget.maxLineBytes);
        expect(budget.multilineMaxBytes).toBe(
          request.multiline ? (request.multiline.maxBytes ?? budget.maxLineBytes) : undefined,
        );
        // The heap flags: the old space can hold every message's line and event as UTF-16 strings, twice.
        const heldMiB = (budget.maxLineBytes + (budget.multilineMaxBytes ?? 0)) / MiB;
        const oldSpace = oldSpaceMiBFor(request.memoryMb);
        expect(oldSpace).toBeGreaterThan(4 * heldMiB * budget.messageConcurrency);
        expect(oldSpace + 3 * semiSpaceMiBFor(request.memoryMb)).toBeLessThan(request.memoryMb);
      }),
    );
  });

  it("fits the program's own defaults at every size config accepts", () => {
    fc.assert(
      fc.property(memorySizes, formats, fc.boolean(), (memoryMb, format, multiline) => {
        const budget = fits(memoryBudgetFor({ memoryMb, format, ...(multiline ? { multiline: {} } : {}) }));
        expect(LINE_LIMITS).toContain(budget.maxLineBytes);
      }),
    );
  });

  it("never gives a larger function less: line limit, messages at once and bulk bodies grow with memory", () => {
    fc.assert(
      fc.property(memorySizes, memorySizes, formats, fc.boolean(), (a, b, format, multiline) => {
        const [small, large] = a <= b ? [a, b] : [b, a];
        const extra = { format, ...(multiline ? { multiline: {} } : {}) };
        const less = fits(memoryBudgetFor({ memoryMb: small, ...extra }));
        const more = fits(memoryBudgetFor({ memoryMb: large, ...extra }));
        expect(more.maxLineBytes).toBeGreaterThanOrEqual(less.maxLineBytes);
        expect(more.maxLineBytes * more.messageConcurrency).toBeGreaterThanOrEqual(
          less.maxLineBytes * less.messageConcurrency,
        );
        expect(more.bulkMaxBytes).toBeGreaterThanOrEqual(less.bulkMaxBytes);
      }),
    );
  });

  it("refuses an explicit line limit that does not fit, naming the memory that would", () => {
    fc.assert(
      fc.property(requests, (request) => {
        const budget = memoryBudgetFor(request);
        if (!("problem" in budget)) return;
        const needed = minimumMemoryMbFor(request);
        expect(needed).toBeGreaterThan(request.memoryMb);
        expect(budget.problem).toContain(`raise memoryMb to at least ${needed}`);
        fits(memoryBudgetFor({ ...request, memoryMb: needed }));
      }),
    );
    expect(memoryBudgetFor({ memoryMb: 128, format: "text", maxLineBytes: 8 * MiB })).toEqual({
      problem: expect.stringMatching(
        /^maxLineBytes 8388608 does not fit a 128 MB function even one message at a time .* raise memoryMb to at least 256, or lower maxLineBytes$/,
      ) as string,
    });
  });

  it("gives formats whose lines are parsed (ndjson, json, auto) a shorter line than text at the same size", () => {
    expect(fits(memoryBudgetFor({ memoryMb: 512, format: "text" })).maxLineBytes).toBe(8 * MiB);
    for (const format of ["ndjson", "json", "auto"] as const)
      expect(fits(memoryBudgetFor({ memoryMb: 512, format })).maxLineBytes).toBe(4 * MiB);
  });

  it("takes fewer messages at once rather than a shorter line when a line limit is set", () => {
    expect(fits(memoryBudgetFor({ memoryMb: 256, format: "text", maxLineBytes: 8 * MiB }))).toMatchObject({
      maxLineBytes: 8 * MiB,
      messageConcurrency: 1,
    });
    expect(fits(memoryBudgetFor({ memoryMb: 128, format: "text", maxLineBytes: 64 * 1024 }))).toMatchObject({
      messageConcurrency: DEFAULTS.MESSAGE_CONCURRENCY,
    });
  });
});
