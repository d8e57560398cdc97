/**
 * The whole stack: credentials (Vault → KMS-encrypted SSM), the alert topic, one pipeline per
 * producer, one notification per bucket, and the credentials key policy that lets exactly the
 * producers' roles decrypt.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { AlertTopic } from "./alertTopic";
import { createBucketNotifications } from "./bucketNotifications";
import { BUNDLE_FILE_NAME, writeShipperBundle } from "./bundle";
import type { ProducerConfig, ShipperConfig } from "./config";
import { Credentials } from "./credentials";
import { bucketOwnerStatements, credentialsKeyPolicy, parameterArn } from "./policies";
import { withoutUndefined } from "../lambda/contract/plainObjects";
import { QUEUE_RETENTION_SECONDS } from "./messageLifetime";
import { ProducerPipeline } from "./producerPipeline";
import type { ProducerStackOutputs, StackOutputs } from "./stackOutputs";

export interface LogShipperArgs {
  config: ShipperConfig;
}

/** A stack output as the program builds it: each value known at deploy time or once its resource exists. */
export type Deployed<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** What operators and the `s3ls` commands need per producer (the shape: `stackOutputs.ts`). */
export type ProducerOutputs = Deployed<ProducerStackOutputs>;

export class LogShipper extends pulumi.ComponentResource {
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly credentialsParameterName: pulumi.Output<string>;
  /** The cluster and the CA the functions trust, as `s3ls doctor` connects to it (no credentials). */
  readonly elasticsearch: NonNullable<StackOutputs["elasticsearch"]>;
  readonly region: pulumi.Output<string>;
  readonly producers: Record<string, ProducerOutputs> = {};

  constructor(name: string, args: LogShipperArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-log-shipper:pipeline:LogShipper", name, {}, opts);
    const { config } = args;
    const stack = pulumi.getStack();
    const invoke = { parent: this };
    const account = aws.getCallerIdentityOutput({}, invoke);
    const { partition, dnsSuffix } = aws.getPartitionOutput({}, invoke);
    const region = aws.getRegionOutput({}, invoke).region;

    const credentials = new Credentials(
      "credentials",
      {
        vaultMount: config.elasticsearch.vault.mount,
        vaultPath: config.elasticsearch.vault.path,
        parameterName: `/s3-log-shipper/${stack}/elasticsearch`,
      },
      { parent: this },
    );
    const credentialsParameterArn = pulumi
      .all([partition, region, account.accountId])
      .apply(([p, r, accountId]) =>
        parameterArn({ partition: p, region: r, accountId, name: credentials.parameterName }),
      );

    const alerts = new AlertTopic(
      "alerts",
      {
        emails: config.alerts.emails,
        ...(config.alerts.topicArn ? { topicArn: config.alerts.topicArn } : {}),
        accountId: account.accountId,
        partition,
      },
      { parent: this },
    );

    // One file for every producer, named relative to the project (the state keeps its path and
    // hash): the same wherever the checkout lies, so another machine's `pulumi up` shows no diff.
    const bundle = writeShipperBundle();
    const code = new pulumi.asset.AssetArchive({
      [BUNDLE_FILE_NAME]: new pulumi.asset.FileAsset(path.relative(process.cwd(), bundle.file)),
    });
    // Resources that must live in a bucket's account (an EventBridge rule on its default bus) are
    // written through a provider that assumes the account's deployment role; the bucket's
    // notification entries are written by their own provider with the same role (bucketNotifications.ts).
    const bucketAccountProviders = new Map(
      Object.entries(config.accounts).map(([accountName, bucketAccount]) => [
        accountName,
        new aws.Provider(
          `account-${accountName}`,
          { region, assumeRoles: [{ roleArn: bucketAccount.roleArn, sessionName: `s3-log-shipper-${stack}` }] },
          { parent: this },
        ),
      ]),
    );
    const bucketProvider = (producer: ProducerConfig) =>
      producer.bucketAccount === undefined ? undefined : bucketAccountProviders.get(producer.bucketAccount);
    const bucketAccountId = (producer: ProducerConfig): pulumi.Input<string> =>
      producer.bucketAccount === undefined
        ? account.accountId
        : (config.accounts[producer.bucketAccount]?.accountId ?? account.accountId);
    const pipelines = config.producers.map(
      (producer) =>
        new ProducerPipeline(
          producer.name,
          {
            producer,
            elasticsearch: config.elasticsearch,
            credentialsParameterName: credentials.parameterName,
            credentialsParameterArn,
            credentialsKeyArn: credentials.key.arn,
            alarmTopicArn: alerts.topicArn,
            ...(config.network ? { network: config.network } : {}),
            partition,
            region,
            dnsSuffix,
            accountId: account.accountId,
            bucketAccountId: bucketAccountId(producer),
            ...(bucketProvider(producer) ? { bucketProvider: bucketProvider(producer) } : {}),
            code,
          },
          { parent: this },
        ),
    );

    // Set after the roles exist: the key policy names them, their policies name the key.
    new aws.kms.KeyPolicy(
      "credentials-key-policy",
      {
        keyId: credentials.key.id,
        policy: pulumi
          .all([
            partition,
            account.accountId,
            region,
            credentialsParameterArn,
            pulumi.all(pipelines.map((p) => p.role.arn)),
          ])
          .apply(([p, accountId, r, parameter, readerRoleArns]) =>
            JSON.stringify(
              credentialsKeyPolicy({ partition: p, accountId, region: r, parameterArn: parameter, readerRoleArns }),
            ),
          ),
      },
      { parent: this },
    );

    // Producers notified through EventBridge or SNS have their rule or subscription in their pipeline.
    createBucketNotifications(
      pipelines
        .filter((pipeline) => pipeline.producer.notifications === "bucket")
        .map((pipeline) => ({
          producer: pipeline.producer,
          queueArn: pipeline.queue.arn,
          queuePolicy: pipeline.queuePolicy,
          ...(pipeline.producer.bucketAccount !== undefined
            ? { bucketAccountRoleArn: config.accounts[pipeline.producer.bucketAccount]?.roleArn }
            : {}),
        })),
      region,
      this,
    );

    for (const pipeline of pipelines) {
      const { producer } = pipeline;
      this.producers[producer.name] = {
        bucket: producer.bucket,
        prefix: producer.prefix ?? "",
        suffix: producer.suffix ?? "",
        ...(producer.keyPattern !== undefined ? { keyPattern: producer.keyPattern } : {}),
        notifications: producer.notifications,
        queueUrl: pipeline.queue.url,
        queueArn: pipeline.queue.arn,
        deadLetterQueueUrl: pipeline.deadLetterQueue.url,
        deadLetterQueueArn: pipeline.deadLetterQueue.arn,
        functionName: pipeline.function.name,
        logGroupName: pipeline.logGroup.name,
        deployed: pipeline.notificationWiring.apply((wiring) => ({
          index: producer.index,
          format: producer.format,
          ...(producer.recordsField !== undefined ? { recordsField: producer.recordsField } : {}),
          maxReceiveCount: producer.maxReceiveCount,
          visibilityTimeoutSeconds: producer.visibilityTimeoutSeconds,
          messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
          objectKmsKeyArns: producer.objectKmsKeyArns ?? [],
          ...(producer.expectedIntervalMinutes !== undefined
            ? { expectedIntervalMinutes: producer.expectedIntervalMinutes }
            : {}),
          ...(producer.snsTopicArn !== undefined ? { snsTopicArn: producer.snsTopicArn } : {}),
          ...(producer.bucketAccount !== undefined
            ? {
                bucketAccount: producer.bucketAccount,
                bucketAccountId: config.accounts[producer.bucketAccount]?.accountId,
              }
            : {}),
          ...wiring,
        })),
        alarmNames: pulumi.all([
          pipeline.alarms.deadLetterQueueDepth.name,
          pipeline.alarms.backlogAge.name,
          pipeline.alarms.functionErrors.name,
          ...(pipeline.alarms.silence ? [pipeline.alarms.silence.name] : []),
        ]),
        bucketOwnerStatements: pulumi
          .all([
            partition,
            region,
            dnsSuffix,
            account.accountId,
            bucketAccountId(producer),
            pipeline.role.arn,
            pipeline.queue.arn,
          ])
          .apply(([p, r, dns, stackAccountId, ownerAccountId, roleArn, queueArn]) => {
            const statements = bucketOwnerStatements({
              partition: p,
              region: r,
              dnsSuffix: dns,
              producerName: producer.name,
              readerArn: producer.readRoleArn ?? roleArn,
              objects: producer,
              bucketAccountId: ownerAccountId,
              stackAccountId,
              ...(producer.objectKmsKeyArns ? { objectKmsKeyArns: producer.objectKmsKeyArns } : {}),
              ...(producer.snsTopicArn ? { sns: { topicArn: producer.snsTopicArn, queueArn } } : {}),
            });
            // Within one account the role's own policy is enough for the bucket and the key.
            return ownerAccountId === stackAccountId ? { ...statements, bucketPolicy: [], keyPolicy: [] } : statements;
          }),
      };
    }
    this.alarmTopicArn = alerts.topicArn;
    this.region = region;
    this.credentialsParameterName = credentials.parameter.name;
    const { endpoint, cloudId, caCertificate, caFingerprint } = config.elasticsearch;
    this.elasticsearch = withoutUndefined({ endpoint, cloudId, caCertificate, caFingerprint });
    this.registerOutputs({
      alarmTopicArn: this.alarmTopicArn,
      credentialsParameterName: this.credentialsParameterName,
    });
  }
}
