/**
 * Reads the function's embedded-metric-format lines as CloudWatch would: a metric counts for an
 * alarm only with exactly the alarm's namespace, name and dimension set.
 */
import { METRICS_NAMESPACE, producerMetricDimensions } from "../../lambda/contract/metricNames";

interface EmfLine {
  _aws?: {
    CloudWatchMetrics?: Array<{ Namespace?: string; Dimensions?: string[][]; Metrics?: Array<{ Name?: string }> }>;
  };
  [field: string]: unknown;
}

/** The sum of `metric` over the EMF lines that carry it with the producer's alarm dimensions. */
export function emittedForProducer(
  lines: ReadonlyArray<string | Record<string, unknown>>,
  metric: string,
  producer: string,
): number {
  const wanted = producerMetricDimensions(producer);
  const wantedKeys = JSON.stringify(Object.keys(wanted).sort());
  let sum = 0;
  for (const raw of lines) {
    let line: EmfLine;
    try {
      line = (typeof raw === "string" ? JSON.parse(raw) : raw) as EmfLine;
    } catch {
      continue;
    }
    const directive = line._aws?.CloudWatchMetrics?.[0];
    if (!directive || directive.Namespace !== METRICS_NAMESPACE) continue;
    if (!directive.Metrics?.some((entry) => entry.Name === metric)) continue;
    if (!directive.Dimensions?.some((set) => JSON.stringify([...set].sort()) === wantedKeys)) continue;
    if (Object.entries(wanted).some(([key, value]) => line[key] !== value)) continue;
    const value = line[metric];
    sum += Array.isArray(value) ? value.reduce((total: number, item) => total + Number(item), 0) : Number(value);
  }
  return sum;
}
