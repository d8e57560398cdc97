/**
 * Continuation messages: when the function's time runs out part-way through an object, it sends
 * itself a message naming the objects still to do and the exact offset reached in the first.
 */
import * as z from "zod/mini";
import type { ObjectRef } from "./types";

/** The top-level key that marks a body as one of our continuation messages. */
export const CONTINUATION_KEY = "s3LogShipperContinuation";

const objectRefSchema = z.object({
  bucket: z.string().check(z.minLength(1)),
  key: z.string().check(z.minLength(1)),
  versionId: z.optional(z.string()),
  eTag: z.optional(z.string()),
  size: z.optional(z.number()),
  eventTime: z.string(),
  startOffset: z.int().check(z.nonnegative()),
  gzip: z.optional(z.boolean()),
});

export const continuationSchema = z.object({
  [CONTINUATION_KEY]: z.object({
    version: z.literal(1),
    objects: z.array(objectRefSchema).check(z.minLength(1)),
  }),
});

/** Serialises the body of a continuation message for the objects still to ship. */
export function continuationBody(objects: ObjectRef[]): string {
  return JSON.stringify({ [CONTINUATION_KEY]: { version: 1, objects } });
}
