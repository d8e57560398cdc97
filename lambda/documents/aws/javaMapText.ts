/**
 * A JSON value written as Elasticsearch's ingest pipelines write it when they turn a parsed object
 * into text (`Map.toString()` in Painless): `{key=value, list=[a, b]}`. Elastic's CloudTrail
 * integration stores `requestParameters` and the other open-ended members this way, and its
 * detection rules match that text by substring (`*userData=*`) and by pattern (ES|QL `dissect`,
 * `RLIKE`), so the function writes the same text.
 *
 * The exact form follows from the JDK, not from Elastic's code:
 * - The `json` ingest processor parses objects into `java.util.HashMap` (XContentParser.map()), so
 *   members come out in HashMap iteration order: by bucket of the spread key hash
 *   (`h ^ (h >>> 16)`, `h` = String.hashCode), in a table of 16 slots doubled whenever the entries
 *   pass three quarters of it, and in insertion order within a bucket (a resize keeps their
 *   relative order). Not the record's order.
 * - `AbstractMap.toString`: `{` + `key=value` joined by `, ` + `}`; `AbstractCollection.toString`:
 *   `[` + items joined by `, ` + `]`; strings as they are (no quotes), `null` as `null`.
 * - Numbers: whole numbers as Integer/Long text; others as `Double.toString` (JDK 19+, shortest
 *   repetition): plain between 10^-3 and 10^7 (`0.5`, `1234.5`), else `1.5E10`, `1.0E-5`.
 *   A number written `1.0` in the record is a whole number to JSON.parse, so it reads `1` here
 *   (the pipeline's Double prints `1.0`); such values are rare in CloudTrail's members.
 * Empty and null members are dropped before (emptyValues.ts), as the integration's pipeline does first.
 */

/** `value` as the pipeline's `toString()` of it. */
export function javaMapText(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number") return javaNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map(javaMapText).join(", ")}]`;
  if (typeof value === "object") {
    const keys = hashMapOrder(Object.keys(value));
    return `{${keys.map((key) => `${key}=${javaMapText((value as Record<string, unknown>)[key])}`).join(", ")}}`;
  }
  return String(value);
}

/** `keys` (in insertion order) in the order a java.util.HashMap holding them iterates. */
export function hashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  // A HashMap resizes when its size passes capacity × 0.75.
  while (keys.length > capacity * 0.75) capacity *= 2;
  const mask = capacity - 1;
  return keys
    .map((key, position) => ({ key, position, bucket: spreadHash(javaStringHash(key)) & mask }))
    .sort((a, b) => a.bucket - b.bucket || a.position - b.position)
    .map((entry) => entry.key);
}

/** `String.hashCode()`: over UTF-16 code units, in 32-bit arithmetic. */
export function javaStringHash(text: string): number {
  let hash = 0;
  for (let index = 0; index < text.length; index += 1) hash = (Math.imul(hash, 31) + text.charCodeAt(index)) | 0;
  return hash;
}

/** HashMap.hash(): the high bits folded into the low ones. */
function spreadHash(hash: number): number {
  return hash ^ (hash >>> 16);
}

/** A JSON number as Integer/Long or `Double.toString` writes it. */
export function javaNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 2 ** 63) return value.toFixed(0);
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
  const magnitude = Math.abs(value);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    const text = String(value);
    return text.includes(".") || text.includes("e") ? text : `${text}.0`;
  }
  // Scientific: JavaScript's shortest digits, in Java's form (`1.5E10`, one digit before the point).
  const [mantissa = "0", exponent = "0"] = value.toExponential().split("e");
  return `${mantissa.includes(".") ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}
