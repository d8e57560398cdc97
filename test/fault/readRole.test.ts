/**
 * Fault tier — reading through a bucket owner's role (`readRoleArn`): the function assumes it for
 * S3 reads, the SDK renews its credentials as they expire (also in the middle of an object), and a
 * refused or throttled AssumeRole fails the message with a reason instead of losing it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FaultWorld, ndjsonObject } from "../helpers/faultWorld";

const READ_ROLE = "arn:aws:iam::222233334444:role/s3-log-shipper-reader";
const world = new FaultWorld();
beforeAll(() => world.start());
afterAll(() => world.stop());

describe("reads through a bucket owner's role", () => {
  it("renews the role's credentials when they expire in the middle of an object, and ships it once", async () => {
    // Prepare: credentials good for 2 s (under the SDK's 5-minute margin: renewed for every
    // request), and S3 cuts the first read so the object is finished with a second, ranged GET.
    const scenario = await world.scenario({ producer: { readRoleArn: READ_ROLE } });
    world.aws.assumedCredentialsLifetimeMs = 2_000;
    world.aws.s3Fault = (_request, number) => (number === 1 ? { kind: "cut", afterBytes: 60_000 } : undefined);
    const { content, lines } = ndjsonObject("assumed", 2_000);
    scenario.putAndNotify("assumed.log", content);
    // Act
    await scenario.run();
    // Assess: each GET signed with freshly assumed credentials, the session named for the producer.
    const keys = world.aws.getObjectRequests.map((request) => request.accessKeyId);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys.every((key) => key?.startsWith("ASIAFAKE"))).toBe(true);
    expect(new Set(keys).size).toBe(keys.length);
    expect(world.aws.assumeRoleCalls[0]).toEqual({ roleArn: READ_ROLE, sessionName: "s3-log-shipper-fault" });
    scenario.expectEachLineOnce({ "assumed.log": lines });
  });

  it("fails the message while STS throttles AssumeRole, naming it, and ships the object once STS answers", async () => {
    const scenario = await world.scenario({ producer: { readRoleArn: READ_ROLE } });
    world.aws.stsFault = (number) => (number <= 2 ? { status: 400, code: "Throttling" } : undefined);
    const { content, lines } = ndjsonObject("throttled", 50);
    scenario.putAndNotify("throttled.log", content);
    await scenario.run();
    expect(scenario.logged("message failed")[0]).toMatchObject({
      transient: true,
      reason: expect.stringContaining("Throttling"),
    });
    scenario.expectEachLineOnce({ "throttled.log": lines });
  });

  it("fails the message for good when the role cannot be assumed, naming the refusal", async () => {
    const scenario = await world.scenario({ producer: { readRoleArn: READ_ROLE } });
    world.aws.stsFault = () => ({ status: 403, code: "AccessDenied" });
    scenario.putAndNotify("refused.log", ndjsonObject("refused", 5).content);
    await scenario.run();
    expect(world.aws.getObjectRequests).toEqual([]);
    expect(scenario.deadLetterReasons()).toEqual([
      expect.stringMatching(/^s3:\/\/acme-fault-logs\/refused\.log: ObjectReadError: GetObject failed: .*AccessDenied/),
    ]);
    expect(scenario.logged("message failed").every((line) => line.transient === false)).toBe(true);
  });
});
