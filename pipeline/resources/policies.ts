/**
 * IAM, KMS, SQS and SNS policy documents as pure functions of plain ARNs, so the components
 * stay thin and the exact statements are unit-tested. Least privilege: every data-plane action is
 * bound to the one resource it needs.
 */

/** A type, not an interface: a statement is also a plain JSON record (the stack outputs carry some). */
export type PolicyStatement = {
  Sid: string;
  Effect: "Allow" | "Deny";
  Principal?: "*" | { AWS?: string | string[]; Service?: string };
  Action: string | string[];
  /** Absent only in trust policies, where IAM forbids it. */
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[] | boolean>>;
};

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

const policy = (...statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/** The encryption context SSM uses for SecureString parameters (AWS docs: "How AWS Systems Manager Parameter Store uses AWS KMS"). */
export const SSM_ENCRYPTION_CONTEXT_KEY = "kms:EncryptionContext:PARAMETER_ARN";

const denyInsecureTransport = (resource: string, actions: string): PolicyStatement => ({
  Sid: "DenyInsecureTransport",
  Effect: "Deny",
  Principal: "*",
  Action: actions,
  Resource: resource,
  Condition: { Bool: { "aws:SecureTransport": false } },
});

/** Who sends the producer's notifications to its queue: exactly one sender, named by its ARN. */
export type NotificationSender =
  /** The bucket's own notification configuration; the bucket's account. */
  | { kind: "bucket"; bucketArn: string; accountId: string }
  /** One EventBridge rule on the bucket account's default bus. */
  | { kind: "eventbridge"; ruleArn: string }
  /** A rule in the bucket's account: EventBridge sends as the execution role it assumes there. */
  | { kind: "eventbridge-cross-account"; ruleArn: string; roleArn: string }
  /** One SNS topic S3 publishes the bucket's events to. */
  | { kind: "sns"; topicArn: string };

/** The producer queue: only its one sender may send (the bucket, the rule or the topic); TLS only. */
export function queuePolicy(args: { queueArn: string; sender: NotificationSender }): PolicyDocument {
  return policy(allowSender(args.queueArn, args.sender), denyInsecureTransport(args.queueArn, "sqs:*"));
}

function allowSender(queueArn: string, sender: NotificationSender): PolicyStatement {
  const sendMessage = { Effect: "Allow" as const, Action: "sqs:SendMessage", Resource: queueArn };
  switch (sender.kind) {
    case "bucket":
      return {
        Sid: "AllowS3Notifications",
        ...sendMessage,
        Principal: { Service: "s3.amazonaws.com" },
        Condition: {
          ArnEquals: { "aws:SourceArn": sender.bucketArn },
          StringEquals: { "aws:SourceAccount": sender.accountId },
        },
      };
    case "eventbridge":
      // EventBridge User Guide, "Using resource-based policies for Amazon EventBridge", Amazon SQS
      // permissions: events.amazonaws.com with the rule's ARN as aws:SourceArn (and no RoleArn on the target).
      return {
        Sid: "AllowEventBridgeRule",
        ...sendMessage,
        Principal: { Service: "events.amazonaws.com" },
        Condition: { ArnEquals: { "aws:SourceArn": sender.ruleArn } },
      };
    case "eventbridge-cross-account":
      // EventBridge User Guide, "Sending events to an AWS service in another account": an execution
      // role in the bus's account, and a resource policy on the target that lets that role send.
      return {
        Sid: "AllowEventBridgeRuleRole",
        ...sendMessage,
        Principal: { AWS: sender.roleArn },
      };
    case "sns":
      // SNS Developer Guide, "Subscribing an Amazon SQS queue to an Amazon SNS topic": the topic as aws:SourceArn.
      return {
        Sid: "AllowSnsTopic",
        ...sendMessage,
        Principal: { Service: "sns.amazonaws.com" },
        Condition: { ArnEquals: { "aws:SourceArn": sender.topicArn } },
      };
  }
}

/**
 * The dead-letter queue: SQS redrive itself; with an EventBridge rule or an SNS topic, also that
 * sender, for events it could not deliver to the queue (so they page instead of being dropped when
 * EventBridge's retries or SNS's run out); TLS only.
 */
export function deadLetterQueuePolicy(args: { queueArn: string; sender?: NotificationSender }): PolicyDocument {
  const undeliverable = undeliverableSender(args.sender);
  return policy(
    ...(undeliverable
      ? [{ ...allowSender(args.queueArn, undeliverable), Sid: "AllowUndeliverableNotifications" }]
      : []),
    denyInsecureTransport(args.queueArn, "sqs:*"),
  );
}

/**
 * Who puts what it could not deliver into the DLQ: SNS and EventBridge themselves, the latter also
 * for a rule in another account (its execution role sends to the queue, the service to the DLQ; the
 * CDK writes this same statement by hand for a DLQ of another account).
 */
function undeliverableSender(sender: NotificationSender | undefined): NotificationSender | undefined {
  if (!sender || sender.kind === "bucket") return undefined;
  return sender.kind === "eventbridge-cross-account" ? { kind: "eventbridge", ruleArn: sender.ruleArn } : sender;
}

/** The execution role a cross-account EventBridge rule sends with: only EventBridge, for that rule. */
export function eventBridgeAssumeRolePolicy(args: { ruleArn: string }): PolicyDocument {
  return policy({
    Sid: "EventBridgeAssumesRole",
    Effect: "Allow",
    Principal: { Service: "events.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { ArnEquals: { "aws:SourceArn": args.ruleArn } },
  });
}

/** What that role may do: send to the producer's queue, nothing else. */
export function eventBridgeTargetPolicy(args: { queueArn: string }): PolicyDocument {
  return policy({ Sid: "SendToProducerQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: args.queueArn });
}

/** Who may assume the function role. */
export function lambdaAssumeRolePolicy(): PolicyDocument {
  return policy({
    Sid: "LambdaAssumesRole",
    Effect: "Allow",
    Principal: { Service: "lambda.amazonaws.com" },
    Action: "sts:AssumeRole",
  });
}

export interface FunctionPolicyArgs extends ProducerObjects {
  partition: string;
  /** The stack's region, which is the bucket's: S3 notifies queues only in its own region. */
  region: string;
  /** The partition's DNS suffix (amazonaws.com), for `kms:ViaService`. */
  dnsSuffix: string;
  /** Keys the producer's objects are encrypted with (SSE-KMS). */
  objectKmsKeyArns?: string[];
  /** A role the function assumes for the producer's S3 reads. */
  readRoleArn?: string;
  queueArn: string;
  parameterArn: string;
  keyArn: string;
  logGroupArn: string;
  /** Running in a VPC needs network-interface management. */
  inVpc: boolean;
}

/** A producer's objects: its bucket, and a literal prefix and suffix or a key pattern. */
export interface ProducerObjects {
  bucket: string;
  prefix?: string;
  suffix?: string;
  keyPattern?: string;
}

/**
 * The objects a producer may read: `bucket/prefix*suffix`, the keys its notification filter
 * matches, or `bucket/<keyPattern>`, whose `*` is IAM's `*` (config refuses `?`, and `*` in prefix
 * and suffix). A literal `$` is written `${$}` so IAM does not read it as the start of a policy variable.
 */
export function producerObjectsArn(args: ProducerObjects & { partition: string }): string {
  const literal = (text: string | undefined): string => (text ?? "").replace(/\$/g, () => "${$}");
  const keys =
    args.keyPattern !== undefined ? literal(args.keyPattern) : `${literal(args.prefix)}*${literal(args.suffix)}`;
  return `arn:${args.partition}:s3:::${args.bucket}/${keys}`;
}

/**
 * Decrypting the producer's SSE-KMS objects: only through S3 in the bucket's region, and only for
 * its objects. S3 passes `aws:s3:arn` as the encryption context, the object's ARN, or with an S3
 * Bucket Key the bucket's ARN (S3 User Guide, "Using server-side encryption with AWS KMS keys":
 * "If you use SSE-KMS without enabling an S3 Bucket Key, the object ARN is used as the encryption
 * context … If you use SSE-KMS and enable an S3 Bucket Key, the bucket ARN is used"). So both are
 * allowed, the object ARN only within the producer's keys. A key of another account must also
 * allow the role in its key policy (`bucketOwnerStatements`).
 */
function objectKeyCondition(
  args: ProducerObjects & { partition: string; region: string; dnsSuffix: string },
): PolicyStatement["Condition"] {
  return {
    StringEquals: { "kms:ViaService": `s3.${args.region}.${args.dnsSuffix}` },
    StringLike: {
      "kms:EncryptionContext:aws:s3:arn": [`arn:${args.partition}:s3:::${args.bucket}`, producerObjectsArn(args)],
    },
  };
}

function objectKeyStatements(args: FunctionPolicyArgs): PolicyStatement[] {
  if (!args.objectKmsKeyArns || args.objectKmsKeyArns.length === 0) return [];
  return [
    {
      Sid: "DecryptProducerObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: args.objectKmsKeyArns,
      Condition: objectKeyCondition(args),
    },
  ];
}

/** What the shipper function may do: exactly its objects, queue, parameter, key and log group. */
export function functionPolicy(args: FunctionPolicyArgs): PolicyDocument {
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadProducerObjects",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:GetObjectVersion"],
      Resource: producerObjectsArn(args),
    },
    {
      Sid: "ConsumeOwnQueue",
      Effect: "Allow",
      // SendMessage: continuations of large objects go back to this queue.
      Action: [
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
        "sqs:SendMessage",
      ],
      Resource: args.queueArn,
    },
    ...objectKeyStatements(args),
    ...(args.readRoleArn
      ? [{ Sid: "AssumeReadRole", Effect: "Allow" as const, Action: "sts:AssumeRole", Resource: args.readRoleArn }]
      : []),
    { Sid: "ReadCredentialsParameter", Effect: "Allow", Action: "ssm:GetParameter", Resource: args.parameterArn },
    {
      Sid: "DecryptCredentialsParameter",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: args.keyArn,
      Condition: { StringEquals: { [SSM_ENCRYPTION_CONTEXT_KEY]: args.parameterArn } },
    },
    {
      Sid: "WriteOwnLogs",
      Effect: "Allow",
      Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
      Resource: `${args.logGroupArn}:*`,
    },
  ];
  if (args.inVpc) {
    statements.push({
      Sid: "ManageVpcNetworkInterfaces",
      Effect: "Allow",
      // Control-plane actions Lambda needs to attach to the VPC; EC2 cannot scope them to a resource.
      Action: [
        "ec2:CreateNetworkInterface",
        "ec2:DescribeNetworkInterfaces",
        "ec2:DeleteNetworkInterface",
        "ec2:AssignPrivateIpAddresses",
        "ec2:UnassignPrivateIpAddresses",
      ],
      Resource: "*",
    });
  }
  return policy(...statements);
}

/**
 * The credentials key: the account administers it but cannot use it directly; deployers may
 * encrypt and decrypt only through SSM for the one parameter (so `pulumi up` can write and refresh
 * it); the producers' function roles may only decrypt that parameter.
 */
export function credentialsKeyPolicy(args: {
  partition: string;
  accountId: string;
  region: string;
  parameterArn: string;
  readerRoleArns: string[];
}): PolicyDocument {
  const root = `arn:${args.partition}:iam::${args.accountId}:root`;
  return policy(
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: [
        "kms:Create*",
        "kms:Describe*",
        "kms:Enable*",
        "kms:List*",
        "kms:Put*",
        "kms:Update*",
        "kms:Revoke*",
        "kms:Disable*",
        "kms:Get*",
        "kms:Delete*",
        "kms:TagResource",
        "kms:UntagResource",
        "kms:ScheduleKeyDeletion",
        "kms:CancelKeyDeletion",
        "kms:RotateKeyOnDemand",
      ],
      Resource: "*",
    },
    {
      Sid: "DeployersUseKeyThroughSsmForTheParameter",
      Effect: "Allow",
      Principal: { AWS: root },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
      Resource: "*",
      Condition: {
        StringEquals: {
          "kms:ViaService": `ssm.${args.region}.amazonaws.com`,
          [SSM_ENCRYPTION_CONTEXT_KEY]: args.parameterArn,
        },
      },
    },
    {
      Sid: "ShipperFunctionsDecryptTheParameter",
      Effect: "Allow",
      Principal: { AWS: args.readerRoleArns },
      Action: "kms:Decrypt",
      Resource: "*",
      Condition: { StringEquals: { [SSM_ENCRYPTION_CONTEXT_KEY]: args.parameterArn } },
    },
  );
}

/** The alerts key: CloudWatch alarms must be able to publish to the encrypted topic. */
export function alertsKeyPolicy(args: { partition: string; accountId: string }): PolicyDocument {
  return policy(
    {
      Sid: "AccountAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${args.partition}:iam::${args.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    {
      Sid: "CloudWatchPublishesEncryptedAlarms",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
      Resource: "*",
      Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
    },
  );
}

/** The alarm topic: CloudWatch alarms of this account may publish; TLS only. */
export function alarmTopicPolicy(args: { topicArn: string; accountId: string }): PolicyDocument {
  return policy(
    {
      Sid: "CloudWatchAlarmsPublish",
      Effect: "Allow",
      Principal: { Service: "cloudwatch.amazonaws.com" },
      Action: "sns:Publish",
      Resource: args.topicArn,
      Condition: { StringEquals: { "aws:SourceAccount": args.accountId } },
    },
    denyInsecureTransport(args.topicArn, "sns:Publish"),
  );
}

/** The ARN of an SSM parameter from its name (names with a leading slash). */
export function parameterArn(args: { partition: string; region: string; accountId: string; name: string }): string {
  const path = args.name.startsWith("/") ? args.name : `/${args.name}`;
  return `arn:${args.partition}:ssm:${args.region}:${args.accountId}:parameter${path}`;
}

/** What the owner of a bucket in another account must add for a producer, statement by statement. */
export interface BucketOwnerStatements {
  /** To the bucket's policy: the reader may get the producer's objects. */
  bucketPolicy: PolicyStatement[];
  /** To the key policy of each of `objectKmsKeyArns` in the bucket's account: the reader may decrypt them through S3. */
  keyPolicy: PolicyStatement[];
  /** To the topic's policy (sns, a topic of another account): the stack's account may subscribe its queue. */
  topicPolicy: PolicyStatement[];
}

/**
 * The statements a bucket owner adds so the producer's reader (the function's role, or
 * `readRoleArn` when it reads through a role of its own) can read across accounts: IAM allows a
 * cross-account request only when both the caller's policy and the resource's policy allow it.
 */
export function bucketOwnerStatements(args: {
  partition: string;
  region: string;
  dnsSuffix: string;
  producerName: string;
  readerArn: string;
  objects: ProducerObjects;
  bucketAccountId: string;
  stackAccountId: string;
  objectKmsKeyArns?: string[];
  sns?: { topicArn: string; queueArn: string };
}): BucketOwnerStatements {
  const sid = `S3LogShipper${args.producerName.replace(/[^A-Za-z0-9]/g, "")}`;
  const principal = { AWS: args.readerArn };
  const ownKeys = (args.objectKmsKeyArns ?? []).filter((arn) => arn.split(":")[4] === args.bucketAccountId);
  const topicAccount = args.sns?.topicArn.split(":")[4];
  return {
    bucketPolicy: [
      {
        Sid: `${sid}Read`,
        Effect: "Allow",
        Principal: principal,
        Action: ["s3:GetObject", "s3:GetObjectVersion"],
        Resource: producerObjectsArn({ ...args.objects, partition: args.partition }),
      },
    ],
    keyPolicy:
      ownKeys.length === 0
        ? []
        : [
            {
              Sid: `${sid}Decrypt`,
              Effect: "Allow",
              Principal: principal,
              Action: "kms:Decrypt",
              // In a key policy, "*" is the key itself.
              Resource: "*",
              Condition: objectKeyCondition({ ...args.objects, ...args }),
            },
          ],
    topicPolicy:
      args.sns && topicAccount !== args.stackAccountId
        ? [
            {
              Sid: `${sid}Subscribe`,
              Effect: "Allow",
              Principal: { AWS: `arn:${args.partition}:iam::${args.stackAccountId}:root` },
              Action: "sns:Subscribe",
              Resource: args.sns.topicArn,
              Condition: { StringEquals: { "sns:Protocol": "sqs", "sns:Endpoint": args.sns.queueArn } },
            },
          ]
        : [],
  };
}
