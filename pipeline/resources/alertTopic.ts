/**
 * Where alarms go: a KMS-encrypted SNS topic CloudWatch may publish to, with the configured e-mail
 * subscriptions — or an existing topic named by `alerts.topicArn`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { alarmTopicPolicy, alertsKeyPolicy } from "./policies";

export interface AlertTopicArgs {
  /** The `LogShipper` instance, in the key's description. */
  instance: string;
  emails: string[];
  /** Use this existing topic instead of creating one (an Output of the consumer's own topic, too). */
  topicArn?: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
}

export class AlertTopic extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;

  constructor(name: string, args: AlertTopicArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-log-shipper:pipeline:AlertTopic", name, {}, opts);

    if (args.topicArn !== undefined) {
      this.topicArn = pulumi.output(args.topicArn);
    } else {
      const key = new aws.kms.Key(
        `${name}-key`,
        {
          description: `${args.instance} ${pulumi.getStack()}: encrypts the alarm topic`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          policy: pulumi
            .all([args.partition, args.accountId])
            .apply(([partition, accountId]) => JSON.stringify(alertsKeyPolicy({ partition, accountId }))),
        },
        { parent: this },
      );
      const topic = new aws.sns.Topic(`${name}-topic`, { kmsMasterKeyId: key.arn }, { parent: this });
      new aws.sns.TopicPolicy(
        `${name}-topic-policy`,
        {
          arn: topic.arn,
          policy: pulumi
            .all([topic.arn, args.accountId])
            .apply(([topicArn, accountId]) => JSON.stringify(alarmTopicPolicy({ topicArn, accountId }))),
        },
        { parent: this },
      );
      this.topicArn = topic.arn;
    }

    for (const email of args.emails) {
      new aws.sns.TopicSubscription(
        `${name}-email-${subscriptionSuffix(email)}`,
        { topic: this.topicArn, protocol: "email", endpoint: email },
        { parent: this },
      );
    }

    this.registerOutputs({ topicArn: this.topicArn });
  }
}

/** A resource-name-safe, stable suffix for an e-mail subscription. */
function subscriptionSuffix(email: string): string {
  return email
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}
