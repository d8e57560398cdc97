/** The warning that deduplication across rollovers is off: once per invocation and reason, never silent for a new reason. */
import type { Logger } from "@aws-lambda-powertools/logger";
import { describe, expect, it, vi } from "vitest";
import { invocationEvents, ObjectShippingEvents } from "../../../../lambda/contract/events";

describe("heldIdsUnavailable", () => {
  it("says each reason once per invocation: a missing read privilege is one line, a timeout on another object its own", () => {
    const warn = vi.fn();
    const events = () => new ObjectShippingEvents({ warn } as unknown as Logger);
    invocationEvents.started("waf");
    events().heldIdsUnavailable("the credential may not read logs-waf (403)");
    events().heldIdsUnavailable("the credential may not read logs-waf (403)");
    events().heldIdsUnavailable("timed out after 2000 ms");
    expect(warn.mock.calls.map(([, fields]) => (fields as { reason: string }).reason)).toEqual([
      "the credential may not read logs-waf (403)",
      "timed out after 2000 ms",
    ]);
    invocationEvents.started("waf");
    events().heldIdsUnavailable("the credential may not read logs-waf (403)");
    expect(warn).toHaveBeenCalledTimes(3);
  });
});
