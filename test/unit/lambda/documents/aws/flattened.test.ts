/**
 * What a `flattened` field takes (lambda/documents/aws/flattened.ts), at the limits Elasticsearch 8.19
 * and 9.2 showed: a value of 32,764 bytes under a one-byte key indexed, 32,765 refused ("immense
 * field whose keyed encoding is longer than … 32766 bytes"); 20 objects deep indexed, 21 refused
 * ("exceeds the maximum depth limit of [20]"), through arrays alike. The integration tier sends the
 * same shapes to a real node (test/integration/cloudTrailCorpus.test.ts).
 */
import { describe, expect, it } from "vitest";
import { fitsFlattened } from "../../../../../lambda/documents/aws/flattened";

/** `depth` objects nested, the outermost included; `through` wraps each in an array. */
function nested(depth: number, through: "objects" | "arrays"): unknown {
  let value: unknown = { leaf: "x" };
  for (let level = 1; level < depth; level += 1) value = { d: through === "arrays" ? [value] : value };
  return value;
}

describe("fitsFlattened", () => {
  it("takes a leaf whose key, separator and value are 32,766 bytes, not one more", () => {
    expect(fitsFlattened({ a: "v".repeat(32_764) })).toBe(true);
    expect(fitsFlattened({ a: "v".repeat(32_765) })).toBe(false);
    // The dotted key counts: a.b is three bytes.
    expect(fitsFlattened({ a: { b: "v".repeat(32_762) } })).toBe(true);
    expect(fitsFlattened({ a: { b: "v".repeat(32_763) } })).toBe(false);
    expect(fitsFlattened({ ["k".repeat(20_000)]: "v".repeat(13_000) })).toBe(false);
  });

  it("counts UTF-8 bytes, not characters", () => {
    expect(fitsFlattened({ a: "€".repeat(10_921) })).toBe(true); // 32,763 bytes
    expect(fitsFlattened({ a: "€".repeat(12_000) })).toBe(false); // 36,000 bytes in 12,000 characters
    expect(fitsFlattened({ ["é".repeat(10_000)]: "é".repeat(6_382) })).toBe(true); // 20,000 + 1 + 12,764 bytes
    expect(fitsFlattened({ ["é".repeat(10_000)]: "é".repeat(6_383) })).toBe(false);
    expect(fitsFlattened({ a: ["short", "€".repeat(12_000)] })).toBe(false);
  });

  it("takes 20 objects deep, not 21, arrays adding no depth", () => {
    for (const through of ["objects", "arrays"] as const) {
      expect(fitsFlattened(nested(20, through))).toBe(true);
      expect(fitsFlattened(nested(21, through))).toBe(false);
    }
  });

  it("takes numbers, booleans and nulls as leaves", () => {
    expect(fitsFlattened({ a: 1, b: true, c: null, d: [1.5, false] })).toBe(true);
  });
});
