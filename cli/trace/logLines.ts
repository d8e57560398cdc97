/**
 * The function's summary lines for one object, from the producer's log group: `object shipped`,
 * `object continued`, `object failed`, `object superseded` (lambda/contract/events.ts writes them, with the
 * object's bucket and key bound), across continuations and redeliveries, oldest first.
 */
import { FilterLogEventsCommand, type CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";

export const OBJECT_OUTCOMES = ["object shipped", "object continued", "object failed", "object superseded"] as const;

export interface ObjectLogLine {
  at: string;
  message: (typeof OBJECT_OUTCOMES)[number];
  messageId?: string;
  indexed: number;
  duplicates: number;
  deadLettered: number;
  failed: number;
  linesDropped: number;
  reason?: string;
  transient?: boolean;
}

/** A JSON filter pattern's string value: `"` and `\` escaped (CloudWatch Logs filter pattern syntax). */
function patternString(value: string): string {
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

export async function objectLogLines(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  object: { bucket: string; key: string },
  since: Date,
): Promise<ObjectLogLine[]> {
  const found: ObjectLogLine[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(
      new FilterLogEventsCommand({
        logGroupName,
        startTime: since.getTime(),
        filterPattern: `{ $.key = ${patternString(object.key)} }`,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    for (const event of page.events ?? []) {
      const line = parsed(event.message);
      // Checked here too: an emulator may ignore the pattern, and the pattern does not name the bucket.
      if (!line || line.bucket !== object.bucket || line.key !== object.key) continue;
      if (!(OBJECT_OUTCOMES as readonly string[]).includes(String(line.message))) continue;
      found.push({
        at: new Date(event.timestamp ?? 0).toISOString(),
        message: line.message as ObjectLogLine["message"],
        ...(typeof line.messageId === "string" ? { messageId: line.messageId } : {}),
        indexed: Number(line.indexed ?? 0),
        duplicates: Number(line.duplicates ?? 0),
        deadLettered: Number(line.deadLettered ?? 0),
        failed: Number(line.failed ?? 0),
        linesDropped: Number(line.linesDropped ?? 0),
        ...(typeof line.reason === "string" ? { reason: line.reason } : {}),
        ...(typeof line.transient === "boolean" ? { transient: line.transient } : {}),
      });
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found.sort((a, b) => a.at.localeCompare(b.at));
}

function parsed(message: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(message ?? "");
    return value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined; // a platform line (START, END, REPORT)
  }
}
