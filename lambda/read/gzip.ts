/**
 * Gzip objects: detection by content (magic bytes 1f 8b), never by the key's extension, and
 * inflation member by member.
 *
 * Hand-written member handling rather than `zlib.createGunzip`, for two reasons measured on
 * Node's gunzip: (1) after a member followed by zero bytes it stops and silently drops whatever
 * follows — a second member after NUL padding was never shipped; (2) it runs concatenated members
 * together without saying where one ends, so a continuation deep in a multi-member object had to
 * inflate the object again from its first byte. Here each member is inflated by its own native
 * `InflateRaw` (still on libuv's thread pool), the gzip header and trailer (CRC-32, size) are
 * checked here, zero padding between members is skipped (as gzip(1) skips trailing zeros), and
 * anything else after a member fails the object instead of being ignored. Every member start is
 * remembered, so a continuation can start at the member it needs with one ranged GET.
 */
import { crc32, createInflateRaw, type InflateRaw } from "node:zlib";
import { ObjectFormatError } from "../errors";
import { ByteSource } from "./byteStreams";
import type { GzipMemberStart } from "../contract/resumePoint";
import type { ObjectRef } from "../contract/shapes";

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const DEFLATE = 8;
const FHCRC = 0x02;
const FEXTRA = 0x04;
const FNAME = 0x08;
const FCOMMENT = 0x10;
const RESERVED_FLAGS = 0xe0;
const FIXED_HEADER_BYTES = 10;
const TRAILER_BYTES = 8;
/** Output slice of the inflater, as the previous gunzip used. */
const INFLATE_CHUNK_BYTES = 64 * 1024;

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

/**
 * Inflates the gzip members of an object from a member start on. `compressed` must begin with the
 * member that starts at `start` (the object's first byte, or a ranged GET from a member start).
 */
export class GzipMembers {
  /** Member starts seen so far, in order (parallel arrays: a member costs two numbers). */
  private readonly compressedStarts: number[] = [];
  private readonly decompressedStarts: number[] = [];

  constructor(
    private readonly compressed: AsyncIterable<Buffer>,
    private readonly start: GzipMemberStart,
    /** Names the object in errors. */
    private readonly name: Pick<ObjectRef, "bucket" | "key">,
  ) {}

  /**
   * The start of the member holding decompressed byte `offset` (the last member start at or before
   * it): where a continuation that resumes at `offset` begins reading.
   */
  memberStartAt(offset: number): GzipMemberStart {
    let low = 0;
    let high = this.decompressedStarts.length - 1;
    let found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((this.decompressedStarts[middle] as number) <= offset) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    if (found === -1) return this.start;
    return {
      compressedOffset: this.compressedStarts[found] as number,
      decompressedOffset: this.decompressedStarts[found] as number,
    };
  }

  /** The decompressed bytes, from `start.decompressedOffset` on. Throws `ObjectFormatError` on corrupt data. */
  async *inflate(): AsyncGenerator<Buffer> {
    const source = new ByteSource(this.compressed[Symbol.asyncIterator](), this.start.compressedOffset);
    try {
      yield* this.members(source);
    } finally {
      // A reader that stops early (time short) closes the S3 stream instead of leaving it open.
      source.close();
    }
  }

  private async *members(source: ByteSource): AsyncGenerator<Buffer> {
    let decompressed = this.start.decompressedOffset;
    for (let first = true; ; first = false) {
      if (!first && !(await source.skipZeros())) return; // zero padding up to the end: done
      const memberAt = source.position;
      const magic = await source.take(2);
      if (magic === undefined || !isGzip(magic)) {
        throw this.corrupt(
          memberAt,
          first ? "not a gzip member" : "unexpected data after a gzip member (neither zero padding nor another member)",
        );
      }
      const rest = await source.take(FIXED_HEADER_BYTES - 2);
      if (rest === undefined) throw this.corrupt(memberAt, "the object ends inside a gzip header");
      const header = Buffer.concat([magic, rest]);
      if (header[2] !== DEFLATE) throw this.corrupt(memberAt, `unknown gzip compression method ${header[2]}`);
      const flags = header[3] as number;
      if ((flags & RESERVED_FLAGS) !== 0) throw this.corrupt(memberAt, "reserved gzip header flags are set");
      await this.skipOptionalHeaderFields(source, flags, memberAt);

      this.compressedStarts.push(memberAt);
      this.decompressedStarts.push(decompressed);
      let crc = 0;
      let size = 0;
      for await (const out of this.inflateMember(source, memberAt)) {
        crc = crc32(out, crc);
        size += out.length;
        decompressed += out.length;
        yield out;
      }
      const trailer = await source.take(TRAILER_BYTES);
      if (trailer === undefined) throw this.corrupt(memberAt, "the object ends inside a gzip trailer");
      if (trailer.readUInt32LE(0) !== crc >>> 0) throw this.corrupt(memberAt, "CRC-32 mismatch (corrupt data)");
      if (trailer.readUInt32LE(4) !== size % 2 ** 32) throw this.corrupt(memberAt, "length mismatch (corrupt data)");
    }
  }

  private async skipOptionalHeaderFields(source: ByteSource, flags: number, memberAt: number): Promise<void> {
    const truncated = (): ObjectFormatError => this.corrupt(memberAt, "the object ends inside a gzip header");
    if (flags & FEXTRA) {
      const length = await source.take(2);
      if (length === undefined || !(await source.skip(length.readUInt16LE(0)))) throw truncated();
    }
    if (flags & FNAME && !(await source.skipPast(0))) throw truncated();
    if (flags & FCOMMENT && !(await source.skipPast(0))) throw truncated();
    if (flags & FHCRC && !(await source.skip(2))) throw truncated();
  }

  /**
   * One member's deflate data through a native inflater. The inflater stops at the end of the
   * deflate stream and reports how much input it consumed (`bytesWritten`); what it did not consume
   * goes back to the source (the trailer and whatever follows).
   */
  private async *inflateMember(source: ByteSource, memberAt: number): AsyncGenerator<Buffer> {
    const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK_BYTES });
    let sourceError: { error: unknown } | undefined;
    const feeding = this.feed(inflater, source).catch((error: unknown) => {
      if (error instanceof SourceFailure) {
        sourceError = { error: error.cause };
        inflater.destroy(error);
      }
      // A write the inflater refused: its own error ends the reading loop below.
    });
    try {
      for await (const out of inflater) yield out as Buffer;
    } catch (error) {
      await feeding;
      if (sourceError) throw sourceError.error; // S3 failed: not corrupt data
      throw this.corrupt(memberAt, `inflate failed: ${error instanceof Error ? error.message : String(error)}`, error);
    } finally {
      inflater.destroy();
    }
    await feeding;
    if (sourceError) throw sourceError.error;
  }

  /** Writes compressed chunks one at a time until the inflater has seen the end of the member. */
  private async feed(inflater: InflateRaw, source: ByteSource): Promise<void> {
    let written = 0;
    for (;;) {
      let chunk: Buffer | undefined;
      try {
        chunk = await source.next();
      } catch (error) {
        throw new SourceFailure(error);
      }
      if (chunk === undefined) {
        inflater.end(); // the object ends inside the member: the inflater reports "unexpected end of file"
        return;
      }
      const bytes = chunk;
      await new Promise<void>((resolve, reject) =>
        inflater.write(bytes, (error) => (error ? reject(error) : resolve())),
      );
      written += bytes.length;
      // bytesWritten counts the input the inflater consumed; it stops consuming at the end of the member.
      const consumed = inflater.bytesWritten;
      if (consumed < written) {
        source.unread(bytes.subarray(bytes.length - (written - consumed)));
        inflater.end();
        return;
      }
    }
  }

  private corrupt(memberAt: number, detail: string, cause?: unknown): ObjectFormatError {
    return new ObjectFormatError(
      this.name.bucket,
      this.name.key,
      `gzip member at compressed byte ${memberAt}: ${detail}`,
      cause === undefined ? undefined : { cause },
    );
  }
}

/** The compressed source itself failed (S3), as opposed to the data being corrupt. */
class SourceFailure extends Error {
  constructor(override readonly cause: unknown) {
    super("reading the compressed source failed");
  }
}
