import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { keyPatternMatches, matchesObjectFilter } from "../../../../lambda/contract/objectFilter";

/** The meaning of a pattern, stated the slow way: a regular expression (fine on short keys). */
function reference(pattern: string, key: string): boolean {
  const literal = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${literal.join(".*")}$`, "s").test(key);
}

describe("key patterns", () => {
  it("match exactly what `*` as any run of characters (slashes included) matches", () => {
    const text = fc.string({ unit: fc.constantFrom("a", "b", "/", "*", ".", "-"), maxLength: 12 });
    fc.assert(
      fc.property(
        text,
        fc.string({ unit: fc.constantFrom("a", "b", "/", ".", "-"), maxLength: 16 }),
        (pattern, key) => {
          expect(keyPatternMatches(pattern, key)).toBe(reference(pattern, key));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it.each([
    ["AWSLogs/o-*/*/CloudTrail/*", "AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/2026/12/01/x.json.gz", true],
    [
      "AWSLogs/o-*/*/CloudTrail/*",
      "AWSLogs/o-abc123/111122223333/CloudTrail-Digest/eu-west-1/2026/12/01/x.json.gz",
      false,
    ],
    ["AWSLogs/o-*/*/CloudTrail/*", "AWSLogs/111122223333/CloudTrail/eu-west-1/x.json.gz", false],
    ["*.log.gz", "a/b.log.gz", true],
    ["exact.log", "exact.log", true],
    ["exact.log", "exact.log.1", false],
  ])("%s against %s: %s", (pattern, key, expected) => {
    expect(keyPatternMatches(pattern, key)).toBe(expected);
  });

  it("stays fast on a crafted key that backtracking regular expressions take polynomial time for", () => {
    const pattern = "a*a*a*a*a*a*b";
    const key = "a".repeat(1024);
    const started = process.hrtime.bigint();
    expect(keyPatternMatches(pattern, key)).toBe(false);
    // Not a timing assertion on speed: a generous bound that only a polynomial blow-up would cross.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(1_000);
  });
});

describe("object filters", () => {
  it("take the bucket into account, and a prefix and suffix as literals", () => {
    const filter = { bucket: "logs", prefix: "waf/", suffix: ".gz" };
    const matches = (bucket: string, key: string) => matchesObjectFilter(filter, bucket, key);
    expect(matches("logs", "waf/2026/x.gz")).toBe(true);
    expect(matches("other", "waf/2026/x.gz")).toBe(false);
    expect(matches("logs", "alb/2026/x.gz")).toBe(false);
    expect(matches("logs", "waf/2026/x.log")).toBe(false);
  });
});
