import fc from "fast-check";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ObjectFormatError } from "../../../../lambda/errors";
import { GzipMembers, isGzip } from "../../../../lambda/read/gzip";

async function* chunked(bytes: Buffer, sizes: number[]): AsyncGenerator<Buffer> {
  for (let position = 0, turn = 0; position < bytes.length; turn += 1) {
    const size = Math.max(1, sizes[turn % sizes.length] ?? bytes.length);
    yield bytes.subarray(position, position + size);
    position += size;
  }
}

async function inflate(
  bytes: Buffer,
  sizes: number[] = [bytes.length],
  start = { compressedOffset: 0, decompressedOffset: 0 },
): Promise<{ output: Buffer; members: GzipMembers }> {
  const members = new GzipMembers(chunked(bytes, sizes), start, { bucket: "b", key: "k" });
  const parts: Buffer[] = [];
  for await (const part of members.inflate()) parts.push(part);
  return { output: Buffer.concat(parts), members };
}

/** Members with their compressed and decompressed starts, and zero padding after some. */
const objectArbitrary = fc
  .array(fc.record({ text: fc.string({ maxLength: 300 }), padding: fc.nat({ max: 40 }) }), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => {
    const pieces: Buffer[] = [];
    const starts: Array<{ compressedOffset: number; decompressedOffset: number }> = [];
    let compressed = 0;
    let decompressed = 0;
    for (const part of parts) {
      const member = gzipSync(part.text);
      starts.push({ compressedOffset: compressed, decompressedOffset: decompressed });
      pieces.push(member, Buffer.alloc(part.padding));
      compressed += member.length + part.padding;
      decompressed += Buffer.byteLength(part.text);
    }
    return { bytes: Buffer.concat(pieces), text: parts.map((part) => part.text).join(""), starts };
  });

describe("GzipMembers", () => {
  it("inflates every member, skipping zero padding between them, however the bytes are chunked", async () => {
    await fc.assert(
      fc.asyncProperty(
        objectArbitrary,
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
        async (object, sizes) => {
          const { output } = await inflate(object.bytes, sizes);
          expect(output.toString()).toBe(object.text);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("knows the member holding any offset, and inflating from that member gives the rest of the stream", async () => {
    await fc.assert(
      fc.asyncProperty(objectArbitrary, fc.double({ min: 0, max: 1, noNaN: true }), async (object, at) => {
        const { members } = await inflate(object.bytes, [7]);
        const total = Buffer.byteLength(object.text);
        const offset = Math.floor(at * total);
        const start = members.memberStartAt(offset);
        // The last member start at or before the offset (members of empty text share a start).
        const expected = [...object.starts].reverse().find((candidate) => candidate.decompressedOffset <= offset);
        expect(start.decompressedOffset).toBe(expected?.decompressedOffset);
        const { output } = await inflate(object.bytes.subarray(start.compressedOffset), [11], start);
        expect(Buffer.concat([Buffer.from(object.text).subarray(0, start.decompressedOffset), output]).toString()).toBe(
          object.text,
        );
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    [
      "garbage right after a member",
      Buffer.concat([gzipSync("a\n"), Buffer.from("garbage!!!!")]),
      "compressed byte 22: unexpected data after a gzip member",
    ],
    [
      "zero padding, then garbage",
      Buffer.concat([gzipSync("a\n"), Buffer.alloc(9), Buffer.from("zz")]),
      "compressed byte 31: unexpected data after a gzip member",
    ],
    [
      "a member cut inside its data",
      gzipSync("a\n".repeat(1000)).subarray(0, 15),
      "compressed byte 0: inflate failed: unexpected end of file",
    ],
    ["a member cut inside its trailer", gzipSync("a\n").subarray(0, 18), "the object ends inside a gzip trailer"],
    [
      "a header cut short",
      Buffer.concat([gzipSync("a\n"), gzipSync("b\n").subarray(0, 6)]),
      "compressed byte 22: the object ends inside a gzip header",
    ],
  ])("fails %s with an ObjectFormatError naming where", async (_case, bytes, message) => {
    await expect(inflate(bytes, [5])).rejects.toThrow(ObjectFormatError);
    await expect(inflate(bytes, [5])).rejects.toThrow(message);
  });

  it("checks the CRC-32 and the length of each member", async () => {
    const member = gzipSync("a\nb\n");
    const badCrc = Buffer.from(member);
    badCrc.writeUInt32LE((badCrc.readUInt32LE(badCrc.length - 8) ^ 1) >>> 0, badCrc.length - 8);
    const badLength = Buffer.from(member);
    badLength.writeUInt32LE(99, badLength.length - 4);
    await expect(inflate(badCrc)).rejects.toThrow("CRC-32 mismatch");
    await expect(inflate(badLength)).rejects.toThrow("length mismatch");
  });

  it("skips optional header fields (name, comment, extra, header CRC)", async () => {
    const plain = gzipSync("x\n");
    const deflateAndTrailer = plain.subarray(10);
    const header = Buffer.from([0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3]);
    const extra = Buffer.from([3, 0, 1, 2, 3]);
    const withFields = Buffer.concat([
      header,
      extra,
      Buffer.from("name.log\0"),
      Buffer.from("a comment\0"),
      Buffer.from([0xaa, 0xbb]),
      deflateAndTrailer,
    ]);
    expect((await inflate(withFields, [3])).output.toString()).toBe("x\n");
  });

  it("is detected by magic bytes, not by name", () => {
    expect(isGzip(gzipSync("x"))).toBe(true);
    expect(isGzip(Buffer.from("x.gz"))).toBe(false);
  });
});
