/**
 * Sets up the AWS emulator the way the Pulumi program sets up AWS — credentials as a KMS-encrypted
 * SecureString, per producer a queue with redrive to a DLQ after maxReceiveCount and a visibility
 * timeout of 6 × the function timeout, one notification configuration per bucket — and runs each
 * producer's deployed bundle behind a Lambda-like SQS poller. Used by the integration tier and the demo.
 */
import { CreateKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { writeShipperBundle } from "../../pipeline/bundle";
import { groupByBucket, type ElasticsearchConfig, type ProducerConfig } from "../../pipeline/config";
import { functionEnvironment } from "../../pipeline/functionEnvironment";
import { LambdaEmulator } from "./lambdaEmulator";
import { SqsEventSourcePoller } from "./sqsPoller";

export const REGION = "eu-west-1";
const EMULATOR_CREDENTIALS = { accessKeyId: "testing", secretAccessKey: "testing" };

export interface LocalServices {
  awsEndpoint: string;
  elasticsearch: { url: string; username: string; password: string };
}

export interface LocalProducer {
  producer: ProducerConfig;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  function: LambdaEmulator;
  poller: SqsEventSourcePoller;
}

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  ssm: SSMClient;
  kms: KMSClient;
}

export function awsClients(endpoint: string): AwsClients {
  const common = { region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS };
  return { s3: new S3Client({ ...common, forcePathStyle: true }), sqs: new SQSClient(common), ssm: new SSMClient(common), kms: new KMSClient(common) };
}

/** Writes the bundle `pulumi up` deploys (the same file) and returns its path. */
export function writeDeployedBundle(): string {
  return writeShipperBundle().file;
}

export interface ProvisionOptions {
  /** SSM parameter holding the credentials. */
  parameterName: string;
  /** First redelivery delay; AWS default pacing is 30 s, tests use 1 s to keep wall-clock time short. */
  retryBaseDelaySeconds?: number;
  echoLogs?: boolean;
  /** Extra function environment (tuning knobs of lambda/env.ts). */
  extraEnvironment?: Record<string, string>;
}

/** Provisions the emulator for `producers` and starts one emulated function + poller per producer. */
export async function provisionLocalPipelines(services: LocalServices, producers: ProducerConfig[], options: ProvisionOptions): Promise<LocalProducer[]> {
  const clients = awsClients(services.awsEndpoint);
  const bundlePath = writeDeployedBundle();

  const key = await clients.kms.send(new CreateKeyCommand({ Description: "s3-log-shipper local credentials key" }));
  await clients.ssm.send(
    new PutParameterCommand({
      Name: options.parameterName,
      Type: "SecureString",
      KeyId: key.KeyMetadata?.Arn,
      Overwrite: true,
      Value: JSON.stringify({ username: services.elasticsearch.username, password: services.elasticsearch.password }),
    }),
  );

  const elasticsearch: ElasticsearchConfig = {
    endpoint: services.elasticsearch.url,
    allowInsecureHttp: true,
    requestTimeoutSeconds: 10,
    vault: { mount: "local", path: "local" },
  };
  const local: LocalProducer[] = [];
  for (const producer of producers) {
    const dlq = await clients.sqs.send(new CreateQueueCommand({ QueueName: `${producer.name}-dlq`, Attributes: { MessageRetentionPeriod: "1209600" } }));
    const dlqArn = await queueArn(clients.sqs, dlq.QueueUrl ?? "");
    const queue = await clients.sqs.send(
      new CreateQueueCommand({
        QueueName: `${producer.name}-queue`,
        Attributes: {
          VisibilityTimeout: String(producer.visibilityTimeoutSeconds),
          RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: producer.maxReceiveCount }),
        },
      }),
    );
    const queueUrl = queue.QueueUrl ?? "";
    const environment = {
      ...functionEnvironment({ producer, elasticsearch, parameterName: options.parameterName, queueUrl }),
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_S3: services.awsEndpoint,
      AWS_ENDPOINT_URL_SQS: services.awsEndpoint,
      AWS_ENDPOINT_URL_SSM: services.awsEndpoint,
      S3_FORCE_PATH_STYLE: "true",
      RETRY_BASE_DELAY_SECONDS: String(options.retryBaseDelaySeconds ?? 30),
      ...options.extraEnvironment,
    };
    const fn = new LambdaEmulator({ bundlePath, environment, timeoutSeconds: producer.timeoutSeconds, ...(options.echoLogs ? { echoLogs: true } : {}) });
    const arn = await queueArn(clients.sqs, queueUrl);
    local.push({
      producer,
      queueUrl,
      queueArn: arn,
      deadLetterQueueUrl: dlq.QueueUrl ?? "",
      function: fn,
      poller: new SqsEventSourcePoller({ sqs: clients.sqs, queueUrl, queueArn: arn, region: REGION, batchSize: producer.batchSize, function: fn }),
    });
  }

  // One notification configuration per bucket, an entry per producer — as the program does.
  for (const [bucket, group] of groupByBucket(local.map((entry) => ({ ...entry, bucket: entry.producer.bucket })))) {
    await clients.s3.send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } })).catch((error: Error) => {
      if (!/BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(error.name)) throw error;
    });
    await clients.s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: group.map(({ producer, queueArn: arn }) => ({
            Id: producer.name,
            QueueArn: arn,
            Events: ["s3:ObjectCreated:*"],
            ...(producer.prefix || producer.suffix
              ? {
                  Filter: {
                    Key: {
                      FilterRules: [
                        ...(producer.prefix ? [{ Name: "prefix" as const, Value: producer.prefix }] : []),
                        ...(producer.suffix ? [{ Name: "suffix" as const, Value: producer.suffix }] : []),
                      ],
                    },
                  },
                }
              : {}),
          })),
        },
      }),
    );
  }
  return local;
}

export async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }));
  return attributes.Attributes?.QueueArn ?? "";
}

/** Messages visible plus in flight in a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
  return Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0) + Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/**
 * Moves every DLQ message back to its source queue (what `aws sqs start-message-move-task` does;
 * moto does not implement that API). Returns how many moved.
 */
export async function redriveDeadLetters(sqs: SQSClient, deadLetterQueueUrl: string, queueUrl: string): Promise<number> {
  let moved = 0;
  for (;;) {
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    const messages = received.Messages ?? [];
    if (messages.length === 0) return moved;
    for (const message of messages) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: message.Body ?? "" }));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: deadLetterQueueUrl, Entries: messages.map((m, n) => ({ Id: String(n), ReceiptHandle: m.ReceiptHandle ?? "" })) }));
    moved += messages.length;
  }
}
