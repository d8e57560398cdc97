/**
 * The furthest read position whose documents Elasticsearch holds: each position reached while
 * reading is marked with the number of documents handed to the indexer by then, and the indexer
 * says how many of those, counted from the first, are acknowledged (`acknowledgedDocuments`). When
 * an invocation ends with batches still unanswered or given up, a continuation resumes here rather
 * than at the object's start (issue 31).
 */
/** Generic in the position (shipObject.ts: a `ReadPosition` of contract/resumePoint.ts), so this low module imports nothing above it. */
export class AcknowledgedPosition<Position> {
  /** Marks not yet known to be acknowledged, in reading order. */
  private readonly marks: Array<{ documents: number; position: Position }> = [];
  private reached: Position | undefined;

  /** `position` was reached with `documents` handed in; `acknowledged` of them are known to be held (prunes the marks). */
  mark(documents: number, position: Position, acknowledged: number): void {
    this.marks.push({ documents, position });
    this.advance(acknowledged);
  }

  /** The furthest marked position all of whose documents are among the first `acknowledged`; undefined before any. */
  at(acknowledged: number): Position | undefined {
    this.advance(acknowledged);
    return this.reached;
  }

  private advance(acknowledged: number): void {
    while (this.marks[0] && this.marks[0].documents <= acknowledged) this.reached = this.marks.shift()?.position;
  }
}
