/**
 * `LogShipper`, the component: credentials (Vault → KMS-encrypted SSM), the alert topic, one
 * pipeline per producer, one notification resource per bucket, and the credentials key policy that
 * lets exactly the producers' roles decrypt.
 */
import { destinationPatternOf } from "../lambda/contract/destination";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AlertTopic } from "./resources/alertTopic";
import type { LogShipperArgs } from "./arguments";
import { createBucketNotifications } from "./resources/bucketNotifications";
import { destinationNamesOf, managedDestinationsOf } from "./elasticsearch/indexTemplates";
import { createIndexTemplates } from "./elasticsearch/indexTemplatesResource";
import { functionCode } from "./function/bundle";
import type { ProducerConfig } from "./validation/schema";
import { Credentials } from "./resources/credentials";
import { childName, credentialsParameterName, legacyAliases } from "./validation/instanceNames";
import { bucketOwnerStatements, credentialsKeyPolicy, parameterArn } from "./resources/policies";
import { withoutUndefined } from "../lambda/contract/plainObjects";
import { QUEUE_RETENTION_SECONDS } from "./validation/messageLifetime";
import { ProducerPipeline } from "./resources/producerPipeline";
import { checkedArguments } from "./validation/shipperArguments";
import type { LogShipperOutputs, ProducerOutput } from "./stackOutputs";

/** An output as built: each value known at deploy time or once its resource exists. */
type Deployed<T> = { [K in keyof T]: pulumi.Input<T[K]> };

/** The component's type token (folder `pipeline/`, as its children's). */
export const LOG_SHIPPER_TYPE = "s3-log-shipper:pipeline:LogShipper";

/**
 * Ships the logs producers drop into S3 buckets into Elasticsearch: per producer an S3 → SQS →
 * Lambda → `_bulk` pipeline with a dead-letter queue and alarms; per instance the credentials
 * (Vault → KMS-encrypted SSM) and the alarm topic. Every name derives from `name`: several instances
 * live in one program. Throws `LogShipperArgumentsError`, listing every problem by its argument path,
 * before it registers anything.
 */
export class LogShipper extends pulumi.ComponentResource {
  /**
   * What operators and the `s3ls` commands need, as one object: export it from your program
   * (`export const logShipping = shipper.outputs`) and `s3ls --stack` finds it.
   */
  readonly outputs: pulumi.Output<LogShipperOutputs>;

  constructor(name: string, args: LogShipperArgs, opts?: pulumi.ComponentResourceOptions) {
    const settings = checkedArguments(name, args);
    super(LOG_SHIPPER_TYPE, name, {}, opts);
    for (const warning of settings.warnings) void pulumi.log.warn(warning, this);
    const { config, network } = settings;
    const stack = pulumi.getStack();
    const invoke = { parent: this };
    const account = aws.getCallerIdentityOutput({}, invoke);
    const { partition, dnsSuffix } = aws.getPartitionOutput({}, invoke);
    const region = aws.getRegionOutput({}, invoke).region;
    /** A child of this instance: named after it, and for the standalone instance still found under its old name. */
    const child = (part: string, extra: pulumi.Alias[] = []): pulumi.CustomResourceOptions => ({
      parent: this,
      aliases: legacyAliases(name, part, extra),
    });

    const credentials = new Credentials(
      childName(name, "credentials"),
      {
        instance: name,
        vaultMount: config.elasticsearch.vault.mount,
        vaultPath: config.elasticsearch.vault.path,
        parameterName: credentialsParameterName(name, stack),
      },
      child("credentials"),
    );
    const credentialsParameterArn = pulumi
      .all([partition, region, account.accountId])
      .apply(([p, r, accountId]) =>
        parameterArn({ partition: p, region: r, accountId, name: credentials.parameterName }),
      );

    const alerts = new AlertTopic(
      childName(name, "alerts"),
      {
        instance: name,
        emails: config.alerts.emails,
        ...(settings.alertTopicArn !== undefined ? { topicArn: settings.alertTopicArn } : {}),
        accountId: account.accountId,
        partition,
      },
      child("alerts"),
    );

    const code = functionCode();
    // Resources that must live in a bucket's account (an EventBridge rule on its default bus) are
    // written through a provider that assumes the account's deployment role; the bucket's
    // notification entries are written by their own provider with the same role (bucketNotifications.ts).
    const bucketAccountProviders = new Map(
      Object.entries(config.accounts).map(([accountName, bucketAccount]) => [
        accountName,
        new aws.Provider(
          childName(name, `account-${accountName}`),
          { region, assumeRoles: [{ roleArn: bucketAccount.roleArn, sessionName: `${name}-${stack}` }] },
          child(`account-${accountName}`),
        ),
      ]),
    );
    const bucketProvider = (producer: ProducerConfig) =>
      producer.bucketAccount === undefined ? undefined : bucketAccountProviders.get(producer.bucketAccount);
    const bucketAccountId = (producer: ProducerConfig): pulumi.Input<string> =>
      producer.bucketAccount === undefined
        ? account.accountId
        : (config.accounts[producer.bucketAccount]?.accountId ?? account.accountId);
    // The cluster's side of each destination, with the administrator's credential (config requires it).
    const es = config.elasticsearch;
    const templates = new Map<string, pulumi.Resource>();
    if (es.manageIndices && es.adminVault) {
      const destinations = managedDestinationsOf(config.producers).destinations;
      const cluster = withoutUndefined({
        endpoint: es.endpoint,
        cloudId: es.cloudId,
        caCertificate: es.caCertificate,
        caFingerprint: es.caFingerprint,
      });
      createIndexTemplates(name, destinations, cluster, es.adminVault, this).forEach((resource, position) =>
        templates.set(destinations[position]?.name ?? "", resource),
      );
    }
    const templatesOf = (producer: ProducerConfig) =>
      destinationNamesOf(producer).flatMap((destination) => templates.get(destination) ?? []);

    const pipelines = config.producers.map(
      (producer) =>
        new ProducerPipeline(
          childName(name, producer.name),
          {
            instance: name,
            producer,
            elasticsearch: config.elasticsearch,
            credentialsParameterName: credentials.parameterName,
            credentialsParameterArn,
            credentialsKeyArn: credentials.key.arn,
            alarmTopicArn: alerts.topicArn,
            ...(network ? { network } : {}),
            partition,
            region,
            dnsSuffix,
            accountId: account.accountId,
            bucketAccountId: bucketAccountId(producer),
            ...(bucketProvider(producer) ? { bucketProvider: bucketProvider(producer) } : {}),
            code,
            destinationTemplates: templatesOf(producer),
          },
          // Typed `…:Producer` until 0.1: with the old type too, and with both (the standalone instance).
          child(producer.name, [{ type: "s3-log-shipper:pipeline:Producer" }]),
        ),
    );

    // Set after the roles exist: the key policy names them, their policies name the key.
    new aws.kms.KeyPolicy(
      childName(name, "credentials-key-policy"),
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
      child("credentials-key-policy"),
    );

    // Producers notified through EventBridge or SNS have their rule or subscription in their pipeline.
    createBucketNotifications(
      name,
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

    const producers: Record<string, Deployed<ProducerOutput>> = {};
    for (const pipeline of pipelines) {
      const { producer } = pipeline;
      producers[producer.name] = {
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
          index: destinationPatternOf(producer.format, producer),
          format: producer.format,
          ...(producer.recordsField !== undefined ? { recordsField: producer.recordsField } : {}),
          maxReceiveCount: producer.maxReceiveCount,
          visibilityTimeoutSeconds: producer.visibilityTimeoutSeconds,
          messageRetentionSeconds: QUEUE_RETENTION_SECONDS,
          objectKmsKeyArns: producer.objectKmsKeyArns ?? [],
          destinations: destinationNamesOf(producer),
          managedTemplates: es.manageIndices,
          ...(producer.retentionDays !== undefined ? { retentionDays: producer.retentionDays } : {}),
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
    const { endpoint, cloudId, caCertificate, caFingerprint } = config.elasticsearch;
    this.outputs = pulumi.output({
      region,
      alarmTopicArn: alerts.topicArn,
      credentialsParameterName: credentials.parameter.name,
      elasticsearch: withoutUndefined({ endpoint, cloudId, caCertificate, caFingerprint }),
      producers,
    });
    this.registerOutputs({ outputs: this.outputs });
  }
}
