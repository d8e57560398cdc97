/**
 * The documents an object's content makes, through the function's own reader and format routing
 * (read/records.ts, documents/formatRouting.ts) into a sink that keeps them: what the unit tests of
 * AWS's formats assert on, without an indexer.
 */
import type { LogFormat } from "../../lambda/contract/formats";
import { DocumentBuilder, type DataStreamFields, type ObjectContext } from "../../lambda/documents/builder";
import { FormatRouting } from "../../lambda/documents/formatRouting";
import type { DocumentSink } from "../../lambda/contract/sink";
import { readRecords } from "../../lambda/read/records";
import type { PreparedDocument } from "../../lambda/contract/shapes";
import type { LineFilter } from "../../lambda/contract/lineFilter";

export const OBJECT_CONTEXT: ObjectContext = {
  bucket: "acme-aws-logs",
  key: "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2018/07/02/object.log",
  identity: '"etag-1"',
  region: "eu-west-1",
  eventTime: "2026-11-27T10:00:00.000Z",
  ingested: "2026-11-27T10:00:05.000Z",
};

export interface KeptDocument {
  id: string;
  offset: number;
  source: Record<string, unknown>;
  /** The `_source` as sent: JSON.parse hides a key written twice, which Elasticsearch refuses. */
  raw: string;
}

/** Keeps every document, whichever way the builder hands it over. */
export class KeepingSink implements DocumentSink {
  readonly documents: KeptDocument[] = [];
  readonly roomDocuments = 50;
  readonly roomBytes = 1024 * 1024;

  add(document: PreparedDocument): undefined {
    this.documents.push({
      id: document.id,
      offset: document.offset,
      source: JSON.parse(document.source),
      raw: document.source,
    });
    return undefined;
  }

  actionLine(id: string): string {
    return `${id}\n`;
  }

  appendLines(lines: string, offsets: number[], ends: number[]): undefined {
    let start = 0;
    ends.forEach((end, position) => {
      const [id = "", source = ""] = lines.slice(start, end - 1).split("\n");
      const raw = Buffer.from(source, "latin1").toString("utf8");
      this.documents.push({ id, offset: offsets[position] ?? -1, source: JSON.parse(raw), raw });
      start = end;
    });
    return undefined;
  }
}

export interface FormatRun {
  documents: KeptDocument[];
  /** The header a continuation would carry after the last batch. */
  header: string[] | undefined;
  linesUnparsed: number;
  controlMessages: number;
  records: number;
}

/** Reads `content` as `format` from `start` (a continuation's byte offset, with its header) and builds its documents. */
export async function documentsOf(
  content: string | Buffer,
  format: LogFormat,
  options: {
    context?: Partial<ObjectContext>;
    start?: number;
    header?: string[];
    filter?: LineFilter;
    /** Chunk size the bytes arrive in (a small one splits lines across chunks). */
    chunkBytes?: number;
    maxLineBytes?: number;
    /** The data stream the documents name, as shipObject.ts gives it once the format is known. */
    dataStream?: DataStreamFields;
  } = {},
): Promise<FormatRun> {
  const context = { ...OBJECT_CONTEXT, ...options.context };
  const bytes = typeof content === "string" ? Buffer.from(content) : content;
  const start = options.start ?? 0;
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  async function* chunks(): AsyncGenerator<Buffer> {
    for (let at = start; at < bytes.length; at += chunkBytes) yield bytes.subarray(at, at + chunkBytes);
  }
  const builder = new DocumentBuilder(context, options.filter);
  if (options.dataStream) builder.useDataStream(options.dataStream);
  const routing = new FormatRouting(builder, options.header);
  const sink = new KeepingSink();
  let records = 0;
  for await (const batch of readRecords(chunks(), {
    format,
    firstByte: start,
    start,
    bucket: context.bucket,
    key: context.key,
    ...(options.maxLineBytes ? { maxLineBytes: options.maxLineBytes } : {}),
  }))
    records += await routing.append(batch, sink);
  return {
    documents: sink.documents,
    header: routing.header,
    linesUnparsed: builder.linesUnparsed,
    controlMessages: builder.controlMessages,
    records,
  };
}

/** The one document a single line makes. */
export async function documentOf(
  line: string,
  format: LogFormat,
  context?: Partial<ObjectContext>,
): Promise<Record<string, unknown>> {
  const { documents } = await documentsOf(`${line}\n`, format, context ? { context } : {});
  if (documents.length !== 1) throw new Error(`expected one document, got ${documents.length}`);
  return (documents[0] as KeptDocument).source;
}
