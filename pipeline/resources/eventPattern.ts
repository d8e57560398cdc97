/**
 * The EventBridge rule pattern that selects a producer's objects from the bucket account's default
 * bus: S3's "Object Created" events of its bucket, keys by its filter. Pure, so the exact pattern is
 * unit-tested.
 *
 * EventBridge User Guide, "Comparison operators for use in event patterns": `wildcard` matches `*`
 * as any run of characters (`/` included) and takes `\*` and `\\` as a literal star and backslash;
 * it works on event buses. A prefix and a suffix together are one wildcard `prefix*suffix`
 * (`prefix` and `suffix` cannot be given for one field at once). S3 User Guide, "Using EventBridge":
 * source `aws.s3`, detail-type `Object Created`, `detail.bucket.name`, `detail.object.key`.
 */
import type { ProducerObjects } from "./policies";

export interface ObjectCreatedPattern {
  source: ["aws.s3"];
  "detail-type": ["Object Created"];
  detail: { bucket: { name: [string] }; object?: { key: [{ wildcard: string }] } };
}

/** A literal for a wildcard: its backslashes and stars escaped. */
function wildcardLiteral(text: string): string {
  return text.replace(/[\\*]/g, (character) => `\\${character}`);
}

/** The key as a wildcard: the pattern's `*` kept, or `prefix*suffix` with both literal; none when every key matches. */
export function keyWildcard(objects: ProducerObjects): string | undefined {
  if (objects.keyPattern !== undefined) return objects.keyPattern.replace(/\\/g, "\\\\");
  if (!objects.prefix && !objects.suffix) return undefined;
  return `${wildcardLiteral(objects.prefix ?? "")}*${wildcardLiteral(objects.suffix ?? "")}`;
}

export function objectCreatedPattern(objects: ProducerObjects): ObjectCreatedPattern {
  const wildcard = keyWildcard(objects);
  return {
    source: ["aws.s3"],
    "detail-type": ["Object Created"],
    detail: {
      bucket: { name: [objects.bucket] },
      ...(wildcard !== undefined ? { object: { key: [{ wildcard }] } } : {}),
    },
  };
}
