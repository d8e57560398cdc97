/**
 * Memory tier (run with the integration tier, one file at a time) — memory per function size: the deployed bundle in its own process (a plain
 * JavaScript host, no tsx) with the environment and V8 flags the program writes for that size
 * (NODE_OPTIONS included), one batch of the default size (ten messages) of the worst objects the
 * settings allow — three lines at the line limit each, text, then ndjson lines of many small
 * objects (parsed: the heaviest line per byte) — and then a batch of four 40 MiB json objects. Every line and record is shipped, and the container's peak resident memory (VmHWM)
 * stays under the memory size. The line limit and messages at once are the memory budget's
 * (pipeline/function/memoryBudget.ts) for each size: this is what checks its model against the real peak.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSettings } from "../../lambda/contract/env";
import { validateConfig } from "../../pipeline/validation/config";
import { writeShipperBundle } from "../../pipeline/function/functionBuild";
import { functionEnvironment } from "../../pipeline/function/functionEnvironment";
import { estimatedPeakMiB } from "../../pipeline/function/memoryBudget";
import { LambdaEmulator } from "../../scripts/local/lambdaEmulator";
import { s3Notification, s3Record, sqsEvent, sqsRecord } from "../helpers/events";
import { FakeAws, fakeAwsEnvironment } from "../helpers/fakeAws";
import { FakeElasticsearch } from "../helpers/fakeElasticsearch";

const BUCKET = "acme-memory";
const INDEX = "logs-memory";
const PARAMETER = "/s3-log-shipper/memory/elasticsearch";
const MiB = 1024 * 1024;

const aws = new FakeAws();
const elasticsearch = new FakeElasticsearch();
let awsUrl = "";
let esUrl = "";
beforeAll(async () => {
  awsUrl = await aws.start();
  esUrl = await elasticsearch.start();
});
afterAll(async () => {
  await aws.stop();
  await elasticsearch.stop();
});

/** The function as the program deploys it for `memoryMb`, against the local fakes. */
function deployed(
  memoryMb: number,
  format: "text" | "ndjson" | "json",
): { emulator: LambdaEmulator; maxLineBytes: number; estimatedPeakMiB: number } {
  const { producers, elasticsearch: es } = validateConfig({
    elasticsearch: {
      endpoint: esUrl,
      allowInsecureHttp: true,
      vault: { mount: "secret", path: "memory" },
      manageIndices: false,
    },
    producers: [
      {
        name: "memory",
        bucket: BUCKET,
        index: INDEX,
        format,
        ...(format === "json" ? { recordsField: "Records" } : {}),
        memoryMb,
        timeoutSeconds: 300,
      },
    ],
  });
  const producer = producers[0];
  if (!producer) throw new Error("no producer");
  const environment = {
    ...functionEnvironment({
      producer,
      elasticsearch: es,
      parameterName: PARAMETER,
      queueUrl: "http://127.0.0.1/123456789012/memory",
    }),
    ...fakeAwsEnvironment(awsUrl),
    POWERTOOLS_LOG_LEVEL: "WARN",
  };
  const emulator = new LambdaEmulator({
    bundlePath: writeShipperBundle().file,
    environment,
    timeoutSeconds: 300,
    plainHost: true,
  });
  return {
    emulator,
    maxLineBytes: readSettings(environment).MAX_LINE_BYTES,
    estimatedPeakMiB: Math.ceil(estimatedPeakMiB(producer.memory)),
  };
}

/** A batch of ten notifications, one object each. */
function batchOf(keys: string[]) {
  return sqsEvent(...keys.map((key, n) => sqsRecord(s3Notification(s3Record(BUCKET, key)), { messageId: `m${n}` })));
}

// The smallest size config accepts, the sizes where the budget changes course, and the default.
describe.each([128, 256, 512, 1024])("a %i MB function", (memoryMb) => {
  it("ships a batch of ten objects of three lines at the line limit (text, and ndjson), and a batch of large json objects, within its memory", async () => {
    // Prepare
    aws.resetS3();
    await elasticsearch.reset();
    aws.parameters.set(PARAMETER, JSON.stringify({ username: "shipper", password: "memory-tier" }));
    const text = deployed(memoryMb, "text");
    const line = (tag: string) => `${tag} ${"x".repeat(text.maxLineBytes - tag.length - 1)}`;
    const keys = Array.from({ length: 10 }, (_, n) => `lines/${n}.log`);
    for (const [n, key] of keys.entries())
      aws.putObject(BUCKET, key, [0, 1, 2].map((l) => line(`o${n}l${l}`)).join("\n") + "\n");
    // Act
    const lines = await text.emulator.invoke(batchOf(keys));
    text.emulator.kill();
    // Assess: thirty whole lines, no message failed.
    expect(lines).toEqual({ result: { batchItemFailures: [] } });
    expect(elasticsearch.documents(INDEX)).toHaveLength(30);
    expect(
      elasticsearch.documents(INDEX).every((document) => String(document.message).length === text.maxLineBytes),
    ).toBe(true);

    // Prepare: ndjson lines at the (shorter) limit of parsed lines, made of many small objects, whose
    // parsed value is several times the text: ten objects of three such lines.
    await elasticsearch.reset();
    const ndjson = deployed(memoryMb, "ndjson");
    const item = '{"k":1},';
    const objectLine = (tag: string) =>
      `{"tag":"${tag}","items":[${item.repeat(Math.floor((ndjson.maxLineBytes - tag.length - 40) / item.length))}{"k":1}]}`;
    const objectKeys = Array.from({ length: 10 }, (_, n) => `objects/${n}.ndjson`);
    for (const [n, key] of objectKeys.entries())
      aws.putObject(BUCKET, key, [0, 1, 2].map((l) => objectLine(`o${n}l${l}`)).join("\n") + "\n");
    // Act
    const parsed = await ndjson.emulator.invoke(batchOf(objectKeys));
    ndjson.emulator.kill();
    // Assess: thirty documents, none cut.
    expect(parsed).toEqual({ result: { batchItemFailures: [] } });
    expect(elasticsearch.documents(INDEX)).toHaveLength(30);
    expect(elasticsearch.documents(INDEX).every((document) => !("tags" in document))).toBe(true);

    // Prepare: four CloudTrail files of 40 MiB each (ten messages' worth of memory in a whole-document parse).
    await elasticsearch.reset();
    const json = deployed(memoryMb, "json");
    const record = (n: number) => JSON.stringify({ eventName: "GetObject", n, padding: "p".repeat(1_000) });
    const perObject = Math.ceil((40 * MiB) / record(0).length);
    const trails = Array.from({ length: 4 }, (_, n) => `trails/${n}.json`);
    for (const key of trails)
      aws.putObject(BUCKET, key, `{"Records":[${Array.from({ length: perObject }, (_, n) => record(n)).join(",")}]}`);
    // Act
    const records = await json.emulator.invoke(batchOf(trails));
    json.emulator.kill();
    // Assess
    expect(records).toEqual({ result: { batchItemFailures: [] } });
    expect(elasticsearch.documents(INDEX)).toHaveLength(4 * perObject);

    const peak = Math.max(text.emulator.peakRssBytes, ndjson.emulator.peakRssBytes, json.emulator.peakRssBytes);
    const mib = (bytes: number) => (bytes / MiB).toFixed(0);
    process.stdout.write(
      `memory: ${memoryMb} MB function — text: line limit ${text.maxLineBytes / MiB} MiB, estimate ${text.estimatedPeakMiB} MiB, peak RSS ${mib(text.emulator.peakRssBytes)} MiB; ` +
        `ndjson: line limit ${ndjson.maxLineBytes / MiB} MiB, estimate ${ndjson.estimatedPeakMiB} MiB, peak RSS ${mib(ndjson.emulator.peakRssBytes)} MiB; ` +
        `json: peak RSS ${mib(json.emulator.peakRssBytes)} MiB\n`,
    );
    expect(peak).toBeLessThan(memoryMb * MiB);
  }, 300_000);
});
