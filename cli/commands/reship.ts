/**
 * `s3ls reship`: ships named objects again (after a mapping fix, say). Each object goes to the one
 * producer whose bucket, prefix and suffix match, as a notification naming its current version.
 */
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import type { Command } from "commander";
import type { OperatorClients } from "../awsClients";
import { UsageError } from "../errors";
import { NotificationSender, type ExistingObject } from "../objectNotifications";
import { producerForObject, type StackOutputs } from "../stackOutputs";
import { s3Url, type CommandContext, type StackFlags } from "./command";

export interface Reshipped {
  object: string;
  producer: string;
  size: number;
}

/** Enqueues a notification per object (none in a dry run); an object S3 does not have is a usage error. */
export async function reship(
  clients: OperatorClients,
  outputs: StackOutputs,
  urls: string[],
  dryRun: boolean,
): Promise<Reshipped[]> {
  const targets = urls.map((url) => {
    const { bucket, key } = s3Url(url);
    return { bucket, key, producer: producerForObject(outputs, bucket, key) };
  });
  const shipped: Reshipped[] = [];
  for (const target of targets) {
    const head = await clients.s3
      .send(new HeadObjectCommand({ Bucket: target.bucket, Key: target.key }))
      .catch((error: Error) => {
        throw new UsageError(
          `s3://${target.bucket}/${target.key}: ${error.name === "NotFound" ? "no such object" : error.message}`,
        );
      });
    const object: ExistingObject = {
      bucket: target.bucket,
      key: target.key,
      size: head.ContentLength ?? 0,
      ...(head.ETag ? { eTag: head.ETag } : {}),
      ...(head.VersionId ? { versionId: head.VersionId } : {}),
      lastModified: head.LastModified ?? new Date(),
    };
    if (!dryRun) {
      const sent = await new NotificationSender(clients.sqs, target.producer.queueUrl, outputs.region, 50, true).send([
        object,
      ]);
      if (sent.accepted !== 1)
        throw new Error(`the queue of ${target.producer.name} refused the notification: ${sent.error ?? "unknown"}`);
    }
    shipped.push({ object: `s3://${target.bucket}/${target.key}`, producer: target.producer.name, size: object.size });
  }
  return shipped;
}

export function formatReship(shipped: Reshipped[], dryRun: boolean): string {
  const verb = dryRun ? "would enqueue" : "enqueued";
  return `${shipped.map((entry) => `${verb} ${entry.object} (${entry.size} bytes) for ${entry.producer}`).join("\n")}\n`;
}

export function registerReship(program: Command, context: CommandContext): void {
  context
    .withStack(
      program
        .command("reship")
        .description(
          "ship named objects again (after a mapping fix, say); the producer is the one whose bucket, prefix and suffix match",
        ),
    )
    .argument("<objects...>", "object URLs, s3://bucket/key")
    .option("--dry-run", "name the producer of each object, enqueue nothing")
    .action(async (urls: string[], flags: StackFlags & { dryRun?: boolean }) => {
      const { outputs, clients } = await context.stackOf(flags);
      const shipped = await reship(clients, outputs, urls, Boolean(flags.dryRun));
      context.print(
        flags,
        { dryRun: Boolean(flags.dryRun), objects: shipped },
        formatReship(shipped, Boolean(flags.dryRun)),
      );
    });
}
