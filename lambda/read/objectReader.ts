/**
 * Streams an S3 object's bytes, decompressed when its content is gzip, from where a read should
 * start. A connection that breaks — or a body that ends before the length S3 announced — resumes
 * with a ranged GET at the byte reached, pinned to the version or ETag first read, instead of
 * restarting the object.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { describeError, ObjectReadError } from "../errors";
import type { ObjectEvents } from "../contract/events";
import { peek } from "./byteStreams";
import { GzipMembers, isGzip } from "./gzip";
import { objectIdentity, realVersion } from "./objectIdentity";
import type { GzipMemberStart, ReadStart } from "../contract/resumePoint";
import type { ObjectRef, ObjectVersion } from "../contract/shapes";

/** How many times one read may resume after the connection breaks. */
export const MAX_RESUMES = 5;

/**
 * S3 error codes that no retry can fix: the object or version is gone, the bucket does not exist,
 * the function may not read it, or it is archived. Anything else (5xx, SlowDown, timeouts, resets)
 * is worth retrying.
 */
const PERMANENT_S3_ERRORS = new Set([
  "NoSuchKey",
  "NoSuchVersion",
  "NoSuchBucket",
  "AccessDenied",
  "InvalidObjectState",
  "NotFound",
  "Forbidden",
]);

/** The version of the object actually read: the identity documents' ids are derived from. */

export interface OpenedObject {
  version: ObjectVersion;
  /** Decompressed bytes, the first of which is byte `firstByte` of the decompressed stream. */
  chunks: AsyncIterable<Buffer>;
  firstByte: number;
  /** Gzip objects: the member start a continuation resuming at decompressed `offset` reads from. */
  memberStartAt: (offset: number) => GzipMemberStart | undefined;
  /** Compressed bytes received from S3 so far, resumptions included. */
  bytesRead: () => number;
}

export interface OpenObjectOptions {
  /**
   * A shortcut to the wanted position: a plain object is read with one ranged GET from
   * `byteOffset`, a gzip object from its member's start. Without one, the object is read from its
   * first byte and `firstByte` is 0 (the caller skips what it does not want).
   */
  start?: ReadStart;
  /** Told before each resumption, with the error that broke the stream. */
  events: Pick<ObjectEvents, "streamResumed">;
}

/** Opens `ref` for streaming. Throws `ObjectReadError` when S3 refuses the first request. */
export async function openObject(s3: S3Client, ref: ObjectRef, options: OpenObjectOptions): Promise<OpenedObject> {
  let bytesRead = 0;
  const { start } = options;
  // A continuation reads the version it started on: if the object was replaced since, S3 answers
  // 412 and the caller treats the continuation as superseded (the new version has its own event).
  const continuing: Pin | undefined =
    ref.resume && (ref.eTag || realVersion(ref.versionId).versionId)
      ? { ...realVersion(ref.versionId), ...(ref.eTag ? { eTag: ref.eTag } : {}) }
      : undefined;
  const plainShortcut = start !== undefined && start.gzip === false && start.byteOffset > 0;
  const memberShortcut =
    start?.gzip === true && start.member !== undefined && start.member.compressedOffset > 0 ? start.member : undefined;
  const fromByte = plainShortcut ? start.byteOffset : (memberShortcut?.compressedOffset ?? 0);

  const first =
    fromByte > 0
      ? await getRange(s3, ref, fromByte, continuing)
      : await getObject(s3, ref, { fromByte: 0, ...(continuing ? { pin: continuing } : {}) });
  const pin: Pin = {
    ...realVersion(first?.VersionId ?? continuing?.versionId ?? realVersion(ref.versionId).versionId),
    ...(first?.ETag ? { eTag: first.ETag } : continuing?.eTag ? { eTag: continuing.eTag } : {}),
  };
  const counted = (from: number, response: GetObjectCommandOutput): AsyncIterable<Buffer> =>
    resumingBody(s3, ref, pin, from, response, (n) => (bytesRead += n), options.events);
  const version = (gzip: boolean): ObjectVersion => ({ ...pin, identity: objectIdentity(pin, ref.eventTime), gzip });
  const plain = (chunks: AsyncIterable<Buffer>, firstByte: number): OpenedObject => ({
    version: version(false),
    chunks,
    firstByte,
    memberStartAt: () => undefined,
    bytesRead: () => bytesRead,
  });
  const gzip = (compressed: AsyncIterable<Buffer>, member: GzipMemberStart): OpenedObject => {
    const members = new GzipMembers(compressed, member, ref);
    return {
      version: version(true),
      chunks: members.inflate(),
      firstByte: member.decompressedOffset,
      memberStartAt: (offset) => members.memberStartAt(offset),
      bytesRead: () => bytesRead,
    };
  };

  if (plainShortcut) return plain(first ? counted(fromByte, first) : emptyStream(), fromByte);
  if (memberShortcut) {
    // A member start lies inside the object it was read from (the read is pinned to it).
    if (!first)
      throw new ObjectReadError(
        ref.bucket,
        ref.key,
        `the object ends before the gzip member at byte ${fromByte} a continuation names`,
        { transient: false },
      );
    return gzip(counted(fromByte, first), memberShortcut);
  }
  if (!first) return plain(emptyStream(), 0);
  const { head, stream } = await peek(counted(0, first), 2);
  return isGzip(head) ? gzip(stream, { compressedOffset: 0, decompressedOffset: 0 }) : plain(stream, 0);
}

/** A GET from `fromByte` to the end; undefined when the object ends before it (S3 answers 416). */
async function getRange(
  s3: S3Client,
  ref: ObjectRef,
  fromByte: number,
  pin: Pin | undefined,
): Promise<GetObjectCommandOutput | undefined> {
  try {
    return await getObject(s3, ref, { fromByte, ...(pin ? { pin } : {}) });
  } catch (error) {
    if (error instanceof ObjectReadError && error.cause instanceof Error && error.cause.name === "InvalidRange")
      return undefined;
    throw error;
  }
}

interface Pin {
  versionId?: string;
  eTag?: string;
}

async function getObject(
  s3: S3Client,
  ref: ObjectRef,
  { fromByte, pin }: { fromByte: number; pin?: Pin },
): Promise<GetObjectCommandOutput> {
  const versionId = pin?.versionId ?? realVersion(ref.versionId).versionId;
  try {
    return await s3.send(
      new GetObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        ...(versionId ? { VersionId: versionId } : {}),
        // Without a version, pin resumptions to the ETag first read so offsets stay meaningful.
        ...(!versionId && pin?.eTag ? { IfMatch: pin.eTag } : {}),
        ...(fromByte > 0 ? { Range: `bytes=${fromByte}-` } : {}),
      }),
    );
  } catch (error) {
    const kms = isKmsRefusal(error) ? `; ${KMS_HINT}` : "";
    throw new ObjectReadError(ref.bucket, ref.key, `GetObject failed: ${describeError(error)}${kms}`, {
      cause: error,
      transient: !isPermanentS3Error(error),
    });
  }
}

/** What to do about an object S3 could not decrypt for the function: the config key, and the key policy. */
export const KMS_HINT =
  "the object is encrypted with a KMS key (SSE-KMS) the function may not use: list the key's ARN in the producer's objectKmsKeyArns, and for a key of another account add the key-policy statement `npm run plan` prints";

/**
 * Whether S3 refused because of the object's KMS key rather than the object: AccessDenied naming a
 * `kms:` action ("… is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:…"), or one of
 * the `KMS.*` codes S3 relays (a disabled, deleted or pending key).
 */
export function isKmsRefusal(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return error.name.startsWith("KMS.") || (error.name === "AccessDenied" && /\bkms:/i.test(error.message));
}

/** Whether S3 said something no retry can fix (see PERMANENT_S3_ERRORS). */
export function isPermanentS3Error(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  // A KMS key disabled, deleted or denied stays so until someone acts.
  if (PERMANENT_S3_ERRORS.has(error.name) || isKmsRefusal(error)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === 403 || status === 404;
}

/**
 * Where a response's body should end: from Content-Range or Content-Length, else (a chunked answer)
 * the size the notification announced for this very content (same ETag); undefined when unknown.
 */
function expectedEnd(response: GetObjectCommandOutput, fromByte: number, ref: ObjectRef): number | undefined {
  const range = /^bytes (\d+)-(\d+)\//.exec(response.ContentRange ?? "");
  if (range) return Number(range[2]) + 1;
  if (response.ContentLength !== undefined) return fromByte + response.ContentLength;
  const sameContent =
    ref.eTag !== undefined && response.ETag !== undefined && unquoted(ref.eTag) === unquoted(response.ETag);
  return sameContent ? ref.size : undefined;
}

function unquoted(eTag: string): string {
  return eTag.replace(/"/g, "");
}

async function* resumingBody(
  s3: S3Client,
  ref: ObjectRef,
  pin: Pin,
  fromByte: number,
  firstResponse: GetObjectCommandOutput,
  onBytes: (n: number) => void,
  events: Pick<ObjectEvents, "streamResumed">,
): AsyncGenerator<Buffer> {
  let position = fromByte;
  let response = firstResponse;
  let resumes = 0;
  for (;;) {
    const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
    // Never read a missing body as an empty object: that would acknowledge lines never read.
    if (!body)
      throw new ObjectReadError(ref.bucket, ref.key, `GetObject answered without a body at byte ${position}`, {
        transient: true,
      });
    const end = expectedEnd(response, position, ref);
    try {
      for await (const piece of body) {
        const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        position += chunk.length;
        onBytes(chunk.length);
        yield chunk;
      }
      // A body that ends cleanly but short (a proxy, a cut chunked answer) is a broken read too:
      // taking it as the end would ship a cut last line and acknowledge lines never read.
      if (end === undefined || position >= end) return;
      throw new Error(`S3 body ended at byte ${position}, before the announced end ${end}`);
    } catch (error) {
      if (error instanceof ObjectReadError) throw error;
      if (resumes >= MAX_RESUMES) {
        throw new ObjectReadError(
          ref.bucket,
          ref.key,
          `stream broke ${resumes + 1} times, last at byte ${position}: ${describeError(error)}`,
          { cause: error, transient: true },
        );
      }
      resumes += 1;
      events.streamResumed(error, position);
      response = await getObject(s3, ref, { fromByte: position, pin });
    } finally {
      body.destroy?.();
    }
  }
}

// eslint-disable-next-line require-yield
async function* emptyStream(): AsyncGenerator<Buffer> {
  return;
}
