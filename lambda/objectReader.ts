/**
 * Streams an S3 object's bytes, decompressed when its content is gzip, from a given offset.
 * A connection reset mid-object resumes with a ranged GET at the byte reached, pinned to the
 * version or ETag first read, instead of restarting the object.
 */
import { GetObjectCommand, type GetObjectCommandOutput, type S3Client } from "@aws-sdk/client-s3";
import { describeError, ObjectReadError } from "./errors";
import { gunzipStream, isGzip, peek, skipBytes } from "./gzip";
import type { ObjectRef } from "./types";

/** How many times one read may resume after the connection breaks. */
export const MAX_RESUMES = 5;

/** The version of the object actually read: the identity documents' ids are derived from. */
export interface ObjectVersion {
  versionId?: string;
  eTag?: string;
  /** `versionId` when the bucket is versioned, else the ETag. */
  identity: string;
  gzip: boolean;
}

export interface OpenedObject {
  version: ObjectVersion;
  /** Decompressed bytes starting at the requested offset. */
  chunks: AsyncIterable<Buffer>;
  /** Compressed bytes received from S3 so far, resumptions included. */
  bytesRead: () => number;
}

export interface OpenObjectOptions {
  /** Offset in the decompressed stream to start at (a line start). */
  startOffset: number;
  /** Called before each resumption with the error that broke the stream. */
  onResume?: (error: unknown, atByte: number) => void;
}

/** Opens `ref` for streaming. Throws `ObjectReadError` when S3 refuses the first request. */
export async function openObject(s3: S3Client, ref: ObjectRef, options: OpenObjectOptions): Promise<OpenedObject> {
  let bytesRead = 0;
  const { startOffset } = options;
  // A continuation reads the version it started on: if the object was replaced since, S3 answers
  // 412 and the caller treats the continuation as superseded (the new version has its own event).
  const continuing: Pin | undefined = startOffset > 0 && ref.eTag ? { eTag: ref.eTag, ...(ref.versionId ? { versionId: ref.versionId } : {}) } : undefined;
  // A plain object's offsets are byte positions: a continuation that knows the object is plain
  // starts with one ranged GET instead of a GET from byte 0 that would be dropped after 2 bytes.
  const rangedFirst = startOffset > 0 && ref.gzip === false;
  const first = rangedFirst ? await getRange(s3, ref, startOffset, continuing) : await getObject(s3, ref, { fromByte: 0, ...(continuing ? { pin: continuing } : {}) });
  const pin: Pin = {
    ...(first?.VersionId ? { versionId: first.VersionId } : ref.versionId ? { versionId: ref.versionId } : {}),
    ...(first?.ETag ? { eTag: first.ETag } : continuing?.eTag ? { eTag: continuing.eTag } : {}),
  };
  const identity = pin.versionId ?? pin.eTag ?? ref.eventTime;
  const counted = (fromByte: number, response: GetObjectCommandOutput): AsyncIterable<Buffer> =>
    resumingBody(s3, ref, pin, fromByte, response, (n) => (bytesRead += n), options.onResume);
  const opened = (gzip: boolean, chunks: AsyncIterable<Buffer>): OpenedObject => ({ version: { ...pin, identity, gzip }, chunks, bytesRead: () => bytesRead });

  if (rangedFirst) return opened(false, first ? counted(startOffset, first) : emptyStream());
  if (!first) return opened(false, emptyStream());

  const { head, stream } = await peek(counted(0, first), 2);
  if (isGzip(head)) {
    // Offsets are positions in the decompressed stream: inflate from the start and skip.
    return opened(true, startOffset > 0 ? skipBytes(gunzipStream(stream), startOffset) : gunzipStream(stream));
  }
  if (startOffset === 0) return opened(false, stream);
  // A continuation that did not know the encoding: drop this read and start at the offset.
  await stream[Symbol.asyncIterator]().return?.();
  const ranged = await getRange(s3, ref, startOffset, pin);
  return opened(false, ranged ? counted(startOffset, ranged) : emptyStream());
}

/** A GET from `fromByte` to the end; undefined when the object ends before it (S3 answers 416). */
async function getRange(s3: S3Client, ref: ObjectRef, fromByte: number, pin: Pin | undefined): Promise<GetObjectCommandOutput | undefined> {
  try {
    return await getObject(s3, ref, { fromByte, ...(pin ? { pin } : {}) });
  } catch (error) {
    if (error instanceof ObjectReadError && error.cause instanceof Error && error.cause.name === "InvalidRange") return undefined;
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
  const versionId = pin?.versionId ?? ref.versionId;
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
    throw new ObjectReadError(ref.bucket, ref.key, `GetObject failed: ${describeError(error)}`, { cause: error });
  }
}

async function* resumingBody(
  s3: S3Client,
  ref: ObjectRef,
  pin: Pin,
  fromByte: number,
  firstResponse: GetObjectCommandOutput,
  onBytes: (n: number) => void,
  onResume: ((error: unknown, atByte: number) => void) | undefined,
): AsyncGenerator<Buffer> {
  let position = fromByte;
  let response = firstResponse;
  let resumes = 0;
  for (;;) {
    const body = response.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined;
    // Never read a missing body as an empty object: that would acknowledge lines never read.
    if (!body) throw new ObjectReadError(ref.bucket, ref.key, `GetObject answered without a body at byte ${position}`);
    try {
      for await (const piece of body) {
        const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
        position += chunk.length;
        onBytes(chunk.length);
        yield chunk;
      }
      return;
    } catch (error) {
      if (resumes >= MAX_RESUMES) {
        throw new ObjectReadError(ref.bucket, ref.key, `stream broke ${resumes + 1} times, last at byte ${position}: ${describeError(error)}`, {
          cause: error,
        });
      }
      resumes += 1;
      onResume?.(error, position);
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
