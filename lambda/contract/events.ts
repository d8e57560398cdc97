/**
 * Everything the function reports, each log line and metric defined once, here: structured JSON
 * logs and CloudWatch metrics (embedded metric format) through Powertools for AWS Lambda.
 *
 * Stages report through a scoped events object instead of callbacks relayed up the call chain:
 * `MessageEvents` carries a child logger with the message id bound, `ObjectEvents` one with the
 * bucket and key too. Child loggers, not `appendKeys` on the global logger: a batch runs several
 * messages at once, and appended keys would leak between them. Credentials never reach either.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE, OBJECTS_PROCESSED, PRODUCER_DIMENSION, SERVICE_NAME } from "./metricNames";
import type { RejectedDocument } from "./sink";
import { describeError } from "../errors";
import type { Disposition, ObjectOutcome, ObjectRef } from "./shapes";

/** The instance's name where it is not the standalone one (metricNames.ts). */
const service = process.env.POWERTOOLS_SERVICE_NAME || SERVICE_NAME;
const logger = new Logger({ serviceName: service });

const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: service });

/** What the read and bulk stages report while one object is shipped. */
export interface ObjectEvents {
  /** The S3 stream broke at `atByte` and is read on with a ranged GET. */
  streamResumed(error: unknown, atByte: number): void;
  /** A request of `documents` documents was refused as too large and is sent again in smaller ones. */
  requestTooLarge(refusedBytes: number, documents: number, nextLimitBytes: number): void;
  /** Elasticsearch refused a document for good: it went to the dead-letter index, or fails the message. */
  documentRefused(rejected: RejectedDocument, deadLettered: boolean): void;
  /** A redelivery could not ask which documents the destination holds: it ships without that check. */
  heldIdsUnavailable(reason: string): void;
}

/** Reports nothing: for code run outside the function (benchmarks, tests that do not look at logs). */
export const SILENT_OBJECT_EVENTS: ObjectEvents = {
  streamResumed: () => undefined,
  requestTooLarge: () => undefined,
  documentRefused: () => undefined,
  heldIdsUnavailable: () => undefined,
};

/**
 * Said once per invocation and reason, however many objects meet it: a credential without `read`
 * is one line, not one per object; a different reason (another destination, a timeout) its own.
 */
const heldIdsUnavailableSaid = new Set<string>();

/** The invocation's events: the producer dimension on every metric, published once at the end. */
export const invocationEvents = {
  started(producer: string): void {
    heldIdsUnavailableSaid.clear();
    metrics.addDimension(PRODUCER_DIMENSION, producer);
  },
  finished(failedMessages: number): void {
    metrics.addMetric("MessagesFailed", MetricUnit.Count, failedMessages);
    metrics.publishStoredMetrics();
  },
};

/** One SQS message's events, every line carrying its `messageId`. */
export class MessageEvents {
  private readonly log: Logger;
  private current: ObjectRef | undefined;

  constructor(readonly messageId: string) {
    this.log = logger.createChild({ persistentKeys: { messageId } });
  }

  /** The object being shipped: named in the reason when the message runs out of time there. */
  get currentObject(): ObjectRef | undefined {
    return this.current;
  }

  /** An object starts: its events carry its bucket and key (and the resume point it starts from). */
  objectStarted(ref: ObjectRef): ObjectShippingEvents {
    this.current = ref;
    return new ObjectShippingEvents(
      this.log.createChild({
        persistentKeys: { bucket: ref.bucket, key: ref.key, ...(ref.resume ? { resume: ref.resume } : {}) },
      }),
    );
  }

  /** An object the message names that this producer does not read: acknowledged unread. */
  objectOutsideFilter(ref: ObjectRef, filter: string): void {
    metrics.addMetric("ObjectsIgnored", MetricUnit.Count, 1);
    this.log.warn("object outside this producer's filter", { bucket: ref.bucket, key: ref.key, filter });
  }

  continued(reason: string): void {
    this.log.info("message continued in a new message", { reason });
  }

  acknowledged(reason: string): void {
    this.log.debug("message acknowledged", { reason });
  }

  /** The message comes back: why, how often it came, and when it comes again (or why pacing failed). */
  failed(
    disposition: Extract<Disposition, { kind: "fail" }>,
    receiveCount: number,
    pacing: { delaySeconds: number } | { error: string },
  ): void {
    this.log.error("message failed", {
      receiveCount,
      reason: disposition.reason,
      transient: disposition.transient,
      ...("delaySeconds" in pacing ? { retryInSeconds: pacing.delaySeconds } : { pacingError: pacing.error }),
    });
  }
}

/** One object's events: the stages' reports, and its summary line and metrics when it is done. */
export class ObjectShippingEvents implements ObjectEvents {
  private readonly started = Date.now();

  constructor(private readonly log: Logger) {}

  streamResumed(error: unknown, atByte: number): void {
    this.log.warn("S3 stream broke, resuming with a ranged GET", { atByte, error: describeError(error) });
  }

  requestTooLarge(refusedBytes: number, documents: number, nextLimitBytes: number): void {
    this.log.warn("bulk request refused as too large, sent again in smaller requests", {
      refusedBytes,
      documents,
      nextLimitBytes,
    });
  }

  documentRefused(rejected: RejectedDocument, deadLettered: boolean): void {
    this.log.warn(deadLettered ? "document dead-lettered" : "document rejected", {
      offset: rejected.document.offset,
      status: rejected.status,
      type: rejected.type,
      reason: rejected.reason,
    });
  }

  heldIdsUnavailable(reason: string): void {
    if (heldIdsUnavailableSaid.has(reason)) return;
    heldIdsUnavailableSaid.add(reason);
    this.log.warn(
      "deduplication across rollovers is off for the redelivered objects of this invocation that meet this reason: a document that rolled over into another backing index since its first delivery is indexed again",
      { reason },
    );
  }

  /** One summary line per object and its counters as metrics, whatever the outcome. */
  finished(outcome: ObjectOutcome): void {
    const { stats } = outcome;
    metrics.addMetric(OBJECTS_PROCESSED, MetricUnit.Count, 1);
    metrics.addMetric("DocumentsIndexed", MetricUnit.Count, stats.indexed);
    metrics.addMetric("DocumentsDuplicate", MetricUnit.Count, stats.duplicates);
    metrics.addMetric("DocumentsDeadLettered", MetricUnit.Count, stats.deadLettered);
    metrics.addMetric("DocumentsFailed", MetricUnit.Count, stats.failed);
    metrics.addMetric("LinesDropped", MetricUnit.Count, stats.linesDropped);
    metrics.addMetric("LinesUnparsed", MetricUnit.Count, stats.linesUnparsed);
    metrics.addMetric("BytesRead", MetricUnit.Bytes, stats.bytes);
    const fields = { ...stats, ms: Date.now() - this.started };
    switch (outcome.status) {
      case "failed":
        this.log.error("object failed", { ...fields, reason: outcome.reason, transient: outcome.transient });
        return;
      case "superseded":
        this.log.warn("object superseded", { ...fields, reason: outcome.reason });
        return;
      case "continued":
        // Continued behind what was read because Elasticsearch pushed back: worth a look, not a page.
        if (outcome.pressure)
          this.log.warn("object continued", { ...fields, next: outcome.resume, pressure: outcome.pressure });
        else this.log.info("object continued", { ...fields, next: outcome.resume });
        return;
      case "done":
        this.log.info("object shipped", fields);
    }
  }
}
