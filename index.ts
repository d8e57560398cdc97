/**
 * s3-log-shipper: one S3 → SQS → Lambda → Elasticsearch pipeline per producer listed in stack
 * config. Reads and validates the config, builds the pipeline, exports what operators need.
 */
import { LogShipper } from "./pipeline/logShipper";
import { loadStackConfig } from "./pipeline/stackConfig";

const shipper = new LogShipper("s3-log-shipper", { config: loadStackConfig() });

/** Per producer: queue URL, DLQ URL, function name and alarm names. */
export const producers = shipper.producers;
export const alarmTopicArn = shipper.alarmTopicArn;
export const credentialsParameterName = shipper.credentialsParameterName;
