/**
 * Structured JSON logs and CloudWatch metrics (embedded metric format) through Powertools for
 * AWS Lambda. Credentials never reach either.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE, OBJECTS_PROCESSED, SERVICE_NAME } from "./contract/metricNames";
import type { ObjectStats } from "./types";

export const logger = new Logger({ serviceName: SERVICE_NAME });

export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });

/** Adds one object's counters to the metrics flushed at the end of the invocation. */
export function recordObjectMetrics(stats: ObjectStats): void {
  metrics.addMetric(OBJECTS_PROCESSED, MetricUnit.Count, 1);
  metrics.addMetric("DocumentsIndexed", MetricUnit.Count, stats.indexed);
  metrics.addMetric("DocumentsDuplicate", MetricUnit.Count, stats.duplicates);
  metrics.addMetric("DocumentsDeadLettered", MetricUnit.Count, stats.deadLettered);
  metrics.addMetric("DocumentsFailed", MetricUnit.Count, stats.failed);
  metrics.addMetric("BytesRead", MetricUnit.Bytes, stats.bytes);
}
