/**
 * Fault tier — failures: every object of a message is attempted, permanent and transient failures
 * are told apart (only "downstream unavailable" fails whole invocations), Elasticsearch's odd
 * answers (413, fewer items, a reset after indexing, 401 until rotation) lose and repeat nothing,
 * and a message that keeps failing reaches the DLQ before SQS would expire it.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OBJECTS_PROCESSED } from "../../lambda/contract/metricNames";
import { maxReceiveCountFor } from "../../pipeline/validation/messageLifetime";
import { emittedForProducer } from "../helpers/emf";
import { s3Notification, s3Record, s3TestEvent } from "../helpers/events";
import { BUCKET, CREDENTIALS, DEAD_LETTER_INDEX, FaultWorld, ndjsonObject, textObject } from "../helpers/faultWorld";

const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

/** One message naming several objects (SNS fan-in, EventBridge pipes and custom producers send these). */
function notificationOf(...keys: string[]): string {
  return s3Notification(
    ...keys.map((key) => s3Record(BUCKET, key, { size: world.aws.objects.get(`${BUCKET}/${key}`)?.body.length ?? 0 })),
  );
}

describe("objects outside the producer's filter", () => {
  it("acknowledges them without a GetObject, logged and counted, and ships the object of the same message that is its own", async () => {
    // Prepare: a producer of waf/*.log; a shared topic delivers another producer's object, another
    // bucket's object and a digest beside the wanted one, in one message.
    const scenario = await world.scenario({ producer: { prefix: "waf/", suffix: ".log" } });
    const wanted = ndjsonObject("in-filter", 20);
    world.aws.putObject(BUCKET, "waf/in.log", wanted.content);
    world.aws.putObject(BUCKET, "alb/other.log", ndjsonObject("alb", 5).content);
    world.aws.putObject(BUCKET, "waf/digest.json", "{}");
    scenario.send(
      s3Notification(
        s3Record(BUCKET, "alb/other.log"),
        s3Record("someone-elses-bucket", "waf/x.log"),
        s3Record(BUCKET, "waf/digest.json"),
        s3Record(BUCKET, "waf/in.log"),
      ),
    );
    // Act
    await scenario.run();
    // Assess: one GetObject, for the wanted object only; nothing in the DLQ; a line per object left out.
    expect(world.aws.getObjectRequests.map((request) => request.key)).toEqual(["waf/in.log"]);
    scenario.expectEachLineOnce({ "waf/in.log": wanted.lines });
    expect(scenario.sqs.deadLetters).toEqual([]);
    expect(emittedForProducer(scenario.logs, "ObjectsIgnored", "fault")).toBe(3);
    expect(emittedForProducer(scenario.logs, OBJECTS_PROCESSED, "fault")).toBe(1);
    expect(
      scenario.logged("object outside this producer's filter").map((line) => [line.bucket, line.key, line.filter]),
    ).toEqual([
      [BUCKET, "alb/other.log", `s3://${BUCKET}/waf/*.log`],
      ["someone-elses-bucket", "waf/x.log", `s3://${BUCKET}/waf/*.log`],
      [BUCKET, "waf/digest.json", `s3://${BUCKET}/waf/*.log`],
    ]);
  });
});

describe("every object of a message is attempted", () => {
  it("ships the objects after one that fails, and the message reaches the DLQ naming the failed one", async () => {
    // Prepare: the first object is gone (deleted after the notification), the next two are fine.
    const scenario = await world.scenario();
    const one = ndjsonObject("after-1", 100);
    const two = ndjsonObject("after-2", 100);
    world.aws.putObject(BUCKET, "one.log", one.content);
    world.aws.putObject(BUCKET, "two.log", two.content);
    scenario.send(notificationOf("gone.log", "one.log", "two.log"));

    // Act
    const result = await scenario.run();

    // Assess: the good objects landed once (their redeliveries answered 409), the message is in the DLQ.
    scenario.expectEachLineOnce(
      { "one.log": one.lines, "two.log": two.lines, "gone.log": [] },
      { inDeadLetterQueue: ["gone.log"] },
    );
    expect(scenario.deadLetterReasons()).toEqual([
      expect.stringMatching(/^s3:\/\/acme-fault-logs\/gone\.log: ObjectReadError: GetObject failed: NoSuchKey/),
    ]);
    expect(scenario.logged("object shipped").filter((line) => line.key === "one.log").length).toBe(5); // every receive tried it
    expect(result.invocationErrors).toBe(0);
  });
});

describe("failure classes", () => {
  it("fails a json object without the configured recordsField (a digest beside the trail) for good, and ships the trail file", async () => {
    const scenario = await world.scenario({ producer: { format: "json", recordsField: "Records" } });
    world.aws.putObject(BUCKET, "trail.json", JSON.stringify({ Records: [{ eventName: "A" }, { eventName: "B" }] }));
    world.aws.putObject(BUCKET, "digest.json", JSON.stringify({ awsAccountId: "111122223333", logFiles: [] }));
    scenario.send(notificationOf("trail.json"));
    scenario.send(notificationOf("digest.json"));
    await scenario.run();
    expect(scenario.documents("trail.json")).toHaveLength(2);
    expect(scenario.documents("digest.json")).toHaveLength(0);
    expect(scenario.deadLetterReasons()).toEqual([
      expect.stringMatching(
        /^s3:\/\/acme-fault-logs\/digest\.json: ObjectFormatError: the JSON document has no array "Records"/,
      ),
    ]);
  });

  it("fails an object S3 cannot decrypt for the function for good, naming objectKmsKeyArns, and a plain AccessDenied without that hint", async () => {
    // Prepare: how S3 answers when the role may not use the object's key (AccessDenied naming the
    // kms: action, the form users report it in) and when the key is disabled.
    const scenario = await world.scenario({ batchSize: 10 });
    for (const key of ["kms-denied.log", "kms-disabled.log", "plain-denied.log"])
      world.aws.putObject(BUCKET, key, ndjsonObject(key, 3).content);
    world.aws.deny(BUCKET, "kms-denied.log", {
      status: 403,
      code: "AccessDenied",
      message:
        "User: arn:aws:sts::123456789012:assumed-role/fault-role/fault is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:eu-west-1:210987654321:key/0a1b2c3d-1111-2222-3333-444455556666 because no resource-based policy allows the kms:Decrypt action",
    });
    world.aws.deny(BUCKET, "kms-disabled.log", {
      status: 400,
      code: "KMS.DisabledException",
      message: "arn:aws:kms:eu-west-1:210987654321:key/0a1b2c3d-1111-2222-3333-444455556666 is disabled.",
    });
    world.aws.deny(BUCKET, "plain-denied.log");
    for (const key of ["kms-denied.log", "kms-disabled.log", "plain-denied.log"]) scenario.send(notificationOf(key));
    // Act
    await scenario.run();
    // Assess: each in the DLQ after its first receive (permanent), the KMS ones saying what to set.
    const reasons = new Map(
      scenario
        .deadLetterReasons()
        .map((reason) => [reason.split(":")[1]?.replace(/^\/\/acme-fault-logs\//, ""), reason]),
    );
    expect(reasons.get("kms-denied.log")).toMatch(
      /AccessDenied: User: .* kms:Decrypt .*; the object is encrypted with a KMS key .*objectKmsKeyArns/,
    );
    expect(reasons.get("kms-disabled.log")).toMatch(
      /KMS\.DisabledException: .*is disabled\.; the object is encrypted with a KMS key .*objectKmsKeyArns/,
    );
    expect(reasons.get("plain-denied.log")).toMatch(/GetObject failed: AccessDenied: Access Denied$/);
    expect(scenario.logged("message failed").every((line) => line.transient === false)).toBe(true);
  });

  it("fails a batch of only permanent failures item by item, never the whole invocation, each in the DLQ with its reason", async () => {
    // Prepare: object gone, access denied, version gone, corrupt gzip, a document Elasticsearch refuses (no dead-letter index).
    const scenario = await world.scenario({ batchSize: 10 });
    world.aws.putObject(BUCKET, "denied.log", ndjsonObject("denied", 3).content);
    world.aws.deny(BUCKET, "denied.log");
    world.aws.putObject(BUCKET, "versioned.log", ndjsonObject("versioned", 3).content);
    const corrupt = gzipSync(ndjsonObject("corrupt", 50).content);
    corrupt[corrupt.length - 20] = (corrupt[corrupt.length - 20] as number) ^ 0xff;
    world.aws.putObject(BUCKET, "corrupt.log.gz", corrupt);
    world.aws.putObject(BUCKET, "refused.log", '{"n":"not a number"}\n');
    world.elasticsearch.itemBehaviour = (item) =>
      item.source.n === "not a number"
        ? { status: 400, type: "document_parsing_exception", reason: "failed to parse field [n] of type [long]" }
        : undefined;
    scenario.send(notificationOf("gone.log"));
    scenario.send(notificationOf("denied.log"));
    scenario.send(s3Notification(s3Record(BUCKET, "versioned.log", { versionId: "no-such-version" })));
    scenario.send(notificationOf("corrupt.log.gz"));
    scenario.send(notificationOf("refused.log"));

    // Act
    const result = await scenario.run();

    // Assess
    expect(result.invocationErrors).toBe(0);
    expect(scenario.deadLetterReasons().sort()).toEqual([
      expect.stringMatching(
        /^s3:\/\/acme-fault-logs\/corrupt\.log\.gz: ObjectFormatError: gzip member at compressed byte 0: /,
      ),
      expect.stringMatching(/^s3:\/\/acme-fault-logs\/denied\.log: ObjectReadError: GetObject failed: AccessDenied/),
      expect.stringMatching(/^s3:\/\/acme-fault-logs\/gone\.log: ObjectReadError: GetObject failed: NoSuchKey/),
      expect.stringMatching(
        /^s3:\/\/acme-fault-logs\/refused\.log: Elasticsearch refused 1 documents for good and no deadLetterIndex is configured: 400 document_parsing_exception/,
      ),
      expect.stringMatching(
        /^s3:\/\/acme-fault-logs\/versioned\.log: ObjectReadError: GetObject failed: NoSuchVersion/,
      ),
    ]);
    expect(scenario.logged("message failed").every((line) => line.transient === false)).toBe(true);
  });

  it("fails whole invocations while Elasticsearch is down (the function-errors alarm), then ships everything once", async () => {
    const scenario = await world.scenario({ contextMs: 3_000 });
    world.elasticsearch.requestBehaviour = (number) =>
      number <= 6 ? { kind: "status", status: 503 } : { kind: "normal" };
    const { content, lines } = ndjsonObject("outage", 300);
    scenario.putAndNotify("outage.log", content);

    const result = await scenario.run();

    expect(result.invocationErrors).toBeGreaterThan(0);
    expect(scenario.logged("message failed").every((line) => line.transient === true)).toBe(true);
    scenario.expectEachLineOnce({ "outage.log": lines });
  }, 60_000);

  it("retries S3 throttling and 5xx, then ships", async () => {
    const scenario = await world.scenario();
    const { content, lines } = textObject("throttled", 300);
    world.aws.putObject(BUCKET, "throttled.log", content);
    world.aws.s3Fault = (_request, number) =>
      number <= 2 ? { kind: "status", status: 503, code: "SlowDown" } : undefined;
    scenario.notify("throttled.log");

    await scenario.run();

    scenario.expectEachLineOnce({ "throttled.log": lines });
  });

  it("acknowledges a test event and dead-letters an unrecognised body with its start in the reason", async () => {
    const scenario = await world.scenario();
    scenario.send(s3TestEvent(BUCKET));
    scenario.send(JSON.stringify({ hello: "world" }));

    const result = await scenario.run();

    expect(result.invocationErrors).toBe(0);
    expect(scenario.deadLetterReasons()).toEqual([
      expect.stringContaining(
        'unrecognised message: not an S3 notification, SNS envelope, EventBridge event or continuation; body starts: {"hello":"world"}',
      ),
    ]);
  });
});

describe("Elasticsearch's odd answers", () => {
  it("splits requests refused as too large (413, sent before the body was read, as Elasticsearch does) until they fit", async () => {
    // Prepare: 16 MiB requests against a 1 MiB limit (nginx's default); the 413 goes out on the
    // headers, so the client, still writing, sees a closed connection and not the status.
    const scenario = await world.scenario({
      producer: { format: "text" },
      environment: { ES_BULK_MAX_BYTES: 16 * 1024 * 1024, ES_BULK_MAX_DOCUMENTS: 100_000 },
    });
    world.elasticsearch.maxBodyBytes = 1024 * 1024;
    const { content, lines } = textObject("split", 40_000);
    scenario.putAndNotify("split.log", content);

    await scenario.run();

    scenario.expectEachLineOnce({ "split.log": lines });
    expect(scenario.sqs.deadLetters).toEqual([]);
    // About one refusal per halving of each of the two requests in flight, not one per group: the
    // limit learnt applies to everything sent after it. Each refusal is logged.
    const refused = world.elasticsearch.refusedSizes;
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(2 * (Math.ceil(Math.log2(Math.max(...refused) / (1024 * 1024))) + 1));
    expect(scenario.logged("bulk request refused as too large, sent again in smaller requests").length).toBe(
      refused.length,
    );
  });

  it("dead-letters a single document that is still too large, truncated, and ships the rest", async () => {
    const scenario = await world.scenario({ producer: { format: "text", deadLetterIndex: DEAD_LETTER_INDEX } });
    world.elasticsearch.maxBodyBytes = 256 * 1024;
    const before = textObject("small-before", 100);
    const after = textObject("small-after", 100);
    const huge = `huge ${"x".repeat(400 * 1024)}`;
    scenario.putAndNotify("huge.log", before.content + huge + "\n" + after.content);

    await scenario.run();

    scenario.expectEachLineOnce({ "huge.log": [...before.lines, ...after.lines] });
    const [letter] = scenario.documents("huge.log", DEAD_LETTER_INDEX);
    expect(letter).toMatchObject({
      error: { code: "413", type: "request_entity_too_large" },
      tags: ["_shipper_truncated"],
      labels: { original_characters: String(huge.length) },
    });
    expect(String(letter?.message)).toBe(huge.slice(0, 32 * 1024));
    expect(scenario.sqs.deadLetters).toEqual([]);
  });

  it("dead-letters a single document of several MB that Elasticsearch refuses on the headers, after a second try", async () => {
    const scenario = await world.scenario({ producer: { format: "text", deadLetterIndex: DEAD_LETTER_INDEX } });
    world.elasticsearch.maxBodyBytes = 4 * 1024 * 1024;
    const small = textObject("around-the-big-one", 50);
    const big = `big ${"y".repeat(7 * 1024 * 1024)}`;
    scenario.putAndNotify("big-line.log", small.content + big + "\n");

    await scenario.run();

    scenario.expectEachLineOnce({ "big-line.log": small.lines });
    expect(scenario.documents("big-line.log", DEAD_LETTER_INDEX)).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ code: "413" }), tags: ["_shipper_truncated"] }),
    ]);
    expect(scenario.sqs.deadLetters).toEqual([]);
  });

  it("fails the message of a document too large without a dead-letter index, naming the object and why", async () => {
    const scenario = await world.scenario({ producer: { format: "text" } });
    world.elasticsearch.maxBodyBytes = 256 * 1024;
    const small = textObject("small", 100);
    scenario.putAndNotify("huge.log", small.content + `huge ${"x".repeat(400 * 1024)}\n`);

    const result = await scenario.run();

    expect(result.invocationErrors).toBe(0);
    scenario.expectEachLineOnce({ "huge.log": small.lines }, { inDeadLetterQueue: ["huge.log"] });
    expect(scenario.deadLetterReasons()).toEqual([
      expect.stringMatching(
        /^s3:\/\/acme-fault-logs\/huge\.log: Elasticsearch refused 1 documents for good and no deadLetterIndex is configured: 413 request_entity_too_large: a request holding only this document/,
      ),
    ]);
  });

  it("sends a request again when the answer lists fewer items than documents (a faulty proxy)", async () => {
    const scenario = await world.scenario();
    world.elasticsearch.requestBehaviour = (number) => (number === 1 ? { kind: "dropLast" } : { kind: "normal" });
    const { content, lines } = ndjsonObject("proxy", 200);
    scenario.putAndNotify("proxy.log", content);

    await scenario.run();

    scenario.expectEachLineOnce({ "proxy.log": lines });
  });

  it("repeats nothing when Elasticsearch indexed a request but the connection reset before the answer", async () => {
    const scenario = await world.scenario();
    world.elasticsearch.requestBehaviour = (number) =>
      number === 1 ? { kind: "resetAfterIndexing" } : { kind: "normal" };
    const { content, lines } = ndjsonObject("reset", 200);
    scenario.putAndNotify("reset.log", content);

    await scenario.run();

    scenario.expectEachLineOnce({ "reset.log": lines });
    expect(scenario.logged("object shipped")[0]).toMatchObject({ indexed: 0, duplicates: 200 });
  });

  it("picks up rotated credentials after a 401, and never logs either password", async () => {
    // Prepare: Elasticsearch already accepts only the new password; SSM still holds the old one.
    const scenario = await world.scenario({ contextMs: 3_000 });
    const rotated = { username: CREDENTIALS.username, password: "rotated-password-91c2" };
    const basic = (credentials: { username: string; password: string }): string =>
      `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
    world.elasticsearch.acceptsAuthorization = (header) => header === basic(rotated);
    const { content, lines } = ndjsonObject("rotation", 100);
    scenario.putAndNotify("rotation.log", content);
    await scenario.run(1);
    expect(scenario.logged("message failed")).toEqual([
      expect.objectContaining({ reason: expect.stringContaining("401") }),
    ]);

    // Act: `pulumi up` writes the new value into SSM.
    world.aws.parameters.set("/s3-log-shipper/fault/elasticsearch", JSON.stringify(rotated));
    await scenario.run();

    // Assess
    scenario.expectEachLineOnce({ "rotation.log": lines });
    expect(scenario.output).not.toContain(rotated.password);
  }, 30_000);
});

describe("a message that keeps failing", () => {
  it("reaches the DLQ with a week to spare at the most receives config allows, even when pacing fails", async () => {
    // Prepare: the longest timeout and the most receives it allows; ChangeMessageVisibility refused,
    // so every receive waits the whole 90-minute visibility timeout.
    const maxReceiveCount = maxReceiveCountFor(900, 3_600);
    const scenario = await world.scenario({ producer: { timeoutSeconds: 900, maxReceiveCount } });
    scenario.sqs.pacingFails = true;
    scenario.send("not json at all");

    // Act
    const result = await scenario.run(maxReceiveCount + 5);

    // Assess: every receive failed it, the DLQ has it, and holds it for at least 7 more days.
    expect(result.invocations).toBe(maxReceiveCount);
    const [letter] = scenario.sqs.deadLetters;
    expect(letter?.receiveCount).toBe(maxReceiveCount);
    expect(scenario.sqs.deadLettersAt((letter?.movedAt ?? 0) + 7 * 24 * 3600 * 1000)).toHaveLength(1);
    expect(scenario.logged("message failed").at(-1)).toMatchObject({
      pacingError: expect.stringContaining("ServiceUnavailable"),
    });
  }, 60_000);
});

describe("a batch larger than one invocation can ship", () => {
  it("hands on the messages it had no time to start instead of failing them, so none reaches the DLQ", async () => {
    // Prepare: one message at a time, Elasticsearch slow, ten objects that each take most of a second.
    const scenario = await world.slowScenario({ delayMs: 300, environment: { MESSAGE_CONCURRENCY: 1 } });
    const objects = Array.from({ length: 10 }, (_, n) => ({
      key: `batch-${n}.log`,
      ...ndjsonObject(`batch${n}`, 1_000),
    }));
    for (const object of objects) world.aws.putObject(BUCKET, object.key, object.content);
    scenario.notify(...objects.map((object) => object.key));

    // Act
    await scenario.run();

    // Assess: nothing failed for want of time; every line once.
    expect(scenario.sqs.deadLetters).toEqual([]);
    expect(scenario.logged("message failed")).toEqual([]);
    expect(
      scenario.logs.some(
        (line) =>
          line.message === "message continued in a new message" &&
          line.reason === "time short before the message was started",
      ),
    ).toBe(true);
    scenario.expectEachLineOnce(Object.fromEntries(objects.map((object) => [object.key, object.lines])));
  }, 120_000);
});

describe("metrics", () => {
  it("emits ObjectsProcessed with exactly the dimensions the silence alarm watches", async () => {
    const scenario = await world.scenario();
    for (const key of ["m1.log", "m2.log", "m3.log"]) world.aws.putObject(BUCKET, key, ndjsonObject(key, 10).content);
    scenario.notify("m1.log", "m2.log", "m3.log");

    await scenario.run();

    expect(emittedForProducer(scenario.logs, OBJECTS_PROCESSED, "fault")).toBe(3);
    expect(emittedForProducer(scenario.logs, OBJECTS_PROCESSED, "another-producer")).toBe(0);
  });
});
