/**
 * Whether a producer's notification source can reach its queue, where the operator's credentials
 * can read it. For `notifications: eventbridge` that is the bucket's one switch, "send to
 * EventBridge": S3 returns `EventBridgeConfiguration` (an empty element) in the bucket's
 * notification configuration when it is on, and leaves it out when it is off (S3 API Reference,
 * GetBucketNotificationConfiguration, "EventBridgeConfiguration: Enables delivery of events to
 * Amazon EventBridge"). While it is off nothing arrives and nothing fails: a silent stop.
 */
import { GetBucketNotificationConfigurationCommand, type S3Client } from "@aws-sdk/client-s3";
import { describeError } from "../lambda/errors";
import type { ProducerOutputs } from "./stackOutputs";

/** A check's verdict: `unchecked` when the operator may not read what it needs, which says nothing of the pipeline. */
export type SourceCheck =
  { verdict: "ok"; detail: string } | { verdict: "problem"; detail: string } | { verdict: "unchecked"; detail: string };

/** The EventBridge switch of an `eventbridge` producer's bucket; undefined for other sources (nothing to read here). */
export async function eventBridgeSwitch(s3: S3Client, producer: ProducerOutputs): Promise<SourceCheck | undefined> {
  if (producer.notifications !== "eventbridge") return undefined;
  let configuration;
  try {
    configuration = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: producer.bucket }));
  } catch (error) {
    return {
      verdict: "unchecked",
      detail:
        `cannot read bucket ${producer.bucket}'s notification configuration to see its EventBridge switch ` +
        `(${describeError(error)}); s3:GetBucketNotification in the bucket's account reads it`,
    };
  }
  if (configuration.EventBridgeConfiguration !== undefined)
    return { verdict: "ok", detail: `bucket ${producer.bucket} sends its events to EventBridge` };
  return {
    verdict: "problem",
    detail:
      `bucket ${producer.bucket} does not send its events to EventBridge, so nothing reaches this producer: ` +
      `the bucket owner turns it on (docs/estates.md "Notification sources": bucket → Properties → Event notifications → Amazon EventBridge → On)`,
  };
}
