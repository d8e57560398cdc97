import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { closingMillis, REQUEST_MARGIN_MS, reserveMillis, TimeBudget } from "../../../../lambda/queue/timeBudget";

describe("TimeBudget", () => {
  it("orders the moments of an invocation for every timeout config allows: stop, deadline, finish, end", () => {
    fc.assert(
      fc.property(fc.integer({ min: 10_000, max: 900_000 }), (remainingMs) => {
        // Prepare
        const budget = new TimeBudget(remainingMs, 0);
        // Assess: reading starts; a request started at the deadline ends (at the latest) by finishBy,
        // and finishBy leaves at least half a second to pace failures and return.
        expect(budget.shouldStop(0)).toBe(false);
        expect(budget.deadline() + REQUEST_MARGIN_MS).toBeLessThanOrEqual(budget.finishBy);
        expect(budget.end - budget.finishBy).toBeGreaterThanOrEqual(500);
        expect(budget.shouldStop(budget.finishBy - reserveMillis(remainingMs) + 1)).toBe(true);
        expect(budget.untilFinish(budget.end)).toBe(0);
      }),
    );
  });

  it.each([
    [10_000, 2_500, 500],
    [300_000, 60_000, 3_000],
    [900_000, 60_000, 3_000],
  ])("keeps back a reserve and a closing time for a %i ms invocation", (total, reserve, closing) => {
    expect(reserveMillis(total)).toBe(reserve);
    expect(closingMillis(total)).toBe(closing);
  });
});
