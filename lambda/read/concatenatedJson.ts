/**
 * Splits a stream of JSON documents written one after another — what Kinesis Data Firehose
 * delivers to S3 for a CloudWatch Logs subscription: `{…}{…}{…}`, no separator, often one gzip
 * member each — into the documents, each with the byte offset where it starts in the decompressed
 * stream (its place: a continuation resumes at a document's start). Hand-written for the same
 * reason as jsonRecords.ts, whose structural scanner it uses: no streaming parser on npm reports
 * offsets, and a document is parsed once, when its events are built.
 *
 * Never fails: bytes that cannot start a document (up to the next line end), a document whose
 * structure breaks (from there to the line end), and one the object ends inside come out as units of
 * their own, which cannot parse, so the documents stage indexes them as unparsed text — nothing is
 * dropped, and reading always moves on. A document longer than `maxBytes` keeps its first
 * `maxBytes` bytes (flagged truncated) and scanning goes on to its end.
 */
import { isUtf8 } from "node:buffer";
import { isSpace, scanValue, ValueScan } from "./jsonRecords";
import { LineBatch } from "./lines";

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const NEWLINE = 0x0a;

export interface ConcatenatedJsonOptions {
  /** Offset of the first byte of the chunks in the decompressed stream. */
  firstByte: number;
  /** Offset of the first document wanted (a document's start at or after `firstByte`). */
  skipTo?: number;
  maxBytes: number;
}

/** Thrown by the scanner's structure check; caught here, never escapes. */
class BrokenStructure extends Error {}
const broken = (): never => {
  throw new BrokenStructure();
};

/** A unit being read: a document, or (garbage) bytes that are none, up to a line end. */
interface Unit {
  scan: ValueScan;
  garbage: boolean;
}

/**
 * Yields a batch per chunk (empty when no unit ended in it) plus one per unit that spanned chunks
 * or was cut, in the stream's order. A `LineBatch` whose "lines" are the units: `offsets` their
 * starts, `nextOffsets` the byte after each, `resumeOffset` the start of the first unit not yet
 * yielded, `position` how far the stream was read.
 */
export async function* concatenatedJsonDocuments(
  chunks: AsyncIterable<Buffer>,
  options: ConcatenatedJsonOptions,
): AsyncGenerator<LineBatch> {
  const { maxBytes } = options;
  let position = options.firstByte;
  const skipTo = Math.max(position, options.skipTo ?? position);
  let unit: Unit | undefined;
  /** The start of the first unit not yet handed on. */
  let resumeOffset = skipTo;

  for await (const input of chunks) {
    let chunk = input;
    if (position < skipTo) {
      const drop = Math.min(chunk.length, skipTo - position);
      position += drop;
      chunk = chunk.subarray(drop);
    }
    const out: LineBatch[] = [];
    let views: Array<{ start: number; end: number }> = [];
    /** The units of this chunk gathered so far, as one batch of views into it. */
    const viewsBatch = (): LineBatch => {
      const first = views[0];
      const last = views[views.length - 1];
      const batch = new LineBatch(chunk, first && last ? isUtf8(chunk.subarray(first.start, last.end)) : true);
      for (const view of views) batch.add(view.start, view.end, position + view.start, position + view.end, false);
      if (last) {
        batch.resumeOffset = position + last.end;
        batch.position = position + last.end;
      }
      views = [];
      return batch;
    };
    /** A unit ended at `end` (exclusive) of this chunk. */
    const ended = (done: Unit, end: number): void => {
      const start = done.scan.start - position;
      resumeOffset = position + end;
      if (start >= 0 && end - start <= maxBytes) {
        views.push({ start, end });
        return;
      }
      if (views.length > 0) out.push(viewsBatch());
      done.scan.keepPart(chunk.subarray(Math.max(0, start), end));
      const bytes = Buffer.concat(done.scan.parts);
      const batch = new LineBatch(bytes, isUtf8(bytes));
      batch.add(0, bytes.length, done.scan.start, position + end, done.scan.truncated);
      batch.resumeOffset = position + end;
      batch.position = position + end;
      out.push(batch);
    };

    let i = 0;
    while (i < chunk.length) {
      if (unit) {
        let end: number;
        if (!unit.garbage) {
          try {
            end = scanValue(chunk, i, unit.scan, position, broken);
          } catch (error) {
            if (!(error instanceof BrokenStructure)) throw error;
            unit.garbage = true;
            continue; // read on to the line end as bytes that are no document
          }
        } else {
          const newline = chunk.indexOf(NEWLINE, i);
          end = newline === -1 ? -1 : newline + 1;
        }
        if (end === -1) break;
        ended(unit, end);
        unit = undefined;
        i = end;
        continue;
      }
      const byte = chunk[i] as number;
      if (isSpace(byte)) {
        i += 1;
        resumeOffset = position + i;
        continue;
      }
      const scan = new ValueScan(position + i, true, maxBytes);
      if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
        scan.closers.push(byte === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY);
        unit = { scan, garbage: false };
        i += 1;
      } else {
        unit = { scan, garbage: true };
      }
    }
    // The part of a unit that goes on in the next chunk is kept (up to maxBytes).
    if (unit) unit.scan.keepPart(chunk.subarray(Math.max(0, unit.scan.start - position)));
    for (const batch of out) yield batch;
    const here = viewsBatch();
    here.resumeOffset = unit ? unit.scan.start : resumeOffset;
    here.position = position + chunk.length;
    position += chunk.length;
    yield here;
  }
  if (unit) {
    // The object ended inside a document: what there is of it, as a unit that cannot parse.
    const bytes = Buffer.concat(unit.scan.parts);
    const batch = new LineBatch(bytes, isUtf8(bytes));
    batch.add(0, bytes.length, unit.scan.start, position, unit.scan.truncated);
    batch.resumeOffset = position;
    batch.position = position;
    yield batch;
  }
}
