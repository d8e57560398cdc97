/**
 * Multiline events (Filebeat's pattern semantics): the four negate/match combinations, cuts at
 * maxLines/maxBytes that lose no line, and the property a continuation rests on — reading again
 * from where `pendingStart` says, with any chunking, yields the same events, offsets and tags.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { MultilineSettings } from "../../../../lambda/contract/multiline";
import { TAG_TRUNCATED } from "../../../../lambda/contract/tags";
import { splitLines } from "../../../../lambda/read/lines";
import { MultilineJoiner } from "../../../../lambda/read/multiline";
import type { LogRecord } from "../../../../lambda/contract/shapes";

async function* chunked(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  for (let position = 0, turn = 0; position < bytes.length; turn += 1) {
    const size = Math.max(1, sizes[turn % sizes.length] ?? bytes.length);
    yield bytes.subarray(position, position + size);
    position += size;
  }
}

const settings = (overrides: Partial<MultilineSettings>): MultilineSettings => ({
  pattern: "^\\s",
  negate: false,
  match: "after",
  maxLines: 500,
  maxBytes: 8 * 1024 * 1024,
  ...overrides,
});

/** The events of `text` read in one go. */
async function events(text: string, multiline: MultilineSettings, sizes = [text.length]): Promise<LogRecord[]> {
  const joiner = new MultilineJoiner(multiline);
  const found: LogRecord[] = [];
  for await (const batch of splitLines(chunked(Buffer.from(text), sizes))) found.push(...joiner.push(batch));
  const last = joiner.flush();
  if (last) found.push(last);
  return found;
}

const texts = (records: LogRecord[]) => records.map((record) => record.text);

describe("multiline events", () => {
  it.each<[string, Partial<MultilineSettings>, string, string[]]>([
    [
      "negate false, after: lines that match join the line before (Java stack traces)",
      { pattern: "^\\s", negate: false, match: "after" },
      'Exception in thread "main" java.lang.NullPointerException\n  at Book.getTitle(Book.java:16)\n  at Author.getBookTitles(Author.java:25)\nnext event\n',
      [
        'Exception in thread "main" java.lang.NullPointerException\n  at Book.getTitle(Book.java:16)\n  at Author.getBookTitles(Author.java:25)',
        "next event",
      ],
    ],
    [
      "negate true, after: lines that do not match join the line before that does (timestamped records)",
      { pattern: "^\\[", negate: true, match: "after" },
      "[2026-12-04 10:00:00] ERROR boom\ncaused by: disk full\n[2026-12-04 10:00:01] INFO ok\n",
      ["[2026-12-04 10:00:00] ERROR boom\ncaused by: disk full", "[2026-12-04 10:00:01] INFO ok"],
    ],
    [
      "negate false, before: lines that match join the next line (continuation backslashes)",
      { pattern: "\\\\$", negate: false, match: "before" },
      "first part \\\nsecond part \\\nend of one\nalone\n",
      ["first part \\\nsecond part \\\nend of one", "alone"],
    ],
    [
      "negate true, before: lines that do not match join the next line that does",
      { pattern: ";$", negate: true, match: "before" },
      "SELECT *\nFROM t\nWHERE x = 1;\nCOMMIT;\n",
      ["SELECT *\nFROM t\nWHERE x = 1;", "COMMIT;"],
    ],
  ])("%s", async (_, overrides, text, expected) => {
    expect(texts(await events(text, settings(overrides)))).toEqual(expected);
  });

  it("gives an event its first line's offset and the offset after its last line", async () => {
    const text = "a\n  b\n\n  c\r\nd\n";

    const found = await events(text, settings({}));

    expect(found).toEqual([
      { offset: 0, nextOffset: 12, text: "a\n  b\n  c" },
      { offset: 12, nextOffset: 14, text: "d" },
    ]);
  });

  it("cuts an event at maxLines, tags both parts and loses no line", async () => {
    const text = "head\n  1\n  2\n  3\n  4\nnext\n";

    const found = await events(text, settings({ maxLines: 3 }));

    expect(found).toEqual([
      { offset: 0, nextOffset: 13, text: "head\n  1\n  2", tags: [TAG_TRUNCATED] },
      { offset: 13, nextOffset: 21, text: "  3\n  4", tags: [TAG_TRUNCATED] },
      { offset: 21, nextOffset: 26, text: "next" },
    ]);
  });

  it("cuts at maxBytes, counting the newlines between lines, and cuts a single longer line on a character boundary", async () => {
    expect(texts(await events("12345\n  678\n  9\n", settings({ maxBytes: 11 })))).toEqual(["12345\n  678", "  9"]);
    const [long] = await events(`${"é".repeat(10)}\n`, settings({ maxBytes: 5 }));
    expect(long).toMatchObject({ text: "éé", tags: [TAG_TRUNCATED] });
  });

  it("tags an object that starts inside an event (after) and one that ends inside an event (before)", async () => {
    expect(await events("  at Tail.java:1\nhead\n", settings({}))).toEqual([
      { offset: 0, nextOffset: 17, text: "  at Tail.java:1", tags: [TAG_TRUNCATED] },
      { offset: 17, nextOffset: 22, text: "head" },
    ]);
    expect(await events("a \\\nb \\\n", settings({ pattern: "\\\\$", match: "before" }))).toEqual([
      { offset: 0, nextOffset: 8, text: "a \\\nb \\", tags: [TAG_TRUNCATED] },
    ]);
  });

  it("a continuation that resumes where pendingStart says, with any chunking, yields the same events as one read", async () => {
    const line = fc.oneof(
      fc.integer({ min: 0, max: 99 }).map((n) => `[10:00:${n}] event ${n}`),
      fc.integer({ min: 0, max: 99 }).map((n) => `  at Frame${n}.java:${n} \\`),
      fc.constantFrom("", "   ", "done;", "é€𝄞 mixed"),
    );
    const multiline = fc.record({
      pattern: fc.constantFrom("^\\s", "^\\[", "\\\\$", ";$"),
      negate: fc.boolean(),
      match: fc.constantFrom("after" as const, "before" as const),
      maxLines: fc.integer({ min: 1, max: 6 }),
      maxBytes: fc.integer({ min: 8, max: 120 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(line, { maxLength: 60 }),
        fc.constantFrom("\n", "\r\n"),
        multiline,
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 6 }),
        async (lines, newline, setting, sizes, stopsAfter) => {
          const bytes = Buffer.from(lines.join(newline) + newline);
          const whole = await events(bytes.toString(), setting);

          // Read in parts: each stops after some batches and resumes where its joiner says.
          const parts: LogRecord[] = [];
          let start = 0;
          for (let part = 0; ; part += 1) {
            const joiner = new MultilineJoiner(setting);
            const stopAfter = stopsAfter[part % stopsAfter.length] as number;
            let batches = 0;
            let resumeAt: number | undefined;
            for await (const batch of splitLines(chunked(bytes.subarray(start), sizes), {
              firstByte: start,
              skipTo: start,
            })) {
              parts.push(...joiner.push(batch));
              batches += 1;
              const at = joiner.pendingStart ?? batch.resumeOffset;
              // Time short: stop here, if that is past where this part started (else read on).
              if (batches >= stopAfter && at > start) {
                resumeAt = at;
                break;
              }
            }
            if (resumeAt === undefined) {
              const last = joiner.flush();
              if (last) parts.push(last);
              break;
            }
            start = resumeAt;
          }

          expect(parts).toEqual(whole);
        },
      ),
      { numRuns: 300 },
    );
  });
});
