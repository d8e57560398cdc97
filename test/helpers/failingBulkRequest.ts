/**
 * Run in a child process with a small heap (see esClient.test.ts): sends one 5 MB bulk body to a
 * fake Elasticsearch that answers 503, and prints what the failure carried. A client that copies
 * the request body into its error metadata runs out of heap here instead of printing.
 */
import { BulkRequestError } from "../../lambda/bulk/wire";
import { ElasticsearchBulkTransport } from "../../lambda/bulk/esClient";
import { FakeElasticsearch } from "./fakeElasticsearch";

const API_KEY = "c2VjcmV0LWtleQ==";

async function main(): Promise<void> {
  const elasticsearch = new FakeElasticsearch();
  const url = await elasticsearch.start();
  elasticsearch.requestBehaviour = () => ({ kind: "status", status: 503 });
  const transport = new ElasticsearchBulkTransport(
    { endpoint: url, requestTimeoutMs: 10_000 },
    { get: async () => ({ apiKey: API_KEY }), invalidate: () => undefined },
  );
  const line = `{"create":{"_index":"logs","_id":"x"}}\n{"message":"${"m".repeat(200)}"}\n`;
  const body = Buffer.from(line.repeat(Math.ceil((5 * 1024 * 1024) / line.length)));
  let failure: unknown;
  try {
    await transport.send(body);
  } catch (error) {
    failure = error;
  }
  await elasticsearch.stop();
  const meta =
    failure instanceof BulkRequestError
      ? ((failure.cause as { meta?: Record<string, unknown> } | undefined)?.meta ?? {})
      : {};
  const request = (meta.meta as { request?: { params?: Record<string, unknown> } } | undefined)?.request;
  process.stdout.write(
    `${JSON.stringify({
      error: failure instanceof Error ? failure.name : String(failure),
      status: failure instanceof BulkRequestError ? failure.status : undefined,
      retryable: failure instanceof BulkRequestError ? failure.retryable : undefined,
      bodyKeptAsIs: request?.params?.body === body,
      // Where the client would keep credentials: request headers, response headers, the connection.
      credentialsLeft: JSON.stringify({
        headers: request?.params?.headers,
        responseHeaders: meta.headers,
        connection: (meta.meta as { connection?: unknown } | undefined)?.connection ?? null,
      }).includes(API_KEY),
    })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
