import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { continuationBody } from "../../../../lambda/queue/continuation";
import { parseMessageBody } from "../../../../lambda/queue/notifications";
import { readPlan, resumePointAt, type ReadPosition } from "../../../../lambda/contract/resumePoint";

const offset = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const position: fc.Arbitrary<ReadPosition> = fc.oneof(
  fc.record({
    unit: fc.constant("line" as const),
    format: fc.constantFrom("text" as const, "ndjson" as const, "vpcflow" as const, "cloudwatch" as const),
    reached: offset,
    read: offset,
    header: fc.option(fc.array(fc.constantFrom("version", "srcaddr", "end"), { minLength: 1 }), { nil: undefined }),
  }),
  fc.record({
    unit: fc.constant("record" as const),
    format: fc.constantFrom("json" as const, "cloudtrail" as const),
    reached: offset,
    recordsField: fc.option(fc.constantFrom("Records", "logEvents"), { nil: undefined }),
  }),
);

describe("resume points", () => {
  it("read back from a continuation message, start the next read where the last one got to, in its unit and format", () => {
    fc.assert(
      fc.property(
        position,
        fc.boolean(),
        fc.constantFrom("auto" as const, "json" as const, "text" as const),
        (reached, gzip, configured) => {
          // Prepare: the member start is a function of the offset, to see it carried through.
          const member = (at: number) => ({ compressedOffset: Math.floor(at / 3), decompressedOffset: at - 1 });
          const resume = resumePointAt(reached, gzip, member);
          // Act: through the wire, as the next invocation sees it.
          const parsed = parseMessageBody(
            continuationBody([{ bucket: "b", key: "k", eventTime: "2026-12-01T00:00:00Z", resume }]),
          );
          if (parsed.kind !== "objects") throw new Error(`continuation not read back: ${JSON.stringify(parsed)}`);
          const plan = readPlan(parsed.objects[0]?.resume, { format: configured });
          // Assess: the position, the decided format (never the configured one) and the member.
          expect(plan.start).toBe(reached.reached);
          if (reached.unit === "line") {
            expect(plan.format).toBe(reached.format);
            expect(plan.open).toEqual({
              byteOffset: reached.reached,
              gzip,
              ...(gzip ? { member: member(reached.reached) } : {}),
            });
            // A header format's continuation carries the header lines it read past.
            expect(plan.header).toEqual(reached.header && reached.header.length > 0 ? reached.header : undefined);
          } else {
            expect(plan).toMatchObject({ format: reached.format, recordsField: reached.recordsField, open: undefined });
          }
        },
      ),
    );
  });

  it("reads an object without a resume point from its first byte as configured", () => {
    expect(readPlan(undefined, { format: "auto", recordsField: "Records" })).toEqual({
      format: "auto",
      recordsField: "Records",
      open: undefined,
      start: 0,
    });
  });
});
