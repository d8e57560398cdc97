/**
 * A bucket's notification configuration is one document that every consumer of the bucket shares
 * (this stack, another SIEM's queue, someone's Lambda). These functions change only the entries
 * this stack owns — found by their ids — and keep everything else exactly as it was: the other
 * queue, topic and Lambda entries and the EventBridge switch. No Pulumi here: the dynamic provider
 * (`notificationEntriesProvider.ts`) reads, calls these, and writes.
 */
import type { NotificationConfiguration } from "@aws-sdk/client-s3";

/** One queue entry this stack owns. */
export interface QueueEntry {
  id: string;
  queueArn: string;
  events: string[];
  prefix?: string;
  suffix?: string;
}

/** The parts of a configuration S3 stores (a GET answer also carries response metadata). */
type StoredConfiguration = Pick<
  NotificationConfiguration,
  "QueueConfigurations" | "TopicConfigurations" | "LambdaFunctionConfigurations" | "EventBridgeConfiguration"
>;

type FilterRules = NonNullable<
  NonNullable<NonNullable<NotificationConfiguration["QueueConfigurations"]>[number]["Filter"]>["Key"]
>["FilterRules"];

/** Any entry of any kind, as far as overlap is concerned. */
export interface DescribedEntry {
  description: string;
  /** The queue, topic or function it notifies. */
  target: string;
  events: readonly string[];
  prefix: string;
  suffix: string;
}

/**
 * Two entries of the bucket overlap: S3 refuses the whole configuration then ("Configuration is
 * ambiguously defined"), and the stack must not quietly take the other consumer's objects either.
 */
export class NotificationOverlapError extends Error {
  constructor(ours: DescribedEntry, theirs: DescribedEntry, bucket: string) {
    super(
      `bucket ${bucket}: this stack's notification entry ${ours.description} overlaps ${theirs.description}; ` +
        "S3 refuses overlapping entries for the same event (a prefix that starts the other's and a suffix that ends " +
        "the other's). Narrow the producer's prefix/suffix, or use notifications: eventbridge or sns, which " +
        "leave the bucket's configuration alone",
    );
    this.name = "NotificationOverlapError";
  }
}

/**
 * The configuration with the entries named in `remove` and the ids of `add` taken out, then `add`
 * appended. Refuses (NotificationOverlapError) an added entry that overlaps a kept one or another
 * added one.
 */
export function mergedConfiguration(
  bucket: string,
  current: StoredConfiguration,
  change: { remove: readonly string[]; add: readonly QueueEntry[] },
): StoredConfiguration {
  const replaced = new Set([...change.remove, ...change.add.map((entry) => entry.id)]);
  const keptQueues = (current.QueueConfigurations ?? []).filter((entry) => !replaced.has(entry.Id ?? ""));
  const kept: StoredConfiguration = {
    ...(keptQueues.length > 0 ? { QueueConfigurations: keptQueues } : {}),
    ...(current.TopicConfigurations?.length ? { TopicConfigurations: current.TopicConfigurations } : {}),
    ...(current.LambdaFunctionConfigurations?.length
      ? { LambdaFunctionConfigurations: current.LambdaFunctionConfigurations }
      : {}),
    ...(current.EventBridgeConfiguration ? { EventBridgeConfiguration: current.EventBridgeConfiguration } : {}),
  };
  const others = describeEntries(kept);
  change.add.forEach((entry, index) => {
    const ours = describeOurs(entry);
    for (const other of [...others, ...change.add.slice(0, index).map(describeOurs)])
      if (entriesOverlap(ours, other)) throw new NotificationOverlapError(ours, other, bucket);
  });
  if (change.add.length === 0) return kept;
  return {
    ...kept,
    QueueConfigurations: [...(kept.QueueConfigurations ?? []), ...change.add.map(toQueueConfiguration)],
  };
}

/** The ids among `ids` that the configuration holds (what `pulumi refresh` reads back). */
export function presentEntries(current: StoredConfiguration, entries: readonly QueueEntry[]): QueueEntry[] {
  const present = new Set((current.QueueConfigurations ?? []).map((entry) => entry.Id));
  return entries.filter((entry) => present.has(entry.id));
}

/**
 * S3's rule, from "Configuring event notifications using object key name filtering"
 * (docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html, "Examples of
 * invalid configurations"): entries overlap when their event types overlap, their prefixes overlap
 * (one starts the other; no prefix is "") and their suffixes overlap (one ends the other).
 */
export function entriesOverlap(
  a: Pick<DescribedEntry, "events" | "prefix" | "suffix">,
  b: Pick<DescribedEntry, "events" | "prefix" | "suffix">,
): boolean {
  const eventsOverlap = a.events.some((x) => b.events.some((y) => eventTypesOverlap(x, y)));
  const prefixesOverlap = a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix);
  const suffixesOverlap = a.suffix.endsWith(b.suffix) || b.suffix.endsWith(a.suffix);
  return eventsOverlap && prefixesOverlap && suffixesOverlap;
}

/** `s3:ObjectCreated:*` covers `s3:ObjectCreated:Put`; equal names overlap. */
function eventTypesOverlap(a: string, b: string): boolean {
  const covers = (wide: string, narrow: string) => wide.endsWith("*") && narrow.startsWith(wide.slice(0, -1));
  return a === b || covers(a, b) || covers(b, a);
}

/** Every queue, topic and Lambda entry of a configuration, described (what `s3ls doctor` names). */
export function describeEntries(configuration: StoredConfiguration): DescribedEntry[] {
  const described = (
    kind: string,
    id: string | undefined,
    target: string | undefined,
    events: string[] | undefined,
    rules: FilterRules,
  ) => ({
    description: `${kind} entry "${id ?? "(no id)"}" → ${target ?? "?"}${filterText(rule(rules, "prefix"), rule(rules, "suffix"))}`,
    target: target ?? "",
    events: events ?? [],
    prefix: rule(rules, "prefix"),
    suffix: rule(rules, "suffix"),
  });
  return [
    ...(configuration.QueueConfigurations ?? []).map((e) =>
      described("queue", e.Id, e.QueueArn, e.Events, e.Filter?.Key?.FilterRules),
    ),
    ...(configuration.TopicConfigurations ?? []).map((e) =>
      described("topic", e.Id, e.TopicArn, e.Events, e.Filter?.Key?.FilterRules),
    ),
    ...(configuration.LambdaFunctionConfigurations ?? []).map((e) =>
      described("Lambda", e.Id, e.LambdaFunctionArn, e.Events, e.Filter?.Key?.FilterRules),
    ),
  ];
}

function describeOurs(entry: QueueEntry): DescribedEntry {
  return {
    description: `"${entry.id}" → ${entry.queueArn}${filterText(entry.prefix ?? "", entry.suffix ?? "")}`,
    target: entry.queueArn,
    events: entry.events,
    prefix: entry.prefix ?? "",
    suffix: entry.suffix ?? "",
  };
}

function filterText(prefix: string, suffix: string): string {
  return ` (prefix "${prefix}", suffix "${suffix}")`;
}

/** S3 answers rule names as `Prefix`/`Suffix`; requests may use either case. */
function rule(rules: FilterRules, name: "prefix" | "suffix"): string {
  return rules?.find((r) => r.Name?.toLowerCase() === name)?.Value ?? "";
}

function toQueueConfiguration(entry: QueueEntry): NonNullable<StoredConfiguration["QueueConfigurations"]>[number] {
  const rules = [
    ...(entry.prefix ? [{ Name: "prefix" as const, Value: entry.prefix }] : []),
    ...(entry.suffix ? [{ Name: "suffix" as const, Value: entry.suffix }] : []),
  ];
  return {
    Id: entry.id,
    QueueArn: entry.queueArn,
    Events: entry.events as NonNullable<StoredConfiguration["QueueConfigurations"]>[number]["Events"],
    ...(rules.length > 0 ? { Filter: { Key: { FilterRules: rules } } } : {}),
  };
}
