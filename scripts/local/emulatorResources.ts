/**
 * The one mapping from the program's resources to the AWS emulator (moto): each resource the
 * program registers is created for real through the AWS SDK, and answered with the outputs the
 * real provider computes (ids, ARNs, URLs, names). Two drivers use it: the program run under
 * Pulumi mocks (`localPipeline.ts`: the integration tier and `npm run demo`) and the stand-in
 * provider plugins run by the real Pulumi engine (`scripts/engine/`). Test equipment, not product:
 * the Lambda function and its event source mapping are records the local function host reads.
 */
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  PutMetricAlarmCommand,
  type Dimension,
} from "@aws-sdk/client-cloudwatch";
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DeleteLogGroupCommand,
  PutRetentionPolicyCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import {
  CreateRoleCommand,
  DeleteRoleCommand,
  DeleteRolePolicyCommand,
  IAMClient,
  PutRolePolicyCommand,
} from "@aws-sdk/client-iam";
import {
  CreateAliasCommand,
  CreateKeyCommand,
  DeleteAliasCommand,
  KMSClient,
  PutKeyPolicyCommand,
  ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { PutBucketNotificationConfigurationCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  SetTopicAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { DeleteParameterCommand, PutParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import type * as pulumi from "@pulumi/pulumi";
import { randomBytes, randomUUID } from "node:crypto";
import { Client } from "@elastic/elasticsearch";
import { notificationEntriesProvider } from "../../pipeline/resources/notificationEntriesProvider";
import { indexTemplatesProvider, isIndexTemplatesProps } from "../../pipeline/elasticsearch/indexTemplatesProvider";
import {
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
} from "@aws-sdk/client-eventbridge";

/** How Pulumi registers a dynamic resource: the bucket's notification entries, a destination's index templates. */
const DYNAMIC_RESOURCE = "pulumi-nodejs:dynamic:Resource";

/** A dynamic resource's properties without the serialized provider Pulumi adds to them. */
function dynamicProps<T>(inputs: Inputs): T {
  const { __provider: _serialized, ...props } = inputs;
  return props as unknown as T;
}

/** moto's account. */
export const EMULATOR_ACCOUNT_ID = "123456789012";
export const EMULATOR_CREDENTIALS = { accessKeyId: "emulator", secretAccessKey: "emulator" };

export interface EmulatorTarget {
  endpoint: string;
  region: string;
  /** The local Elasticsearch node and its administrator, for a stack that manages its index templates. */
  elasticsearch?: { url: string; username: string; password: string };
}

/** The package of the program's component resources (`s3-log-shipper:pipeline:…`). */
const COMPONENT_PACKAGE = "s3-log-shipper:";

/** A resource as the emulator holds it: its id and every output property. */
export interface EmulatedResource {
  id: string;
  outputs: Record<string, unknown>;
}

type Inputs = Record<string, unknown>;

const text = (value: unknown): string =>
  typeof value === "string" ? value : value === undefined || value === null ? "" : JSON.stringify(value);
const optionalNumber = (value: unknown): number | undefined => (typeof value === "number" ? value : undefined);

/** A physical name as the AWS provider makes one when the program sets none: the logical name and 7 random hex digits. */
function physicalName(logicalName: string, inputs: Inputs, field = "name"): string {
  const given = inputs[field];
  return typeof given === "string" && given.length > 0
    ? given
    : `${logicalName}-${randomBytes(4).toString("hex").slice(0, 7)}`;
}

export class EmulatorResources {
  private readonly s3: S3Client;
  private readonly sqs: SQSClient;
  private readonly ssm: SSMClient;
  private readonly kms: KMSClient;
  private readonly sns: SNSClient;
  private readonly iam: IAMClient;
  private readonly logs: CloudWatchLogsClient;
  private readonly cloudwatch: CloudWatchClient;
  private readonly events: EventBridgeClient;
  private readonly notificationEntries: pulumi.dynamic.ResourceProvider;
  private readonly indexTemplates: pulumi.dynamic.ResourceProvider;

  constructor(private readonly target: EmulatorTarget) {
    const common = { region: target.region, endpoint: target.endpoint, credentials: EMULATOR_CREDENTIALS };
    this.s3 = new S3Client({ ...common, forcePathStyle: true });
    this.sqs = new SQSClient(common);
    this.ssm = new SSMClient(common);
    this.kms = new KMSClient(common);
    this.sns = new SNSClient(common);
    this.iam = new IAMClient(common);
    this.logs = new CloudWatchLogsClient(common);
    this.cloudwatch = new CloudWatchClient(common);
    this.events = new EventBridgeClient(common);
    this.notificationEntries = notificationEntriesProvider(() => this.s3);
    // The program's own provider, with the local node's administrator instead of Vault's secret.
    this.indexTemplates = indexTemplatesProvider(async () => {
      const node = target.elasticsearch;
      if (!node)
        throw new Error("the stack manages its index templates, but the emulator was given no Elasticsearch node");
      return new Client({ node: node.url, auth: { username: node.username, password: node.password } });
    });
  }

  private arn(service: string, resource: string, region: string = this.target.region): string {
    return `arn:aws:${service}:${region}:${EMULATOR_ACCOUNT_ID}:${resource}`;
  }

  /** Creates the resource in the emulator; resolves to its id and outputs (inputs included, as the real provider returns them). */
  async create(type: string, logicalName: string, inputs: Inputs): Promise<EmulatedResource> {
    const created = await this.createOnly(type, logicalName, withoutSecretMarkers(inputs) as Inputs);
    return { id: created.id, outputs: { ...inputs, ...created.outputs } };
  }

  private async createOnly(type: string, logicalName: string, inputs: Inputs): Promise<EmulatedResource> {
    // The program's own components group resources; nothing to create.
    if (type.startsWith(COMPONENT_PACKAGE)) return { id: "", outputs: {} };
    switch (type) {
      case "aws:kms/key:Key": {
        const key = await this.kms.send(new CreateKeyCommand({ Description: text(inputs.description) }));
        const keyId = key.KeyMetadata?.KeyId ?? "";
        return { id: keyId, outputs: { keyId, arn: key.KeyMetadata?.Arn ?? this.arn("kms", `key/${keyId}`) } };
      }
      case "aws:kms/alias:Alias": {
        const name = text(inputs.name);
        await this.kms.send(new CreateAliasCommand({ AliasName: name, TargetKeyId: text(inputs.targetKeyId) }));
        return { id: name, outputs: { arn: this.arn("kms", name) } };
      }
      case "aws:kms/keyPolicy:KeyPolicy":
        await this.kms.send(
          new PutKeyPolicyCommand({ KeyId: text(inputs.keyId), PolicyName: "default", Policy: text(inputs.policy) }),
        );
        return { id: text(inputs.keyId), outputs: {} };
      case "aws:ssm/parameter:Parameter": {
        const name = text(inputs.name);
        const put = await this.ssm.send(
          new PutParameterCommand({
            Name: name,
            Type: text(inputs.type) as "SecureString",
            Value: text(inputs.value),
            ...(inputs.keyId ? { KeyId: text(inputs.keyId) } : {}),
            Overwrite: true,
          }),
        );
        return { id: name, outputs: { arn: this.arn("ssm", `parameter${name}`), version: put.Version ?? 1 } };
      }
      case "aws:sns/topic:Topic": {
        const name = physicalName(logicalName, inputs);
        const topic = await this.sns.send(new CreateTopicCommand({ Name: name }));
        return { id: topic.TopicArn ?? "", outputs: { name, arn: topic.TopicArn ?? "" } };
      }
      case "aws:sns/topicPolicy:TopicPolicy":
        await this.sns.send(
          new SetTopicAttributesCommand({
            TopicArn: text(inputs.arn),
            AttributeName: "Policy",
            AttributeValue: text(inputs.policy),
          }),
        );
        return { id: text(inputs.arn), outputs: {} };
      case "aws:sns/topicSubscription:TopicSubscription": {
        const subscription = await this.sns.send(
          new SubscribeCommand({
            TopicArn: text(inputs.topic),
            Protocol: text(inputs.protocol),
            Endpoint: text(inputs.endpoint),
            ...(inputs.redrivePolicy ? { Attributes: { RedrivePolicy: text(inputs.redrivePolicy) } } : {}),
          }),
        );
        const arn = subscription.SubscriptionArn ?? "";
        return { id: arn, outputs: { arn } };
      }
      case "aws:sqs/queue:Queue": {
        const name = physicalName(logicalName, inputs);
        const attributes: Record<string, string> = {};
        const set = (attribute: string, value: unknown) => {
          if (value !== undefined && value !== null) attributes[attribute] = String(value);
        };
        set("VisibilityTimeout", inputs.visibilityTimeoutSeconds);
        set("MessageRetentionPeriod", inputs.messageRetentionSeconds);
        set("ReceiveMessageWaitTimeSeconds", inputs.receiveWaitTimeSeconds);
        set("SqsManagedSseEnabled", inputs.sqsManagedSseEnabled);
        const queue = await this.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
        const url = queue.QueueUrl ?? "";
        const arn =
          (await this.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] })))
            .Attributes?.QueueArn ?? this.arn("sqs", name);
        return { id: url, outputs: { name, arn, url } };
      }
      case "aws:sqs/redrivePolicy:RedrivePolicy":
        await this.setQueueAttribute(inputs.queueUrl, "RedrivePolicy", inputs.redrivePolicy);
        return { id: text(inputs.queueUrl), outputs: {} };
      case "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy":
        await this.setQueueAttribute(inputs.queueUrl, "RedriveAllowPolicy", inputs.redriveAllowPolicy);
        return { id: text(inputs.queueUrl), outputs: {} };
      case "aws:sqs/queuePolicy:QueuePolicy":
        await this.setQueueAttribute(inputs.queueUrl, "Policy", inputs.policy);
        return { id: text(inputs.queueUrl), outputs: {} };
      case "aws:iam/role:Role": {
        const name = physicalName(logicalName, inputs);
        const role = await this.iam.send(
          new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: text(inputs.assumeRolePolicy) }),
        );
        return {
          id: name,
          outputs: {
            name,
            arn: role.Role?.Arn ?? `arn:aws:iam::${EMULATOR_ACCOUNT_ID}:role/${name}`,
            uniqueId: role.Role?.RoleId ?? "",
          },
        };
      }
      case "aws:iam/rolePolicy:RolePolicy": {
        const name = physicalName(logicalName, inputs);
        await this.iam.send(
          new PutRolePolicyCommand({
            RoleName: text(inputs.role),
            PolicyName: name,
            PolicyDocument: text(inputs.policy),
          }),
        );
        return { id: `${text(inputs.role)}:${name}`, outputs: { name } };
      }
      case "aws:cloudwatch/logGroup:LogGroup": {
        const name = physicalName(logicalName, inputs);
        await this.logs.send(new CreateLogGroupCommand({ logGroupName: name }));
        const retentionInDays = optionalNumber(inputs.retentionInDays);
        if (retentionInDays)
          await this.logs.send(new PutRetentionPolicyCommand({ logGroupName: name, retentionInDays }));
        return { id: name, outputs: { name, arn: this.arn("logs", `log-group:${name}`) } };
      }
      case "aws:cloudwatch/metricAlarm:MetricAlarm": {
        const name = physicalName(logicalName, inputs);
        const dimensions: Dimension[] = Object.entries((inputs.dimensions ?? {}) as Record<string, unknown>).map(
          ([Name, Value]) => ({ Name, Value: text(Value) }),
        );
        await this.cloudwatch.send(
          new PutMetricAlarmCommand({
            AlarmName: name,
            AlarmDescription: text(inputs.alarmDescription),
            Namespace: text(inputs.namespace),
            MetricName: text(inputs.metricName),
            Dimensions: dimensions,
            Statistic: text(inputs.statistic) as "Maximum",
            Period: optionalNumber(inputs.period),
            EvaluationPeriods: optionalNumber(inputs.evaluationPeriods),
            DatapointsToAlarm: optionalNumber(inputs.datapointsToAlarm),
            Threshold: optionalNumber(inputs.threshold),
            ComparisonOperator: text(inputs.comparisonOperator) as "GreaterThanThreshold",
            TreatMissingData: inputs.treatMissingData === undefined ? undefined : text(inputs.treatMissingData),
            AlarmActions: (inputs.alarmActions ?? []) as string[],
            OKActions: (inputs.okActions ?? []) as string[],
          }),
        );
        return { id: name, outputs: { name, arn: this.arn("cloudwatch", `alarm:${name}`) } };
      }
      case "aws:lambda/function:Function": {
        // A record only: the local function host runs the bundle with this environment.
        const name = physicalName(logicalName, inputs);
        return {
          id: name,
          outputs: {
            name,
            arn: this.arn("lambda", `function:${name}`),
            invokeArn: `arn:aws:apigateway:${this.target.region}:lambda:path/functions/${name}`,
          },
        };
      }
      case "aws:lambda/eventSourceMapping:EventSourceMapping": {
        const uuid = randomUUID();
        return { id: uuid, outputs: { uuid, functionArn: text(inputs.functionName) } };
      }
      case "aws:cloudwatch/eventRule:EventRule": {
        const name = physicalName(logicalName, inputs);
        const rule = await this.events.send(
          new PutRuleCommand({
            Name: name,
            EventPattern: text(inputs.eventPattern),
            Description: text(inputs.description),
          }),
        );
        return {
          id: name,
          outputs: { name, arn: rule.RuleArn ?? this.arn("events", `rule/${name}`), eventBusName: "default" },
        };
      }
      case "aws:cloudwatch/eventTarget:EventTarget": {
        const targetId = physicalName(logicalName, inputs, "targetId");
        const deadLetter = (inputs.deadLetterConfig as { arn?: string } | undefined)?.arn;
        await this.events.send(
          new PutTargetsCommand({
            Rule: text(inputs.rule),
            Targets: [
              { Id: targetId, Arn: text(inputs.arn), ...(deadLetter ? { DeadLetterConfig: { Arn: deadLetter } } : {}) },
            ],
          }),
        );
        return { id: `${text(inputs.rule)}/${targetId}`, outputs: { targetId } };
      }
      case DYNAMIC_RESOURCE: {
        // The program's own provider, writing with the emulator's client; the engine tier runs it as
        // Pulumi serialized it instead.
        const props = dynamicProps<Record<string, unknown>>(inputs);
        const provider = isIndexTemplatesProps(props) ? this.indexTemplates : this.notificationEntries;
        const { id, outs } = await provider.create(props);
        return { id, outputs: outs as Inputs };
      }
      default:
        // Refused, so a new resource in pipeline/ cannot slip past the emulator.
        throw new Error(
          `the emulator mapping has no rule for ${type} (${logicalName}); add one to scripts/local/emulatorResources.ts`,
        );
    }
  }

  /** Deletes what `create` made (records only need forgetting). */
  async delete(type: string, id: string): Promise<void> {
    if (type.startsWith(COMPONENT_PACKAGE)) return;
    switch (type) {
      case "aws:kms/key:Key":
        await this.kms.send(new ScheduleKeyDeletionCommand({ KeyId: id, PendingWindowInDays: 7 }));
        return;
      case "aws:kms/alias:Alias":
        await this.kms.send(new DeleteAliasCommand({ AliasName: id }));
        return;
      case "aws:ssm/parameter:Parameter":
        await this.ssm.send(new DeleteParameterCommand({ Name: id }));
        return;
      case "aws:sns/topic:Topic":
        await this.sns.send(new DeleteTopicCommand({ TopicArn: id }));
        return;
      case "aws:sns/topicSubscription:TopicSubscription":
        await this.sns.send(new UnsubscribeCommand({ SubscriptionArn: id }));
        return;
      case "aws:sqs/queue:Queue":
        await this.sqs.send(new DeleteQueueCommand({ QueueUrl: id }));
        return;
      case "aws:sqs/redrivePolicy:RedrivePolicy":
        await this.setQueueAttribute(id, "RedrivePolicy", "");
        return;
      case "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy":
        await this.setQueueAttribute(id, "RedriveAllowPolicy", "");
        return;
      case "aws:sqs/queuePolicy:QueuePolicy":
        await this.setQueueAttribute(id, "Policy", "");
        return;
      case "aws:iam/role:Role":
        await this.iam.send(new DeleteRoleCommand({ RoleName: id }));
        return;
      case "aws:iam/rolePolicy:RolePolicy": {
        const [role = "", name = ""] = id.split(":");
        await this.iam.send(new DeleteRolePolicyCommand({ RoleName: role, PolicyName: name }));
        return;
      }
      case "aws:cloudwatch/logGroup:LogGroup":
        await this.logs.send(new DeleteLogGroupCommand({ logGroupName: id }));
        return;
      case "aws:cloudwatch/metricAlarm:MetricAlarm":
        await this.cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [id] }));
        return;
      case "aws:cloudwatch/eventRule:EventRule":
        await this.events.send(new DeleteRuleCommand({ Name: id }));
        return;
      case "aws:cloudwatch/eventTarget:EventTarget": {
        const [rule = "", targetId = ""] = id.split("/");
        await this.events.send(new RemoveTargetsCommand({ Rule: rule, Ids: [targetId] }));
        return;
      }
      case "aws:s3/bucketNotification:BucketNotification":
        // Only a state of a release before the entries resource holds one (the engine tier's upgrade):
        // it owned the whole configuration, and the AWS provider's delete writes an empty one.
        await this.s3.send(
          new PutBucketNotificationConfigurationCommand({ Bucket: id, NotificationConfiguration: {} }),
        );
        return;
      case "aws:kms/keyPolicy:KeyPolicy":
      case "aws:sns/topicPolicy:TopicPolicy":
      case "aws:lambda/function:Function":
      case "aws:lambda/eventSourceMapping:EventSourceMapping":
        return;
      default:
        throw new Error(`the emulator mapping has no rule to delete ${type} ${id}`);
    }
  }

  /** What the invokes the program makes answer in the emulator. */
  invoke(token: string, args: Inputs, vaultData: Record<string, string>): Record<string, unknown> {
    const region = this.target.region;
    switch (token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          accountId: EMULATOR_ACCOUNT_ID,
          arn: `arn:aws:iam::${EMULATOR_ACCOUNT_ID}:user/emulator`,
          userId: "AIDAEMULATOR",
          id: EMULATOR_ACCOUNT_ID,
        };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws", id: "aws" };
      case "aws:index/getRegion:getRegion":
        return { name: region, region, endpoint: `ec2.${region}.amazonaws.com`, description: region, id: region };
      case "vault:kv/getSecretV2:getSecretV2":
        return {
          ...args,
          data: vaultData,
          dataJson: JSON.stringify(vaultData),
          path: `${text(args.mount)}/data/${text(args.name)}`,
          destroyed: false,
          createdTime: "2026-01-01T00:00:00Z",
          deletionTime: "",
          customMetadata: {},
          version: 1,
          id: "vault",
        };
      default:
        throw new Error(`the emulator has no answer for invoke ${token}`);
    }
  }

  private async setQueueAttribute(queueUrl: unknown, attribute: string, value: unknown): Promise<void> {
    await this.sqs.send(
      new SetQueueAttributesCommand({ QueueUrl: text(queueUrl), Attributes: { [attribute]: text(value) } }),
    );
  }
}

/** Pulumi's signature key of a secret value on the wire (`{ <sig>: SECRET_SIG, value }`). */
const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

/** The values inside secret markers: AWS gets the plain value; the engine keeps it encrypted in state. */
export function withoutSecretMarkers(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecretMarkers);
  if (value === null || typeof value !== "object" || Buffer.isBuffer(value)) return value;
  const record = value as Record<string, unknown>;
  if (record[SIGNATURE_KEY] === SECRET_SIGNATURE) return withoutSecretMarkers(record.value);
  // Assets and archives are classes: kept as they are.
  if (Object.getPrototypeOf(record) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(record).map(([key, inner]) => [key, withoutSecretMarkers(inner)]));
}
