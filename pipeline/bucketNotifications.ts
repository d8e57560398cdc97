/**
 * S3 keeps ONE notification configuration per bucket: a second `BucketNotification` for the same
 * bucket would silently replace the first. So producers are grouped by bucket and each bucket gets
 * one resource with one queue entry per producer, created after the queue policies (S3 validates
 * that it may publish to every queue when the configuration is saved).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ProducerConfig } from "./config";

/** The event every queue entry subscribes to. */
export const OBJECT_CREATED_EVENTS = ["s3:ObjectCreated:*"];

export interface BucketQueueTarget {
  producer: Pick<ProducerConfig, "name" | "bucket" | "prefix" | "suffix">;
  queueArn: pulumi.Input<string>;
  /** The queue policy that lets S3 publish; the notification waits for it. */
  queuePolicy: pulumi.Resource;
  /** The bucket's account, when it is not the stack's: the notification is written there. */
  provider?: pulumi.ProviderResource;
}

/** Creates one notification per bucket carrying a queue entry per producer reading that bucket. */
export function createBucketNotifications(
  targets: BucketQueueTarget[],
  parent: pulumi.Resource,
): Map<string, aws.s3.BucketNotification> {
  const notifications = new Map<string, aws.s3.BucketNotification>();
  for (const [bucket, group] of groupByBucket(
    targets.map((target) => ({ ...target, bucket: target.producer.bucket })),
  )) {
    notifications.set(
      bucket,
      new aws.s3.BucketNotification(
        `notifications-${bucket}`,
        {
          bucket,
          queues: group.map(({ producer, queueArn }) => ({
            id: `s3-log-shipper-${pulumi.getStack()}-${producer.name}`,
            queueArn,
            events: OBJECT_CREATED_EVENTS,
            ...(producer.prefix ? { filterPrefix: producer.prefix } : {}),
            ...(producer.suffix ? { filterSuffix: producer.suffix } : {}),
          })),
        },
        {
          parent,
          dependsOn: group.map((target) => target.queuePolicy),
          // Config puts every producer of a bucket in the bucket's one account.
          ...(group[0]?.provider ? { provider: group[0].provider } : {}),
        },
      ),
    );
  }
  return notifications;
}

/** Groups targets by bucket, keeping config order within each bucket and across buckets (the notification's queue order). */
function groupByBucket<T extends { bucket: string }>(targets: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const target of targets) groups.set(target.bucket, [...(groups.get(target.bucket) ?? []), target]);
  return groups;
}
