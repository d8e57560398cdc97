/**
 * The event source mapping from the queue to the function: a disabled mapping is a silent stop —
 * messages wait in the queue, nothing fails, and only the backlog alarm notices, an hour later.
 */
import { ListEventSourceMappingsCommand } from "@aws-sdk/client-lambda";
import type { OperatorClients } from "../awsClients";
import type { ProducerOutputs } from "../stackOutputs";
import { ok, problem, runCheck, type DoctorCheck, type Finding } from "./check";

export function checkMapping(clients: OperatorClients, producer: ProducerOutputs): Promise<DoctorCheck[]> {
  return runCheck(
    "mapping",
    { what: `function ${producer.functionName}'s event source mappings`, permission: "lambda:ListEventSourceMappings" },
    () => mappingState(clients, producer),
  );
}

async function mappingState(clients: OperatorClients, producer: ProducerOutputs): Promise<Finding> {
  const { EventSourceMappings: mappings = [] } = await clients.lambda.send(
    new ListEventSourceMappingsCommand({ FunctionName: producer.functionName, EventSourceArn: producer.queueArn }),
  );
  const mapping = mappings.find((candidate) => candidate.EventSourceArn === producer.queueArn);
  if (!mapping)
    return problem(
      `no event source mapping from the queue to function ${producer.functionName}: nothing reads the queue; pulumi up --refresh restores it`,
    );
  const state = mapping.State ?? "unknown";
  if (state === "Disabled" || state === "Disabling")
    return problem(
      `event source mapping ${mapping.UUID} is ${state}: nothing reads the queue (a silent stop); ` +
        `aws lambda update-event-source-mapping --uuid ${mapping.UUID} --enabled`,
    );
  return ok(`event source mapping ${mapping.UUID} is ${state} (batch ${mapping.BatchSize ?? "?"})`);
}
