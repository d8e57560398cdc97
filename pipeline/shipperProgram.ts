/**
 * The program: reads and validates the stack config, builds the pipeline, returns the stack
 * outputs. `index.ts` exports them for `pulumi up`; the emulator's drivers (Pulumi mocks, the
 * Automation API's inline program) run this same function.
 */
import { LogShipper, type Deployed, type ProducerOutputs } from "./logShipper";
import type { StackOutputs } from "./stackOutputs";
import { loadStackConfig } from "./stackConfig";

/** The stack outputs, each of the shape `stackOutputs.ts` states (which `s3ls` parses them with). */
export type ShipperProgramOutputs = Deployed<Omit<StackOutputs, "producers">> & {
  producers: Record<string, ProducerOutputs>;
};

export function shipperProgram(): ShipperProgramOutputs {
  const shipper = new LogShipper("s3-log-shipper", { config: loadStackConfig() });
  return {
    /** Per producer: bucket, prefix and suffix, queue and DLQ, function, log group and alarm names (what `s3ls` reads). */
    producers: shipper.producers,
    region: shipper.region,
    alarmTopicArn: shipper.alarmTopicArn,
    credentialsParameterName: shipper.credentialsParameterName,
    elasticsearch: shipper.elasticsearch,
  };
}
