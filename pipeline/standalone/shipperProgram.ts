/**
 * The standalone stack: reads stack config and constructs `LogShipper` from the package's entry, as
 * any consumer's program does, and returns the stack outputs (each top-level key of
 * `LogShipperOutputs`, as this stack has always exported them). `index.ts` exports them for
 * `pulumi up`; the emulator's drivers (Pulumi mocks, the Automation API's inline program) run this
 * same function.
 */
import { LogShipper } from "..";
import { STANDALONE_INSTANCE } from "../validation/instanceNames";
import { stackArguments } from "./stackConfig";

export function shipperProgram() {
  const { outputs } = new LogShipper(STANDALONE_INSTANCE, stackArguments());
  return {
    /** Per producer: bucket, prefix and suffix, queue and DLQ, function, log group and alarm names (what `s3ls` reads). */
    producers: outputs.producers,
    region: outputs.region,
    alarmTopicArn: outputs.alarmTopicArn,
    credentialsParameterName: outputs.credentialsParameterName,
    elasticsearch: outputs.elasticsearch,
  };
}
