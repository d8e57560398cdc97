/**
 * Which objects a producer reads: its bucket, and either a literal key prefix and suffix or a key
 * pattern. The program validates and deploys it (notification filters, EventBridge rule, the role's
 * S3 grant); the function checks every object against it before reading, so a shared SNS topic or a
 * mis-scoped rule cannot fill the DLQ with AccessDenied. No imports: both sides load it.
 *
 * A pattern's `*` matches any run of characters, `/` included (EventBridge's `wildcard` and IAM's
 * `*` mean the same); every other character is literal. `?` is refused by the program: IAM reads
 * it as a wildcard, EventBridge does not.
 */

export type ObjectFilter = { bucket: string } & ({ prefix: string; suffix: string } | { keyPattern: string });

/**
 * Whether `key` matches `pattern` as a whole. By hand rather than as a regular expression: `.*`
 * per star backtracks polynomially in the number of stars on a crafted 1 KiB key, while matching the
 * literal parts leftmost in order (optimal when `*` is the only wildcard) is linear per part.
 */
export function keyPatternMatches(pattern: string, key: string): boolean {
  const parts = pattern.split("*");
  const first = parts[0] as string;
  if (parts.length === 1) return key === first;
  const last = parts[parts.length - 1] as string;
  const end = key.length - last.length;
  if (end < first.length || !key.startsWith(first) || !key.endsWith(last)) return false;
  let at = first.length;
  for (const middle of parts.slice(1, -1)) {
    const found = key.indexOf(middle, at);
    if (found === -1 || found + middle.length > end) return false;
    at = found + middle.length;
  }
  return true;
}

/** Whether the producer reads `bucket`/`key`. */
export function matchesObjectFilter(filter: ObjectFilter, bucket: string, key: string): boolean {
  if (bucket !== filter.bucket) return false;
  if ("keyPattern" in filter) return keyPatternMatches(filter.keyPattern, key);
  return key.startsWith(filter.prefix) && key.endsWith(filter.suffix);
}

/** The filter of a producer's settings: a key pattern when it has one, else its prefix and suffix. */
export function objectFilterOf(objects: {
  bucket: string;
  prefix?: string;
  suffix?: string;
  keyPattern?: string | undefined;
}): ObjectFilter {
  return objects.keyPattern !== undefined
    ? { bucket: objects.bucket, keyPattern: objects.keyPattern }
    : { bucket: objects.bucket, prefix: objects.prefix ?? "", suffix: objects.suffix ?? "" };
}

/** The literal start every matching key has: what a listing of the producer's objects may start from. */
export function listingPrefix(filter: ObjectFilter): string {
  return "keyPattern" in filter ? (filter.keyPattern.split("*")[0] as string) : filter.prefix;
}

/** The filter in words, for log lines and reasons. */
export function describeObjectFilter(filter: ObjectFilter): string {
  return "keyPattern" in filter
    ? `s3://${filter.bucket}/${filter.keyPattern}`
    : `s3://${filter.bucket}/${filter.prefix}*${filter.suffix}`;
}
