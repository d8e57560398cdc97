/**
 * What identifies the content of an S3 object, for document ids and for pinning reads.
 *
 * A real version id names content that never changes. Objects written while bucket versioning is
 * suspended (or was never enabled, seen through a versioned API) all carry version id `"null"`,
 * which names whatever was written last: it can neither pin a read nor tell two contents apart,
 * so it is dropped wherever it appears and the ETag takes its place.
 */

/** S3's version id of objects written while versioning was off or suspended. */
export const NULL_VERSION_ID = "null";

/** `{ versionId }` when the id names one version, else nothing. */
export function realVersion(versionId: string | undefined): { versionId?: string } {
  return versionId && versionId !== NULL_VERSION_ID ? { versionId } : {};
}

/**
 * The identity documents' ids are derived from: the version id when there is a real one (its
 * content is immutable), else the ETag (changes whenever the content does), else — only if S3
 * answered without either — the notification's event time (a redelivery still repeats it).
 *
 * The ETag is not added to a real version id: it would change no id that needs changing, and it
 * would change every id of versioned objects at the upgrade, duplicating objects in progress.
 */
export function objectIdentity(version: { versionId?: string; eTag?: string }, eventTime: string): string {
  return realVersion(version.versionId).versionId ?? version.eTag ?? eventTime;
}
