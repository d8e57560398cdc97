/**
 * How many documents an object should make: its lines (text, ndjson, AWS's line formats less their
 * header lines), records (json, cloudtrail) or log events (cloudwatch, less control messages),
 * counted with the function's own reader and parsers (gzip, `auto`/`aws`, the line limit, blank
 * lines skipped) so the count means what the shipper ships. A streamed read: memory stays flat
 * whatever the object's size.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { LOG_FORMATS, type LogFormat } from "../../lambda/contract/formats";
import { DocumentBuilder } from "../../lambda/documents/builder";
import { FormatRouting } from "../../lambda/documents/formatRouting";
import type { DocumentSink } from "../../lambda/contract/sink";
import { openObject } from "../../lambda/read/objectReader";
import { readRecords } from "../../lambda/read/records";

/**
 * Takes the documents and keeps none: the count is what the function's own routing says each batch
 * made (header lines and control messages none, a CloudWatch record one per event), so `trace`
 * cannot count by rules of its own that drift from the function's.
 */
const DISCARDING_SINK: DocumentSink = {
  add: () => undefined,
  actionLine: () => "",
  roomDocuments: Number.MAX_SAFE_INTEGER,
  roomBytes: Number.MAX_SAFE_INTEGER,
  appendLines: () => undefined,
};

export async function countUnits(
  s3: S3Client,
  object: { bucket: string; key: string },
  settings: { format: string; recordsField?: string },
  onProgress: (compressedBytesRead: number) => void = () => undefined,
): Promise<number> {
  const format: LogFormat = (LOG_FORMATS as readonly string[]).includes(settings.format)
    ? (settings.format as LogFormat)
    : "auto";
  const eventTime = new Date().toISOString();
  const opened = await openObject(s3, { ...object, eventTime }, { events: { streamResumed: () => undefined } });
  const builder = new DocumentBuilder({ ...object, identity: "", region: "", eventTime, ingested: eventTime });
  const routing = new FormatRouting(builder);
  let count = 0;
  for await (const batch of readRecords(opened.chunks, {
    format,
    ...(settings.recordsField ? { recordsField: settings.recordsField, requireRecordsField: true } : {}),
    firstByte: 0,
    bucket: object.bucket,
    key: object.key,
  })) {
    count += await routing.append(batch, DISCARDING_SINK);
    onProgress(opened.bytesRead());
  }
  return count;
}
