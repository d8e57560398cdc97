/**
 * Dead-letter documents: what Elasticsearch refused for good (a mapping conflict, say) is stored
 * with the raw record, the error and its origin, so nothing is lost and a human can replay it.
 */
import type { ObjectContext } from "./builder";
import { rawText } from "./jsonFields";
import type { RejectedDocument } from "../contract/sink";
import { TAG_TRUNCATED } from "../contract/tags";

/**
 * A record refused as too large (413) keeps only this many characters in its dead letter, which
 * would otherwise be refused the same way; `log.file.path` and `log.offset` say where the whole
 * line is.
 */
export const DEAD_LETTER_TOO_LARGE_CHARS = 32 * 1024;

/** Builds the `_source` of a dead-letter document. Its `_id` stays the original's (idempotent). */
export function buildDeadLetterSource(
  rejected: RejectedDocument,
  context: ObjectContext,
  targetIndex: string,
  producer: string,
  /** The pipeline the document was sent through (its refusal may be the pipeline's). */
  targetPipeline?: string,
): string {
  const raw = rawText(rejected.document.record);
  const cut = rejected.status === 413 && raw.length > DEAD_LETTER_TOO_LARGE_CHARS;
  return JSON.stringify({
    "@timestamp": new Date().toISOString(),
    message: cut ? raw.slice(0, DEAD_LETTER_TOO_LARGE_CHARS) : raw,
    error: { type: rejected.type, message: rejected.reason, code: String(rejected.status) },
    log: { file: { path: `s3://${context.bucket}/${context.key}` }, offset: rejected.document.offset },
    aws: { s3: { bucket: { name: context.bucket }, object: { key: context.key } } },
    event: { ingested: context.ingested },
    labels: {
      target_index: targetIndex,
      ...(targetPipeline ? { target_pipeline: targetPipeline } : {}),
      producer,
      ...(cut ? { original_characters: String(raw.length) } : {}),
    },
    ...(cut ? { tags: [TAG_TRUNCATED] } : {}),
  });
}
