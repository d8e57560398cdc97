/**
 * A `_bulk` request body under construction: one Buffer, written as documents arrive, so their
 * strings die young (cheap for the GC) instead of living until the request is answered.
 */
export class BulkBody {
  private bytes: Buffer;
  private used = 0;

  constructor(capacity: number) {
    this.bytes = Buffer.allocUnsafe(Math.max(1024, capacity));
  }

  get length(): number {
    return this.used;
  }

  /** The bytes it can hold before it grows. */
  get capacity(): number {
    return this.bytes.length;
  }

  /** Empties the body to be filled again (its buffer is reused). */
  clear(): void {
    this.used = 0;
  }

  /** The bytes written so far (a view, not a copy). */
  view(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  /** Writes a string as UTF-8. */
  text(text: string): void {
    // Three bytes a character is the most UTF-8 needs; a string that large is measured instead, so
    // a long document does not triple the body (which is then kept for reuse).
    const worst = text.length * 3;
    this.reserve(this.used + worst <= this.bytes.length ? worst : Buffer.byteLength(text, "utf8"));
    this.used += this.bytes.write(text, this.used, "utf8");
  }

  /**
   * Writes a byte string: one character per byte (what `Buffer#toString("latin1")` makes of any
   * bytes), so a line read as bytes goes out exactly as it came in, whatever its encoding.
   */
  byteString(text: string): void {
    this.reserve(text.length);
    this.used += this.bytes.write(text, this.used, "latin1");
  }

  /** Copies `source[start, end)`. */
  copy(source: Buffer, start: number, end: number): void {
    this.reserve(end - start);
    this.used += source.copy(this.bytes, this.used, start, end);
  }

  private reserve(extra: number): void {
    if (this.used + extra <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + extra));
    this.bytes.copy(grown, 0, 0, this.used);
    this.bytes = grown;
  }
}
