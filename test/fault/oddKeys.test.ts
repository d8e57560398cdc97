/**
 * Fault tier — odd keys on every notification route (issue 31): objects whose keys read as one
 * another when decoded once too often (`a+b` / `a b`, `x%2By` / `x+y`, `caf%C3%A9` / `café`) all
 * live in the bucket, so a key read wrongly ships the wrong object instead of failing. Through the
 * bucket's notification and SNS, S3 form-encodes the key; through EventBridge it does not.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ODD_KEYS } from "../helpers/events";
import { BUCKET, FaultWorld, ndjsonObject } from "../helpers/faultWorld";

const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

describe.each(["bucket", "sns", "eventbridge"] as const)("odd keys notified through %s", (route) => {
  it("ships each object under its own key, once, and no other", async () => {
    // Prepare: every odd key in the bucket, each with lines naming it.
    const scenario = await world.scenario();
    const expected: Record<string, string[]> = {};
    for (const key of ODD_KEYS) {
      const object = ndjsonObject(key, 5);
      world.aws.putObject(BUCKET, key, object.content);
      expected[key] = object.lines;
    }
    for (const key of ODD_KEYS) scenario.notifyThrough(route, key);

    // Act
    await scenario.run();

    // Assess: one GetObject per key, each for itself; every line once under its own key; no DLQ.
    expect(world.aws.getObjectRequests.map((request) => request.key).sort()).toEqual([...ODD_KEYS].sort());
    scenario.expectEachLineOnce(expected);
    expect(scenario.sqs.deadLetters).toEqual([]);
  });
});
