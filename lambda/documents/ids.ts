/**
 * Deterministic document ids: derived only from (bucket, key, object version, offset), so a
 * redelivery reproduces them and `create` answers 409 instead of indexing twice.
 */
import { createHash } from "node:crypto";

/** Length of the per-object part of an id: 22 base64url characters = 132 bits of SHA-256. */
const OBJECT_ID_LENGTH = 22;

/**
 * The per-object part of every document id: a hash of bucket, key and object version. The id is
 * this followed by the record's offset in base 36 — one hash per object instead of one per line,
 * unique within the object because offsets are, and ids of one object share a prefix, which
 * Lucene looks up faster than random ids.
 */
export function objectIdPrefix(bucket: string, key: string, identity: string): string {
  return createHash("sha256").update(`${bucket}\n${key}\n${identity}`).digest("base64url").slice(0, OBJECT_ID_LENGTH);
}

/** Deterministic document id: same object version (prefix) and offset, same id. */
export function documentId(objectPrefix: string, offset: number): string {
  return objectPrefix + offset.toString(36);
}
