/**
 * How many documents an object should make: its lines (text, ndjson) or records (json), counted
 * with the function's own reader (gzip, `auto`, the line limit, blank lines skipped) so the count
 * means what the shipper ships. A streamed read: memory stays flat whatever the object's size.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { LOG_FORMATS, type LogFormat } from "../../lambda/contract/formats";
import { openObject } from "../../lambda/read/objectReader";
import { readRecords } from "../../lambda/read/records";

export async function countUnits(
  s3: S3Client,
  object: { bucket: string; key: string },
  settings: { format: string; recordsField?: string },
  onProgress: (compressedBytesRead: number) => void = () => undefined,
): Promise<number> {
  const format: LogFormat = (LOG_FORMATS as readonly string[]).includes(settings.format)
    ? (settings.format as LogFormat)
    : "auto";
  const opened = await openObject(
    s3,
    { ...object, eventTime: new Date().toISOString() },
    { events: { streamResumed: () => undefined } },
  );
  let count = 0;
  for await (const batch of readRecords(opened.chunks, {
    format,
    ...(settings.recordsField ? { recordsField: settings.recordsField, requireRecordsField: true } : {}),
    firstByte: 0,
    bucket: object.bucket,
    key: object.key,
  })) {
    count += batch.kind === "lines" ? batch.lines.count : batch.records.count;
    onProgress(opened.bytesRead());
  }
  return count;
}
