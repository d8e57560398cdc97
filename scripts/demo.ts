/**
 * `npm run demo`: the pipeline end to end on this machine. Starts moto and Elasticsearch 8.x
 * (installing them on first use), provisions the demo producers the way `pulumi up` provisions AWS,
 * uploads sample logs in several formats, runs the deployed function bundle behind a Lambda-like
 * SQS poller until every queue is empty, and prints a report.
 */
import { destinationPatternOf } from "../lambda/contract/destination";
import "./local/quietSdkNotice";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { Client } from "@elastic/elasticsearch";
import { mkdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { PROJECT_ROOT } from "../pipeline/function/functionBuild";
import { awsClients, deployLocalStack, queueDepth } from "./local/localPipeline";
import {
  albLine,
  applicationLogMessage,
  cloudTrailRecord,
  cloudWatchRecord,
  lines,
  seededRandom,
  VPC_FLOW_HEADER,
  vpcFlowLine,
  wafLine,
} from "./local/sampleLogs";
import { resetMoto, startElasticsearch, startMoto } from "./local/services";

const DEMO_PREFIX = "demo-";
const OUTPUTS_FILE = path.join(PROJECT_ROOT, ".demo", "outputs.json");

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

const USAGE = `usage: npm run demo [-- --serve]
  runs the demo pipeline on local services and prints a report;
  --serve  then keeps the demo's functions polling their queues until Ctrl-C, so files dropped into
           the demo buckets ship (npm run demo:put -- FILE s3://BUCKET/KEY) and s3ls doctor is all ok
`;

async function main(): Promise<void> {
  let serve = false;
  try {
    const { values } = parseArgs({
      options: { help: { type: "boolean", short: "h" }, serve: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    });
    if (values.help) {
      process.stdout.write(USAGE);
      return;
    }
    serve = values.serve ?? false;
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const started = Date.now();
  process.stdout.write("starting services (first run downloads Elasticsearch and installs moto)…\n");
  const [awsEndpoint, es] = await Promise.all([startMoto(), startElasticsearch("8")]);
  await resetMoto();
  const client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
  await client.indices.delete({ index: `${DEMO_PREFIX}*`, ignore_unavailable: true, allow_no_indices: true });

  // The demo stack's config; the program itself deploys it into the emulator.
  const stack = await deployLocalStack(
    { awsEndpoint, elasticsearch: es },
    {
      // As pulumi up does: each destination's index template first (the local node's administrator).
      elasticsearch: { manageIndices: true, adminVault: { mount: "local", path: "elasticsearch-admin" } },
      defaults: { timeoutSeconds: 30 },
      producers: [
        {
          name: "waf",
          bucket: "demo-central-logs",
          prefix: "AWSLogs/WAFLogs/",
          index: `${DEMO_PREFIX}logs-aws.waf`,
          format: "waf",
        },
        {
          name: "alb",
          bucket: "demo-central-logs",
          prefix: "AWSLogs/elasticloadbalancing/",
          index: `${DEMO_PREFIX}logs-aws.elb`,
          format: "alb",
        },
        {
          name: "vpcflow",
          bucket: "demo-central-logs",
          prefix: "AWSLogs/vpcflowlogs/",
          index: `${DEMO_PREFIX}logs-aws.vpcflow`,
          format: "vpcflow",
        },
        {
          name: "cloudwatch",
          bucket: "demo-central-logs",
          prefix: "firehose/",
          index: `${DEMO_PREFIX}logs-aws.cloudwatch`,
          format: "cloudwatch",
        },
        {
          name: "cloudtrail",
          bucket: "demo-cloudtrail",
          index: `${DEMO_PREFIX}logs-aws.cloudtrail`,
          format: "cloudtrail",
          deadLetterIndex: `${DEMO_PREFIX}logs-shipper-failed`,
        },
      ],
    },
    { stack: "demo", retryBaseDelaySeconds: 5 },
  );
  const pipelines = stack.producers;

  const { s3, sqs } = awsClients(awsEndpoint);
  const uploads: Array<[string, string, Buffer | string]> = [];
  for (let hour = 0; hour < 3; hour += 1)
    uploads.push([
      "demo-central-logs",
      `AWSLogs/WAFLogs/2026/11/27/${10 + hour}/waf-${hour}.log.gz`,
      gzipSync(lines(2_000, hour, wafLine, hour * 2_000)),
    ]);
  for (let part = 0; part < 2; part += 1)
    uploads.push([
      "demo-central-logs",
      `AWSLogs/elasticloadbalancing/2026/11/27/alb ${part}.log`,
      lines(1_500, 100 + part, albLine, part * 1_500),
    ]);
  // A VPC flow log object starts with its header line, as AWS writes it.
  uploads.push([
    "demo-central-logs",
    "AWSLogs/vpcflowlogs/eu-west-1/2026/11/27/123456789012_vpcflowlogs_eu-west-1_fl-0a1b2c3d_20261127T1000Z_demo.log.gz",
    gzipSync(`${VPC_FLOW_HEADER}\n${lines(2_000, 300, vpcFlowLine)}`),
  ]);
  // Firehose's CloudWatch Logs object: one gzip member per subscription record, no separator.
  const random = seededRandom(7);
  uploads.push([
    "demo-central-logs",
    "firehose/2026/11/27/10/demo-app-logs-1-2026-11-27-10-00-00-demo",
    Buffer.concat(
      Array.from({ length: 20 }, (_, record) =>
        gzipSync(cloudWatchRecord(random, record * 50, 50, applicationLogMessage)),
      ),
    ),
  ]);
  uploads.push([
    "demo-cloudtrail",
    "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/27/trail.json.gz",
    gzipSync(JSON.stringify({ Records: Array.from({ length: 500 }, (_, n) => cloudTrailRecord(random, n)) })),
  ]);
  for (const [bucket, key, body] of uploads)
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  process.stdout.write(`uploaded ${uploads.length} objects; shipping…\n`);

  for (const pipeline of pipelines) {
    if (!(await pipeline.poller.drain(300_000)))
      throw new Error(`queue of ${pipeline.producer.name} did not empty in 5 minutes`);
  }

  const report: string[] = ["", "s3-log-shipper demo report", "──────────────────────────"];
  for (const pipeline of pipelines) {
    const index = destinationPatternOf(pipeline.producer.format, pipeline.producer);
    await client.indices.refresh({ index, ignore_unavailable: true });
    const documents = (await client.count({ index, ignore_unavailable: true })).count;
    const objects = pipeline.function.logs.filter((line) => line.includes('"object shipped"')).length;
    const dlq = await queueDepth(sqs, pipeline.deadLetterQueueUrl);
    report.push(
      `${pipeline.producer.name.padEnd(11)} ${plural(objects, "object").padStart(10)} → ${plural(documents, "document").padStart(15)} in ${index.padEnd(28)} DLQ depth ${dlq}`,
    );
  }
  // An ALB line as the function parsed it: the ECS fields a plain cluster can filter on.
  const sampleIndex = `${DEMO_PREFIX}logs-aws.elb`;
  const sample = await client.search<Record<string, unknown>>({
    index: sampleIndex,
    size: 1,
    sort: [{ "@timestamp": "asc" }],
  });
  report.push(
    "",
    `sample document (${sampleIndex}, an ALB access log line parsed into ECS fields):`,
    JSON.stringify(sample.hits.hits[0]?._source, null, 2),
  );
  report.push(
    "",
    `Elasticsearch ${es.version} at ${es.url} (user ${es.username}; password: scripts/services/elasticsearch.sh status 8 names the file); moto at ${awsEndpoint}`,
  );
  // The stack outputs, as `pulumi stack output --json` prints them, plus where the emulator is: the
  // operator commands work on the demo stack while the services run.
  // While serving, the file also names the local event source mapping API (lambdaControlPlane.ts), so
  // `s3ls doctor` sees the mappings enabled; without a host polling there is none to name.
  const writeOutputs = (lambdaEndpoint?: string) => {
    mkdirSync(path.dirname(OUTPUTS_FILE), { recursive: true });
    const outputs = {
      ...stack.outputs,
      emulatorEndpoint: awsEndpoint,
      ...(lambdaEndpoint ? { emulatorLambdaEndpoint: lambdaEndpoint } : {}),
    };
    writeFileSync(OUTPUTS_FILE, `${JSON.stringify(outputs, null, 2)}\n`);
  };
  writeOutputs(serve ? stack.lambdaEndpoint : undefined);
  const outputsFile = path.relative(process.cwd(), OUTPUTS_FILE);
  report.push(
    "",
    `stack outputs in ${outputsFile}; try the operator commands on the demo stack:`,
    `  npx s3ls status --outputs ${outputsFile}`,
    `  npx s3ls dlq list --producer cloudtrail --outputs ${outputsFile}`,
    `  npx s3ls backfill --producer waf --since 2026-11-01 --dry-run --outputs ${outputsFile}`,
    `  npx s3ls trace 's3://demo-central-logs/AWSLogs/elasticloadbalancing/2026/11/27/alb 0.log' --count-lines --outputs ${outputsFile}`,
    `  npx s3ls reship 's3://demo-central-logs/AWSLogs/elasticloadbalancing/2026/11/27/alb 0.log' --outputs ${outputsFile}`,
  );
  report.push(`done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  if (!serve) {
    report.push(
      "The demo's functions stop with it: `npm run demo -- --serve` keeps them polling, so new files ship and `s3ls doctor` is all ok.",
      "Stop the services with scripts/services/elasticsearch.sh stop 8 && scripts/services/moto.sh stop",
    );
    process.stdout.write(`${report.join("\n")}\n`);
    for (const pipeline of pipelines) pipeline.function.kill();
    await client.close();
    return;
  }
  const dropped = "AWSLogs/elasticloadbalancing/2026/11/27/mine.log";
  report.push(
    "",
    "serving: the demo's functions poll their queues until Ctrl-C. Drop a file into a demo bucket and watch it arrive:",
    `  npm run demo:put -- ./some.log 's3://demo-central-logs/${dropped}'`,
    `  npx s3ls trace 's3://demo-central-logs/${dropped}' --count-lines --outputs ${outputsFile}`,
    `  npx s3ls doctor --outputs ${outputsFile}      (every check ok while this runs)`,
    "(a file under AWSLogs/elasticloadbalancing/ is read as ALB access log lines — a line that is none is indexed as text, tagged _shipper_parse_failure —, under AWSLogs/WAFLogs/ as WAF's ndjson.)",
  );
  process.stdout.write(`${report.join("\n")}\n`);
  const stop = new AbortController();
  process.once("SIGINT", () => stop.abort());
  process.once("SIGTERM", () => stop.abort());
  await Promise.all(pipelines.map((pipeline) => pipeline.poller.serve(stop.signal)));
  for (const pipeline of pipelines) pipeline.function.kill();
  // The mapping API goes with this process: doctor would otherwise ask an endpoint that is gone.
  writeOutputs(undefined);
  await client.close();
  process.stdout.write(
    "\nstopped serving. Stop the services with scripts/services/elasticsearch.sh stop 8 && scripts/services/moto.sh stop\n",
  );
}

main().catch((error: unknown) => {
  // The message says what failed (a service script's own last lines included); a stack would bury it.
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
