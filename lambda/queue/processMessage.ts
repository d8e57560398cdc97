/**
 * Decides the disposition of one SQS message: parse the body, ship every object it names, and
 * continue in a new message when time runs short. Every path ends in ack, fail or continued —
 * nothing is dropped without a reason.
 *
 * Every object of a message is attempted, also after one failed: the message then fails (and
 * comes back) with each failure named. A redelivery reads the objects that did land again; their
 * documents answer 409 (deterministic ids), so nothing is indexed twice.
 */
import type { SQSRecord } from "aws-lambda";
import { continuationBody } from "./continuation";
import { describeResume } from "../contract/resumePoint";
import { describeObjectFilter, matchesObjectFilter, type ObjectFilter } from "../contract/objectFilter";
import { describeError } from "../errors";
import type { MessageEvents } from "../contract/events";
import { parseMessageBody } from "./notifications";
import type { ShipObjectDependencies } from "../shipObject";
import { shipObject } from "../shipObject";
import { isRedelivery } from "../contract/redelivery";
import type { Disposition, ObjectRef } from "../contract/shapes";

export interface MessageDependencies extends Omit<ShipObjectDependencies, "events"> {
  /** Sends a continuation body to the producer's own queue. */
  sendContinuation: (body: string) => Promise<void>;
  /** True once the handler has given up on this message (its time is over): send nothing more. */
  givenUp?: () => boolean;
  /** This message's events: each object gets its own scope from it. */
  events: MessageEvents;
  /** The producer's objects; the others a message names are acknowledged without a GetObject. */
  objectFilter: ObjectFilter;
}

/** One object that failed: named in the message's reason. */
interface ObjectFailure {
  ref: ObjectRef;
  reason: string;
  transient: boolean;
}

export async function processMessage(message: SQSRecord, deps: MessageDependencies): Promise<Disposition> {
  const parsed = parseMessageBody(message.body);
  if (parsed.kind === "invalid")
    return { kind: "fail", reason: `unrecognised message: ${parsed.reason}`, transient: false };
  if (parsed.kind === "ignore") return { kind: "ack", reason: parsed.reason };

  // A shared SNS topic or a mis-scoped rule must not turn others' objects into AccessDenied in the DLQ.
  const objects = parsed.objects.filter((ref) => {
    const ours = matchesObjectFilter(deps.objectFilter, ref.bucket, ref.key);
    if (!ours) deps.events.objectOutsideFilter(ref, describeObjectFilter(deps.objectFilter));
    return ours;
  });
  if (objects.length === 0) return { kind: "ack", reason: `every object outside this producer's filter` };
  // Started with only the reserve left (earlier messages of the batch took the time): hand it on
  // untouched rather than fail it, which would cost a receive (and in the end, the DLQ) for nothing.
  if (deps.shouldStop()) return continueWith(objects, deps, "time short before the message was started");
  const failures: ObjectFailure[] = [];
  for (const [position, ref] of objects.entries()) {
    if (position > 0 && deps.shouldStop()) {
      const why = `time short before object ${position + 1} of ${objects.length}`;
      // With a failure in hand the message fails anyway, and its redelivery does the rest.
      if (failures.length > 0)
        return failed(failures, `${why}, s3://${ref.bucket}/${ref.key} and later objects not attempted`);
      return continueWith(objects.slice(position), deps, why);
    }
    const events = deps.events.objectStarted(ref);
    const outcome = await shipObject(ref, {
      redelivered: isRedelivery(message),
      s3: deps.s3,
      transport: deps.transport,
      settings: deps.settings,
      shouldStop: deps.shouldStop,
      deadline: deps.deadline,
      events,
    });
    events.finished(outcome);

    switch (outcome.status) {
      case "done":
      case "superseded":
        continue;
      case "failed":
        failures.push({ ref, reason: outcome.reason, transient: outcome.transient });
        continue;
      case "continued": {
        const at = `${describeResume(outcome.resume)} of s3://${ref.bucket}/${ref.key}`;
        const why = outcome.pressure
          ? `Elasticsearch pushed back (${outcome.pressure}); continuing after the last document it acknowledged, at ${at}`
          : `time short at ${at}`;
        if (failures.length > 0) return failed(failures, `${why}, not continued because an earlier object failed`);
        const resumed: ObjectRef = {
          bucket: ref.bucket,
          key: ref.key,
          ...(outcome.version.versionId ? { versionId: outcome.version.versionId } : {}),
          ...(outcome.version.eTag ? { eTag: outcome.version.eTag } : {}),
          ...(ref.size !== undefined ? { size: ref.size } : {}),
          eventTime: ref.eventTime,
          resume: outcome.resume,
        };
        return continueWith([resumed, ...objects.slice(position + 1)], deps, why);
      }
    }
  }
  if (failures.length > 0) return failed(failures);
  return { kind: "ack", reason: `${objects.length} object(s) shipped` };
}

/** The message fails: every failed object named with its reason; transient only if every failure is. */
function failed(failures: ObjectFailure[], more?: string): Disposition {
  const reasons = failures.map(({ ref, reason }) => `s3://${ref.bucket}/${ref.key}: ${reason}`);
  return {
    kind: "fail",
    reason: [...reasons, ...(more ? [more] : [])].join("; "),
    transient: failures.every((failure) => failure.transient),
  };
}

async function continueWith(objects: ObjectRef[], deps: MessageDependencies, why: string): Promise<Disposition> {
  // The handler already reported this message failed: a continuation now would run beside its redelivery.
  if (deps.givenUp?.())
    return { kind: "fail", reason: `${why}, but the handler had already given up on the message`, transient: true };
  try {
    await deps.sendContinuation(continuationBody(objects));
  } catch (error) {
    // The current message must not be acknowledged without its continuation: fail it instead.
    return {
      kind: "fail",
      reason: `${why}, and sending the continuation failed: ${describeError(error)}`,
      transient: true,
    };
  }
  return { kind: "continued", reason: why };
}
