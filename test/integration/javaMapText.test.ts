/**
 * The text form of CloudTrail's open-ended members (lambda/documents/aws/javaMapText.ts) against the
 * JDK itself: random objects of the shapes CloudTrail writes are built as `java.util.HashMap`s in
 * their order (what `XContentParser.map()` does in the integration's `json` processor) and printed
 * with `toString()` (what its script stores), by the Java the tier already runs Elasticsearch on.
 * Here because this tier needs Java anyway; the unit tier holds printed examples.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { javaMapText } from "../../lambda/documents/aws/javaMapText";

/** A Java expression building `value` as the JSON parser would: HashMap, ArrayList, String, Integer/Long, Boolean. */
function javaExpression(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number")
    return Number.isSafeInteger(value) && Math.abs(value) < 2 ** 31 ? String(value) : `${value}L`;
  if (Array.isArray(value)) return `list(${value.map(javaExpression).join(", ")})`;
  return `map(${Object.entries(value as Record<string, unknown>)
    .map(([key, member]) => `${JSON.stringify(key)}, ${javaExpression(member)}`)
    .join(", ")})`;
}

const SOURCE = (values: unknown[]) => `
import java.util.*;
public class Print {
  static Map<String, Object> map(Object... pairs) {
    Map<String, Object> map = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) map.put((String) pairs[i], pairs[i + 1]);
    return map;
  }
  static List<Object> list(Object... items) { return new ArrayList<>(Arrays.asList(items)); }
${values.map((value, index) => `  static void print${index}() { System.out.println(${javaExpression(value)}); }`).join("\n")}
  public static void main(String[] args) {
${values.map((_, index) => `    print${index}();`).join("\n")}
  }
}
`;

/** Keys like CloudTrail's (camelCase words, ids), and some of any characters but line breaks. */
const key = fc.oneof(
  fc.constantFrom("bucketName", "roleArn", "instanceId", "userName", "policyArn", "Host", "x-amz-acl", "items", "key"),
  fc.stringMatching(/^[A-Za-z][A-Za-z0-9_-]{0,14}$/),
);
const leaf = fc.oneof(
  fc.stringMatching(/^[^\n\r"\\]{0,20}$/).filter((text) => text !== ""),
  fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
  fc.boolean(),
);
const { value: member } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(key, tie("value"), { minKeys: 1, maxKeys: 30 }),
  ),
}));

describe("javaMapText against the JDK", () => {
  it("prints what java.util.HashMap.toString prints, for objects of up to 30 keys, nested, in any order", () => {
    // Prepare: 150 objects, one JVM (a method each: the JVM limits a method's size).
    const values = fc.sample(fc.dictionary(key, member, { minKeys: 1, maxKeys: 30 }), { numRuns: 150, seed: 20261207 });
    const directory = mkdtempSync(path.join(tmpdir(), "java-map-text-"));
    const file = path.join(directory, "Print.java");
    writeFileSync(file, SOURCE(values));
    // Act
    const printed = execFileSync("java", [file], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).split("\n");
    // Assess
    values.forEach((value, index) => expect(javaMapText(value), JSON.stringify(value)).toBe(printed[index]));
  }, 120_000);
});
