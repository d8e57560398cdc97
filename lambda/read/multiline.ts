/**
 * Joins the lines of a `text` object into multiline events (`producers[].multiline`, Filebeat's
 * pattern semantics: `contract/multiline.ts`). An event is one document whose `log.offset`, and so
 * id, is its first line's offset, and whose text is its lines joined by "\n".
 *
 * Every decision depends only on the lines from the event's first line on, so reading again from
 * an event's start forms the same events: a continuation resumes at the start of the event still
 * open (`pendingStart`), never inside one, and a redelivery yields the same documents. For the same
 * reason an event's tags come from its own lines: it is tagged `_shipper_truncated` when it was cut
 * at `maxLines`/`maxBytes`, when one of its lines was, when (`after`) it starts with a line that
 * continues an event before it (the rest of a cut event, or an object that starts mid-trace), or
 * (`before`) when the object ends before its closing line.
 *
 * Unlike Filebeat, which drops the lines past `max_lines`, a cut event's remaining lines start the
 * next event: no line is lost.
 */
import { compileRe2 } from "../contract/lineFilter";
import type { MultilineSettings } from "../contract/multiline";
import { TAG_TRUNCATED } from "../contract/tags";
import type { LogRecord } from "../contract/shapes";
import type { LineBatch } from "./lines";

interface OpenEvent {
  texts: string[];
  /** Bytes of the joined text so far. */
  bytes: number;
  offset: number;
  nextOffset: number;
  truncated: boolean;
}

export class MultilineJoiner {
  private readonly pattern: { test(text: string): boolean };
  private open: OpenEvent | undefined;

  constructor(private readonly settings: MultilineSettings) {
    this.pattern = compiledPattern(settings.pattern);
  }

  /** The first line's offset of the event not complete yet: where a continuation resumes. */
  get pendingStart(): number | undefined {
    return this.open?.offset;
  }

  /** The events the lines of `batch` complete, in order. */
  push(batch: LineBatch): LogRecord[] {
    const events: LogRecord[] = [];
    for (let index = 0; index < batch.count; index += 1) {
      const text = batch.text(index);
      const line = {
        text,
        bytes: (batch.ends[index] as number) - (batch.starts[index] as number),
        offset: batch.offsets[index] as number,
        nextOffset: batch.nextOffsets[index] as number,
        truncated: batch.truncated(index),
      };
      const continues = this.pattern.test(text) !== this.settings.negate;
      if (this.settings.match === "after") {
        // A line that does not continue starts an event; one that does joins the open event.
        if (!continues || !this.open) {
          this.close(events);
          this.start(line, continues);
        } else this.append(line, events);
      } else {
        // `before`: lines that continue gather until one that does not, which ends the event.
        if (!this.open) this.start(line, false);
        else this.append(line, events);
        if (!continues) this.close(events);
      }
    }
    return events;
  }

  /** The event still open when the object ends, if any. */
  flush(): LogRecord | undefined {
    const events: LogRecord[] = [];
    // `before`: the object ended before the event's closing line.
    if (this.open && this.settings.match === "before") this.open.truncated = true;
    this.close(events);
    return events[0];
  }

  private start(line: LineOf, headless: boolean): void {
    const fits = line.bytes <= this.settings.maxBytes;
    this.open = {
      texts: [fits ? line.text : cutToBytes(line.text, this.settings.maxBytes)],
      bytes: Math.min(line.bytes, this.settings.maxBytes),
      offset: line.offset,
      nextOffset: line.nextOffset,
      truncated: line.truncated || headless || !fits,
    };
  }

  private append(line: LineOf, events: LogRecord[]): void {
    const open = this.open as OpenEvent;
    if (open.texts.length + 1 > this.settings.maxLines || open.bytes + 1 + line.bytes > this.settings.maxBytes) {
      // Cut here: this event ends, and the line starts the next one (tagged: it has no head).
      open.truncated = true;
      this.close(events);
      this.start(line, this.settings.match === "after");
      return;
    }
    open.texts.push(line.text);
    open.bytes += 1 + line.bytes;
    open.nextOffset = line.nextOffset;
    open.truncated ||= line.truncated;
  }

  private close(events: LogRecord[]): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    events.push({
      offset: open.offset,
      nextOffset: open.nextOffset,
      text: open.texts.join("\n"),
      ...(open.truncated ? { tags: [TAG_TRUNCATED] } : {}),
    });
  }
}

/** Patterns compiled once per container: a joiner is made per object, its pattern is the producer's. */
const compiled = new Map<string, { test(text: string): boolean }>();
function compiledPattern(pattern: string): { test(text: string): boolean } {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    matcher = compileRe2(pattern);
    compiled.set(pattern, matcher);
  }
  return matcher;
}

type LineOf = { text: string; bytes: number; offset: number; nextOffset: number; truncated: boolean };

/** The longest start of `text` of at most `maxBytes` UTF-8 bytes, never cutting a character. */
function cutToBytes(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, "utf8");
  let end = Math.min(maxBytes, bytes.length);
  // Back off continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && end < bytes.length && ((bytes[end] as number) & 0xc0) === 0x80) end -= 1;
  return bytes.toString("utf8", 0, end);
}
