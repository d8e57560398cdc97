/**
 * s3-log-shipper: one S3 → SQS → Lambda → Elasticsearch pipeline per producer listed in stack
 * config. Reads and validates the config, builds the pipeline, exports what operators need.
 */
import { LogShipper } from "./pipeline/logShipper";
import { loadStackConfig } from "./pipeline/stackConfig";

const shipper = new LogShipper("s3-log-shipper", { config: loadStackConfig() });

/** Per producer: bucket, prefix and suffix, queue and DLQ, function, log group and alarm names (what `s3ls` reads). */
export const producers = shipper.producers;
export const region = shipper.region;
export const alarmTopicArn = shipper.alarmTopicArn;
export const credentialsParameterName = shipper.credentialsParameterName;
