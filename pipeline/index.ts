/**
 * s3-log-shipper as a package: everything a consumer may import. What is not exported here is
 * internal and free to change.
 *
 * ```ts
 * import { LogShipper } from "s3-log-shipper";
 * const shipper = new LogShipper("security-logs", { elasticsearch: {…}, producers: [{…}] });
 * export const logShipping = shipper.outputs; // what `s3ls --stack` reads
 * ```
 */
export { LogShipper, LOG_SHIPPER_TYPE } from "./logShipper";
export {
  BulkCompression,
  LogFormat,
  MultilineMatch,
  NotificationSource,
  type AccountArgs,
  type AlertsArgs,
  type ElasticsearchArgs,
  type LogShipperArgs,
  type MultilineArgs,
  type NetworkArgs,
  type ProducerArgs,
  type TuningArgs,
  type VaultSecretArgs,
} from "./arguments";
export { LogShipperArgumentsError } from "./validation/shipperArguments";
export {
  stackOutputsSchema,
  type BucketOwnerStatementsOutput,
  type DeployedSettingsOutput,
  type ElasticsearchOutput,
  type LogShipperOutputs,
  type PolicyStatementOutput,
  type ProducerOutput,
} from "./stackOutputs";
