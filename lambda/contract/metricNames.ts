/**
 * The names of the function's CloudWatch metrics (embedded metric format), shared with the program
 * whose alarms watch them. No imports: `pipeline/` reads it without loading the function's code.
 */

export const METRICS_NAMESPACE = "S3LogShipper";

/** Powertools' `service` dimension, on every metric. */
export const SERVICE_NAME = "s3-log-shipper";

/** The dimension naming the producer, on every metric. */
export const PRODUCER_DIMENSION = "producer";

/** One per object the function read (shipped, continued, superseded or failed). */
export const OBJECTS_PROCESSED = "ObjectsProcessed";

/** The dimensions of a producer's metrics, as an alarm must name them (all of them, exactly). */
export function producerMetricDimensions(producer: string): Record<string, string> {
  return { service: SERVICE_NAME, [PRODUCER_DIMENSION]: producer };
}
