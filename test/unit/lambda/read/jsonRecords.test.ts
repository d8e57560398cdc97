/**
 * The streaming json reader: records come out as their own JSON text, with their index as offset,
 * whatever the chunking; a continuation resumes after the last record shipped; memory is bounded by
 * the record limit; a document that breaks halfway yields the records before the break, then fails
 * naming the byte.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ObjectFormatError } from "../../../../lambda/errors";
import { jsonRecordBatches, type JsonRecordsOptions } from "../../../../lambda/read/jsonRecords";

async function* chunked(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  for (let position = 0, turn = 0; position < bytes.length; turn += 1) {
    const size = Math.max(1, sizes[turn % sizes.length] ?? bytes.length);
    yield bytes.subarray(position, position + size);
    position += size;
  }
}

interface Read {
  texts: string[];
  indexes: number[];
  truncated: boolean[];
  merged: boolean[];
  byteEnds: number[];
}

async function read(
  text: string | Buffer,
  options: Partial<JsonRecordsOptions> = {},
  sizes = [1 << 20],
): Promise<Read> {
  const bytes = typeof text === "string" ? Buffer.from(text) : text;
  const found: Read = { texts: [], indexes: [], truncated: [], merged: [], byteEnds: [] };
  const firstByte = options.firstByte ?? 0;
  for await (const batch of jsonRecordBatches(chunked(bytes.subarray(firstByte), sizes), {
    maxRecordBytes: 1 << 20,
    bucket: "b",
    key: "k",
    firstByte,
    ...options,
  })) {
    for (let index = 0; index < batch.count; index += 1) {
      found.texts.push(batch.text(index));
      found.indexes.push(batch.offsets[index] as number);
      found.truncated.push(batch.truncated(index));
      found.merged.push(batch.mustMerge(index));
      found.byteEnds.push(batch.byteEnds[index] as number);
    }
  }
  return found;
}

const values = (texts: string[]) => texts.map((text) => JSON.parse(text) as unknown);

describe("json records, streamed", () => {
  it("expands a top-level array and the records field of an object, keys before and after it skipped", async () => {
    expect((await read('[{"a":1}, 2 ,"three",[4],null]')).texts).toEqual(['{"a":1}', "2", '"three"', "[4]", "null"]);
    const trail = '{"Version":{"x":[1,{"Records":[]}]},"Records":[{"eventName":"A"},{"eventName":"B"}],"After":"x"}';
    const found = await read(trail, { recordsField: "Records" });
    expect(found.texts).toEqual(['{"eventName":"A"}', '{"eventName":"B"}']);
    expect(found.indexes).toEqual([0, 1]);
    expect(found.byteEnds.map((end) => trail.slice(end - 4, end))).toEqual(['"A"}', '"B"}']);
  });

  it("takes a document without the records field as one record, or refuses it when the field is required", async () => {
    expect((await read(' {"digest": true} ', { recordsField: "Records" })).texts).toEqual(['{"digest": true}']);
    expect((await read("42", {})).texts).toEqual(["42"]);
    await expect(read('{"logFiles":[]}', { recordsField: "Records", requireRecordsField: true })).rejects.toThrow(
      /has no array "Records" \(the producer's recordsField\)/,
    );
  });

  it("skips a UTF-8 byte order mark before the document, whatever the chunking", async () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"Records":[{"a":1}]}')]);
    for (const sizes of [[1 << 20], [3], [1, 2]])
      expect((await read(bom, { recordsField: "Records" }, sizes)).texts, String(sizes)).toEqual(['{"a":1}']);
  });

  it("finds the records field written with JSON escapes or in any script, whatever the chunking (issue 31)", async () => {
    // Every way a records field's key can be written: escapes of ASCII, of non-ASCII (BMP and a
    // surrogate pair), plain UTF-8; the decoys beside it are keys that are not the field.
    const field = fc.constantFrom("Records", "Einträge", "記録", "ré😀");
    const spelling = (name: string) =>
      fc.array(fc.boolean(), { minLength: name.length, maxLength: name.length }).map((escaped) =>
        [...name]
          .map((character, n) =>
            escaped[n % escaped.length]
              ? Array.from({ length: character.length }, (_, unit) => unit)
                  .map((unit) => `\\u${character.charCodeAt(unit).toString(16).padStart(4, "0")}`)
                  .join("")
              : character,
          )
          .join(""),
      );
    await fc.assert(
      fc.asyncProperty(
        field.chain((name) => fc.tuple(fc.constant(name), spelling(name))),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        async ([name, written], sizes) => {
          const document = Buffer.from(
            `{"${name}x":[{"decoy":1}],"R":1,"${written}":[{"n":0},{"n":1}],"${name.slice(0, -1)}":[{"decoy":2}]}`,
          );
          const found = await read(document, { recordsField: name, requireRecordsField: true }, sizes);
          expect(values(found.texts)).toEqual([{ n: 0 }, { n: 1 }]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("finds R\\u0065cords and a non-ASCII field split inside a character", async () => {
    expect(values((await read('{"R\\u0065cords":[{"a":1}]}', { recordsField: "Records" })).texts)).toEqual([{ a: 1 }]);
    const german = Buffer.from('{"Einträge":[{"a":2}]}');
    const insideUmlaut = german.indexOf(Buffer.from("ä")) + 1;
    const found = await read(german, { recordsField: "Einträge", requireRecordsField: true }, [insideUmlaut, 1 << 20]);
    expect(values(found.texts)).toEqual([{ a: 2 }]);
  });

  it("yields nothing for an empty object, an empty array and whitespace", async () => {
    for (const text of ["", "  \n", "[]", '{"Records":[]}'])
      expect((await read(text, { recordsField: "Records" })).texts, text).toEqual([]);
  });

  it("marks a pretty-printed record for merging (it cannot be copied onto one request line)", async () => {
    const found = await read('[\n  {\n    "a": 1\n  },\n  {"b":2}\n]');
    expect(found.merged).toEqual([true, false]);
    expect(values(found.texts)).toEqual([{ a: 1 }, { b: 2 }]);
  });

  it("keeps the first maxRecordBytes of a huge record, tagged, and reads on past it", async () => {
    const huge = `{"blob":"${"x".repeat(100_000)}"}`;
    const found = await read(`[${huge},{"after":true}]`, { maxRecordBytes: 1_000 }, [4_096]);
    expect(found.texts.map((text) => text.length)).toEqual([1_000, 14]);
    expect(found.truncated).toEqual([true, false]);
    expect(found.texts[0]).toBe(huge.slice(0, 1_000));
  });

  it.each([
    ['[{"a":1},{"a":2} {"a":3}]', 2, /unexpected "\{" between records at decompressed byte 17/],
    ['[{"a":1},{"a":2]}]', 1, /unexpected "\]" at decompressed byte 15/],
    ['[{"a":1},{"a":"unterminated', 1, /the object ends inside the records array at decompressed byte 27/],
    ['{"Records":[{"a":1}', 1, /the object ends inside the records array/],
    ['[{"a":1},]', 1, /unexpected "\]" where a value was expected at decompressed byte 9/],
  ])("yields the records before a break in %s, then fails naming the byte", async (text, before, reason) => {
    const texts: string[] = [];
    const reading = (async () => {
      for await (const batch of jsonRecordBatches(chunked(Buffer.from(text), [3]), {
        recordsField: "Records",
        maxRecordBytes: 1_000,
        firstByte: 0,
        bucket: "b",
        key: "k",
      }))
        for (let index = 0; index < batch.count; index += 1) texts.push(batch.text(index));
    })();
    await expect(reading).rejects.toThrow(ObjectFormatError);
    await expect(reading).rejects.toThrow(reason);
    expect(texts).toHaveLength(before);
  });

  /** Any JSON document holding records: a top-level array, or an object with Records among other keys. */
  const documents = fc
    .tuple(
      fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 12 }),
      fc.boolean(),
      fc.dictionary(
        fc.string({ maxLength: 6 }).filter((name) => name !== "Records"),
        fc.jsonValue({ maxDepth: 2 }),
        {
          maxKeys: 3,
        },
      ),
      fc.constantFrom(0, 2),
    )
    .map(([records, wrapped, others, indent]) => {
      const document = wrapped ? { ...others, Records: records } : records;
      return { records, text: JSON.stringify(document, null, indent) };
    });

  it("yields every record of any document, whatever the chunking, each parsing to its value", async () => {
    await fc.assert(
      fc.asyncProperty(
        documents,
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 4 }),
        async ({ records, text }, sizes) => {
          const found = await read(text, { recordsField: "Records" }, sizes);
          expect(values(found.texts)).toEqual(JSON.parse(JSON.stringify(records)));
          expect(found.indexes).toEqual(records.map((_, index) => index));
        },
      ),
      { numRuns: 400 },
    );
  });

  it("a continuation after any record, by its byte end or by its index alone, yields the rest", async () => {
    await fc.assert(
      fc.asyncProperty(
        documents.filter(({ records }) => records.length > 0),
        fc.nat(),
        fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1, maxLength: 4 }),
        async ({ records, text }, pick, sizes) => {
          const whole = await read(text, { recordsField: "Records" });
          const after = pick % records.length; // the last record shipped
          const rest = whole.texts.slice(after + 1);
          // A plain object: a ranged GET from the byte the last record ended at.
          const byByte = await read(
            text,
            {
              recordsField: "Records",
              firstByte: whole.byteEnds[after] as number,
              resume: { byteOffset: whole.byteEnds[after] as number, recordIndex: after + 1 },
            },
            sizes,
          );
          expect(byByte.texts).toEqual(rest);
          expect(byByte.indexes).toEqual(whole.indexes.slice(after + 1));
          // A gzip member starts earlier: the bytes before the resume point are read and dropped.
          const fromEarlier = await read(
            text,
            {
              recordsField: "Records",
              firstByte: 0,
              resume: { byteOffset: whole.byteEnds[after] as number, recordIndex: after + 1 },
            },
            sizes,
          );
          expect(fromEarlier.texts).toEqual(rest);
          // A continuation written before records were streamed names only the index.
          const byIndex = await read(text, { recordsField: "Records", skipRecords: after + 1 }, sizes);
          expect(byIndex.texts).toEqual(rest);
          expect(byIndex.byteEnds).toEqual(whole.byteEnds.slice(after + 1));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("hands records on in order, each batch ending where a continuation after it must resume, whatever is cut", async () => {
    // A record over the limit in the middle of a chunk is copied into a batch of its own: the records
    // before it in the chunk must come first, or a continuation after it would skip them.
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.jsonValue({ maxDepth: 2 }), { minLength: 1, maxLength: 15 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 3 }),
        async (records, maxRecordBytes, sizes) => {
          const text = JSON.stringify({ Records: records });
          const indexes: number[] = [];
          let next = 0;
          for await (const batch of jsonRecordBatches(chunked(Buffer.from(text), sizes), {
            recordsField: "Records",
            maxRecordBytes,
            firstByte: 0,
            bucket: "b",
            key: "k",
          })) {
            for (let index = 0; index < batch.count; index += 1) indexes.push(batch.offsets[index] as number);
            // Stopping after this batch resumes at its nextRecord: every record before it was handed on.
            expect(batch.nextRecord).toBe(indexes.length);
            if (batch.count > 0) expect(batch.resumeByte).toBe(batch.byteEnds[batch.count - 1]);
            expect(batch.nextRecord).toBeGreaterThanOrEqual(next);
            next = batch.nextRecord;
          }
          expect(indexes).toEqual(records.map((_, index) => index));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("fails a record nested deeper than Elasticsearch takes, naming the byte, instead of growing without bound", async () => {
    const deep = `[{"ok":1},${"[".repeat(5_000_000)}`;
    const reading = read(deep, {}, [65_536]);
    await expect(reading).rejects.toThrow(/nested deeper than 1000 levels .* at decompressed byte 1010/);
  });

  it("refuses a continuation past the document's end", async () => {
    await expect(read('[{"a":1}]', { skipRecords: 3 })).rejects.toThrow(
      /starts at record 3, but the document has 1 records/,
    );
  });
});
