import { describe, expect, it } from "vitest";
import { keyWildcard, objectCreatedPattern } from "../../../pipeline/resources/eventPattern";

describe("the EventBridge pattern of a producer", () => {
  it.each([
    [{ bucket: "b" }, undefined],
    [{ bucket: "b", prefix: "AWSLogs/" }, "AWSLogs/*"],
    [{ bucket: "b", suffix: ".gz" }, "*.gz"],
    [{ bucket: "b", prefix: "a/", suffix: ".gz" }, "a/*.gz"],
    // A literal backslash is escaped; a pattern's stars stay wildcards.
    [{ bucket: "b", prefix: "dir\\sub/" }, "dir\\\\sub/*"],
    [{ bucket: "b", keyPattern: "AWSLogs/o-*/*/CloudTrail/*" }, "AWSLogs/o-*/*/CloudTrail/*"],
    [{ bucket: "b", keyPattern: "odd\\name*" }, "odd\\\\name*"],
  ])("keys of %j: wildcard %j", (objects, wildcard) => {
    expect(keyWildcard(objects)).toBe(wildcard);
  });

  it("selects Object Created events of the bucket only, and every key when there is no filter", () => {
    expect(objectCreatedPattern({ bucket: "acme-logs" })).toEqual({
      source: ["aws.s3"],
      "detail-type": ["Object Created"],
      detail: { bucket: { name: ["acme-logs"] } },
    });
  });
});
