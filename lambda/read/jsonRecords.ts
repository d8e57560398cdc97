/**
 * Reads a `json` object as a stream: the records of its array (the top-level array, or the array in
 * `recordsField` — CloudTrail's `Records`) come out one by one as their own bytes, so memory is
 * bounded by the largest record (at most `maxRecordBytes`), not by the object, and a record is never
 * re-serialised: it reaches the request body as the ndjson hot path copies a line.
 *
 * Hand-written: the streaming JSON parsers on npm build every value as a JavaScript object (or emit
 * a token per scalar), which costs more than the one `JSON.parse` per record the documents need
 * anyway, and none reports the byte offsets a continuation resumes at. This scanner checks only
 * structure — strings, brackets, the separators between elements — and skips a string's contents
 * with `indexOf`; each record's own content is checked by `JSON.parse` when its document is built
 * (a record that does not parse is still indexed, as text, tagged `_shipper_invalid_json`).
 *
 * A record's `offset` is its index in the array, as when the document was parsed whole: ids do not
 * change. `byteEnds` say where each record ends in the decompressed stream, so a continuation can
 * resume right after it (`resume`) instead of reading the object from its first byte.
 */
import { isUtf8 } from "node:buffer";
import { ObjectFormatError } from "../errors";
import { LineBatch, UTF8_BOM } from "./lines";

export interface JsonRecordsOptions {
  /** Expand this array field of a top-level object (a top-level array is expanded whatever it says). */
  recordsField?: string;
  /** A top-level object without the `recordsField` array is refused instead of becoming one record. */
  requireRecordsField?: boolean;
  /** Offset of the first byte of the chunks in the decompressed stream. */
  firstByte: number;
  /**
   * Resume inside the records array: `byteOffset` is where the last record shipped ended (the
   * separator after it comes next), `recordIndex` the index of the next record.
   */
  resume?: { byteOffset: number; recordIndex: number };
  /** Without `resume`: the records before this index were shipped (read from the start, not built). */
  skipRecords?: number;
  /** A record longer than this keeps its first `maxRecordBytes` bytes and is tagged truncated. */
  maxRecordBytes: number;
  bucket: string;
  key: string;
}

/** Records read from one chunk (or one record that spanned chunks): a line batch whose "lines" are records. */
export class JsonRecordBatch extends LineBatch {
  /** Per record: the decompressed offset of the byte after it. */
  readonly byteEnds: number[] = [];
  /** Where the records came from: the array field expanded, if one was. */
  recordsField: string | undefined;
  /** Index of the next record, and where the last record so far ended: a continuation's position. */
  nextRecord = 0;
  resumeByte = 0;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

/** Elasticsearch's JSON parser refuses documents nested deeper than 1,000 levels (Jackson's maxNestingDepth). */
export const MAX_NESTING_DEPTH = 1_000;

export const isSpace = (byte: number): boolean => byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;

/** Where the scanner is in the document's structure. */
type Mode =
  /** Before the top-level value. */
  | "document"
  /** In the top-level object: a key or `}` next (`next`: after a comma, a key must come). */
  | "topKey"
  | "topColon"
  | "topValue"
  | "topAfterValue"
  /** In the records array: a value or `]` next (after a comma, a value must come). */
  | "arrayValue"
  | "arrayAfterValue"
  /** The records array (or the whole document) ended: nothing more is read. */
  | "done";

/** One JSON value being scanned: its nesting, its string state, and its bytes when kept. */
export class ValueScan {
  /** The closing brackets expected, innermost last. */
  readonly closers: number[] = [];
  inString = false;
  /** The string's previous byte was an escaping backslash (carried across chunks). */
  escape = false;
  /** A number, true, false or null: it ends at the next separator. */
  scalar = false;
  /** A raw line break outside strings: the record cannot be copied onto one line of the request. */
  lineBreak = false;
  readonly parts: Buffer[] = [];
  bytes = 0;
  truncated = false;

  constructor(
    /** Absolute offset of its first byte. */
    readonly start: number,
    /** Whether its bytes are kept (a record), or only scanned past. */
    readonly keep: boolean,
    readonly maxBytes: number,
  ) {}

  /** Keeps `part` (of this value), up to the limit. */
  keepPart(part: Buffer): void {
    if (!this.keep || part.length === 0) return;
    const room = this.maxBytes - this.bytes;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    // Copied: the chunk may be a view into a buffer the producer reuses.
    this.parts.push(Buffer.from(part.subarray(0, room)));
    this.bytes += Math.min(room, part.length);
    if (part.length > room) this.truncated = true;
  }
}

/** Yields a batch per chunk read (empty when no record ended in it) plus one per record that spanned chunks. */
export async function* jsonRecordBatches(
  chunks: AsyncIterable<Buffer>,
  options: JsonRecordsOptions,
): AsyncGenerator<JsonRecordBatch> {
  const { recordsField, maxRecordBytes } = options;
  const skipRecords = options.skipRecords ?? 0;
  let position = options.firstByte; // absolute offset of the current chunk's first byte
  const skipTo = options.resume?.byteOffset ?? options.firstByte;
  let mode: Mode = options.resume ? "arrayAfterValue" : "document";
  let afterComma = false;
  let nextRecord = options.resume?.recordIndex ?? 0;
  let resumeByte = options.resume?.byteOffset ?? options.firstByte;
  let expandedField: string | undefined = options.resume ? recordsField : undefined;
  /** The value being scanned: a record, the whole document, or a top-level value skipped. */
  let value: ValueScan | undefined;
  /**
   * The top-level key being read, its raw bytes kept up to the longest spelling of recordsField (every
   * UTF-16 unit written as `\uXXXX`): a longer key is another key, and equality is all that matters.
   */
  let key: ValueScan | undefined;
  const maxKeyBytes = recordsField === undefined ? 0 : 6 * recordsField.length + 2;
  let recordsKey = false;
  /** The top-level object while no records array was found in it: if none is, it is the one record. */
  let wholeDocument: ValueScan | undefined;
  let sawDocument = false;
  /** Bytes of a UTF-8 byte order mark read at the document's start so far (it may span chunks). */
  let bomBytes = 0;

  const fail = (what: string, at: number): never => {
    throw new ObjectFormatError(
      options.bucket,
      options.key,
      `format json but the object is not a JSON document: ${what} at decompressed byte ${at}`,
    );
  };

  for await (const input of chunks) {
    let chunk = input;
    if (position < skipTo) {
      const drop = Math.min(chunk.length, skipTo - position);
      position += drop;
      chunk = chunk.subarray(drop);
    }
    // Batches in the order of their records: runs of records that lie in this chunk (views), and a
    // batch of its own for a record that spanned chunks or was cut (a copy). The order matters: a
    // continuation resumes after the last record of the batch it stopped at.
    const out: JsonRecordBatch[] = [];
    let inChunk: Array<{ start: number; end: number; index: number; lineBreak: boolean }> = [];
    /** The records of this chunk gathered so far, as one batch of views. */
    const viewsBatch = (): JsonRecordBatch => {
      const first = inChunk[0];
      const last = inChunk[inChunk.length - 1];
      const batch = new JsonRecordBatch(chunk, first && last ? isUtf8(chunk.subarray(first.start, last.end)) : true);
      for (const record of inChunk) {
        batch.add(record.start, record.end, record.index, record.index + 1, false);
        batch.byteEnds.push(position + record.end);
        if (record.lineBreak) batch.needsMerge(batch.count - 1);
      }
      batch.recordsField = expandedField;
      if (last) {
        batch.nextRecord = last.index + 1;
        batch.resumeByte = position + last.end;
        batch.position = position + last.end;
      }
      inChunk = [];
      return batch;
    };
    /** Where the whole document's bytes in this chunk start (kept when the chunk ends). */
    let documentFrom = wholeDocument ? 0 : -1;

    /** A record ended at `end` (exclusive) of this chunk. */
    const recordEnded = (scan: ValueScan, end: number): void => {
      const index = nextRecord;
      nextRecord += 1;
      resumeByte = position + end;
      if (!scan.keep) return;
      const start = scan.start - position;
      if (start >= 0 && end - start <= maxRecordBytes) {
        inChunk.push({ start, end, index, lineBreak: scan.lineBreak });
        return;
      }
      if (inChunk.length > 0) out.push(viewsBatch());
      scan.keepPart(chunk.subarray(Math.max(0, start), end));
      const bytes = Buffer.concat(scan.parts);
      const batch = new JsonRecordBatch(bytes, isUtf8(bytes));
      batch.add(0, bytes.length, index, index + 1, scan.truncated);
      if (scan.lineBreak) batch.needsMerge(0);
      batch.byteEnds.push(position + end);
      batch.recordsField = expandedField;
      batch.nextRecord = nextRecord;
      batch.resumeByte = resumeByte;
      batch.position = position + end;
      out.push(batch);
    };

    let i = 0;
    // A break in the document fails the read, but only after the records before it are handed on.
    let broken: unknown;
    try {
      scanning: while (i < chunk.length && mode !== "done") {
        if (value) {
          const end = scanValue(chunk, i, value, position, fail);
          if (end === -1) break; // its bytes in this chunk are kept below
          const finished = value;
          value = undefined;
          i = end;
          if (mode === "arrayValue") {
            recordEnded(finished, end);
            mode = "arrayAfterValue";
          } else if (mode === "topValue") mode = "topAfterValue";
          else {
            // `document`: the document is the one record (no records array to expand).
            recordEnded(finished, end);
            mode = "done";
          }
          continue;
        }
        if (key) {
          const end = scanValue(chunk, i, key, position, fail);
          key.keepPart(chunk.subarray(i, end === -1 ? chunk.length : end));
          if (end === -1) break;
          recordsKey = recordsField !== undefined && isKeyNamed(key, recordsField);
          key = undefined;
          i = end;
          mode = "topColon";
          continue;
        }
        const byte = chunk[i] as number;
        const at = position + i;
        if (isSpace(byte)) {
          i += 1;
          continue;
        }
        if (at < UTF8_BOM.length && at === bomBytes && byte === UTF8_BOM[at]) {
          bomBytes += 1;
          i += 1;
          continue;
        }
        if (bomBytes > 0 && bomBytes < UTF8_BOM.length) fail("an incomplete UTF-8 byte order mark", at);
        switch (mode) {
          case "document":
            sawDocument = true;
            if (byte === OPEN_ARRAY) {
              mode = "arrayValue";
              i += 1;
            } else if (byte === OPEN_OBJECT && recordsField !== undefined) {
              wholeDocument = new ValueScan(at, !options.requireRecordsField, maxRecordBytes);
              documentFrom = i;
              mode = "topKey";
              i += 1;
            } else {
              value = startValue(byte, at, true, maxRecordBytes, fail);
              if (!value.scalar) i += 1;
            }
            break;
          case "topKey":
            if (byte === CLOSE_OBJECT && !afterComma) {
              // The top-level object ended without the records array.
              i += 1;
              if (options.requireRecordsField)
                throw new ObjectFormatError(
                  options.bucket,
                  options.key,
                  `the JSON document has no array "${recordsField ?? ""}" (the producer's recordsField), so it is not one of this producer's log files (a CloudTrail digest?); narrow the producer's suffix or keyPattern to leave such objects out`,
                );
              if (wholeDocument) recordEnded(wholeDocument, i);
              wholeDocument = undefined;
              mode = "done";
              break scanning;
            }
            if (byte !== QUOTE) fail(`an unexpected ${describeByte(byte)} where a key was expected`, at);
            key = new ValueScan(at, true, maxKeyBytes);
            key.inString = true;
            key.keepPart(chunk.subarray(i, i + 1));
            afterComma = false;
            i += 1;
            break;
          case "topColon":
            if (byte !== COLON) fail(`an unexpected ${describeByte(byte)} where ":" was expected`, at);
            mode = "topValue";
            i += 1;
            break;
          case "topValue":
            if (recordsKey && byte === OPEN_ARRAY) {
              // The records array: from here on its records are kept, not the document.
              wholeDocument = undefined;
              documentFrom = -1;
              expandedField = recordsField;
              mode = "arrayValue";
              afterComma = false;
              i += 1;
            } else {
              value = startValue(byte, at, false, 0, fail);
              if (!value.scalar) i += 1;
            }
            break;
          case "topAfterValue":
            if (byte === COMMA) {
              mode = "topKey";
              afterComma = true;
              i += 1;
            } else if (byte === CLOSE_OBJECT) {
              mode = "topKey"; // its end is handled there
              afterComma = false;
            } else fail(`an unexpected ${describeByte(byte)} after a value`, at);
            break;
          case "arrayValue":
            if (byte === CLOSE_ARRAY && !afterComma) {
              mode = "done";
              i += 1;
              break;
            }
            value = startValue(byte, at, nextRecord >= skipRecords, maxRecordBytes, fail);
            afterComma = false;
            if (!value.scalar) i += 1;
            break;
          case "arrayAfterValue":
            if (byte === COMMA) {
              mode = "arrayValue";
              afterComma = true;
            } else if (byte === CLOSE_ARRAY) mode = "done";
            else fail(`an unexpected ${describeByte(byte)} between records`, at);
            i += 1;
            break;
        }
      }
    } catch (error) {
      broken = error;
    }
    // The bytes in this chunk of a value that goes on in the next one, and of the document while it may still be the one record.
    if (value?.keep) value.keepPart(chunk.subarray(Math.max(0, value.start - position)));
    if (wholeDocument && documentFrom !== -1 && mode !== "done") wholeDocument.keepPart(chunk.subarray(documentFrom));

    for (const batch of out) yield batch;
    // The rest of the chunk (possibly no record): every chunk ends in a batch, so the caller can check its time.
    const here = viewsBatch();
    here.nextRecord = nextRecord;
    here.resumeByte = resumeByte;
    here.position = position + chunk.length;
    position += chunk.length;
    yield here;
    if (broken !== undefined) throw broken;
    if (mode === "done") break;
  }

  // A top-level number, true, false or null ends with the object.
  if (mode === "document" && value?.scalar) {
    const bytes = Buffer.concat(value.parts);
    const batch = new JsonRecordBatch(bytes, true);
    batch.add(0, bytes.length, 0, 1, value.truncated);
    batch.byteEnds.push(position);
    Object.assign(batch, { nextRecord: 1, resumeByte: position, position });
    yield batch;
    return;
  }
  if (mode === "done" || (!sawDocument && !options.resume)) {
    if (skipRecords > nextRecord)
      throw new ObjectFormatError(
        options.bucket,
        options.key,
        `a continuation starts at record ${skipRecords}, but the document has ${nextRecord} records`,
      );
    return;
  }
  fail(
    mode === "arrayValue" || mode === "arrayAfterValue"
      ? "the object ends inside the records array"
      : "the object ends inside the document",
    position,
  );
}

/**
 * Whether the key string `scan` kept is `name`: compared as decoded text, so an escaped spelling
 * (`"R\u0065cords"`) is the same key, and decoded from all its bytes at once, so a character split
 * across chunks is whole (issue 31: both were missed, and the object failed as "no array").
 */
function isKeyNamed(scan: ValueScan, name: string): boolean {
  if (scan.truncated) return false;
  try {
    return JSON.parse(Buffer.concat(scan.parts).toString("utf8")) === name;
  } catch {
    // Not a valid JSON string (a bad escape): not the records field; the document's own problem.
    return false;
  }
}

/** Starts scanning the value whose first byte is `byte`. */
export function startValue(
  byte: number,
  at: number,
  keep: boolean,
  maxBytes: number,
  fail: (what: string, at: number) => never,
): ValueScan {
  const scan = new ValueScan(at, keep, maxBytes);
  if (byte === QUOTE) scan.inString = true;
  else if (byte === OPEN_OBJECT) scan.closers.push(CLOSE_OBJECT);
  else if (byte === OPEN_ARRAY) scan.closers.push(CLOSE_ARRAY);
  else if (byte === 0x2d || (byte >= 0x30 && byte <= 0x39) || byte === 0x74 || byte === 0x66 || byte === 0x6e)
    scan.scalar = true;
  else fail(`an unexpected ${describeByte(byte)} where a value was expected`, at);
  return scan;
}

/**
 * Scans `scan` on from `chunk[i]` (its first byte already taken, unless it is a scalar). Returns the
 * index after the value's last byte, or -1 when the chunk ends first (the state carries over).
 */
export function scanValue(
  chunk: Buffer,
  i: number,
  scan: ValueScan,
  position: number,
  fail: (what: string, at: number) => never,
): number {
  let index = i;
  const length = chunk.length;
  while (index < length) {
    if (scan.inString) {
      const end = stringEnd(chunk, index, scan);
      if (end === -1) return -1;
      scan.inString = false;
      index = end;
      if (scan.closers.length === 0) return index; // the value was this string
      continue;
    }
    const byte = chunk[index] as number;
    if (scan.scalar) {
      if (byte === COMMA || byte === CLOSE_ARRAY || byte === CLOSE_OBJECT || isSpace(byte)) return index;
      index += 1;
      continue;
    }
    switch (byte) {
      case QUOTE:
        scan.inString = true;
        break;
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        // Bounded: one closer per level, and a crafted object of nothing but "[" would otherwise
        // grow this list with the object (300 MiB of "[" is 300 M entries) until the function dies.
        if (scan.closers.length >= MAX_NESTING_DEPTH)
          fail(
            `a value nested deeper than ${MAX_NESTING_DEPTH} levels (Elasticsearch refuses such documents)`,
            position + index,
          );
        scan.closers.push(byte === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY);
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        if (scan.closers.pop() !== byte) fail(`an unexpected ${describeByte(byte)}`, position + index);
        if (scan.closers.length === 0) return index + 1;
        break;
      case 0x0a:
      case 0x0d:
        scan.lineBreak = true;
        break;
    }
    index += 1;
  }
  return -1;
}

/** The index after the closing quote of the string `scan` is in, or -1 when the chunk ends first. */
function stringEnd(chunk: Buffer, from: number, scan: ValueScan): number {
  let segment = from;
  for (;;) {
    const quote = chunk.indexOf(QUOTE, segment);
    const stop = quote === -1 ? chunk.length : quote;
    // Backslashes right before the quote (or the chunk's end): an odd run escapes it.
    let run = 0;
    let back = stop - 1;
    while (back >= segment && chunk[back] === BACKSLASH) {
      run += 1;
      back -= 1;
    }
    // The run reaches back to where scanning started: a backslash carried from before counts too.
    if (back < segment && scan.escape) run += 1;
    scan.escape = false;
    if (quote === -1) {
      scan.escape = run % 2 === 1;
      return -1;
    }
    if (run % 2 === 0) return quote + 1;
    segment = quote + 1;
  }
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? JSON.stringify(String.fromCharCode(byte)) : `byte 0x${byte.toString(16)}`;
}
