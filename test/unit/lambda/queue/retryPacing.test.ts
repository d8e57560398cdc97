import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "../../../../lambda/queue/retryPacing";

describe("retryDelaySeconds", () => {
  it("grows 30 s, 1, 2, 4, 8 min by receive count (upper bounds, before jitter)", () => {
    const noJitter = () => 1;
    expect([1, 2, 3, 4, 5].map((n) => retryDelaySeconds(n, 5400, noJitter))).toEqual([30, 60, 120, 240, 480]);
  });

  it("jitters down to half, never below", () => {
    expect(retryDelaySeconds(3, 5400, () => 0)).toBe(60);
  });

  it("stays below the visibility timeout", () => {
    expect(retryDelaySeconds(12, 60, () => 1)).toBe(59);
  });

  it("brings a poison message to the DLQ (5 receives) in about a quarter of an hour at most", () => {
    const worst = [1, 2, 3, 4].reduce((sum, n) => sum + retryDelaySeconds(n, 1800, () => 1), 0);
    expect(worst).toBe(450);
  });
});
