/** Gzip detection by content (magic bytes 1f 8b), never by the key's extension. */
import { pipeline } from "node:stream";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

export function isGzip(head: Buffer): boolean {
  return head.length >= 2 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1;
}

/**
 * Inflates a gzip byte stream. Node's gunzip continues across concatenated members, so
 * multi-member files (what `cat a.gz b.gz` and many log producers write) inflate completely.
 */
export function gunzipStream(compressed: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const gunzip = createGunzip({ chunkSize: 64 * 1024 });
  // pipeline forwards a source error into gunzip, so the consumer's loop throws it.
  pipeline(Readable.from(compressed, { objectMode: false }), gunzip, () => undefined);
  return gunzip;
}

/** Drops the first `count` bytes of a stream (resuming a gzip object at a decompressed offset). */
export async function* skipBytes(chunks: AsyncIterable<Buffer>, count: number): AsyncGenerator<Buffer> {
  let remaining = count;
  for await (const chunk of chunks) {
    if (remaining >= chunk.length) {
      remaining -= chunk.length;
      continue;
    }
    yield remaining > 0 ? chunk.subarray(remaining) : chunk;
    remaining = 0;
  }
}

/**
 * Reads the first `count` bytes of a stream without losing them: returns them together with an
 * iterable that replays them followed by the rest.
 */
export async function peek(
  chunks: AsyncIterable<Buffer>,
  count: number,
): Promise<{ head: Buffer; stream: AsyncIterable<Buffer> }> {
  const iterator = chunks[Symbol.asyncIterator]();
  const seen: Buffer[] = [];
  let seenBytes = 0;
  let done = false;
  while (seenBytes < count) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    seen.push(next.value);
    seenBytes += next.value.length;
  }
  const head = Buffer.concat(seen).subarray(0, count);
  async function* replay(): AsyncGenerator<Buffer> {
    try {
      yield* seen;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      if (!done) await iterator.return?.();
    }
  }
  return { head, stream: replay() };
}
