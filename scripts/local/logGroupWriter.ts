/**
 * Writes a local function's log lines into its CloudWatch Logs group in the emulator, as Lambda
 * does, so `s3ls dlq list` finds a failed message's reason locally too. Lines are sent in order, a
 * batch at a time; a failed write is reported once on stderr and never stops the function.
 */
import { CloudWatchLogsClient, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EMULATOR_CREDENTIALS } from "./emulatorResources";

const FLUSH_EVERY_MS = 200;
/** PutLogEvents takes at most 10,000 events and 1 MiB (each event counts its bytes + 26). */
const MAX_EVENTS_PER_CALL = 1_000;
const MAX_BYTES_PER_CALL = 900 * 1024;

export class LogGroupWriter {
  private readonly client: CloudWatchLogsClient;
  private readonly streamName = `local/${process.pid}/${Date.now()}`;
  private buffered: Array<{ timestamp: number; message: string }> = [];
  private stream?: Promise<void>;
  private sending: Promise<void> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private warned = false;

  constructor(private readonly options: { endpoint: string; region: string; logGroupName: string }) {
    this.client = new CloudWatchLogsClient({
      region: options.region,
      endpoint: options.endpoint,
      credentials: EMULATOR_CREDENTIALS,
    });
  }

  write(line: string): void {
    this.buffered.push({ timestamp: Date.now(), message: line });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_EVERY_MS);
  }

  /** Sends what is buffered; resolves when every line written so far is in the log group. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const events = this.buffered;
    this.buffered = [];
    this.sending = this.sending.then(() => this.send(events));
    return this.sending;
  }

  private async send(events: Array<{ timestamp: number; message: string }>): Promise<void> {
    if (events.length === 0) return;
    try {
      this.stream ??= this.client
        .send(new CreateLogStreamCommand({ logGroupName: this.options.logGroupName, logStreamName: this.streamName }))
        .then(() => undefined);
      await this.stream;
      let start = 0;
      while (start < events.length) {
        let end = start;
        let bytes = 0;
        while (end < events.length && end - start < MAX_EVENTS_PER_CALL) {
          const size = Buffer.byteLength((events[end] as { message: string }).message) + 26;
          if (end > start && bytes + size > MAX_BYTES_PER_CALL) break;
          bytes += size;
          end += 1;
        }
        await this.client.send(
          new PutLogEventsCommand({
            logGroupName: this.options.logGroupName,
            logStreamName: this.streamName,
            logEvents: events.slice(start, end),
          }),
        );
        start = end;
      }
    } catch (error) {
      if (!this.warned)
        process.stderr.write(
          `log group ${this.options.logGroupName}: writing the function's log lines failed: ${error instanceof Error ? error.message : String(error)}\n`,
        );
      this.warned = true;
    }
  }
}
