/**
 * The stack outputs: what the program exports (`index.ts`), `pulumi stack output --json` prints,
 * and the `s3ls` commands read, so that nothing re-reads stack config. One schema for the writer
 * and the reader. No Pulumi import: the CLI loads this without the Pulumi SDK.
 */
import { z } from "zod";
import type { NotificationSource } from "./arguments";

/** What the stack deployed for a producer, for `s3ls doctor` to hold what is live against. */
export const deployedSettingsSchema = z.object({
  index: z.string().min(1),
  format: z.string().min(1),
  recordsField: z.string().min(1).optional(),
  maxReceiveCount: z.number().int(),
  visibilityTimeoutSeconds: z.number().int(),
  messageRetentionSeconds: z.number().int(),
  /** The customer-managed keys the function may decrypt the producer's objects with. */
  objectKmsKeyArns: z.array(z.string()),
  expectedIntervalMinutes: z.number().int().optional(),
  /** A bucket in another account (config `bucketAccount`): its name in `accounts`, and the account id. */
  bucketAccount: z.string().min(1).optional(),
  bucketAccountId: z.string().min(1).optional(),
  /** In the bucket's account when `bucketAccount` is set. */
  eventRuleName: z.string().min(1).optional(),
  snsTopicArn: z.string().min(1).optional(),
  snsSubscriptionArn: z.string().min(1).optional(),
  /** The data streams (or index) whose templates the stack puts or expects (pipeline/elasticsearch/indexTemplates.ts). */
  destinations: z.array(z.string().min(1)).optional(),
  /** `elasticsearch.manageIndices`: whether those templates are the stack's own. */
  managedTemplates: z.boolean().optional(),
  retentionDays: z.number().int().optional(),
});

/** Per producer: where its objects are, its queues, function, log group and alarms. */
export const producerOutputsSchema = z.object({
  bucket: z.string().min(1),
  prefix: z.string(),
  suffix: z.string(),
  /** Instead of prefix and suffix (both then ""): the keys it reads, `*` any run of characters. */
  keyPattern: z.string().min(1).optional(),
  /** How the queue hears of new objects (config `notifications`). Optional: stacks deployed before it was an output still read. */
  notifications: z.enum(["bucket", "eventbridge", "sns"]).optional(),
  queueUrl: z.string().min(1),
  queueArn: z.string().min(1),
  deadLetterQueueUrl: z.string().min(1),
  deadLetterQueueArn: z.string().min(1),
  functionName: z.string().min(1),
  logGroupName: z.string().min(1),
  alarmNames: z.array(z.string()),
  /**
   * What the owner of a bucket (key, topic) in another account must add; empty where nothing is
   * needed. Optional: stacks deployed before it was an output still read.
   */
  bucketOwnerStatements: z
    .object({
      bucketPolicy: z.array(z.record(z.string(), z.unknown())),
      keyPolicy: z.array(z.record(z.string(), z.unknown())),
      topicPolicy: z.array(z.record(z.string(), z.unknown())),
    })
    .optional(),
  /** Optional: stacks deployed before `s3ls doctor` read it still read (doctor then says so). */
  deployed: deployedSettingsSchema.optional(),
});

export const stackOutputsSchema = z.object({
  region: z.string().min(1),
  alarmTopicArn: z.string().min(1),
  credentialsParameterName: z.string().min(1),
  /** The cluster the functions write to, and the CA they trust (non-secret). Optional as above. */
  elasticsearch: z
    .object({
      endpoint: z.string().min(1).optional(),
      cloudId: z.string().min(1).optional(),
      caCertificate: z.string().min(1).optional(),
      caFingerprint: z.string().min(1).optional(),
    })
    .optional(),
  producers: z.record(z.string(), producerOutputsSchema),
});

export type ProducerStackOutputs = z.infer<typeof producerOutputsSchema>;
export type DeployedSettings = z.infer<typeof deployedSettingsSchema>;
export type StackOutputs = z.infer<typeof stackOutputsSchema>;

/*
 * The same shape as interfaces, for `LogShipper.outputs`: what a consumer's editor shows and what the
 * component provider's schema is inferred from (zod's inferred types are not interfaces; a type
 * test holds the two together). IAM statements are arbitrary JSON, the schema's `Any`.
 */

/** An IAM policy statement, as JSON. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- arbitrary JSON: the schema's `Any`, not an escape from typing
export type PolicyStatementOutput = Record<string, any>;

/** What the owner of a bucket, key or topic in another account adds; empty where nothing is needed. */
export interface BucketOwnerStatementsOutput {
  bucketPolicy: PolicyStatementOutput[];
  keyPolicy: PolicyStatementOutput[];
  topicPolicy: PolicyStatementOutput[];
}

/** What the stack deployed for a producer, for `s3ls doctor` to hold what is live against. */
export interface DeployedSettingsOutput {
  index: string;
  format: string;
  recordsField?: string;
  maxReceiveCount: number;
  visibilityTimeoutSeconds: number;
  messageRetentionSeconds: number;
  objectKmsKeyArns: string[];
  expectedIntervalMinutes?: number;
  bucketAccount?: string;
  bucketAccountId?: string;
  eventRuleName?: string;
  snsTopicArn?: string;
  snsSubscriptionArn?: string;
}

/** Per producer: where its objects are, its queues, function, log group and alarms. */
export interface ProducerOutput {
  bucket: string;
  prefix: string;
  suffix: string;
  keyPattern?: string;
  notifications?: NotificationSource;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  deadLetterQueueArn: string;
  functionName: string;
  logGroupName: string;
  alarmNames: string[];
  bucketOwnerStatements?: BucketOwnerStatementsOutput;
  deployed?: DeployedSettingsOutput;
}

/** The cluster the functions write to and the CA they trust (no credentials). */
export interface ElasticsearchOutput {
  endpoint?: string;
  cloudId?: string;
  caCertificate?: string;
  caFingerprint?: string;
}

/** Everything the operator commands (`s3ls`) need about one `LogShipper`: the shape `stackOutputsSchema` reads. */
export interface LogShipperOutputs {
  region: string;
  alarmTopicArn: string;
  credentialsParameterName: string;
  elasticsearch?: ElasticsearchOutput;
  producers: Record<string, ProducerOutput>;
}
