/**
 * Does the producer's source still route to its queue? `bucket`: the bucket's notification
 * configuration holds this stack's entry, as deployed (another tool that writes the whole
 * configuration drops it, and S3 then notifies no one); an entry of someone else's that overlaps
 * the filter is named, because S3 refuses the stack's entry beside it. `eventbridge`: the bucket's
 * switch, the rule enabled and targeting the queue. `sns`: the subscription, confirmed, delivering
 * to the queue without a filter policy. The fixes say `pulumi up --refresh`: a plain `pulumi up`
 * compares config with the state it last wrote and sees nothing to do; the refresh reads what is
 * live first (the bucket entry's provider reports a dropped entry as drift: notificationEntriesProvider.ts).
 */
import { DescribeRuleCommand, ListTargetsByRuleCommand } from "@aws-sdk/client-eventbridge";
import { GetBucketNotificationConfigurationCommand } from "@aws-sdk/client-s3";
import { GetSubscriptionAttributesCommand } from "@aws-sdk/client-sns";
import { describeEntries, entriesOverlap } from "../../pipeline/resources/notificationEntries";
import type { OperatorClients } from "../awsClients";
import { eventBridgeSwitch } from "../notificationSource";
import type { ProducerOutputs } from "../stackOutputs";
import { errorName, ok, problem, runCheck, unchecked, type DoctorCheck, type Finding } from "./check";

const OBJECT_CREATED = "s3:ObjectCreated:*";

export async function checkSource(clients: OperatorClients, producer: ProducerOutputs): Promise<DoctorCheck[]> {
  switch (producer.notifications ?? "bucket") {
    case "bucket":
      return runCheck(
        "source",
        { what: `bucket ${producer.bucket}'s notification configuration`, permission: "s3:GetBucketNotification" },
        () => bucketEntry(clients, producer),
      );
    case "eventbridge": {
      const bucketSwitch = await eventBridgeSwitch(clients.s3, producer);
      const rule = await runCheck(
        "source",
        { what: "the EventBridge rule", permission: "events:DescribeRule and events:ListTargetsByRule" },
        () => eventRule(clients, producer),
      );
      return [...(bucketSwitch ? [{ check: "source", ...bucketSwitch }] : []), ...rule];
    }
    case "sns":
      return runCheck("source", { what: "the SNS subscription", permission: "sns:GetSubscriptionAttributes" }, () =>
        snsSubscription(clients, producer),
      );
  }
}

async function bucketEntry(clients: OperatorClients, producer: ProducerOutputs): Promise<Finding> {
  let configuration;
  try {
    configuration = await clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: producer.bucket }));
  } catch (error) {
    if (errorName(error) === "NoSuchBucket") return problem(`bucket ${producer.bucket} does not exist`);
    throw error;
  }
  const entries = describeEntries(configuration);
  const ours = entries.filter((entry) => entry.target === producer.queueArn);
  const deployed = { events: [OBJECT_CREATED], prefix: producer.prefix, suffix: producer.suffix };
  if (ours.length === 0) {
    const overlapping = entries.filter((entry) => entriesOverlap(entry, deployed));
    return problem(
      `bucket ${producer.bucket}'s notification configuration has no entry for queue ${producer.queueArn} ` +
        `(another tool wrote the configuration?), so no new object reaches this producer` +
        (overlapping.length > 0
          ? `; ${overlapping.map((entry) => entry.description).join(", ")} overlaps its filter, and S3 refuses overlapping entries: its owner narrows it first`
          : "") +
        `: pulumi up --refresh restores the entry (keeping the others), then s3ls backfill ships what was missed`,
    );
  }
  const matching = ours.find(
    (entry) =>
      entry.prefix === producer.prefix &&
      entry.suffix === producer.suffix &&
      entry.events.some((event) => event === OBJECT_CREATED),
  );
  if (!matching)
    return problem(
      `${ours.map((entry) => `${entry.description} [${entry.events.join(", ")}]`).join(", ")} is not what the stack deployed ` +
        `(prefix "${producer.prefix}", suffix "${producer.suffix}", ${OBJECT_CREATED}): pulumi up --refresh restores it`,
    );
  return ok(`bucket ${producer.bucket} notifies the queue: ${matching.description}`);
}

async function eventRule(clients: OperatorClients, producer: ProducerOutputs): Promise<Finding> {
  const name = producer.deployed?.eventRuleName;
  if (!name)
    return unchecked(
      "the stack outputs do not name the EventBridge rule (deployed before s3ls doctor): pulumi up adds them",
    );
  const account = producer.deployed?.bucketAccount;
  if (account)
    return unchecked(
      `EventBridge rule ${name} lives in the bucket's account ${producer.deployed?.bucketAccountId ?? "?"} (bucketAccount ${account}), not the stack's: check it with that account's credentials (aws events describe-rule --name ${name}; aws events list-targets-by-rule --rule ${name})`,
    );
  let rule;
  try {
    rule = await clients.events.send(new DescribeRuleCommand({ Name: name }));
  } catch (error) {
    if (errorName(error) === "ResourceNotFoundException")
      return problem(
        `EventBridge rule ${name} does not exist (deleted?), so no event reaches the queue: pulumi up --refresh restores it`,
      );
    throw error;
  }
  if (rule.State !== "ENABLED")
    return problem(
      `EventBridge rule ${name} is ${rule.State ?? "not enabled"}, so no event reaches the queue: aws events enable-rule --name ${name}`,
    );
  const { Targets: targets = [] } = await clients.events.send(new ListTargetsByRuleCommand({ Rule: name }));
  if (!targets.some((target) => target.Arn === producer.queueArn))
    return problem(
      `EventBridge rule ${name} has no target for queue ${producer.queueArn}: pulumi up --refresh restores it`,
    );
  return ok(`EventBridge rule ${name} is enabled and targets the queue`);
}

async function snsSubscription(clients: OperatorClients, producer: ProducerOutputs): Promise<Finding> {
  const arn = producer.deployed?.snsSubscriptionArn;
  if (!arn)
    return unchecked(
      "the stack outputs do not name the SNS subscription (deployed before s3ls doctor): pulumi up adds them",
    );
  let attributes: Record<string, string>;
  try {
    attributes =
      (await clients.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes ?? {};
  } catch (error) {
    if (errorName(error) === "NotFoundException" || errorName(error) === "NotFound")
      return problem(
        `SNS subscription ${arn} does not exist (deleted?), so no event reaches the queue: pulumi up --refresh restores it`,
      );
    throw error;
  }
  if (attributes.Endpoint !== producer.queueArn)
    return problem(
      `SNS subscription ${arn} delivers to ${attributes.Endpoint ?? "nothing"}, not the queue: pulumi up --refresh restores it`,
    );
  if (attributes.PendingConfirmation === "true")
    return problem(`SNS subscription ${arn} is pending confirmation: nothing is delivered until it is confirmed`);
  if (attributes.FilterPolicy)
    return problem(
      `SNS subscription ${arn} has a filter policy (${attributes.FilterPolicy}) the stack did not set: one that does not match S3's event shape drops notifications silently; pulumi up --refresh removes it`,
    );
  return ok(`SNS subscription ${arn} delivers ${attributes.TopicArn ?? "the topic"}'s events to the queue`);
}
