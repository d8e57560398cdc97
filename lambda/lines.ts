/**
 * Splits a byte stream into lines with exact byte offsets. Hand-written because offsets must be
 * byte positions in the decompressed stream (continuations resume there) and no line-reading
 * library reports them: readline works on decoded strings and loses CR/BOM byte counts.
 *
 * Splitting on the byte 0x0A is safe for UTF-8: it never occurs inside a multi-byte sequence, so a
 * character split across chunks is reassembled before the line is decoded.
 */

/** Lines longer than this are truncated (the rest is skipped up to the newline) and tagged. */
export const DEFAULT_MAX_LINE_BYTES = 8 * 1024 * 1024;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface Line {
  /** Byte offset of the first byte of the line. */
  offset: number;
  /** Byte offset just after the line's newline: where the next line starts. */
  nextOffset: number;
  text: string;
  truncated: boolean;
}

/**
 * Yields the non-blank lines of `chunks`, one array per input chunk (batching keeps the per-line
 * cost of async iteration out of the hot path). `startOffset` is the offset of the first byte.
 * CRLF and LF both end a line; a missing final newline still ends the last line; a UTF-8 BOM at
 * offset 0 is dropped; blank and whitespace-only lines are skipped.
 */
export async function* splitLines(
  chunks: AsyncIterable<Buffer>,
  startOffset = 0,
  maxLineBytes = DEFAULT_MAX_LINE_BYTES,
): AsyncGenerator<Line[]> {
  let lineStart = startOffset; // offset of the line being assembled
  let position = startOffset; // offset of the next byte to read
  let pending: Buffer[] = []; // parts of the line being assembled (bounded by maxLineBytes)
  let pendingBytes = 0;
  let truncated = false;

  const finishLine = (tail: Buffer, nextOffset: number, out: Line[]): void => {
    let bytes = pending.length === 0 ? tail : Buffer.concat([...pending, tail]);
    pending = [];
    pendingBytes = 0;
    if (bytes.length > maxLineBytes) {
      bytes = bytes.subarray(0, maxLineBytes);
      truncated = true;
    }
    if (lineStart === 0 && bytes.subarray(0, 3).equals(UTF8_BOM)) bytes = bytes.subarray(3);
    let end = bytes.length;
    if (end > 0 && bytes[end - 1] === CARRIAGE_RETURN) end -= 1;
    const text = bytes.toString("utf8", 0, end);
    if (text.trim().length > 0) out.push({ offset: lineStart, nextOffset, text, truncated });
    truncated = false;
    lineStart = nextOffset;
  };

  const keepPending = (part: Buffer): void => {
    if (truncated || part.length === 0) return;
    const room = maxLineBytes + 1 - pendingBytes; // keep one byte more so the CR check stays exact
    if (part.length >= room) {
      pending.push(Buffer.from(part.subarray(0, room)));
      pendingBytes += room;
      truncated = pendingBytes > maxLineBytes;
      return;
    }
    // Copy: the source chunk may be a view into a pooled buffer the producer reuses.
    pending.push(Buffer.from(part));
    pendingBytes += part.length;
  };

  for await (const chunk of chunks) {
    const out: Line[] = [];
    let from = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, from);
      if (newline === -1) break;
      const part = chunk.subarray(from, newline);
      const nextOffset = position + newline + 1;
      if (truncated) {
        finishLine(Buffer.alloc(0), nextOffset, out);
      } else if (pendingBytes + part.length > maxLineBytes + 1) {
        keepPending(part);
        finishLine(Buffer.alloc(0), nextOffset, out);
      } else {
        finishLine(part, nextOffset, out);
      }
      from = newline + 1;
    }
    keepPending(chunk.subarray(from));
    position += chunk.length;
    if (out.length > 0) yield out;
  }
  if (pendingBytes > 0 || truncated) {
    const out: Line[] = [];
    finishLine(Buffer.alloc(0), position, out);
    if (out.length > 0) yield out;
  }
}
