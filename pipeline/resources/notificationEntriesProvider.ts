/**
 * The dynamic provider behind `bucketNotifications.ts`: read the bucket's notification
 * configuration, change only this stack's entries (`notificationEntries.ts`), write it back — what
 * the AWS centralized-logging solution does in a custom resource. `aws.s3.BucketNotification` owns
 * the whole configuration instead: it would cut off every other consumer of the bucket on `up` and
 * `destroy`.
 *
 * S3 has no conditional write for this document: a consumer writing the same bucket's
 * configuration in the same second can lose its change or ours (docs/estates.md "A bucket other consumers use").
 *
 * Pulumi serializes this provider into the state (the dynamic provider plugin runs it on `up`,
 * `refresh` and `destroy`) by walking everything its functions capture. A captured SDK module is
 * recognised as a package only when it sits in `require.cache` (not under every loader the program
 * runs in), and walked by value otherwise, which fails on its native functions: so the SDK is
 * required inside the functions, where the serializer leaves `require(...)` as it is and the plugin
 * resolves it from node_modules.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import type * as pulumi from "@pulumi/pulumi";
import { mergedConfiguration, presentEntries, type QueueEntry } from "./notificationEntries";

export interface NotificationEntriesInputs {
  bucket: string;
  region: string;
  /** The bucket account's role (`accounts.<name>.roleArn`), assumed to read and write the configuration. */
  roleArn?: string;
  /** The stack's `aws:profile`, which the AWS provider uses and the SDK's default chain would not see. */
  profile?: string;
  entries: QueueEntry[];
}

/** The state `aws.s3.BucketNotification` kept (releases before this resource): the whole configuration's queues. */
interface WholeConfigurationState {
  bucket: string;
  queues?: Array<{ id?: string }>;
}

/** The S3 client the provider writes with. */
export type S3ClientFor = (inputs: NotificationEntriesInputs) => S3Client;

/** The deployer's own credentials (the default chain), or the bucket account's role. */
export function deployerS3Client(inputs: NotificationEntriesInputs): S3Client {
  /* eslint-disable @typescript-eslint/no-require-imports -- see the file comment */
  const { S3Client } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
  const { fromTemporaryCredentials } =
    require("@aws-sdk/credential-providers") as typeof import("@aws-sdk/credential-providers");
  /* eslint-enable @typescript-eslint/no-require-imports */
  return new S3Client({
    region: inputs.region,
    ...(inputs.profile ? { profile: inputs.profile } : {}),
    ...(inputs.roleArn
      ? {
          credentials: fromTemporaryCredentials({
            params: { RoleArn: inputs.roleArn, RoleSessionName: "s3-log-shipper-notifications" },
            clientConfig: { region: inputs.region, ...(inputs.profile ? { profile: inputs.profile } : {}) },
          }),
        }
      : {}),
  });
}

export function notificationEntriesProvider(clientFor: S3ClientFor): pulumi.dynamic.ResourceProvider {
  /* eslint-disable-next-line @typescript-eslint/no-require-imports -- see the file comment */
  const s3Commands = () => require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");

  /**
   * Runs `write` once every earlier read-change-write of the same bucket in this process has ended,
   * however it ended. The engine changes resources in parallel, and two LogShippers reading one
   * bucket in one program have an entries resource each: both would read the configuration before
   * either wrote it, and the second write would drop the first's entries (seen on the real engine
   * with the Python consumer: 2 of 3 entries). The queue lives on globalThis because Pulumi runs a
   * TypeScript program's dynamic providers in one plugin process but from a fresh copy of this code
   * for each call; other languages' programs run them in the package's provider process.
   */
  function oneWriterPerBucket(bucket: string, write: () => Promise<void>): Promise<void> {
    const store = globalThis as unknown as Record<symbol, Map<string, Promise<void>> | undefined>;
    const key = Symbol.for("s3-log-shipper.bucketNotificationWrites");
    // No `??=`: Pulumi's closure serializer parses this function's text and does not know it.
    const lastWrites = store[key] ?? new Map<string, Promise<void>>();
    store[key] = lastWrites;
    const mine = (lastWrites.get(bucket) ?? Promise.resolve()).then(write);
    const ended = mine.catch(() => undefined);
    lastWrites.set(bucket, ended);
    void ended.then(() => {
      if (lastWrites.get(bucket) === ended) lastWrites.delete(bucket);
    });
    return mine;
  }

  /** Reads the configuration, applies the change, writes it back, one writer per bucket at a time. */
  function change(inputs: NotificationEntriesInputs, remove: readonly string[], add: readonly QueueEntry[]) {
    return oneWriterPerBucket(inputs.bucket, async () => {
      const { GetBucketNotificationConfigurationCommand, PutBucketNotificationConfigurationCommand } = s3Commands();
      const s3 = clientFor(inputs);
      const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: inputs.bucket }));
      const merged = mergedConfiguration(inputs.bucket, current, { remove, add });
      await s3.send(
        new PutBucketNotificationConfigurationCommand({ Bucket: inputs.bucket, NotificationConfiguration: merged }),
      );
    });
  }
  const ids = (entries: readonly QueueEntry[]) => entries.map((entry) => entry.id);
  /**
   * The entries a state holds. A stack of the release that registered `aws.s3.BucketNotification`
   * reaches `update` with that resource's state (the alias matches it, and the engine updates
   * rather than replaces on a change between default providers): its `queues` were ours.
   */
  const ownedIds = (olds: NotificationEntriesInputs | WholeConfigurationState): string[] =>
    "entries" in olds && Array.isArray(olds.entries)
      ? ids(olds.entries)
      : ((olds as WholeConfigurationState).queues ?? []).map((queue) => queue.id ?? "").filter((id) => id !== "");

  return {
    async diff(
      _id: string,
      olds: NotificationEntriesInputs | WholeConfigurationState,
      news: NotificationEntriesInputs,
    ) {
      const replaces = olds.bucket !== news.bucket ? ["bucket"] : [];
      const changes =
        replaces.length > 0 ||
        !("entries" in olds) ||
        olds.region !== news.region ||
        olds.roleArn !== news.roleArn ||
        olds.profile !== news.profile ||
        JSON.stringify(olds.entries) !== JSON.stringify(news.entries);
      return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(inputs: NotificationEntriesInputs) {
      // An entry that already carries one of our ids is ours (a stack re-created, or the release
      // that owned the whole configuration): it is replaced, not duplicated.
      await change(inputs, [], inputs.entries);
      return { id: inputs.bucket, outs: inputs };
    },

    async update(
      _id: string,
      olds: NotificationEntriesInputs | WholeConfigurationState,
      news: NotificationEntriesInputs,
    ) {
      await change(news, ownedIds(olds), news.entries);
      return { outs: news };
    },

    async delete(_id: string, props: NotificationEntriesInputs) {
      try {
        await change(props, ids(props.entries), []);
      } catch (error) {
        // A bucket deleted before the stack: its configuration, and our entries, went with it.
        if (error instanceof Error && error.name === "NoSuchBucket") return;
        throw error;
      }
    },

    /** `pulumi refresh`: the entries still there, so one removed by someone else shows as drift. */
    async read(id: string, props: NotificationEntriesInputs) {
      const { GetBucketNotificationConfigurationCommand } = s3Commands();
      const current = await clientFor(props).send(
        new GetBucketNotificationConfigurationCommand({ Bucket: props.bucket }),
      );
      return { id, props: { ...props, entries: presentEntries(current, props.entries) } };
    },
  };
}
