/**
 * Deploys the Pulumi program itself into the AWS emulator — the program runs under Pulumi mocks
 * whose every resource is created in moto (`emulatorResources.ts`), so what runs here is what
 * `pulumi up` creates — and runs each producer's function (the deployed bundle, with the
 * environment the program gave it) behind a Lambda-like SQS poller, its log lines written to its
 * log group as Lambda does. Used by the integration tier and the demo.
 */
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import * as pulumi from "@pulumi/pulumi";
import { environmentVariables } from "../../lambda/contract/env";
import { BUNDLE_FILE } from "../../pipeline/function/functionBuild";
import { queueDepth as queueDepths } from "../../cli/queues";
import { validateConfig } from "../../pipeline/validation/config";
import type { ProducerConfig } from "../../pipeline/validation/schema";
import { readNamespace } from "../../pipeline/standalone/stackConfig";
import { shipperProgram } from "../../pipeline/standalone/shipperProgram";
import { stackOutputsSchema, type StackOutputs } from "../../pipeline/stackOutputs";
import { installOfflineMocks, settle, toConfigMap, valueOf, type RecordedResource } from "../offlineMocks";
import { EMULATOR_CREDENTIALS, EmulatorResources } from "./emulatorResources";
import { LambdaEmulator } from "./lambdaEmulator";
import { LogGroupWriter } from "./logGroupWriter";
import { LambdaControlPlane, type LocalMapping } from "./lambdaControlPlane";
import { SqsEventSourcePoller } from "./sqsPoller";

export const REGION = "eu-west-1";

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
  /** Its event source mapping, as the local Lambda API shows and changes it. */
  mapping: LocalMapping;
}

export interface LocalStack {
  producers: LocalProducer[];
  outputs: StackOutputs;
  /** The local stand-in for Lambda's event source mapping API (lambdaControlPlane.ts). */
  lambdaEndpoint: string;
}

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  ssm: SSMClient;
}

export function awsClients(endpoint: string): AwsClients {
  const common = { region: REGION, endpoint, credentials: EMULATOR_CREDENTIALS };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true }),
    sqs: new SQSClient(common),
    ssm: new SSMClient(common),
  };
}

/** The `s3-log-shipper:` namespace of a stack config, as values (elasticsearch is filled in from the local node). */
export interface LocalStackConfig {
  /** Over the local node's settings: `manageIndices: true` (with an `adminVault`) puts the templates. */
  elasticsearch?: Record<string, unknown>;
  defaults?: Record<string, unknown>;
  producers: Array<Record<string, unknown>>;
}

export interface DeployOptions {
  /** The stack name: it names the SSM parameter and the log groups, as on AWS. */
  stack: string;
  /** First redelivery delay; AWS default pacing is 30 s, tests use 1 s to keep wall-clock time short. */
  retryBaseDelaySeconds?: number;
  echoLogs?: boolean;
  /** Extra function environment (run-time settings of lambda/env.ts, or endpoint overrides). */
  extraEnvironment?: Record<string, string>;
}

/**
 * The stack config (Pulumi's flat map) of a local stack: `config` with the local Elasticsearch node;
 * both drivers (mocks here, the real engine in scripts/engine/) deploy it.
 */
export function localStackConfig(
  services: LocalServices,
  config: LocalStackConfig,
  region: string = REGION,
): Record<string, string> {
  const namespace = {
    elasticsearch: {
      endpoint: services.elasticsearch.url,
      allowInsecureHttp: true,
      requestTimeoutSeconds: 10,
      vault: { mount: "local", path: "elasticsearch" },
      // The tiers' tests put their own templates; a stack that puts them says so.
      manageIndices: false,
      ...config.elasticsearch,
    },
    ...(config.defaults ? { defaults: config.defaults } : {}),
    producers: config.producers,
  };
  return toConfigMap({
    "aws:region": region,
    ...Object.fromEntries(Object.entries(namespace).map(([key, value]) => [`s3-log-shipper:${key}`, value])),
  });
}

/**
 * Runs the program against the emulator and starts one function host + poller per producer. The
 * producers' buckets are created first: they are the users' buckets, not the program's.
 */
export async function deployLocalStack(
  services: LocalServices,
  config: LocalStackConfig,
  options: DeployOptions,
): Promise<LocalStack> {
  const clients = awsClients(services.awsEndpoint);
  const stackConfig = localStackConfig(services, config);
  // What the program will read, validated by the same code (the host needs each producer's settings).
  const validated = validateConfig(readNamespace(stackConfig));
  for (const bucket of new Set(validated.producers.map((producer) => producer.bucket))) {
    await clients.s3
      .send(new CreateBucketCommand({ Bucket: bucket, CreateBucketConfiguration: { LocationConstraint: REGION } }))
      .catch((error: Error) => {
        if (!/BucketAlreadyOwnedByYou|BucketAlreadyExists/.test(error.name)) throw error;
      });
  }

  const emulator = new EmulatorResources({
    endpoint: services.awsEndpoint,
    region: REGION,
    elasticsearch: services.elasticsearch,
  });
  const vaultData = { username: services.elasticsearch.username, password: services.elasticsearch.password };
  const recorded = await installOfflineMocks({ region: REGION, vaultData, emulator }, "s3-log-shipper", options.stack);
  pulumi.runtime.setAllConfig(stackConfig);
  const outputs = stackOutputsSchema.parse(await valueOf(pulumi.output(shipperProgram())));
  await settle(recorded);

  const functions = functionsOf(recorded.resources);
  const controlPlane = new LambdaControlPlane(
    functions.map((fn) => ({
      uuid: fn.mappingUuid,
      functionName: fn.name,
      functionArn: fn.arn,
      eventSourceArn: fn.queueArn,
      batchSize: fn.batchSize,
      enabled: true,
    })),
  );
  const lambdaEndpoint = await controlPlane.start();
  // In config order (the program creates them concurrently).
  const producers = validated.producers.map((producer) => {
    const fn = functions.find((candidate) => candidate.environment.PRODUCER === producer.name);
    if (!fn) throw new Error(`the program created no function for producer ${producer.name}`);
    const environment = {
      ...fn.environment,
      ...environmentVariables({
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL_S3: services.awsEndpoint,
        AWS_ENDPOINT_URL_SQS: services.awsEndpoint,
        AWS_ENDPOINT_URL_SSM: services.awsEndpoint,
        S3_FORCE_PATH_STYLE: "true",
        RETRY_BASE_DELAY_SECONDS: options.retryBaseDelaySeconds,
      }),
      AWS_ACCESS_KEY_ID: EMULATOR_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: EMULATOR_CREDENTIALS.secretAccessKey,
      ...options.extraEnvironment,
    };
    const logs = new LogGroupWriter({ endpoint: services.awsEndpoint, region: REGION, logGroupName: fn.logGroupName });
    const host = new LambdaEmulator({
      bundlePath: BUNDLE_FILE,
      environment,
      timeoutSeconds: fn.timeoutSeconds,
      onLogLine: (line) => logs.write(line),
      ...(options.echoLogs ? { echoLogs: true } : {}),
    });
    return {
      producer,
      queueUrl: fn.queueUrl,
      queueArn: fn.queueArn,
      deadLetterQueueUrl: fn.deadLetterQueueUrl,
      function: host,
      mapping: controlPlane.mappings.find((mapping) => mapping.functionName === fn.name) as LocalMapping,
      poller: new SqsEventSourcePoller({
        mapping: controlPlane.mappings.find((mapping) => mapping.functionName === fn.name),
        sqs: clients.sqs,
        queueUrl: fn.queueUrl,
        queueArn: fn.queueArn,
        region: REGION,
        batchSize: fn.batchSize,
        function: host,
      }),
    };
  });
  return { producers, outputs, lambdaEndpoint };
}

interface EmulatedFunction {
  name: string;
  arn: string;
  mappingUuid: string;
  environment: Record<string, string>;
  timeoutSeconds: number;
  logGroupName: string;
  queueUrl: string;
  queueArn: string;
  deadLetterQueueUrl: string;
  batchSize: number;
}

/** The functions the program created, each with the queue its event source mapping reads (what Lambda would run). */
function functionsOf(resources: RecordedResource[]): EmulatedFunction[] {
  const ofType = (type: string) => resources.filter((resource) => resource.type === type);
  const queues = ofType("aws:sqs/queue:Queue");
  const redrives = ofType("aws:sqs/redrivePolicy:RedrivePolicy");
  return ofType("aws:lambda/function:Function").map((fn) => {
    const mapping = ofType("aws:lambda/eventSourceMapping:EventSourceMapping").find(
      (candidate) => candidate.state.functionName === fn.state.arn,
    );
    const queue = queues.find((candidate) => candidate.state.arn === mapping?.state.eventSourceArn);
    const redrive = redrives.find((candidate) => candidate.state.queueUrl === queue?.state.url);
    const deadLetterArn = (JSON.parse(String(redrive?.state.redrivePolicy ?? "{}")) as { deadLetterTargetArn?: string })
      .deadLetterTargetArn;
    const deadLetterQueue = queues.find((candidate) => candidate.state.arn === deadLetterArn);
    if (!mapping || !queue || !deadLetterQueue)
      throw new Error(
        `function ${fn.name}: no event source mapping, queue or dead-letter queue found among the program's resources`,
      );
    const variables = (fn.state.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
    return {
      name: String(fn.state.name),
      arn: String(fn.state.arn),
      mappingUuid: String(mapping.state.uuid),
      environment: variables,
      timeoutSeconds: Number(fn.state.timeout),
      logGroupName: String(
        (fn.state.loggingConfig as { logGroup?: string } | undefined)?.logGroup ??
          `/aws/lambda/${String(fn.state.name)}`,
      ),
      queueUrl: String(queue.state.url),
      queueArn: String(queue.state.arn),
      deadLetterQueueUrl: String(deadLetterQueue.state.url),
      batchSize: Number(mapping.state.batchSize ?? 10),
    };
  });
}

/** Messages visible plus in flight in a queue. */
export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<number> {
  const depth = await queueDepths(sqs, queueUrl);
  return depth.visible + depth.inFlight;
}
