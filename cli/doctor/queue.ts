/**
 * The queue as the stack deployed it: the redrive policy (to this producer's DLQ, after
 * maxReceiveCount receives), the visibility timeout (6 × the function's timeout) and retention.
 * A console edit drifts them silently: a short visibility timeout redelivers messages the function
 * is still shipping, a missing redrive policy keeps a poison message forever, short retention
 * drops backlog during an outage.
 */
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import type { OperatorClients } from "../awsClients";
import type { ProducerOutputs } from "../stackOutputs";
import { errorName, ok, problem, runCheck, unchecked, type DoctorCheck, type Finding } from "./check";

export function checkQueue(clients: OperatorClients, producer: ProducerOutputs): Promise<DoctorCheck[]> {
  return runCheck(
    "queue",
    { what: `queue ${producer.queueUrl}'s attributes`, permission: "sqs:GetQueueAttributes" },
    () => queueDrift(clients, producer),
  );
}

async function queueDrift(clients: OperatorClients, producer: ProducerOutputs): Promise<Finding> {
  const deployed = producer.deployed;
  if (!deployed)
    return unchecked(
      "the stack outputs do not hold the queue's deployed settings (deployed before s3ls doctor): pulumi up adds them",
    );
  let attributes: Record<string, string>;
  try {
    attributes =
      (
        await clients.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: producer.queueUrl,
            AttributeNames: ["RedrivePolicy", "VisibilityTimeout", "MessageRetentionPeriod"],
          }),
        )
      ).Attributes ?? {};
  } catch (error) {
    if (/NonExistentQueue|QueueDoesNotExist/.test(errorName(error)))
      return problem(`queue ${producer.queueUrl} does not exist (deleted?): pulumi up --refresh recreates it`);
    throw error;
  }
  const drift: string[] = [];
  const redrive = redrivePolicy(attributes.RedrivePolicy);
  if (!redrive) drift.push("no redrive policy (a message that keeps failing is never dead-lettered)");
  else {
    if (redrive.deadLetterTargetArn !== producer.deadLetterQueueArn)
      drift.push(`dead letters go to ${redrive.deadLetterTargetArn ?? "nothing"}, not ${producer.deadLetterQueueArn}`);
    if (redrive.maxReceiveCount !== deployed.maxReceiveCount)
      drift.push(`maxReceiveCount ${redrive.maxReceiveCount ?? "?"} (deployed ${deployed.maxReceiveCount})`);
  }
  const visibility = Number(attributes.VisibilityTimeout);
  if (visibility !== deployed.visibilityTimeoutSeconds)
    drift.push(`visibility timeout ${visibility} s (deployed ${deployed.visibilityTimeoutSeconds} s)`);
  const retention = Number(attributes.MessageRetentionPeriod);
  if (retention !== deployed.messageRetentionSeconds)
    drift.push(`retention ${retention} s (deployed ${deployed.messageRetentionSeconds} s)`);
  if (drift.length > 0)
    return problem(
      `queue ${queueName(producer.queueUrl)} drifted: ${drift.join("; ")}; pulumi up --refresh restores it`,
    );
  return ok(
    `queue ${queueName(producer.queueUrl)}: dead letters after ${deployed.maxReceiveCount} receives, visibility ${visibility} s, retention ${retention / 86_400} days`,
  );
}

function redrivePolicy(
  text: string | undefined,
): { deadLetterTargetArn?: string; maxReceiveCount?: number } | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { deadLetterTargetArn?: string; maxReceiveCount?: number | string };
    return {
      ...(parsed.deadLetterTargetArn ? { deadLetterTargetArn: parsed.deadLetterTargetArn } : {}),
      ...(parsed.maxReceiveCount !== undefined ? { maxReceiveCount: Number(parsed.maxReceiveCount) } : {}),
    };
  } catch {
    return undefined;
  }
}

function queueName(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf("/") + 1);
}
