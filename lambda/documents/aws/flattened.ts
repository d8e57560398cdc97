/**
 * What an Elasticsearch `flattened` field accepts, so that a document never carries an object it
 * refuses (a refusal fails the whole record: a dead letter, or the message in the DLQ). Two limits,
 * measured on 8.19 and 9.2 (the refusals quoted) and documented for the field type
 * (https://www.elastic.co/docs/reference/elasticsearch/mapping-reference/flattened, `depth_limit`):
 * - depth: "exceeds the maximum depth limit of [20]" — objects nested more than 20 deep, the
 *   field's own value counting as the first; arrays add no depth;
 * - size: "contains one immense field whose keyed encoding is longer than the allowed max length of
 *   32766 bytes" — per leaf, its dotted key and a separator byte and its value, in UTF-8 (Lucene's
 *   term limit: a value of 12,000 `€` is 36,000 bytes though 12,000 characters).
 */

/** The default `depth_limit` of a flattened field. */
export const FLATTENED_DEPTH_LIMIT = 20;
/** Lucene's longest term, in bytes: a leaf's keyed encoding (`key` + 1 + value) may not pass it. */
export const FLATTENED_TERM_BYTES = 32_766;

/** Whether a flattened field takes `value` (an object) without refusing the document. */
export function fitsFlattened(value: unknown): boolean {
  return fits(value, "", 0);
}

/** `key`: the dotted key so far ("" at the field's own value); `depth`: the objects around `value`. */
function fits(value: unknown, key: string, depth: number): boolean {
  if (value === null || value === undefined) return true;
  if (Array.isArray(value)) {
    for (const item of value) if (!fits(item, key, depth)) return false;
    return true;
  }
  if (typeof value === "object") {
    if (depth + 1 > FLATTENED_DEPTH_LIMIT) return false;
    for (const [name, member] of Object.entries(value))
      if (!fits(member, key === "" ? name : `${key}.${name}`, depth + 1)) return false;
    return true;
  }
  const leaf = typeof value === "string" ? value : String(value);
  // A UTF-16 unit is at most 3 bytes of UTF-8: most leaves are safely short without counting.
  if ((key.length + 1 + leaf.length) * 3 <= FLATTENED_TERM_BYTES) return true;
  return Buffer.byteLength(key) + 1 + Buffer.byteLength(leaf) <= FLATTENED_TERM_BYTES;
}
