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

/** Bytes of a stream with a position, read-ahead and push-back (the gzip reader walks member headers with it). */
export class ByteSource {
  private held: Buffer | undefined;

  constructor(
    private readonly iterator: AsyncIterator<Buffer>,
    /** Object offset of the next byte `next` returns. */
    public position: number,
  ) {}

  /** The next bytes (any length > 0), or undefined at the end. */
  async next(): Promise<Buffer | undefined> {
    if (this.held) {
      const held = this.held;
      this.held = undefined;
      this.position += held.length;
      return held;
    }
    for (;;) {
      const result = await this.iterator.next();
      if (result.done) return undefined;
      if (result.value.length === 0) continue;
      this.position += result.value.length;
      return result.value;
    }
  }

  /** Ends the source (its `finally` closes the connection); never waits for it. */
  close(): void {
    void this.iterator.return?.()?.catch(() => undefined);
  }

  /** Gives back the end of the last chunk returned. */
  unread(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.held = this.held ? Buffer.concat([bytes, this.held]) : bytes;
    this.position -= bytes.length;
  }

  /** Exactly `count` bytes, or undefined when the source ends first. */
  async take(count: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < count) {
      const chunk = await this.next();
      if (chunk === undefined) {
        if (parts.length > 0) this.unread(Buffer.concat(parts));
        return undefined;
      }
      parts.push(chunk);
      have += chunk.length;
    }
    const joined = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    this.unread(joined.subarray(count));
    return joined.subarray(0, count);
  }

  /** Skips `count` bytes; false when the source ends first. */
  async skip(count: number): Promise<boolean> {
    let left = count;
    while (left > 0) {
      const chunk = await this.next();
      if (chunk === undefined) return false;
      if (chunk.length > left) this.unread(chunk.subarray(left));
      left -= Math.min(left, chunk.length);
    }
    return true;
  }

  /** Skips past the next byte equal to `value`; false when the source ends first. */
  async skipPast(value: number): Promise<boolean> {
    for (;;) {
      const chunk = await this.next();
      if (chunk === undefined) return false;
      const at = chunk.indexOf(value);
      if (at !== -1) {
        this.unread(chunk.subarray(at + 1));
        return true;
      }
    }
  }

  /** Skips zero bytes; false when only zeros were left. */
  async skipZeros(): Promise<boolean> {
    for (;;) {
      const chunk = await this.next();
      if (chunk === undefined) return false;
      let at = 0;
      while (at < chunk.length && chunk[at] === 0) at += 1;
      if (at < chunk.length) {
        this.unread(chunk.subarray(at));
        return true;
      }
    }
  }
}
