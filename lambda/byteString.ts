/**
 * Byte strings: one character per byte (what `Buffer#toString("latin1")` makes of any bytes), so
 * bytes read from an object go into a request exactly as they came. Shared by the hot-path
 * `_source` layout (documents/) and the request layout (bulk/).
 */

/** The UTF-8 bytes of `text` as a byte string (see `BulkBody.byteString`). */
export function toByteString(text: string): string {
  return Buffer.from(text, "utf8").toString("latin1");
}
