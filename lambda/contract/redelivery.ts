/**
 * How a message says that its objects were delivered before: SQS's receive count above one (the
 * message came back after a failure or a timeout), or this SQS message attribute, which `s3ls
 * reship` and `s3ls dlq redrive` (when it moves messages itself) set. The function then asks the
 * destination which documents it already holds before sending them (lambda/bulk/indexer.ts).
 */
export const REDELIVERY_ATTRIBUTE = "s3ls-redelivery";

/** The SQS message attribute as `SendMessage` takes it. */
export const REDELIVERY_MESSAGE_ATTRIBUTES = {
  [REDELIVERY_ATTRIBUTE]: { DataType: "String", StringValue: "true" },
} as const;

/** Whether a received message (its attributes as Lambda's SQS event gives them) is a redelivery. */
export function isRedelivery(message: {
  attributes?: { ApproximateReceiveCount?: string };
  messageAttributes?: Record<string, unknown>;
}): boolean {
  const receiveCount = Number(message.attributes?.ApproximateReceiveCount ?? "1") || 1;
  return receiveCount > 1 || message.messageAttributes?.[REDELIVERY_ATTRIBUTE] !== undefined;
}
