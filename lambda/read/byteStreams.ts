/** Helpers on streams of bytes (`AsyncIterable<Buffer>`) that more than one reader needs. */

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
