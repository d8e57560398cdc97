/**
 * The names of the function's CloudWatch metrics (embedded metric format), shared with the program
 * whose alarms watch them. No imports: `pipeline/` reads it without loading the function's code.
 */

export const METRICS_NAMESPACE = "S3LogShipper";

/**
 * Powertools' `service` dimension, on every metric, and the `service` of every log line: the
 * `LogShipper` instance's name, which its functions get as `POWERTOOLS_SERVICE_NAME` where it is not
 * this one (the standalone stack's, whose alarms name it as they always did).
 */
export const SERVICE_NAME = "s3-log-shipper";

/** The dimension naming the producer, on every metric. */
export const PRODUCER_DIMENSION = "producer";

/** One per object the function read (shipped, continued, superseded or failed). */
export const OBJECTS_PROCESSED = "ObjectsProcessed";

/** The dimensions of a producer's metrics, as an alarm must name them (all of them, exactly). */
export function producerMetricDimensions(producer: string, service: string = SERVICE_NAME): Record<string, string> {
  return { service, [PRODUCER_DIMENSION]: producer };
}
