/** The indexer's decisions, one table each: what a status or a failed request means, and when to wait. */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_RETRY,
  EARLY_ANSWER_MIN_BYTES,
  itemOutcome,
  learntLimit,
  MIN_BULK_MAX_BYTES,
  MIN_REQUEST_TIMEOUT_MS,
  nextGroupEnd,
  nextRetryDelay,
  requestFailure,
  requestTimeout,
} from "../../../../lambda/bulk/decisions";
import { BulkRequestError } from "../../../../lambda/bulk/wire";

describe("itemOutcome", () => {
  it.each([
    [200, "created"],
    [201, "created"],
    [409, "duplicate"],
    [429, "retry"],
    [500, "retry"],
    [503, "retry"],
    [400, "refused"],
    [404, "refused"],
    [413, "refused"],
  ] as const)("status %i → %s", (status, outcome) => {
    expect(itemOutcome(status)).toBe(outcome);
  });

  it("retries an item whose ingest pipeline does not exist (the stack's configuration), and refuses one the pipeline failed", () => {
    const missing = { type: "illegal_argument_exception", reason: "pipeline with id [geoip-waf] does not exist" };
    expect(itemOutcome(400, missing)).toBe("retry");
    const failed = { type: "illegal_argument_exception", reason: "field [client.ip] not present as part of path" };
    expect(itemOutcome(400, failed)).toBe("refused");
    expect(itemOutcome(400, { type: "mapper_parsing_exception", reason: "pipeline with id [x] does not exist" })).toBe(
      "refused",
    );
  });
});

describe("requestFailure", () => {
  const large = EARLY_ANSWER_MIN_BYTES + 1;
  const early = new BulkRequestError("Connection closed while reading the body", undefined, true, {
    answeredEarly: true,
  });
  it.each([
    ["a 413", new BulkRequestError("too large", 413, false), 1_000, 1, 0, "tooLarge"],
    ["a 429", new BulkRequestError("busy", 429, true), large, 10, 0, "retry"],
    ["a 502", new BulkRequestError("bad gateway", 502, true), large, 10, 0, "retry"],
    ["a 401 after a credentials refresh", new BulkRequestError("unauthorized", 401, false), large, 10, 0, "giveUp"],
    ["a connection refused", new BulkRequestError("ECONNREFUSED", undefined, true), large, 10, 0, "retry"],
    ["an early answer to a large body of several documents", early, large, 2, 1, "tooLarge"],
    ["a first early answer to a large single document", early, large, 1, 1, "retry"],
    ["a second early answer in a row to a large single document", early, large, 1, 2, "tooLarge"],
    ["an early answer to a small body", early, EARLY_ANSWER_MIN_BYTES, 50, 3, "retry"],
    ["anything that is not a bulk request error", new TypeError("bug"), large, 10, 0, "giveUp"],
  ] as const)("%s → %s", (_name, error, bytes, documents, earlyAnswers, outcome) => {
    expect(requestFailure(error, bytes, documents, earlyAnswers)).toBe(outcome);
  });
});

describe("nextRetryDelay", () => {
  const middle = () => 0.5;
  it.each([
    // attempt, now, deadline, delay (base 250 ms, max 8 s, equal jitter at 0.5 → ¾ of the exponential)
    [1, 0, undefined, 188],
    [2, 0, undefined, 375],
    [5, 0, undefined, 3_000],
    [6, 0, undefined, undefined], // attempts ran out
    [3, 0, 700, undefined], // 750 ms would end past the deadline
    [3, 0, 750, 750],
  ] as const)("attempt %i at %i with deadline %s → %s", (attempt, now, deadline, expected) => {
    expect(nextRetryDelay(attempt, DEFAULT_RETRY, now, deadline, middle)).toBe(expected);
  });
});

describe("requestTimeout", () => {
  it.each([
    [undefined, 0, undefined],
    [10_000, 4_000, 6_000],
    [10_000, 9_900, MIN_REQUEST_TIMEOUT_MS],
    [10_000, 20_000, MIN_REQUEST_TIMEOUT_MS],
  ] as const)("deadline %s at %i → %s", (deadline, now, expected) => {
    expect(requestTimeout(deadline, now)).toBe(expected);
  });
});

describe("learntLimit", () => {
  it.each([
    [5 * 1024 * 1024, 5 * 1024 * 1024, 2.5 * 1024 * 1024, 2.5 * 1024 * 1024],
    [5 * 1024 * 1024, 1024 * 1024, 2.5 * 1024 * 1024, 1024 * 1024], // an earlier, smaller limit stays
    [100 * 1024, 5 * 1024 * 1024, 50 * 1024, MIN_BULK_MAX_BYTES], // later requests never below the floor
    [1, 5 * 1024 * 1024, 1, MIN_BULK_MAX_BYTES],
  ] as const)("refused %i with bulkMaxBytes %i → limit %i, bulkMaxBytes %i", (refused, bulkMaxBytes, limit, learnt) => {
    expect(learntLimit(refused, bulkMaxBytes)).toEqual({ limit, bulkMaxBytes: learnt });
  });
});

describe("nextGroupEnd", () => {
  it.each([
    ["fills up to the room", [10, 10, 10, 10], 0, 25, 2],
    ["takes one entry larger than the room", [100, 10, 10], 0, 25, 1],
    ["never takes the whole refused request", [1, 1, 1, 1], 0, 1_000, 3],
    ["goes on from the middle", [10, 10, 10, 10], 2, 1_000, 4],
    ["takes the last one alone", [10, 10, 10], 2, 5, 3],
  ] as const)("%s", (_name, sizes, next, room, end) => {
    expect(nextGroupEnd(sizes, next, room)).toBe(end);
  });
});
