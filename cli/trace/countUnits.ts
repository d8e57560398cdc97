/**
 * How many documents an object should make: its lines (text, ndjson, AWS's line formats less their
 * header lines), records (json, cloudtrail) or log events (cloudwatch, less control messages),
 * counted with the function's own reader and parsers (gzip, `auto`/`aws`, the line limit, blank
 * lines skipped) so the count means what the shipper ships. A streamed read: memory stays flat
 * whatever the object's size.
 */
import type { S3Client } from "@aws-sdk/client-s3";
import { LOG_FORMATS, type LogFormat } from "../../lambda/contract/formats";
import { openObject } from "../../lambda/read/objectReader";
import { readRecords, type RecordBatch } from "../../lambda/read/records";
import { isParsedLineFormat } from "../../lambda/contract/formats";
import { awsLineParser, type AwsLineParser } from "../../lambda/documents/aws/lineParsers";
import { cloudWatchRecord } from "../../lambda/documents/aws/cloudwatch";

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
  let parser: AwsLineParser | undefined;
  for await (const batch of readRecords(opened.chunks, {
    format,
    ...(settings.recordsField ? { recordsField: settings.recordsField, requireRecordsField: true } : {}),
    firstByte: 0,
    bucket: object.bucket,
    key: object.key,
  })) {
    if (batch.kind === "lines" && isParsedLineFormat(batch.format)) {
      parser ??= awsLineParser(batch.format);
      count += documentLines(batch.lines, parser);
    } else if (batch.kind === "lines" && batch.format === "cloudwatch") count += logEvents(batch.lines);
    else count += batch.kind === "lines" ? batch.lines.count : batch.records.count;
    onProgress(opened.bytesRead());
  }
  return count;
}

type Lines = Extract<RecordBatch, { kind: "lines" }>["lines"];

/** The lines that are documents: all but the header lines (a cut line is never a header). */
function documentLines(lines: Lines, parser: AwsLineParser): number {
  let count = 0;
  for (let index = 0; index < lines.count; index += 1)
    if (lines.truncated(index) || !parser.readHeader(lines.text(index))) count += 1;
  return count;
}

/** Firehose records' log events; a control message makes none, a record that does not parse one. */
function logEvents(lines: Lines): number {
  let count = 0;
  for (let index = 0; index < lines.count; index += 1) {
    const record = lines.truncated(index) ? undefined : cloudWatchRecord(lines.text(index));
    count += record?.kind === "events" ? record.events.length : record?.kind === "control" ? 0 : 1;
  }
  return count;
}
