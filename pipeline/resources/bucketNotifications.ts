/**
 * S3 keeps ONE notification configuration per bucket, shared with every other consumer of the
 * bucket. So producers are grouped by bucket, and each bucket gets one resource holding this
 * stack's queue entries (one per producer) that adds them to the configuration and removes only
 * them again (`notificationEntriesProvider.ts`), created after the queue policies (S3 validates
 * that it may publish to every queue when the configuration is saved).
 */
import * as pulumi from "@pulumi/pulumi";
import type { ProducerConfig } from "../validation/schema";
import type { QueueEntry } from "./notificationEntries";
import { childName, legacyAliases, notificationEntryId } from "../validation/instanceNames";
import {
  deployerS3Client,
  notificationEntriesProvider,
  type NotificationEntriesInputs,
} from "./notificationEntriesProvider";

/** The event every queue entry subscribes to. */
export const OBJECT_CREATED_EVENTS = ["s3:ObjectCreated:*"];

/** What releases before the merge registered per bucket: `aws.s3.BucketNotification`, which owned the whole configuration. */
const WHOLE_CONFIGURATION_TYPE = "aws:s3/bucketNotification:BucketNotification";

export interface BucketQueueTarget {
  producer: Pick<ProducerConfig, "name" | "bucket" | "prefix" | "suffix">;
  queueArn: pulumi.Input<string>;
  /** The queue policy that lets S3 publish; the notification waits for it. */
  queuePolicy: pulumi.Resource;
  /** The bucket account's role, when it is not the stack's account: the entries are written with it. */
  bucketAccountRoleArn?: string;
}

type Inputs<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** This stack's entries in one bucket's notification configuration, through Pulumi's dynamic provider. */
export class BucketNotificationEntries extends pulumi.dynamic.Resource {
  declare readonly bucket: pulumi.Output<string>;
  declare readonly entries: pulumi.Output<QueueEntry[]>;

  constructor(name: string, args: Inputs<NotificationEntriesInputs>, opts: pulumi.CustomResourceOptions) {
    super(PROVIDER, name, { ...args }, opts);
  }
}

const PROVIDER = notificationEntriesProvider(deployerS3Client);

/** The type token of the same resource as this package's own provider serves it (provider/shipperProvider.ts). */
export const NOTIFICATION_ENTRIES_TYPE = "s3-log-shipper:index:BucketNotificationEntries";

/**
 * The same entries, served by this package's provider: what a `LogShipper` built by the component
 * provider (a Python, Go, C# or YAML program's) registers. A dynamic resource cannot be used there:
 * Pulumi starts its plugin in the consumer's program directory, where neither `@pulumi/pulumi` nor
 * the AWS SDK can be found (pulumi/pulumi#5455); the component provider's own process can.
 */
export class ProvidedNotificationEntries extends pulumi.CustomResource {
  declare readonly bucket: pulumi.Output<string>;
  declare readonly entries: pulumi.Output<QueueEntry[]>;

  constructor(name: string, args: Inputs<NotificationEntriesInputs>, opts: pulumi.CustomResourceOptions) {
    super(NOTIFICATION_ENTRIES_TYPE, name, { ...args }, opts);
  }
}

/** Set by the component provider when it serves `LogShipper` to another language (`provider/serve.ts`). */
let servedByComponentProvider = false;

/** The component provider builds `LogShipper`s from now on: their entries are its own custom resource. */
export function useProvidedNotificationEntries(): void {
  servedByComponentProvider = true;
}

/** Whether this process is the component provider (its custom resources replace the dynamic ones). */
export function isServedByComponentProvider(): boolean {
  return servedByComponentProvider;
}

/** Creates one entries resource per bucket carrying a queue entry per producer reading that bucket. */
export function createBucketNotifications(
  instance: string,
  targets: BucketQueueTarget[],
  region: pulumi.Input<string>,
  parent: pulumi.Resource,
): Map<string, BucketNotificationEntries | ProvidedNotificationEntries> {
  const notifications = new Map<string, BucketNotificationEntries | ProvidedNotificationEntries>();
  for (const [bucket, group] of groupByBucket(
    targets.map((target) => ({ ...target, bucket: target.producer.bucket })),
  )) {
    const entries = pulumi.all(group.map(({ queueArn }) => queueArn)).apply((queueArns) =>
      group.map(({ producer }, index): QueueEntry => ({
        id: notificationEntryId(instance, pulumi.getStack(), producer.name),
        queueArn: queueArns[index] ?? "",
        events: OBJECT_CREATED_EVENTS,
        ...(producer.prefix ? { prefix: producer.prefix } : {}),
        ...(producer.suffix ? { suffix: producer.suffix } : {}),
      })),
    );
    // Config puts every producer of a bucket in the bucket's one account.
    const roleArn = group[0]?.bucketAccountRoleArn;
    const profile = new pulumi.Config("aws").get("profile");
    const Entries = servedByComponentProvider ? ProvidedNotificationEntries : BucketNotificationEntries;
    notifications.set(
      bucket,
      new Entries(
        childName(instance, `notifications-${bucket}`),
        { bucket, region, entries, ...(roleArn ? { roleArn } : {}), ...(profile ? { profile } : {}) },
        {
          parent,
          dependsOn: group.map((target) => target.queuePolicy),
          // A stack of a release that registered aws.s3.BucketNotification: the engine matches that
          // resource by this alias and updates it into this one (different default providers do not
          // force a replacement), so the entries are swapped in place and nothing is wiped.
          aliases: legacyAliases(instance, `notifications-${bucket}`, [{ type: WHOLE_CONFIGURATION_TYPE }]),
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
