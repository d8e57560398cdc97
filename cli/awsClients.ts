/**
 * AWS clients for the commands: region from the stack outputs, credentials from the usual chain,
 * endpoints from the usual overrides (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_SQS, …, which the SDK
 * reads itself) or from the emulator a demo outputs file names.
 */
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import type { StackOutputs } from "./stackOutputs";

export interface OperatorClients {
  s3: S3Client;
  sqs: SQSClient;
  logs: CloudWatchLogsClient;
  cloudwatch: CloudWatchClient;
  lambda: LambdaClient;
  events: EventBridgeClient;
  sns: SNSClient;
  ssm: SSMClient;
}

export function operatorClients(outputs: StackOutputs): OperatorClients {
  const emulator = outputs.emulatorEndpoint;
  const common = {
    region: outputs.region,
    ...(emulator ? { endpoint: emulator } : {}),
    // The emulator takes any credentials; real AWS gets the usual chain.
    ...(emulator && !process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE
      ? { credentials: { accessKeyId: "emulator", secretAccessKey: "emulator" } }
      : {}),
  };
  return {
    s3: new S3Client({ ...common, ...(emulator ? { forcePathStyle: true } : {}) }),
    sqs: new SQSClient(common),
    logs: new CloudWatchLogsClient(common),
    cloudwatch: new CloudWatchClient(common),
    lambda: new LambdaClient({
      ...common,
      ...(outputs.emulatorLambdaEndpoint ? { endpoint: outputs.emulatorLambdaEndpoint } : {}),
    }),
    events: new EventBridgeClient(common),
    sns: new SNSClient(common),
    ssm: new SSMClient(common),
  };
}
