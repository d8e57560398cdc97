/**
 * Splits a byte stream into lines with exact byte offsets. Hand-written because offsets must be
 * byte positions in the decompressed stream (continuations resume there) and no line-reading
 * library reports them: readline works on decoded strings and loses CR/BOM byte counts.
 *
 * Lines stay bytes: a batch names where each line lies in one buffer, and only a line that needs
 * it is decoded (`LineBatch.text`). Splitting on the byte 0x0A is safe for UTF-8: it never occurs
 * inside a multi-byte sequence, so a character split across chunks is reassembled before decoding.
 */
import { isUtf8 } from "node:buffer";
import { DEFAULTS } from "../contract/env";

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
export const UTF8_BOM = [0xef, 0xbb, 0xbf] as const;

/** Whether a UTF-8 byte order mark starts at `at` within `end` (a line's end). */
function startsWithUtf8Bom(bytes: Buffer, at: number, end: number): boolean {
  return end - at >= 3 && bytes[at] === UTF8_BOM[0] && bytes[at + 1] === UTF8_BOM[1] && bytes[at + 2] === UTF8_BOM[2];
}

/** Lines that lie in one buffer, in stream order. */
export class LineBatch {
  /** Per line: where its bytes start and end in `bytes` (no CR, LF or BOM). */
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Per line: byte offset of its first byte in the stream, and of the byte after its newline. */
  readonly offsets: number[] = [];
  readonly nextOffsets: number[] = [];
  private truncatedLines?: Set<number>;
  /**
   * Where a continuation resumes once this batch is shipped: the offset of the first line not yet
   * yielded (blank lines skipped so far count as read). Set when the batch is yielded.
   */
  resumeOffset = 0;
  /** How far the stream has been read, in decompressed bytes (also while skipping to a start). */
  position = 0;

  /**
   * @param bytes the buffer the lines lie in; read it before asking for the next batch.
   * @param utf8 true when every line is valid UTF-8, so its bytes may be copied as they are.
   */
  constructor(
    readonly bytes: Buffer,
    readonly utf8: boolean,
  ) {}

  get count(): number {
    return this.starts.length;
  }

  /** The line decoded (invalid UTF-8 becomes U+FFFD). */
  text(index: number): string {
    return this.bytes.toString("utf8", this.starts[index], this.ends[index]);
  }

  /** True when the line was longer than the limit and only its beginning is kept. */
  truncated(index: number): boolean {
    return this.truncatedLines?.has(index) ?? false;
  }

  private mergedLines?: Set<number>;

  /** Marks a line whose bytes cannot be copied onto one line of a request (a json record with line breaks). */
  needsMerge(index: number): void {
    (this.mergedLines ??= new Set()).add(index);
  }

  /** Whether the line's document must be built by merging (the general path), not copied. */
  mustMerge(index: number): boolean {
    return this.truncated(index) || (this.mergedLines?.has(index) ?? false);
  }

  add(start: number, end: number, offset: number, nextOffset: number, truncated: boolean): void {
    if (truncated) (this.truncatedLines ??= new Set()).add(this.starts.length);
    this.starts.push(start);
    this.ends.push(end);
    this.offsets.push(offset);
    this.nextOffsets.push(nextOffset);
  }
}

export interface SplitLinesOptions {
  /** Offset of the first byte of `chunks` in the decompressed stream. Default 0. */
  firstByte?: number;
  /** Offset of the first line wanted (a line start at or after `firstByte`); bytes before it are read and dropped. */
  skipTo?: number;
  maxLineBytes?: number;
}

const EMPTY = Buffer.alloc(0);

/**
 * Yields the non-blank lines of `chunks` in batches: one per input chunk — empty when the chunk
 * held no line end (blank lines, the middle of a long line, bytes before `skipTo`) so the caller
 * can check its time whatever the content — plus one for each line that spanned chunks. Batching
 * keeps the per-line cost of async iteration out of the hot path. CRLF and LF both end a line; a
 * missing final newline still ends the last line; a UTF-8 BOM at offset 0 is dropped; blank and
 * whitespace-only lines are skipped.
 */
export async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  options: SplitLinesOptions = {},
): AsyncGenerator<LineBatch> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULTS.MAX_LINE_BYTES;
  let position = options.firstByte ?? 0; // offset of the next byte to read
  const skipTo = Math.max(position, options.skipTo ?? position);
  let lineStart = skipTo; // offset of the line being assembled
  let pending: Buffer[] = []; // parts of a line that spans chunks (bounded by maxLineBytes + 1)
  let pendingBytes = 0;
  let pendingTruncated = false;

  const done = (batch: LineBatch): LineBatch => {
    batch.resumeOffset = lineStart;
    batch.position = position;
    return batch;
  };

  /** Adds the line `bytes[start, end)` (its newline excluded) ending the stream at `nextOffset`. */
  const addLine = (batch: LineBatch, start: number, end: number, nextOffset: number, truncated: boolean): void => {
    const { bytes } = batch;
    if (end - start > maxLineBytes) {
      end = start + maxLineBytes;
      truncated = true;
    }
    if (lineStart === 0 && startsWithUtf8Bom(bytes, start, end)) start += 3;
    if (end > start && bytes[end - 1] === CARRIAGE_RETURN) end -= 1;
    if (!isBlank(bytes, start, end)) batch.add(start, end, lineStart, nextOffset, truncated);
    lineStart = nextOffset;
  };

  /** The line assembled from `pending` plus `tail`, as a batch of its own. */
  const joinedLine = (tail: Buffer, nextOffset: number): LineBatch => {
    const room = maxLineBytes + 1 - pendingBytes; // one byte more than the limit keeps the CR check exact
    const bytes = Buffer.concat([...pending, tail.subarray(0, Math.max(0, room))]);
    const truncated = pendingTruncated || tail.length > room;
    pending = [];
    pendingBytes = 0;
    pendingTruncated = false;
    const batch = new LineBatch(bytes, isUtf8(bytes));
    addLine(batch, 0, bytes.length, nextOffset, truncated);
    return batch;
  };

  const keepPending = (part: Buffer): void => {
    const room = maxLineBytes + 1 - pendingBytes;
    if (part.length === 0) return;
    if (room <= 0) {
      pendingTruncated = true;
      return;
    }
    // Copy: the source chunk may be a view into a pooled buffer the producer reuses.
    pending.push(Buffer.from(part.subarray(0, room)));
    pendingBytes += Math.min(part.length, room);
    if (part.length > room) pendingTruncated = true;
  };

  for await (const input of chunks) {
    let chunk = input;
    if (position < skipTo) {
      // Resuming: drop the bytes before the first wanted line (a gzip object inflates up to it).
      const drop = Math.min(chunk.length, skipTo - position);
      position += drop;
      chunk = chunk.subarray(drop);
      if (chunk.length === 0) {
        yield done(new LineBatch(EMPTY, true));
        continue;
      }
    }
    let from = 0;
    const first = chunk.indexOf(NEWLINE);
    if (first !== -1 && (pendingBytes > 0 || pendingTruncated)) {
      const joined = joinedLine(chunk.subarray(0, first), position + first + 1);
      if (joined.count > 0) yield done(joined);
      from = first + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    // The complete lines of this chunk end at a newline, so no character is cut at their end.
    const batch = last >= from ? new LineBatch(chunk, isUtf8(chunk.subarray(from, last))) : new LineBatch(EMPTY, true);
    for (
      let newline = chunk.indexOf(NEWLINE, from);
      newline !== -1 && newline <= last;
      newline = chunk.indexOf(NEWLINE, from)
    ) {
      addLine(batch, from, newline, position + newline + 1, false);
      from = newline + 1;
    }
    keepPending(chunk.subarray(Math.max(from, last + 1)));
    position += chunk.length;
    yield done(batch);
  }
  if (pendingBytes > 0 || pendingTruncated) {
    const joined = joinedLine(EMPTY, position);
    if (joined.count > 0) yield done(joined);
  }
}

/** True when the bytes are only whitespace (what String#trim removes), so the line is skipped. */
function isBlank(bytes: Buffer, start: number, end: number): boolean {
  for (let index = start; index < end; index += 1) {
    const value = bytes[index] as number;
    if (value === 0x20 || (value >= 0x09 && value <= 0x0d)) continue;
    // Non-ASCII may be Unicode whitespace (NBSP, U+2028, …): let String#trim decide.
    return value < 0x80 || bytes.toString("utf8", index, end).trim().length > 0 ? false : true;
  }
  return true;
}
