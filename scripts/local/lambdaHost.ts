/**
 * A Lambda "container": a child process that loads the function bundle once (as Lambda does on a
 * cold start) and runs invocations sent by its parent, with a context whose remaining time counts
 * down from the configured timeout. Started by `LambdaEmulator`; its environment is the function's.
 */
import * as path from "node:path";
import type { Context, SQSBatchResponse, SQSEvent } from "aws-lambda";
// The container's peak resident memory: what Lambda holds against the function's memory size.
import { peakRssBytes } from "./peakRss";

interface InvokeRequest {
  id: number;
  event: SQSEvent;
  timeoutMs: number;
}

type Handler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

const bundlePath = process.env.S3LS_BUNDLE_PATH;
if (!bundlePath) throw new Error("S3LS_BUNDLE_PATH is not set");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { handler } = require(path.resolve(bundlePath)) as { handler: Handler };

function context(timeoutMs: number, id: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: process.env.PRODUCER ?? "shipper",
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${process.env.AWS_REGION}:000000000000:function:${process.env.PRODUCER}`,
    memoryLimitInMB: "512",
    awsRequestId: `local-${process.pid}-${id}`,
    logGroupName: "local",
    logStreamName: "local",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

process.on("message", (request: InvokeRequest) => {
  handler(request.event, context(request.timeoutMs, request.id)).then(
    (result) => process.send?.({ id: request.id, result, peakRssBytes: peakRssBytes() }),
    (error: unknown) =>
      process.send?.({
        id: request.id,
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        peakRssBytes: peakRssBytes(),
      }),
  );
});
process.send?.({ ready: true, nodeVersion: process.version });
