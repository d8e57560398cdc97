/**
 * Decides the disposition of one SQS message: parse the body, ship each object it names, and
 * continue in a new message when time runs short. Every path ends in ack, retry or continued —
 * nothing is dropped without a reason.
 */
import type { SQSRecord } from "aws-lambda";
import { continuationBody } from "./continuation";
import { describeError } from "./errors";
import type { RejectedDocument } from "./indexer";
import { parseMessageBody } from "./notifications";
import type { ObjectOutcome, ShipObjectDependencies } from "./shipObject";
import { shipObject } from "./shipObject";
import type { Disposition, ObjectRef } from "./types";

export interface MessageDependencies extends Omit<ShipObjectDependencies, "onResume" | "onRejected"> {
  /** Sends a continuation body to the producer's own queue. */
  sendContinuation: (body: string) => Promise<void>;
  /** Called once per object with its outcome (summary log line and metrics). */
  onObject: (ref: ObjectRef, outcome: ObjectOutcome, durationMs: number, messageId: string) => void;
  onResume?: (ref: ObjectRef, error: unknown, atByte: number, messageId: string) => void;
  onRejected?: (ref: ObjectRef, rejected: RejectedDocument, deadLettered: boolean, messageId: string) => void;
}

export async function processMessage(message: SQSRecord, deps: MessageDependencies): Promise<Disposition> {
  const parsed = parseMessageBody(message.body);
  if (parsed.kind === "invalid") return { kind: "retry", reason: `unrecognised message: ${parsed.reason}`, transient: false };
  if (parsed.kind === "ignore") return { kind: "ack", reason: parsed.reason };

  const { objects } = parsed;
  for (const [position, ref] of objects.entries()) {
    if (position > 0 && deps.shouldStop()) {
      // Not enough time to start the next object: hand the rest to a new message.
      return continueWith(objects.slice(position), deps, `time short before object ${position + 1} of ${objects.length}`);
    }
    const started = Date.now();
    const outcome = await shipObject(ref, {
      s3: deps.s3,
      transport: deps.transport,
      settings: deps.settings,
      shouldStop: deps.shouldStop,
      deadline: deps.deadline,
      onResume: (error: unknown, at: number) => deps.onResume?.(ref, error, at, message.messageId),
      onRejected: (rejected: RejectedDocument, deadLettered: boolean) => deps.onRejected?.(ref, rejected, deadLettered, message.messageId),
    });
    deps.onObject(ref, outcome, Date.now() - started, message.messageId);

    switch (outcome.status) {
      case "done":
      case "superseded":
        continue;
      case "failed":
        // Objects before this one are re-read on redelivery; their documents answer 409 (no duplicates).
        return { kind: "retry", reason: `s3://${ref.bucket}/${ref.key}: ${outcome.reason}`, transient: outcome.transient };
      case "stopped": {
        if (outcome.nextOffset <= ref.startOffset) {
          return { kind: "retry", reason: `s3://${ref.bucket}/${ref.key}: no progress past offset ${ref.startOffset} before time ran out`, transient: true };
        }
        const resumed: ObjectRef = {
          ...ref,
          ...(outcome.version.versionId ? { versionId: outcome.version.versionId } : {}),
          ...(outcome.version.eTag ? { eTag: outcome.version.eTag } : {}),
          gzip: outcome.version.gzip,
          startOffset: outcome.nextOffset,
        };
        return continueWith([resumed, ...objects.slice(position + 1)], deps, `time short at offset ${outcome.nextOffset} of s3://${ref.bucket}/${ref.key}`);
      }
    }
  }
  return { kind: "ack", reason: `${objects.length} object(s) shipped` };
}

async function continueWith(objects: ObjectRef[], deps: MessageDependencies, why: string): Promise<Disposition> {
  try {
    await deps.sendContinuation(continuationBody(objects));
  } catch (error) {
    // The current message must not be acknowledged without its continuation: retry it instead.
    return { kind: "retry", reason: `${why}, and sending the continuation failed: ${describeError(error)}`, transient: true };
  }
  return { kind: "continued", reason: why };
}
