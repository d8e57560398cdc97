/**
 * `npm run plan [-- --stack NAME]`: runs the Pulumi program offline, under mocks, with the config in
 * `Pulumi.<stack>.yaml`, and prints what `pulumi up` would create per producer with the settings a
 * reviewer checks. Needs no AWS account, Vault or Pulumi CLI. A bad config prints the validation
 * message and exits 1.
 */
import { DEFAULT_NAMESPACE, describeDestination } from "../lambda/contract/destination";
import type { LogFormat } from "../lambda/contract/formats";
import type { QueueEntry } from "../pipeline/resources/notificationEntries";
import { caCertificatesOf } from "../pipeline/validation/caCertificate";
import { multilineFromEnvironment } from "../lambda/contract/multiline";
import { DEFAULTS } from "../lambda/contract/env";
import { stackOutputsSchema, type StackOutputs } from "../pipeline/stackOutputs";
import { STANDALONE_INSTANCE } from "../pipeline/validation/instanceNames";
import { describeObjectFilter, objectFilterOf } from "../lambda/contract/objectFilter";
import * as pulumi from "@pulumi/pulumi";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { isIndexTemplatesProps } from "../pipeline/elasticsearch/indexTemplatesProvider";
import { StackConfigError } from "../pipeline/validation/vocabulary";
import { validateConfig } from "../pipeline/validation/config";
import { readNamespace } from "../pipeline/standalone/stackConfig";
import {
  managedDestinationsOf,
  putRequestsOfAll,
  requestFileName,
  retentionMechanismOf,
  ownerOf,
  templateNameOf,
  type ManagedDestination,
} from "../pipeline/elasticsearch/indexTemplates";
import * as path from "node:path";
import { parseArgs } from "node:util";
import {
  installOfflineMocks,
  readStackConfig,
  settle,
  StackFileError,
  valueOf,
  type RecordedResource,
} from "./offlineMocks";

const PROJECT_ROOT = path.resolve(__dirname, "..");

const USAGE = `usage: npm run plan [-- --stack NAME] [-- --file PATH] [-- --elasticsearch-requests DIR [--elasticsearch-version X.Y]]
  --stack NAME   the stack whose Pulumi.NAME.yaml is planned (default prod)
  --file PATH    plan this stack file instead, under the stack name given (a draft, say)
  --elasticsearch-requests DIR
                 write the requests that put each destination's index template and retention, one JSON file
                 each ({"method","path","body"}), numbered in the order to apply them, into DIR; no program run
  --elasticsearch-version X.Y
                 the cluster's version, for the retention: the data stream lifecycle from 8.14 (the default),
                 an ILM policy before
`;

/** Where the user typed the command: npm runs scripts from the project root and says where in INIT_CWD. */
function callerDirectory(): string {
  return process.env.INIT_CWD ?? process.cwd();
}

async function main(): Promise<number> {
  let options: {
    stack?: string | undefined;
    file?: string | undefined;
    "elasticsearch-requests"?: string | undefined;
    "elasticsearch-version"?: string | undefined;
    help?: boolean | undefined;
  };
  try {
    // strict: a mistyped flag (--stak) is refused instead of silently planning prod.
    ({ values: options } = parseArgs({
      options: {
        stack: { type: "string" },
        file: { type: "string" },
        "elasticsearch-requests": { type: "string" },
        "elasticsearch-version": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const stack = options.stack ?? "prod";
  const file = options.file
    ? path.resolve(callerDirectory(), options.file)
    : path.join(PROJECT_ROOT, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) {
    process.stderr.write(`no stack config file ${file}\n`);
    return 1;
  }
  let config: Record<string, string>;
  try {
    config = readStackConfig(file);
  } catch (error) {
    if (!(error instanceof StackFileError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  const requestsDirectory = options["elasticsearch-requests"];
  if (requestsDirectory !== undefined)
    return writeElasticsearchRequests(
      config,
      stack,
      path.resolve(callerDirectory(), requestsDirectory),
      options["elasticsearch-version"],
    );
  const region = config["aws:region"] ?? "us-east-1";
  const failures: unknown[] = [];
  process.on("unhandledRejection", (error) => failures.push(error));

  const recorded = await installOfflineMocks({ region }, "s3-log-shipper", stack);
  pulumi.runtime.setAllConfig(config);
  let program: Record<string, unknown>;
  try {
    program = (await import(path.join(PROJECT_ROOT, "index.ts"))) as Record<string, unknown>;
  } catch (error) {
    process.stderr.write(`${pulumi.RunError.isInstance(error) ? (error as Error).message : String(error)}\n`);
    return 1;
  }
  await settle(recorded);
  if (failures.length > 0) {
    for (const failure of failures)
      process.stderr.write(`${failure instanceof Error ? failure.message : String(failure)}\n`);
    return 1;
  }
  const outputs = stackOutputsSchema.parse(await valueOf(pulumi.output(program)));
  process.stdout.write(render(stack, region, config, recorded.resources, outputs));
  return 0;
}

/**
 * `--elasticsearch-requests DIR`: the requests `pulumi up` makes on the cluster for the stack's
 * destinations, as files to apply by hand where the deploying machine cannot reach the cluster.
 * Made from the validated config alone: no program run, no AWS, Vault or cluster.
 */
function writeElasticsearchRequests(
  config: Record<string, string>,
  stack: string,
  directory: string,
  version: string | undefined,
): number {
  let producers;
  try {
    ({ producers } = validateConfig(readNamespace(config)));
  } catch (error) {
    if (!(error instanceof StackConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    return 1;
  }
  if (version !== undefined && !/^\d+\.\d+/.test(version)) {
    process.stderr.write(
      `--elasticsearch-version must be a version like 8.19, got ${JSON.stringify(version)}\n${USAGE}`,
    );
    return 2;
  }
  const mechanism = version === undefined ? "lifecycle" : retentionMechanismOf(version);
  // The owner the standalone stack's resources write into _meta, so a later pulumi up adopts what was applied.
  const owner = ownerOf(stack, STANDALONE_INSTANCE);
  const requests = putRequestsOfAll(managedDestinationsOf(producers).destinations, mechanism, owner);
  mkdirSync(directory, { recursive: true });
  const written = requests.map((request, position) => {
    const file = path.join(directory, requestFileName(position, request));
    writeFileSync(file, `${JSON.stringify(request, null, 2)}\n`);
    return file;
  });
  process.stdout.write(
    `${written.length} requests (retention through ${mechanism === "lifecycle" ? "the data stream lifecycle" : "ILM policies"}), to apply in order:\n${written.map((file) => `  ${file}`).join("\n")}\n`,
  );
  return 0;
}

/** How the engine registers the bucket's notification entries and the index templates (dynamic resources). */
const DYNAMIC = "pulumi-nodejs:dynamic:Resource";
const isIndexTemplates = (resource: RecordedResource) =>
  resource.type === DYNAMIC && isIndexTemplatesProps(resource.state);
const isNotificationEntries = (resource: RecordedResource) => resource.type === DYNAMIC && !isIndexTemplates(resource);

const CUSTOM = (resource: RecordedResource) => !resource.type.startsWith("s3-log-shipper:");

function render(
  stack: string,
  region: string,
  config: Record<string, string>,
  resources: RecordedResource[],
  outputs: StackOutputs,
): string {
  const lines: string[] = [];
  const es = JSON.parse(config["s3-log-shipper:elasticsearch"] ?? "{}") as {
    endpoint?: string;
    cloudId?: string;
    vault?: { mount: string; path: string };
    adminVault?: { mount: string; path: string };
  };
  const producers = JSON.parse(config["s3-log-shipper:producers"] ?? "[]") as Array<{
    name: string;
    bucketAccount?: string;
  }>;
  const accounts = JSON.parse(config["s3-log-shipper:accounts"] ?? "{}") as Record<string, { roleArn?: string }>;
  const byName = (type: string, name: string) => resources.find((r) => r.type === type && r.name === name);
  const state = (type: string, name: string) => byName(type, name)?.state ?? {};
  const parameter = resources.find((r) => r.type === "aws:ssm/parameter:Parameter");
  const subscriptions = resources
    .filter((r) => r.type === "aws:sns/topicSubscription:TopicSubscription" && r.state.protocol === "email")
    .map((r) => String(r.state.endpoint));

  lines.push(
    `s3-log-shipper plan for stack "${stack}" — offline (Pulumi mocks; no AWS, Vault or Pulumi CLI was called)`,
  );
  // What the functions were given (every producer gets the same), not a second reading of config.
  const firstEnv =
    (
      resources.find((r) => r.type === "aws:lambda/function:Function")?.state.environment as
        { variables?: Record<string, string> } | undefined
    )?.variables ?? {};
  const requests =
    firstEnv.ES_COMPRESSION === "none"
      ? "requests uncompressed"
      : `requests gzip level ${firstEnv.ES_COMPRESSION_LEVEL ?? DEFAULTS.ES_COMPRESSION_LEVEL}`;
  lines.push(`region ${region} · Elasticsearch ${es.endpoint ?? `cloudId ${es.cloudId ?? "?"}`} · ${requests}`);
  const trust = trustedCaLine(firstEnv);
  if (trust) lines.push(trust);
  lines.push(
    `credentials: Vault ${es.vault?.mount}/${es.vault?.path} → SSM ${String(parameter?.state.name)} (SecureString, customer-managed KMS key, rotation on)`,
  );
  lines.push(
    `alarms → SNS ${subscriptions.length > 0 ? `with e-mail to ${subscriptions.join(", ")}` : "topic (no e-mail subscriptions)"}`,
  );
  lines.push("");

  const producerPrefixes = producers.map((p) => `${STANDALONE_INSTANCE}-${p.name}-`);
  const stackWide = resources.filter(
    (r) => CUSTOM(r) && !producerPrefixes.some((prefix) => r.name.startsWith(prefix)) && r.type !== DYNAMIC,
  );
  lines.push(`Stack-wide (${stackWide.length} resources)`);
  for (const resource of stackWide) lines.push(`  + ${resource.type.padEnd(48)} ${resource.name}`);
  lines.push("");

  for (const producer of producers) {
    const fn = state("aws:lambda/function:Function", `${STANDALONE_INSTANCE}-${producer.name}-function`);
    const queue = state("aws:sqs/queue:Queue", `${STANDALONE_INSTANCE}-${producer.name}-queue`);
    const dlq = state("aws:sqs/queue:Queue", `${STANDALONE_INSTANCE}-${producer.name}-dlq`);
    const mapping = state(
      "aws:lambda/eventSourceMapping:EventSourceMapping",
      `${STANDALONE_INSTANCE}-${producer.name}-event-source`,
    );
    const redrive = JSON.parse(
      String(
        state("aws:sqs/redrivePolicy:RedrivePolicy", `${STANDALONE_INSTANCE}-${producer.name}-redrive`).redrivePolicy ??
          "{}",
      ),
    ) as { maxReceiveCount?: number };
    const env = (fn.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {};
    const entry = resources
      .filter(isNotificationEntries)
      .flatMap((r) => r.state.entries as QueueEntry[])
      .find((q) => q.queueArn === queue.arn);
    const rule = resources.find(
      (r) =>
        r.type === "aws:cloudwatch/eventRule:EventRule" &&
        r.name === `${STANDALONE_INSTANCE}-${producer.name}-objects-rule`,
    );
    const topic = resources.find(
      (r) =>
        r.type === "aws:sns/topicSubscription:TopicSubscription" &&
        r.name === `${STANDALONE_INSTANCE}-${producer.name}-objects-subscription`,
    );
    const backlog = state(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      `${STANDALONE_INSTANCE}-${producer.name}-alarms-backlog-age`,
    );
    const own = resources.filter((r) => CUSTOM(r) && r.name.startsWith(`${STANDALONE_INSTANCE}-${producer.name}-`));

    const filter = describeObjectFilter(
      objectFilterOf({
        bucket: env.SOURCE_BUCKET ?? "?",
        prefix: env.KEY_PREFIX ?? "",
        suffix: env.KEY_SUFFIX ?? "",
        keyPattern: env.KEY_PATTERN,
      }),
    );
    lines.push(
      `Producer ${producer.name}: ${filter} → ${describeDestination(env.LOG_FORMAT as LogFormat, {
        ...(env.ES_INDEX ? { index: env.ES_INDEX } : {}),
        ...(env.DATA_STREAM_DATASET ? { dataset: env.DATA_STREAM_DATASET } : {}),
        namespace: env.DATA_STREAM_NAMESPACE ?? DEFAULT_NAMESPACE,
      })} (format ${env.LOG_FORMAT}${env.PRESERVE_ORIGINAL === "true" ? ", raw line kept in event.original" : ""})`,
    );
    lines.push(
      rule
        ? `  notified   by EventBridge rule ${STANDALONE_INSTANCE}-${producer.name}-objects-rule on the default bus (the bucket must send its events to EventBridge: docs/estates.md "Notification sources")`
        : topic
          ? `  notified   by SNS topic ${String(topic.state.topic)} (the topic's policy must let this account subscribe: docs/estates.md "Notification sources")`
          : `  notified   by ${entry ? "an entry in the bucket's notification configuration" : "nothing: no notification entry names its queue"}`,
    );
    lines.push(
      `  function   ${String(fn.runtime)} ${(fn.architectures as string[] | undefined)?.join(",")}, ${String(fn.memorySize)} MB, timeout ${String(fn.timeout)} s`,
    );
    lines.push(`  memory     ${describeMemory(env)}`);
    lines.push(
      `  queue      visibility ${String(queue.visibilityTimeoutSeconds)} s, maxReceiveCount ${redrive.maxReceiveCount} → DLQ (retention ${Number(dlq.messageRetentionSeconds) / 86_400} days)`,
    );
    lines.push(
      `  delivery   batch ${String(mapping.batchSize)}, window ${String(mapping.maximumBatchingWindowInSeconds)} s, maxConcurrency ${(mapping.scalingConfig as { maximumConcurrency?: number } | undefined)?.maximumConcurrency}, ReportBatchItemFailures`,
    );
    const extras = [
      env.RECORDS_FIELD && `recordsField ${env.RECORDS_FIELD}`,
      env.TIMESTAMP_FIELD && `timestampField ${env.TIMESTAMP_FIELD}`,
      env.DEAD_LETTER_INDEX && `deadLetterIndex ${env.DEAD_LETTER_INDEX}`,
      env.ES_PIPELINE && `ingest pipeline ${env.ES_PIPELINE}`,
      env.LINE_INCLUDE && `include ${env.LINE_INCLUDE}`,
      env.LINE_EXCLUDE && `exclude ${env.LINE_EXCLUDE}`,
      env.MULTILINE && `multiline ${describeMultiline(env.MULTILINE)}`,
    ].filter(Boolean);
    if (extras.length > 0) lines.push(`  documents  ${extras.join(", ")}`);
    // How the objects are read: whose account, as whom, with which keys (the role policy says it).
    const roleStatements =
      (
        JSON.parse(
          String(
            state("aws:iam/rolePolicy:RolePolicy", `${STANDALONE_INSTANCE}-${producer.name}-role-policy`).policy ??
              "{}",
          ),
        ) as {
          Statement?: Array<{ Sid: string; Resource?: string | string[] }>;
        }
      ).Statement ?? [];
    const decrypts = roleStatements.find((statement) => statement.Sid === "DecryptProducerObjects")?.Resource;
    const account = producer.bucketAccount;
    lines.push(
      `  reads      ${account ? `a bucket of account ${account} (${accounts[account]?.roleArn?.split(":")[4] ?? "?"})` : "a bucket of the stack's account"}, ${env.READ_ROLE_ARN ? `through role ${env.READ_ROLE_ARN}` : "with the function's role"}${decrypts ? `, decrypting with ${[decrypts].flat().join(", ")}` : ""}`,
    );
    const owner = outputs.producers[producer.name]?.bucketOwnerStatements;
    const toAdd = owner
      ? (
          [
            ["the bucket's policy", owner.bucketPolicy],
            ["the policy of its KMS key", owner.keyPolicy],
            ["the topic's policy", owner.topicPolicy],
          ] as const
        ).filter(([, statements]) => statements.length > 0)
      : [];
    if (toAdd.length > 0) {
      lines.push(
        `  owner adds (the role's ARN as planned; after pulumi up: stack output producers.${producer.name}.bucketOwnerStatements)`,
      );
      for (const [where, statements] of toAdd)
        for (const statement of statements) lines.push(`    to ${where}: ${JSON.stringify(statement)}`);
    }
    const silence = byName(
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      `${STANDALONE_INSTANCE}-${producer.name}-alarms-silence`,
    );
    const silent = silence ? `, silence: no object shipped in ${Number(silence.state.period) / 60} min` : "";
    lines.push(
      `  alarms     DLQ depth > 0, backlog age > ${String(backlog.threshold)} s, function errors > 0${silent}`,
    );
    lines.push(`  resources (${own.length}):`);
    for (const resource of own) lines.push(`    + ${resource.type.padEnd(48)} ${resource.name}`);
    lines.push("");
  }

  const notifications = resources.filter(isNotificationEntries);
  lines.push(
    `Bucket notification entries (${notifications.length} ${notifications.length === 1 ? "bucket" : "buckets"}; added to what the bucket has, other consumers' entries kept):`,
  );
  for (const notification of notifications) {
    const entries = notification.state.entries as QueueEntry[];
    lines.push(`  + s3://${String(notification.state.bucket)} ← ${entries.map((q) => q.id).join(", ")}`);
  }
  lines.push("");
  const templates = resources.filter(isIndexTemplates);
  if (templates.length === 0) {
    lines.push(
      "Index templates: none (elasticsearch.manageIndices: false; npm run plan -- --elasticsearch-requests DIR writes them to apply yourself)",
    );
  } else {
    const admin = es.adminVault ? `${es.adminVault.mount}/${es.adminVault.path}` : "?";
    lines.push(
      `Index templates (${templates.length}; priority 250, put with the administrator's credential read from Vault ${admin} at each operation):`,
    );
    for (const template of templates) {
      const destination = template.state.destination as ManagedDestination;
      const kept =
        destination.retentionDays !== undefined
          ? `documents kept ${destination.retentionDays} days`
          : "retention: the cluster's";
      lines.push(
        `  + ${templateNameOf(destination.name)} → ${destination.name} (${destination.dataStream ? "data stream" : "plain index"}, ${kept})`,
      );
    }
  }
  lines.push("");
  lines.push(`${resources.filter(CUSTOM).length} resources to create (${producers.length} producers).`);
  return `${lines.join("\n")}\n`;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

/** Which CA the functions verify the cluster against, when config names one (elasticsearch.caCertificate / caFingerprint). */
function trustedCaLine(env: Record<string, string>): string | undefined {
  if (env.ES_CA_CERTIFICATES) {
    const read = caCertificatesOf(env.ES_CA_CERTIFICATES);
    const subjects = "subjects" in read ? read.subjects.join("; ") : "?";
    return `TLS: the server's certificate is verified against caCertificate only (${subjects})`;
  }
  if (env.ES_CA_FINGERPRINT)
    return `TLS: the server's certificate is verified against the CA of caFingerprint ${env.ES_CA_FINGERPRINT} in the chain it presents`;
  return undefined;
}

/** The memory budget as the function receives it (pipeline/function/memoryBudget.ts; unset: the function's defaults). */
function describeMemory(env: Record<string, string>): string {
  const value = (key: "MAX_LINE_BYTES" | "MESSAGE_CONCURRENCY" | "ES_BULK_MAX_BYTES" | "ES_BULK_CONCURRENCY") =>
    Number(env[key] ?? DEFAULTS[key]);
  return (
    `lines and records ≤ ${bytesText(value("MAX_LINE_BYTES"))}, ${value("MESSAGE_CONCURRENCY")} message${value("MESSAGE_CONCURRENCY") === 1 ? "" : "s"} at once, ` +
    `bulk bodies ≤ ${bytesText(value("ES_BULK_MAX_BYTES"))} × ${value("ES_BULK_CONCURRENCY")} per object, V8 ${env.NODE_OPTIONS ?? "defaults"} (docs/reliability.md "Memory")`
  );
}

function bytesText(bytes: number): string {
  if (bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  return bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`;
}

/** A multiline setting as a reader of the plan checks it against the config. */
function describeMultiline(variable: string): string {
  const setting = multilineFromEnvironment(variable);
  if (!setting) return "?";
  return `${setting.negate ? "lines not matching" : "lines matching"} ${JSON.stringify(setting.pattern)} join the event ${setting.match === "after" ? "before them" : "after them"} (at most ${setting.maxLines} lines, ${setting.maxBytes} bytes)`;
}
