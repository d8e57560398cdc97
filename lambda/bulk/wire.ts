/**
 * What a `_bulk` request and its answer look like to the indexer, whatever carries them
 * (`esClient.ts` in the function, a loopback server in tests).
 */
import { ShipperError } from "../errors";

/** The answer for one item of a bulk request. */
export interface BulkItemResult {
  status: number;
  error?: { type: string; reason: string };
}

/**
 * A `_bulk` answer. When `errors` is false every item succeeded and only their number is kept
 * (the items need no parsing); it must still match the documents sent.
 */
export type BulkResponse = { errors: false; itemCount: number } | { errors: true; items: BulkItemResult[] };

/**
 * Sends one `_bulk` body, waiting at most `timeoutMs` when given. Throws `BulkRequestError` when
 * the request as a whole fails.
 */
export interface BulkTransport {
  send(ndjson: Buffer, timeoutMs?: number): Promise<BulkResponse>;
  /**
   * Which of `ids` `index` (a data stream: every backing index) already holds. Throws
   * `HeldIdsRefused` when the credential may not read it. Absent: the transport cannot ask.
   */
  heldIds?(index: string, ids: readonly string[], timeoutMs?: number): Promise<Set<string>>;
}

/** The credential may not search the destination (no `read` privilege): deduplication across rollovers is off. */
export class HeldIdsRefused extends ShipperError {}

/** A whole bulk request failed: HTTP status (if any) and whether trying again may help. */
export class BulkRequestError extends ShipperError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryable: boolean,
    options?: { cause?: unknown; answeredEarly?: boolean; timedOut?: boolean },
  ) {
    super(message, options);
    this.answeredEarly = options?.answeredEarly ?? false;
    this.timedOut = options?.timedOut ?? false;
  }

  /** No answer within the request's timeout. */
  readonly timedOut: boolean;

  /** Elasticsearch says it has more than it can take (429, 503) or did not answer in time: send less at once. */
  get overloaded(): boolean {
    return this.status === 429 || this.status === 503 || this.timedOut;
  }

  /**
   * The server answered before it had read the whole request and the client lost the answer
   * (`Connection closed while reading the body`). That is how Elasticsearch (and proxies) refuse a
   * request over their size limit: the 413 goes out as soon as the headers say the body is too
   * large — measured against Elasticsearch 9.2 with http.max_content_length 4mb: a 5 MB bulk ends
   * so, a 3 MB one is indexed.
   */
  readonly answeredEarly: boolean;
}
