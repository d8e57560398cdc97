/**
 * Continuation messages: when the function's time runs out part-way through an object, it sends
 * itself a message naming the objects still to do and exactly where to resume in the first.
 *
 * Version 2 states the unit of the position (`resumePoint.ts`). Version 1 messages (one `startOffset`
 * whose unit depended on the format) are still read: a deploy must not strand the continuations
 * that are in the queue at that moment.
 */
import * as z from "zod/mini";
import { withoutUndefined } from "../contract/plainObjects";
import { resumePointSchema, type ResumePoint } from "../contract/resumePoint";
import type { ObjectRef } from "../contract/shapes";

/** The top-level key that marks a body as one of our continuation messages. */
export const CONTINUATION_KEY = "s3LogShipperContinuation";

const nonNegative = () => z.int().check(z.nonnegative());

const objectFields = {
  bucket: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  versionId: z.optional(z.string()),
  eTag: z.optional(z.string()),
  size: z.optional(z.number()),
  eventTime: z.string(),
};

const versionTwo = z.object({
  version: z.literal(2),
  objects: z.array(z.object({ ...objectFields, resume: z.optional(resumePointSchema) })).check(z.minLength(1)),
});

const versionOne = z.object({
  version: z.literal(1),
  objects: z
    .array(z.object({ ...objectFields, startOffset: nonNegative(), gzip: z.optional(z.boolean()) }))
    .check(z.minLength(1)),
});

export const continuationSchema = z.object({
  [CONTINUATION_KEY]: z.discriminatedUnion("version", [versionTwo, versionOne]),
});

/** The objects a parsed continuation names, each with its resume point. */
export function continuationObjects(parsed: z.infer<typeof continuationSchema>): ObjectRef[] {
  const body = parsed[CONTINUATION_KEY];
  if (body.version === 2) return body.objects.map((object) => withoutUndefined(object));
  return body.objects.map(({ startOffset, gzip, ...object }) => {
    const resume: ResumePoint | undefined =
      startOffset > 0 ? { unit: "v1", offset: startOffset, ...(gzip === undefined ? {} : { gzip }) } : undefined;
    return withoutUndefined({ ...object, ...(resume ? { resume } : {}) });
  });
}

/** Serialises the body of a continuation message for the objects still to ship. */
export function continuationBody(objects: ObjectRef[]): string {
  return JSON.stringify({ [CONTINUATION_KEY]: { version: 2, objects } });
}
