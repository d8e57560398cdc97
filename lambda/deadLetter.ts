/**
 * Dead-letter documents: what Elasticsearch refused for good (a mapping conflict, say) is stored
 * with the raw record, the error and its origin, so nothing is lost and a human can replay it.
 */
import { rawText, type ObjectContext } from "./documents";
import type { RejectedDocument } from "./indexer";

/** Builds the `_source` of a dead-letter document. Its `_id` stays the original's (idempotent). */
export function buildDeadLetterSource(rejected: RejectedDocument, context: ObjectContext, targetIndex: string, producer: string): string {
  return JSON.stringify({
    "@timestamp": new Date().toISOString(),
    message: rawText(rejected.document.record),
    error: { type: rejected.type, message: rejected.reason, code: String(rejected.status) },
    log: { file: { path: `s3://${context.bucket}/${context.key}` }, offset: rejected.document.offset },
    aws: { s3: { bucket: { name: context.bucket }, object: { key: context.key } } },
    event: { ingested: context.ingested },
    labels: { target_index: targetIndex, producer },
  });
}
