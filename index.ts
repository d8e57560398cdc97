/**
 * s3-log-shipper: one S3 → SQS → Lambda → Elasticsearch pipeline per producer listed in stack
 * config. The program itself is `pipeline/standalone/shipperProgram.ts`; this file exports its outputs.
 */
import { shipperProgram } from "./pipeline/standalone/shipperProgram";

const outputs = shipperProgram();

/** Per producer: bucket, prefix and suffix, queue and DLQ, function, log group and alarm names (what `s3ls` reads). */
export const producers = outputs.producers;
export const region = outputs.region;
export const alarmTopicArn = outputs.alarmTopicArn;
export const credentialsParameterName = outputs.credentialsParameterName;
export const elasticsearch = outputs.elasticsearch;
