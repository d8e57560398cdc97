/** Where documents go: the indexer, seen from the code that builds them (`documents.ts`). */
import type { DocumentRef, PreparedDocument } from "./shapes";

export interface DocumentSink {
  /** Buffers a document whose `_source` is a string. Returns a promise when the caller must wait for room. */
  add(document: PreparedDocument): Promise<void> | undefined;
  /** The action line for document `id`, as a byte string (see `appendLines`). */
  actionLine(id: string): string;
  /** Documents and bytes that still fit in the request being filled. */
  readonly roomDocuments: number;
  readonly roomBytes: number;
  /**
   * Buffers documents already written as bulk lines — per document its `actionLine` and its
   * `_source`, each ending in a newline — as one byte string (one character per byte, UTF-8 inside).
   * `ends[i]` is where document i ends in `lines`, `offsets[i]` its record's offset. A failed
   * document's record is recovered from its source (`IndexerOptions.recoverRecord`).
   */
  appendLines(lines: string, offsets: number[], ends: number[]): Promise<void> | undefined;
}

/** A document Elasticsearch refused for good (mapping conflict, invalid id, …). */
export interface RejectedDocument {
  document: DocumentRef;
  status: number;
  type: string;
  reason: string;
}
