/**
 * Where a continuation resumes: its wire shape (the schema, from which the types come), how a
 * position reached while reading becomes one, how one becomes a read plan, and how it reads in a log
 * line. The unit means the same thing when it is read back:
 * - `line` (text, ndjson): the byte offset of a line start in the decompressed stream; for gzip,
 *   the start of the member holding it, so the resume inflates from there, not from byte 0;
 * - `record` (json): the index of the next record of the document, and the array field the records
 *   were expanded from (`auto` decides it too); since records are streamed, also the decompressed
 *   byte where the last record shipped ended (`byteOffset`, with its gzip `member`), so the resume
 *   reads on from there — without it (continuations written before), the document is read from
 *   its first byte and the records before the index are skipped unbuilt;
 * - `v1`: a continuation written before this distinction (an offset whose unit is the format's:
 *   bytes for line formats, records for json); still read so a deploy strands no message.
 * The format is the decided one: `auto` is never decided twice for one object.
 */
import * as z from "zod/mini";
import { LINE_FORMATS, RECORD_FORMATS, type LineFormat, type LogFormat, type RecordFormat } from "./formats";

const nonNegative = () => z.int().check(z.nonnegative());

const gzipMemberStartSchema = z.object({ compressedOffset: nonNegative(), decompressedOffset: nonNegative() });

export const resumePointSchema = z.discriminatedUnion("unit", [
  z.object({
    unit: z.literal("line"),
    format: z.enum(LINE_FORMATS),
    byteOffset: nonNegative(),
    gzip: z.boolean(),
    member: z.optional(gzipMemberStartSchema),
    /** The object's header lines (vpcflow: its field names; cloudfront: `#Fields`), which the resume reads past. */
    header: z.optional(z.array(z.string())),
  }),
  z.object({
    unit: z.literal("record"),
    /** The record format decided for the object (absent: json, as before cloudtrail had one of its own). */
    format: z.optional(z.enum(RECORD_FORMATS)),
    recordIndex: nonNegative(),
    recordsField: z.optional(z.string().check(z.minLength(1))),
    gzip: z.boolean(),
    byteOffset: z.optional(nonNegative()),
    member: z.optional(gzipMemberStartSchema),
  }),
  // A version 1 position handed on unread (an object after the first of a version 1 message).
  z.object({ unit: z.literal("v1"), offset: nonNegative(), gzip: z.optional(z.boolean()) }),
]);

export type ResumePoint = z.infer<typeof resumePointSchema>;

/** Where a gzip member starts, in the object's bytes and in the decompressed stream. */
export type GzipMemberStart = z.infer<typeof gzipMemberStartSchema>;

/** How far reading got, in the unit of the format read: the resume point's source. */
export type ReadPosition =
  | {
      unit: "line";
      format: LineFormat;
      /** the next line's start */ reached: number;
      /** decompressed bytes read */ read: number;
      /** the header lines read so far (header formats) */ header?: string[];
    }
  | {
      unit: "record";
      format: RecordFormat;
      /** the next record's index */ reached: number;
      recordsField: string | undefined;
      /** where the last record read ended, in decompressed bytes */ byteOffset?: number;
    };

/** The resume point for `position`; `memberStartAt` names the gzip member holding a line start. */
export function resumePointAt(
  position: ReadPosition,
  gzip: boolean,
  memberStartAt: (offset: number) => GzipMemberStart | undefined,
): ResumePoint {
  if (position.unit === "record") {
    const { byteOffset } = position;
    const member = gzip && byteOffset !== undefined ? memberStartAt(byteOffset) : undefined;
    return {
      unit: "record",
      ...(position.format !== "json" ? { format: position.format } : {}),
      recordIndex: position.reached,
      ...(position.recordsField ? { recordsField: position.recordsField } : {}),
      gzip,
      ...(byteOffset !== undefined ? { byteOffset } : {}),
      ...(member ? { member } : {}),
    };
  }
  const member = gzip ? memberStartAt(position.reached) : undefined;
  return {
    unit: "line",
    format: position.format,
    byteOffset: position.reached,
    gzip,
    ...(member ? { member } : {}),
    ...(position.header && position.header.length > 0 ? { header: position.header } : {}),
  };
}

/** How to open and read an object for a resume point: the format, its records field, and the position in the format's unit. */
export interface ReadPlan {
  format: LogFormat;
  recordsField: string | undefined;
  open: ReadStart | undefined;
  /**
   * Where to start, in the unit of the format read: a line start's byte offset, or a record index.
   * The unit follows the format (a line resume keeps its line format, a record resume is json), so
   * a version 1 offset, whose unit was the format's, is this number as it is.
   */
  start: number;
  /** json: where the record before `start` ended, when the continuation says (read on from there). */
  resumeByte?: number;
  /** Header formats: the header lines read before `start`. */
  header?: string[];
}

/**
 * Turns where a message says to resume into a read plan. What a continuation decided (the format,
 * the records field) wins over config: the object is finished the way it was started.
 */
export function readPlan(
  resume: ResumePoint | undefined,
  configured: { format: LogFormat; recordsField?: string | undefined },
): ReadPlan {
  const asConfigured = { format: configured.format, recordsField: configured.recordsField };
  if (!resume) return { ...asConfigured, open: undefined, start: 0 };
  switch (resume.unit) {
    case "line":
      return {
        format: resume.format,
        recordsField: undefined,
        open: { byteOffset: resume.byteOffset, gzip: resume.gzip, ...(resume.member ? { member: resume.member } : {}) },
        start: resume.byteOffset,
        ...(resume.header ? { header: resume.header } : {}),
      };
    case "record":
      if (resume.byteOffset === undefined)
        // Written before records were streamed: read from the first byte, skip the records shipped.
        return {
          format: resume.format ?? "json",
          recordsField: resume.recordsField,
          open: undefined,
          start: resume.recordIndex,
        };
      return {
        format: resume.format ?? "json",
        recordsField: resume.recordsField,
        open: { byteOffset: resume.byteOffset, gzip: resume.gzip, ...(resume.member ? { member: resume.member } : {}) },
        start: resume.recordIndex,
        resumeByte: resume.byteOffset,
      };
    case "v1":
      // Version 1 offsets are bytes for line formats: a plain object still starts with a ranged GET.
      if (configured.format === "text" || configured.format === "ndjson") {
        return {
          ...asConfigured,
          open: { byteOffset: resume.offset, ...(resume.gzip === undefined ? {} : { gzip: resume.gzip }) },
          start: resume.offset,
        };
      }
      return { ...asConfigured, open: undefined, start: resume.offset };
  }
}

/** The resume point in words, for reasons and log lines. */
export function describeResume(resume: ResumePoint): string {
  switch (resume.unit) {
    case "line":
      return `byte ${resume.byteOffset}`;
    case "record":
      return `record ${resume.recordIndex}${resume.byteOffset === undefined ? "" : ` (byte ${resume.byteOffset})`}`;
    case "v1":
      return `offset ${resume.offset}`;
  }
}

/** Where the caller wants to read from, when a shortcut past the object's first byte exists. */
export interface ReadStart {
  /** Decompressed byte wanted first (a line start). */
  byteOffset: number;
  /** Whether the object was gzip when this position was reached. */
  gzip?: boolean;
  /** Gzip: the member holding `byteOffset`. */
  member?: GzipMemberStart;
}
