/**
 * The `_bulk` request layout, written and read back here only: per document an action line
 * `{"create":{"_index":"…",["pipeline":"…",]"_id":"…"}}` and its `_source`, each ending in a newline. Action lines
 * are byte strings (one character per byte, see `BulkBody.byteString`), made per document on the
 * hot path, so the fixed part is made once per index.
 */
import { toByteString } from "../byteString";
import { BulkBody } from "./body";

/** What follows the id on an action line. */
const ACTION_END = '"}}\n';
const NEWLINE = 0x0a;

/** A document's place in a body: its id and where its `_source` lies (`body[start, end)`, no newline). */
export interface BulkEntry {
  id: string;
  body: Buffer;
  start: number;
  end: number;
}

/** The action lines that create documents in one index, through one ingest pipeline when given. */
export class CreateActions {
  /** `{"create":{"_index":"…",["pipeline":"…",]"_id":"` as a byte string. */
  private readonly prefix: string;

  constructor(index: string, pipeline?: string) {
    const through = pipeline === undefined ? "" : `"pipeline":${JSON.stringify(pipeline)},`;
    this.prefix = toByteString(`{"create":{"_index":${JSON.stringify(index)},${through}"_id":"`);
  }

  /** The action line that creates document `id`, newline included. */
  line(id: string): string {
    return `${this.prefix}${id}${ACTION_END}`;
  }

  /** Bytes an entry takes in a request: its action line, its source and its newline. */
  entryBytes(entry: BulkEntry): number {
    return this.prefix.length + entry.id.length + ACTION_END.length + (entry.end - entry.start) + 1;
  }

  /** The documents of a body written with these actions, given where each ends (after its newline). */
  read(body: Buffer, documentEnds: readonly number[]): BulkEntry[] {
    const entries: BulkEntry[] = [];
    let documentStart = 0;
    for (const documentEnd of documentEnds) {
      const idStart = documentStart + this.prefix.length;
      const actionEnd = body.indexOf(NEWLINE, idStart);
      entries.push({
        id: body.toString("latin1", idStart, actionEnd - ACTION_END.length + 1),
        body,
        start: actionEnd + 1,
        end: documentEnd - 1,
      });
      documentStart = documentEnd;
    }
    return entries;
  }

  /** A new request body of `entries`, whose sources lie in earlier bodies. */
  encode(entries: readonly BulkEntry[]): Buffer {
    const body = new BulkBody(0);
    for (const entry of entries) {
      body.byteString(this.line(entry.id));
      body.copy(entry.body, entry.start, entry.end);
      body.byteString("\n");
    }
    return body.view();
  }
}
