/**
 * Fault tier — multiline events through the function as deployed (its environment written by the
 * program): Java stack traces across several invocations, while Elasticsearch is slow, so that
 * continuations fall mid-object. A continuation never splits an event; every event is one document,
 * once, with the id an uninterrupted run gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultWorld, INDEX } from "../helpers/faultWorld";

const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

const JAVA_TRACES = { pattern: "^\\s+at |^Caused by:", match: "after" };

/** An application log: every third record an exception with a stack trace of 3–12 frames. */
function applicationLog(count: number): { content: string; events: string[] } {
  const events = Array.from({ length: count }, (_, n) => {
    const head = `2026-12-04T10:00:${String(n % 60).padStart(2, "0")}Z ${n % 3 === 0 ? "ERROR" : "INFO"} request#${n} ${"x".repeat(40)}`;
    if (n % 3 !== 0) return head;
    const frames = Array.from(
      { length: 3 + (n % 10) },
      (_, f) => `    at com.acme.Handler${f}.handle(Handler${f}.java:${n + f})`,
    );
    return [
      head,
      ...frames,
      `Caused by: java.io.IOException: request#${n}`,
      "    at java.base/java.io.File.read(File.java:1)",
    ].join("\n");
  });
  return { content: `${events.join("\n")}\n`, events };
}

/** Each stored document's id and offset, by its message. */
function placesByEvent(): Map<string, { id: string; offset: number }> {
  const stored = world.elasticsearch.stored.get(INDEX) ?? new Map<string, Record<string, unknown>>();
  return new Map(
    [...stored].map(([id, document]) => [
      String(document.message),
      { id, offset: (document.log as { offset: number }).offset },
    ]),
  );
}

describe("multiline", () => {
  it("ships each stack trace as one document, across continuations, with the ids of an uninterrupted run", async () => {
    // Prepare: slow Elasticsearch and small requests, so the object takes several invocations.
    const scenario = await world.slowScenario({
      producer: { format: "text", multiline: JAVA_TRACES },
      documentsPerRequest: 100,
      delayMs: 300,
    });
    const log = applicationLog(1_500);
    scenario.putAndNotify("app.log", log.content);
    // Act
    const result = await scenario.run();
    // Assess: every event whole and once, none split by a continuation.
    expect(result.invocations).toBeGreaterThan(1);
    expect(scenario.logged("object continued").length).toBeGreaterThan(0);
    scenario.expectEachLineOnce({ "app.log": log.events });
    const interrupted = placesByEvent();
    expect(interrupted.size).toBe(log.events.length);
    expect(
      scenario
        .logged("object shipped")
        .concat(scenario.logged("object continued"))
        .reduce((sum, line) => sum + Number(line.records ?? 0), 0),
    ).toBe(log.events.length);

    // The same object in one go: every event has the same id and offset.
    const whole = await world.scenario({ producer: { format: "text", multiline: JAVA_TRACES } });
    whole.putAndNotify("app.log", log.content);
    await whole.run();
    const uninterrupted = placesByEvent();
    for (const [event, place] of interrupted) expect(uninterrupted.get(event), event.slice(0, 60)).toEqual(place);
  }, 120_000);

  it("cuts an event over maxLines into tagged parts and ships every line", async () => {
    const scenario = await world.scenario({
      producer: { format: "text", multiline: { ...JAVA_TRACES, maxLines: 50 } },
    });
    const frames = Array.from({ length: 120 }, (_, f) => `    at com.acme.Deep.recurse(Deep.java:${f})`);
    scenario.putAndNotify(
      "deep.log",
      ["2026-12-04T10:00:00Z ERROR StackOverflowError", ...frames, "2026-12-04T10:00:01Z INFO after"].join("\n"),
    );

    await scenario.run();

    const documents = world.elasticsearch.documents(INDEX);
    expect(documents.map((document) => String(document.message).split("\n").length)).toEqual([50, 50, 21, 1]);
    expect(documents.slice(0, 3).every((document) => (document.tags as string[]).includes("_shipper_truncated"))).toBe(
      true,
    );
    expect(documents[3]?.tags).toBeUndefined();
    expect(
      documents
        .map((document) => String(document.message))
        .join("\n")
        .split("\n"),
    ).toHaveLength(122);
  });
});
