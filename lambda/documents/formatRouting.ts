/**
 * Which of the builder's paths a batch of records takes, by its format: text and ndjson lines and
 * json records the hot path; AWS's line formats their parser (one per object, holding the header
 * lines it has read); CloudWatch Logs records a document per log event; WAF lines and CloudTrail
 * records their own JSON with ECS fields beside it. One place, so the function and `s3ls`'s tests
 * route alike.
 */
import { isParsedLineFormat } from "../contract/formats";
import type { RecordBatch } from "../read/records";
import { awsLineParser, type AwsLineParser } from "./aws/lineParsers";
import type { DocumentBuilder } from "./builder";
import type { DocumentSink } from "../contract/sink";

export class FormatRouting {
  /** AWS's line formats: the object's parser, made at its first batch. */
  private parser: AwsLineParser | undefined;

  /** @param resumedHeader the header lines a continuation carried (vpcflow, cloudfront). */
  constructor(
    private readonly builder: DocumentBuilder,
    private readonly resumedHeader?: string[],
  ) {}

  /** The header lines read so far, which a continuation of the object must carry. */
  get header(): string[] | undefined {
    return this.parser?.header;
  }

  /** Appends the batch's documents; returns the records it counted (documents made, or lines and records read). */
  async append(batch: RecordBatch, sink: DocumentSink): Promise<number> {
    const { builder } = this;
    if (batch.kind === "json") {
      const { format, records } = batch;
      if (records.count === 0) return 0;
      // json records take the ndjson hot path: each is its own JSON text, copied, not re-serialised.
      if (format === "cloudtrail") await builder.appendEnrichedJson("cloudtrail", records, sink);
      else await builder.appendLines("ndjson", records, sink);
      return records.count;
    }
    const { format, lines } = batch;
    if (isParsedLineFormat(format)) {
      this.parser ??= awsLineParser(format, this.resumedHeader);
      return lines.count > 0 ? builder.appendParsedLines(this.parser, lines, sink) : 0;
    }
    if (lines.count === 0) return 0;
    if (format === "cloudwatch") return builder.appendCloudWatch(lines, sink);
    if (format === "waf") await builder.appendEnrichedJson("waf", lines, sink);
    else await builder.appendLines(format, lines, sink);
    return lines.count;
  }
}
