/** The notifications backfill and reship send are read by the function exactly as S3's own. */
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { objectCreatedNotification } from "../../../cli/objectNotifications";
import { parseMessageBody } from "../../../lambda/queue/notifications";
import { ODD_KEYS } from "../../helpers/events";

describe("objectCreatedNotification", () => {
  it("names the same object to the function, whatever the key holds", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 60 }),
        fc.nat(),
        fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { nil: undefined }),
        (key, size, eTag) => {
          const lastModified = new Date(Date.UTC(2026, 10, 1, 12, 0, 0));
          const parsed = parseMessageBody(
            objectCreatedNotification(
              { bucket: "acme-logs", key, size, lastModified, ...(eTag ? { eTag: `"${eTag}"` } : {}) },
              "eu-west-1",
            ),
          );
          expect(parsed.kind).toBe("objects");
          if (parsed.kind !== "objects") return;
          expect(parsed.objects).toHaveLength(1);
          expect(parsed.objects[0]).toMatchObject({
            bucket: "acme-logs",
            key,
            size,
            eventTime: lastModified.toISOString(),
            ...(eTag ? { eTag } : {}),
          });
        },
      ),
    );
  });

  it.each(ODD_KEYS)("names %j itself, not the key it reads as when decoded twice", (key) => {
    const parsed = parseMessageBody(
      objectCreatedNotification({ bucket: "acme-logs", key, size: 1, lastModified: new Date(0) }, "eu-west-1"),
    );
    expect(parsed).toMatchObject({ kind: "objects", objects: [{ key }] });
  });

  it('drops the version id "null" of an unversioned object and keeps a real one', () => {
    const base = { bucket: "b", key: "k", size: 1, lastModified: new Date(0) };
    const unversioned = parseMessageBody(objectCreatedNotification({ ...base, versionId: "null" }, "eu-west-1"));
    const versioned = parseMessageBody(
      objectCreatedNotification({ ...base, versionId: "3HL4kqtJlcpXroDTDmJ" }, "eu-west-1"),
    );
    expect(unversioned.kind === "objects" && unversioned.objects[0]?.versionId).toBeFalsy();
    expect(versioned.kind === "objects" && versioned.objects[0]?.versionId).toBe("3HL4kqtJlcpXroDTDmJ");
  });
});
