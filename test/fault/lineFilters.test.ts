/**
 * Fault tier — include/exclude filters through the function as deployed (its environment written
 * by the program): dropped lines are counted and change nothing about the lines kept — their ids,
 * their offsets, the continuations that carry the object across invocations.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultWorld, INDEX, textObject } from "../helpers/faultWorld";

const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

/** Each stored document's id and offset, by its line. */
function placesByLine(): Map<string, { id: string; offset: number }> {
  const stored = world.elasticsearch.stored.get(INDEX) ?? new Map<string, Record<string, unknown>>();
  return new Map(
    [...stored].map(([id, document]) => [
      String(document.message),
      { id, offset: (document.log as { offset: number }).offset },
    ]),
  );
}

/** An access log: every fifth request a health check, every seventh from the load balancer's own address. */
function accessLog(count: number): { content: string; lines: string[] } {
  const lines = Array.from(
    { length: count },
    (_, n) =>
      `10.0.${n % 7 === 0 ? "255.1" : "0.9"} GET ${n % 5 === 0 ? "/health" : `/page/${n}`} 200 req#${n} ${"p".repeat(60)}`,
  );
  return { content: lines.join("\n") + "\n", lines };
}

describe("include/exclude", () => {
  it("ships the lines an include matches and no exclude does, across continuations, with the ids of an unfiltered run", async () => {
    // Prepare: slow Elasticsearch, so the object takes several invocations.
    const scenario = await world.slowScenario({
      producer: { format: "text", include: ["GET /(page|health)"], exclude: ["GET /health\\b", "^10\\.0\\.255\\."] },
      documentsPerRequest: 200,
      delayMs: 300,
    });
    const log = accessLog(3_000);
    scenario.putAndNotify("access.log", log.content);
    // Act
    const result = await scenario.run();
    // Assess: exactly the kept lines, each once, each with the id of its own offset in the object.
    const kept = log.lines.filter((_, n) => n % 5 !== 0 && n % 7 !== 0);
    expect(result.invocations).toBeGreaterThan(1);
    scenario.expectEachLineOnce({ "access.log": kept });
    const filtered = placesByLine();
    expect(filtered.size).toBe(kept.length);
    // Counted: in the object lines, summed over the continuations.
    const dropped = scenario
      .logged("object shipped")
      .concat(scenario.logged("object continued"))
      .reduce((total, line) => total + Number(line.linesDropped ?? 0), 0);
    expect(dropped).toBe(log.lines.length - kept.length);

    // The same object unfiltered: every kept line has the same id and offset there.
    const unfiltered = await world.scenario({ producer: { format: "text" } });
    unfiltered.putAndNotify("access.log", log.content);
    await unfiltered.run();
    const everyLine = placesByLine();
    expect(everyLine.size).toBe(log.lines.length);
    for (const [line, place] of filtered) expect(everyLine.get(line), line).toEqual(place);
  }, 120_000);

  it("filters json records on their JSON text", async () => {
    const scenario = await world.scenario({
      producer: { format: "json", recordsField: "Records", exclude: ['"eventName":"Describe'] },
    });
    const records = Array.from({ length: 30 }, (_, n) => ({
      line: `trail#${n}`,
      eventName: n % 3 === 0 ? "DescribeInstances" : "RunInstances",
    }));
    scenario.putAndNotify("trail.json", JSON.stringify({ Records: records }));
    await scenario.run();
    scenario.expectEachLineOnce({
      "trail.json": records.filter((record) => record.eventName === "RunInstances").map((record) => record.line),
    });
    expect(scenario.logged("object shipped")[0]).toMatchObject({ records: 30, linesDropped: 10, indexed: 20 });
  });

  it("gets through a line an expression would backtrack on for hours in a RegExp (RE2 matches in linear time)", async () => {
    // (a+)+$ against "aaaa…a!" backtracks exponentially in a backtracking engine.
    const scenario = await world.scenario({ producer: { format: "text", exclude: ["(a+)+$"] } });
    const line = `${"a".repeat(200_000)}!`;
    const tail = textObject("after", 3);
    scenario.putAndNotify("evil.log", `${line}\n${tail.content}`);
    await scenario.run();
    // The long line does not end in a's: kept, like the others ("(a+)+$" matches none of them).
    expect(world.elasticsearch.documents(INDEX)).toHaveLength(4);
  }, 30_000);
});
