/**
 * The program: reads and validates the stack config, builds the pipeline, returns the stack
 * outputs. `index.ts` exports them for `pulumi up`; the emulator's drivers (Pulumi mocks, the
 * Automation API's inline program) run this same function.
 */
import { LogShipper } from "./logShipper";
import { loadStackConfig } from "./stackConfig";

export function shipperProgram() {
  const shipper = new LogShipper("s3-log-shipper", { config: loadStackConfig() });
  return {
    /** Per producer: bucket, prefix and suffix, queue and DLQ, function, log group and alarm names (what `s3ls` reads). */
    producers: shipper.producers,
    region: shipper.region,
    alarmTopicArn: shipper.alarmTopicArn,
    credentialsParameterName: shipper.credentialsParameterName,
  };
}

export type ShipperProgramOutputs = ReturnType<typeof shipperProgram>;
