/**
 * The merge that lets the stack share a bucket's notification configuration: only entries with this
 * stack's ids change; every other consumer's entry and the EventBridge switch are kept; an entry
 * that overlaps someone else's is refused with both named.
 */
import type { Event, FilterRuleName, NotificationConfiguration, QueueConfiguration } from "@aws-sdk/client-s3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  entriesOverlap,
  mergedConfiguration,
  NotificationOverlapError,
  presentEntries,
  type QueueEntry,
} from "../../../pipeline/resources/notificationEntries";

/** How S3 answers a rule's name (the SDK's type spells only the request's lower case). */
const PREFIX_AS_ANSWERED = "Prefix" as FilterRuleName;

const OURS: QueueEntry = {
  id: "s3-log-shipper-prod-waf",
  queueArn: "arn:aws:sqs:eu-west-1:111111111111:waf-queue",
  events: ["s3:ObjectCreated:*"],
  prefix: "AWSLogs/111111111111/WAFLogs/",
  suffix: ".gz",
};

/** A bucket other consumers use: another SIEM's queue, a topic, a Lambda, and the EventBridge switch on. */
const SHARED: NotificationConfiguration = {
  QueueConfigurations: [
    {
      Id: "other-siem",
      QueueArn: "arn:aws:sqs:eu-west-1:222222222222:siem",
      Events: ["s3:ObjectCreated:*"],
      Filter: { Key: { FilterRules: [{ Name: PREFIX_AS_ANSWERED, Value: "AWSLogs/111111111111/CloudTrail/" }] } },
    },
  ],
  TopicConfigurations: [
    { Id: "deletes", TopicArn: "arn:aws:sns:eu-west-1:222222222222:deletes", Events: ["s3:ObjectRemoved:*"] },
  ],
  LambdaFunctionConfigurations: [
    {
      Id: "thumbnails",
      LambdaFunctionArn: "arn:aws:lambda:eu-west-1:222222222222:function:thumbs",
      Events: ["s3:ObjectCreated:Put"],
      Filter: { Key: { FilterRules: [{ Name: PREFIX_AS_ANSWERED, Value: "images/" }] } },
    },
  ],
  EventBridgeConfiguration: {},
};

const queueIds = (configuration: NotificationConfiguration) =>
  (configuration.QueueConfigurations ?? []).map((entry) => entry.Id);

describe("adding this stack's entries", () => {
  it("keeps every other consumer's entry and the EventBridge switch, and appends ours", () => {
    const merged = mergedConfiguration("shared", SHARED, { remove: [], add: [OURS] });
    expect(merged.TopicConfigurations).toEqual(SHARED.TopicConfigurations);
    expect(merged.LambdaFunctionConfigurations).toEqual(SHARED.LambdaFunctionConfigurations);
    expect(merged.EventBridgeConfiguration).toEqual({});
    expect(merged.QueueConfigurations).toEqual([
      SHARED.QueueConfigurations?.[0],
      {
        Id: OURS.id,
        QueueArn: OURS.queueArn,
        Events: ["s3:ObjectCreated:*"],
        Filter: {
          Key: {
            FilterRules: [
              { Name: "prefix", Value: OURS.prefix },
              { Name: "suffix", Value: OURS.suffix },
            ],
          },
        },
      },
    ]);
  });

  it("replaces an entry that already carries our id instead of adding a second (a re-created stack, an upgrade)", () => {
    const stale = {
      Id: OURS.id,
      QueueArn: "arn:aws:sqs:eu-west-1:111111111111:old-queue",
      Events: ["s3:ObjectCreated:*"],
    };
    const current = {
      ...SHARED,
      QueueConfigurations: [...(SHARED.QueueConfigurations ?? []), stale as QueueConfiguration],
    };
    const merged = mergedConfiguration("shared", current, { remove: [], add: [OURS] });
    expect(queueIds(merged)).toEqual(["other-siem", OURS.id]);
    expect(merged.QueueConfigurations?.[1]?.QueueArn).toBe(OURS.queueArn);
  });

  it("writes no filter rules for an entry without prefix and suffix", () => {
    const merged = mergedConfiguration(
      "own",
      {},
      { remove: [], add: [{ id: "a", queueArn: "q", events: ["s3:ObjectCreated:*"] }] },
    );
    expect(merged).toEqual({ QueueConfigurations: [{ Id: "a", QueueArn: "q", Events: ["s3:ObjectCreated:*"] }] });
  });
});

describe("an entry that overlaps another consumer's", () => {
  it("is refused, naming both entries and their filters", () => {
    const overlapping = { ...OURS, prefix: "AWSLogs/111111111111/", suffix: "" };
    let refused: unknown;
    try {
      mergedConfiguration("shared", SHARED, { remove: [], add: [overlapping] });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(NotificationOverlapError);
    const message = (refused as Error).message;
    expect(message).toContain("bucket shared");
    expect(message).toContain(`"${OURS.id}" → ${OURS.queueArn} (prefix "AWSLogs/111111111111/", suffix "")`);
    expect(message).toContain(
      'queue entry "other-siem" → arn:aws:sqs:eu-west-1:222222222222:siem (prefix "AWSLogs/111111111111/CloudTrail/", suffix "")',
    );
    expect(message).toContain("notifications: eventbridge or sns");
  });

  it("is refused against a Lambda entry whose narrower event type falls under ours", () => {
    expect(() =>
      mergedConfiguration("shared", SHARED, { remove: [], add: [{ ...OURS, prefix: "images/2026/", suffix: "" }] }),
    ).toThrow(/Lambda entry "thumbnails"/);
  });

  it("is refused against another entry of the same change (two producers of one bucket)", () => {
    const second = { ...OURS, id: "s3-log-shipper-prod-waf2", prefix: "AWSLogs/" };
    expect(() => mergedConfiguration("own", {}, { remove: [], add: [OURS, second] })).toThrow(
      /"s3-log-shipper-prod-waf2".*overlaps "s3-log-shipper-prod-waf"/,
    );
  });

  it("is not refused when it overlaps only an entry the same change removes (our previous filter)", () => {
    const previous = mergedConfiguration("own", {}, { remove: [], add: [{ ...OURS, id: "s3-log-shipper-prod-old" }] });
    const merged = mergedConfiguration("own", previous, { remove: ["s3-log-shipper-prod-old"], add: [OURS] });
    expect(queueIds(merged)).toEqual([OURS.id]);
  });
});

describe("S3's overlap rule (notification-how-to-filtering, examples of invalid configurations)", () => {
  const created = ["s3:ObjectCreated:*"];
  it.each([
    // The documented invalid pairs: an empty prefix overlaps every prefix; ".jpg" and "jpg" overlap.
    [{ prefix: "", suffix: "" }, { prefix: "images/", suffix: "" }, true],
    [{ prefix: "images/", suffix: ".jpg" }, { prefix: "images/", suffix: "jpg" }, true],
    [{ prefix: "images", suffix: "" }, { prefix: "images/2026/", suffix: "" }, true],
    // Valid side by side: distinct prefixes, or the same prefix with suffixes neither of which ends the other.
    [{ prefix: "images/", suffix: "" }, { prefix: "logs/", suffix: "" }, false],
    [{ prefix: "images/", suffix: ".jpg" }, { prefix: "images/", suffix: ".png" }, false],
    [{ prefix: "", suffix: ".jpg" }, { prefix: "", suffix: ".png" }, false],
  ])("%o and %o overlap: %s", (a, b, expected) => {
    expect(entriesOverlap({ events: created, ...a }, { events: created, ...b })).toBe(expected);
    expect(entriesOverlap({ events: created, ...b }, { events: created, ...a })).toBe(expected);
  });

  it("needs the event types to overlap too", () => {
    const wide = { prefix: "", suffix: "" };
    expect(
      entriesOverlap({ events: ["s3:ObjectCreated:*"], ...wide }, { events: ["s3:ObjectRemoved:*"], ...wide }),
    ).toBe(false);
    expect(
      entriesOverlap({ events: ["s3:ObjectCreated:*"], ...wide }, { events: ["s3:ObjectCreated:Copy"], ...wide }),
    ).toBe(true);
    expect(
      entriesOverlap({ events: ["s3:ObjectCreated:Put"], ...wide }, { events: ["s3:ObjectCreated:Copy"], ...wide }),
    ).toBe(false);
  });
});

describe("removing this stack's entries (destroy, or a producer taken out)", () => {
  it("leaves exactly what the other consumers had", () => {
    const added = mergedConfiguration("shared", SHARED, { remove: [], add: [OURS] });
    expect(mergedConfiguration("shared", added, { remove: [OURS.id], add: [] })).toEqual(SHARED);
  });

  it("adding then removing our entries restores any configuration that does not overlap them", () => {
    // Foreign entries under "other/" never overlap ours under "ours/".
    const foreign = fc.record({
      Id: fc.string({ minLength: 1, maxLength: 8 }).map((id) => `foreign-${id}`),
      QueueArn: fc.constant("arn:aws:sqs:eu-west-1:222222222222:q"),
      Events: fc.constant<Event[]>(["s3:ObjectCreated:*"]),
      Filter: fc
        .string({ maxLength: 6 })
        .map((p) => ({ Key: { FilterRules: [{ Name: PREFIX_AS_ANSWERED, Value: `other/${p}` }] } })),
    });
    const ours = fc.uniqueArray(
      fc.record({ name: fc.stringMatching(/^[a-z]{1,6}$/), suffix: fc.stringMatching(/^[a-z.]{0,4}$/) }),
      { selector: (entry) => entry.name, maxLength: 4 },
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(foreign, { selector: (entry) => entry.Id, maxLength: 4 }),
        fc.boolean(),
        ours,
        (queues, eventBridge, producers) => {
          const current: NotificationConfiguration = {
            ...(queues.length > 0 ? { QueueConfigurations: queues } : {}),
            ...(eventBridge ? { EventBridgeConfiguration: {} } : {}),
          };
          // Each producer under its own folder, so they do not overlap each other either.
          const entries = producers.map((p) => ({
            ...OURS,
            id: `s3-log-shipper-t-${p.name}`,
            prefix: `ours/${p.name}/`,
            suffix: p.suffix,
          }));
          const added = mergedConfiguration("b", current, { remove: [], add: entries });
          expect(presentEntries(added, entries)).toEqual(entries);
          expect(mergedConfiguration("b", added, { remove: entries.map((e) => e.id), add: [] })).toEqual(current);
        },
      ),
    );
  });
});

describe("reading back (refresh)", () => {
  it("reports only the entries still in the configuration", () => {
    const second = { ...OURS, id: "s3-log-shipper-prod-alb", prefix: "AWSLogs/111111111111/elasticloadbalancing/" };
    const added = mergedConfiguration("shared", SHARED, { remove: [], add: [OURS, second] });
    const afterForeignWrite = {
      ...added,
      QueueConfigurations: added.QueueConfigurations?.filter((q) => q.Id !== OURS.id),
    };
    expect(presentEntries(afterForeignWrite, [OURS, second])).toEqual([second]);
  });
});
