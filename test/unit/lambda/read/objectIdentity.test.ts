import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { objectIdentity, realVersion } from "../../../../lambda/read/objectIdentity";

describe("objectIdentity", () => {
  it("is the version id when it names a version", () => {
    expect(objectIdentity({ versionId: "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", eTag: '"abc"' }, "t")).toBe(
      "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY",
    );
  });

  it('never trusts the version id "null": two contents under it get different identities', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1 }),
        fc.string({ minLength: 1 }),
        (first, second) =>
          first === second ||
          objectIdentity({ versionId: "null", eTag: first }, "t") !==
            objectIdentity({ versionId: "null", eTag: second }, "t"),
      ),
    );
    expect(realVersion("null")).toEqual({});
  });

  it("falls back to the event time only when S3 gave neither", () => {
    expect(objectIdentity({}, "2026-11-27T10:00:00Z")).toBe("2026-11-27T10:00:00Z");
  });
});
