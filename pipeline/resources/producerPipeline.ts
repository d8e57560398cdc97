/**
 * One producer's pipeline: queue and dead-letter queue (redrive after maxReceiveCount), the queue
 * policy S3 publishes through, a least-privilege role, a log group, the shipper function, its SQS
 * event source mapping, and the alarms. The bucket notification is per bucket (see
 * `bucketNotifications.ts`) because S3 keeps one notification configuration per bucket.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BUNDLE_FILE_NAME, LAMBDA_RUNTIME } from "../function/functionRuntime";
import type { ElasticsearchConfig, NetworkConfig, ProducerConfig } from "../validation/schema";
import { functionEnvironment } from "../function/functionEnvironment";
import { DEAD_LETTER_RETENTION_SECONDS, QUEUE_RETENTION_SECONDS } from "../validation/messageLifetime";
import { objectCreatedPattern } from "./eventPattern";
import {
  deadLetterQueuePolicy,
  functionPolicy,
  eventBridgeAssumeRolePolicy,
  eventBridgeTargetPolicy,
  lambdaAssumeRolePolicy,
  queuePolicy,
  type NotificationSender,
} from "./policies";
import { ProducerAlarms } from "./producerAlarms";
import { producerLogGroupName } from "../validation/instanceNames";

export interface ProducerPipelineArgs {
  /** The `LogShipper` instance: in descriptions, the log group's name and the function's service name. */
  instance: string;
  producer: ProducerConfig;
  elasticsearch: ElasticsearchConfig;
  credentialsParameterName: string;
  credentialsParameterArn: pulumi.Input<string>;
  credentialsKeyArn: pulumi.Input<string>;
  alarmTopicArn: pulumi.Input<string>;
  /** Plain, or resolved later when the consumer passed Outputs of its VPC (shipperArguments.ts). */
  network?: pulumi.Input<NetworkConfig>;
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** The partition's DNS suffix (amazonaws.com). */
  dnsSuffix: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** The account the bucket lives in (the stack's unless `bucketAccount` names another). */
  bucketAccountId: pulumi.Input<string>;
  /** Writes resources in the bucket's account (EventBridge rule and target) when it is another. */
  bucketProvider?: pulumi.ProviderResource;
  /** The bundled shipper function, shared by every producer. */
  code: pulumi.asset.AssetArchive;
  /** The index templates of the producer's destinations: in place before the queue feeds the function. */
  destinationTemplates?: pulumi.Resource[];
}

export class ProducerPipeline extends pulumi.ComponentResource {
  /** The producer this pipeline ships, as configured. */
  readonly producer: ProducerConfig;
  readonly queue: aws.sqs.Queue;
  readonly deadLetterQueue: aws.sqs.Queue;
  readonly queuePolicy: aws.sqs.QueuePolicy;
  readonly role: aws.iam.Role;
  readonly function: aws.lambda.Function;
  readonly logGroup: aws.cloudwatch.LogGroup;
  readonly alarms: ProducerAlarms;
  /** The EventBridge rule's name or the SNS subscription's ARN, where the producer has one. */
  readonly notificationWiring: pulumi.Output<{ eventRuleName?: string; snsSubscriptionArn?: string }>;

  constructor(name: string, args: ProducerPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named `…:Producer` until 0.1: the alias (LogShipper passes it) keeps stacks deployed then (and
    // every child's URN, which carries this type) from replacing the queues and losing what they hold.
    super("s3-log-shipper:pipeline:ProducerPipeline", name, {}, opts);
    const { producer } = args;
    this.producer = producer;
    const child = { parent: this };

    // Queues. SSE-SQS encrypts at rest and, unlike the AWS-managed aws/sqs KMS key, lets S3 publish.
    // Both keep messages the SQS maximum; config bounds maxReceiveCount so a failing message reaches
    // the DLQ with days to spare (messageLifetime.ts).
    this.deadLetterQueue = new aws.sqs.Queue(
      `${name}-dlq`,
      { messageRetentionSeconds: DEAD_LETTER_RETENTION_SECONDS, sqsManagedSseEnabled: true },
      child,
    );
    this.queue = new aws.sqs.Queue(
      `${name}-queue`,
      {
        visibilityTimeoutSeconds: producer.visibilityTimeoutSeconds,
        messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
        receiveWaitTimeSeconds: 20,
        sqsManagedSseEnabled: true,
      },
      child,
    );
    // Separate redrive resources avoid the queue ↔ DLQ reference cycle.
    new aws.sqs.RedrivePolicy(
      `${name}-redrive`,
      {
        queueUrl: this.queue.id,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: this.deadLetterQueue.arn,
          maxReceiveCount: producer.maxReceiveCount,
        }),
      },
      child,
    );
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq-redrive-allow`,
      {
        queueUrl: this.deadLetterQueue.id,
        redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: [this.queue.arn] }),
      },
      child,
    );
    // Who may send: the bucket itself, or the rule or topic this pipeline subscribes (created first:
    // the queue policy names it, and the subscription waits for the policy).
    const source = this.notificationSource(name, producer, args, child);
    this.queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-queue-policy`,
      {
        queueUrl: this.queue.id,
        policy: pulumi
          .all([this.queue.arn, source.sender])
          .apply(([queueArn, sender]) => JSON.stringify(queuePolicy({ queueArn, sender }))),
      },
      child,
    );
    const deadLetterQueuePolicyResource = new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.id,
        policy: pulumi
          .all([this.deadLetterQueue.arn, source.sender])
          .apply(([queueArn, sender]) => JSON.stringify(deadLetterQueuePolicy({ queueArn, sender }))),
      },
      child,
    );
    const subscription = source.subscribe([this.queuePolicy, deadLetterQueuePolicyResource]);
    // What `s3ls doctor` reads back: the rule (its name is the last part of its ARN) or the subscription.
    this.notificationWiring = pulumi
      .all([source.sender, subscription instanceof aws.sns.TopicSubscription ? subscription.arn : undefined])
      .apply(([sender, subscriptionArn]) => ({
        ...("ruleArn" in sender ? { eventRuleName: sender.ruleArn.slice(sender.ruleArn.lastIndexOf("/") + 1) } : {}),
        ...(subscriptionArn ? { snsSubscriptionArn: subscriptionArn } : {}),
      }));

    // Identity and logs. The log group exists before the function so Lambda never creates one without retention.
    const logGroup = (this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      {
        name: producerLogGroupName(args.instance, pulumi.getStack(), producer.name),
        retentionInDays: producer.logRetentionDays,
      },
      child,
    ));
    this.role = new aws.iam.Role(`${name}-role`, { assumeRolePolicy: JSON.stringify(lambdaAssumeRolePolicy()) }, child);
    const rolePolicy = new aws.iam.RolePolicy(
      `${name}-role-policy`,
      {
        role: this.role.id,
        policy: pulumi
          .all([
            args.partition,
            args.region,
            args.dnsSuffix,
            this.queue.arn,
            args.credentialsParameterArn,
            args.credentialsKeyArn,
            logGroup.arn,
          ])
          .apply(([partition, region, dnsSuffix, queueArn, parameterArn, keyArn, logGroupArn]) =>
            JSON.stringify(
              functionPolicy({
                partition,
                region,
                dnsSuffix,
                ...(producer.objectKmsKeyArns ? { objectKmsKeyArns: producer.objectKmsKeyArns } : {}),
                ...(producer.readRoleArn ? { readRoleArn: producer.readRoleArn } : {}),
                bucket: producer.bucket,
                ...(producer.prefix ? { prefix: producer.prefix } : {}),
                ...(producer.suffix ? { suffix: producer.suffix } : {}),
                ...(producer.keyPattern !== undefined ? { keyPattern: producer.keyPattern } : {}),
                queueArn,
                parameterArn,
                keyArn,
                logGroupArn,
                inVpc: args.network !== undefined,
              }),
            ),
          ),
      },
      child,
    );

    this.function = new aws.lambda.Function(
      `${name}-function`,
      {
        description: `${args.instance} ${producer.name}: s3://${producer.bucket}/${producer.prefix ?? ""}*${producer.suffix ?? ""} → ${producer.index}`,
        runtime: LAMBDA_RUNTIME,
        architectures: ["arm64"],
        handler: `${BUNDLE_FILE_NAME.replace(/\.js$/, "")}.handler`,
        code: args.code,
        role: this.role.arn,
        timeout: producer.timeoutSeconds,
        memorySize: producer.memoryMb,
        environment: {
          variables: this.queue.url.apply((queueUrl) =>
            functionEnvironment({
              producer,
              elasticsearch: args.elasticsearch,
              parameterName: args.credentialsParameterName,
              queueUrl,
              instance: args.instance,
            }),
          ),
        },
        loggingConfig: {
          logFormat: "JSON",
          logGroup: logGroup.name,
          applicationLogLevel: "INFO",
          systemLogLevel: "WARN",
        },
        ...(args.network !== undefined
          ? {
              vpcConfig: {
                subnetIds: pulumi.output(args.network).subnetIds,
                securityGroupIds: pulumi.output(args.network).securityGroupIds,
              },
            }
          : {}),
      },
      { parent: this, dependsOn: [logGroup, rolePolicy] },
    );

    new aws.lambda.EventSourceMapping(
      `${name}-event-source`,
      {
        eventSourceArn: this.queue.arn,
        functionName: this.function.arn,
        batchSize: producer.batchSize,
        maximumBatchingWindowInSeconds: producer.batchWindowSeconds,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: producer.maxConcurrency },
      },
      // The role must allow sqs:ReceiveMessage before Lambda validates the mapping; the first
      // document must find its destination's template, or Elasticsearch guesses its mappings.
      { parent: this, dependsOn: [rolePolicy, ...(args.destinationTemplates ?? [])] },
    );

    this.alarms = new ProducerAlarms(
      `${name}-alarms`,
      {
        instance: args.instance,
        producerName: producer.name,
        queueName: this.queue.name,
        deadLetterQueueName: this.deadLetterQueue.name,
        functionName: this.function.name,
        topicArn: args.alarmTopicArn,
        backlogAgeAlarmSeconds: producer.backlogAgeAlarmSeconds,
        ...(producer.expectedIntervalMinutes !== undefined
          ? { expectedIntervalMinutes: producer.expectedIntervalMinutes }
          : {}),
      },
      child,
    );

    this.registerOutputs({
      queueUrl: this.queue.url,
      deadLetterQueueUrl: this.deadLetterQueue.url,
      functionName: this.function.name,
    });
  }

  /**
   * How S3's events reach the queue. `bucket`: the bucket's notification configuration, one per
   * bucket (`bucketNotifications.ts`), nothing here. `eventbridge`: a rule on the default bus and a
   * target. `sns`: a subscription to the owner's topic. Undeliverable events of a rule or topic go to
   * the dead-letter queue, whose alarm pages, instead of being dropped when retries run out.
   */
  private notificationSource(
    name: string,
    producer: ProducerConfig,
    args: ProducerPipelineArgs,
    child: pulumi.CustomResourceOptions,
  ): {
    sender: pulumi.Output<NotificationSender>;
    subscribe: (policies: pulumi.Resource[]) => pulumi.Resource | undefined;
  } {
    // The rule must be on the default bus of the bucket's account, where S3 puts its events.
    const inBucketAccount = { ...child, ...(args.bucketProvider ? { provider: args.bucketProvider } : {}) };
    switch (producer.notifications) {
      case "bucket":
        return {
          sender: pulumi
            .all([args.partition, args.bucketAccountId])
            .apply(([partition, accountId]): NotificationSender => ({
              kind: "bucket",
              bucketArn: `arn:${partition}:s3:::${producer.bucket}`,
              accountId,
            })),
          subscribe: () => undefined,
        };
      case "eventbridge": {
        const rule = new aws.cloudwatch.EventRule(
          `${name}-objects-rule`,
          {
            description: `${args.instance} ${producer.name}: Object Created in ${producer.bucket}`,
            eventPattern: JSON.stringify(objectCreatedPattern(producer)),
          },
          inBucketAccount,
        );
        if (!args.bucketProvider) {
          return {
            sender: rule.arn.apply((ruleArn): NotificationSender => ({ kind: "eventbridge", ruleArn })),
            subscribe: (policies) =>
              new aws.cloudwatch.EventTarget(
                `${name}-objects-target`,
                { rule: rule.name, arn: this.queue.arn, deadLetterConfig: { arn: this.deadLetterQueue.arn } },
                { ...inBucketAccount, dependsOn: policies },
              ),
          };
        }
        // A rule in the bucket's account reaches this account's queue only through an execution
        // role of its own account that the queue's policy names; what it cannot deliver EventBridge
        // itself puts into this account's DLQ, whose policy names the rule.
        const role = new aws.iam.Role(
          `${name}-events-role`,
          { assumeRolePolicy: rule.arn.apply((ruleArn) => JSON.stringify(eventBridgeAssumeRolePolicy({ ruleArn }))) },
          inBucketAccount,
        );
        const rolePolicy = new aws.iam.RolePolicy(
          `${name}-events-role-policy`,
          {
            role: role.id,
            policy: this.queue.arn.apply((queueArn) => JSON.stringify(eventBridgeTargetPolicy({ queueArn }))),
          },
          inBucketAccount,
        );
        return {
          sender: pulumi.all([rule.arn, role.arn]).apply(([ruleArn, roleArn]): NotificationSender => ({
            kind: "eventbridge-cross-account",
            ruleArn,
            roleArn,
          })),
          subscribe: (policies) =>
            new aws.cloudwatch.EventTarget(
              `${name}-objects-target`,
              {
                rule: rule.name,
                arn: this.queue.arn,
                roleArn: role.arn,
                deadLetterConfig: { arn: this.deadLetterQueue.arn },
              },
              { ...inBucketAccount, dependsOn: [...policies, rolePolicy] },
            ),
        };
      }
      case "sns": {
        const topicArn = producer.snsTopicArn as string; // config requires it with sns
        return {
          sender: pulumi.output<NotificationSender>({ kind: "sns", topicArn }),
          subscribe: (policies) =>
            new aws.sns.TopicSubscription(
              `${name}-objects-subscription`,
              {
                topic: topicArn,
                protocol: "sqs",
                endpoint: this.queue.arn,
                // No filter policy: one that does not match S3's event shape drops notifications
                // silently; the function checks every object against the producer's filter instead.
                redrivePolicy: pulumi.jsonStringify({ deadLetterTargetArn: this.deadLetterQueue.arn }),
              },
              { ...child, dependsOn: policies },
            ),
        };
      }
    }
  }
}
