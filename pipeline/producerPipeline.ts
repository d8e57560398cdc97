/**
 * One producer's pipeline: queue and dead-letter queue (redrive after maxReceiveCount), the queue
 * policy S3 publishes through, a least-privilege role, a log group, the shipper function, its SQS
 * event source mapping, and the alarms. The bucket notification is per bucket (see
 * `bucketNotifications.ts`) because S3 keeps one notification configuration per bucket.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { BUNDLE_FILE_NAME, LAMBDA_RUNTIME } from "./bundle";
import type { ElasticsearchConfig, NetworkConfig, ProducerConfig } from "./config";
import { functionEnvironment } from "./functionEnvironment";
import { DEAD_LETTER_RETENTION_SECONDS, QUEUE_RETENTION_SECONDS } from "./messageLifetime";
import { deadLetterQueuePolicy, functionPolicy, lambdaAssumeRolePolicy, queuePolicy } from "./policies";
import { ProducerAlarms } from "./producerAlarms";

export interface ProducerPipelineArgs {
  producer: ProducerConfig;
  elasticsearch: ElasticsearchConfig;
  credentialsParameterName: string;
  credentialsParameterArn: pulumi.Input<string>;
  credentialsKeyArn: pulumi.Input<string>;
  alarmTopicArn: pulumi.Input<string>;
  network?: NetworkConfig;
  partition: pulumi.Input<string>;
  region: pulumi.Input<string>;
  /** The partition's DNS suffix (amazonaws.com). */
  dnsSuffix: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  /** The bundled shipper function, shared by every producer. */
  code: pulumi.asset.AssetArchive;
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

  constructor(name: string, args: ProducerPipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    // Named `…:Producer` until 0.1: the alias keeps stacks deployed then (and every child's URN,
    // which carries this type) from replacing the queues and losing what they hold.
    super(
      "s3-log-shipper:pipeline:ProducerPipeline",
      name,
      {},
      { ...opts, aliases: [...(opts?.aliases ?? []), { type: "s3-log-shipper:pipeline:Producer" }] },
    );
    const { producer } = args;
    this.producer = producer;
    const child = { parent: this };
    const bucketArn = pulumi.interpolate`arn:${args.partition}:s3:::${producer.bucket}`;

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
    this.queuePolicy = new aws.sqs.QueuePolicy(
      `${name}-queue-policy`,
      {
        queueUrl: this.queue.id,
        policy: pulumi
          .all([this.queue.arn, bucketArn, args.accountId])
          .apply(([queueArn, arn, accountId]) => JSON.stringify(queuePolicy({ queueArn, bucketArn: arn, accountId }))),
      },
      child,
    );
    new aws.sqs.QueuePolicy(
      `${name}-dlq-policy`,
      {
        queueUrl: this.deadLetterQueue.id,
        policy: this.deadLetterQueue.arn.apply((queueArn) => JSON.stringify(deadLetterQueuePolicy({ queueArn }))),
      },
      child,
    );

    // Identity and logs. The log group exists before the function so Lambda never creates one without retention.
    const logGroup = (this.logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/s3-log-shipper/${pulumi.getStack()}/${producer.name}`, retentionInDays: producer.logRetentionDays },
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
                bucket: producer.bucket,
                ...(producer.prefix ? { prefix: producer.prefix } : {}),
                ...(producer.suffix ? { suffix: producer.suffix } : {}),
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
        description: `s3-log-shipper ${producer.name}: s3://${producer.bucket}/${producer.prefix ?? ""}*${producer.suffix ?? ""} → ${producer.index}`,
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
            }),
          ),
        },
        loggingConfig: {
          logFormat: "JSON",
          logGroup: logGroup.name,
          applicationLogLevel: "INFO",
          systemLogLevel: "WARN",
        },
        ...(args.network
          ? { vpcConfig: { subnetIds: args.network.subnetIds, securityGroupIds: args.network.securityGroupIds } }
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
      // The role must allow sqs:ReceiveMessage before Lambda validates the mapping.
      { parent: this, dependsOn: [rolePolicy] },
    );

    this.alarms = new ProducerAlarms(
      `${name}-alarms`,
      {
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
}
