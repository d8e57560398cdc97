/**
 * The notification entries provider against a local server that answers S3's notification
 * configuration calls as S3 does (the document PUT is the document GET returns), slowly enough that
 * two writers overlap: what two LogShippers reading one bucket in one program do, since the engine
 * creates their entries resources at the same time.
 */
import { S3Client } from "@aws-sdk/client-s3";
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  notificationEntriesProvider,
  type NotificationEntriesInputs,
} from "../../../pipeline/resources/notificationEntriesProvider";
import { LoopbackServer } from "../../helpers/loopbackServer";

const EMPTY =
  '<?xml version="1.0" encoding="UTF-8"?><NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>';

/** One bucket's notification configuration; every call takes `latencyMs`; PUTs listed in `refusePuts` answer 400. */
class SlowNotificationServer extends LoopbackServer {
  configuration = EMPTY;
  refusePuts = 0;
  constructor(private readonly latencyMs: number) {
    super();
  }
  protected async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    let body = "";
    for await (const chunk of request) body += String(chunk);
    await sleep(this.latencyMs);
    if (request.method === "PUT" && this.refusePuts > 0) {
      this.refusePuts -= 1;
      response.writeHead(400, { "content-type": "application/xml" });
      response.end("<Error><Code>InvalidArgument</Code><Message>refused for the test</Message></Error>");
      return;
    }
    if (request.method === "PUT") this.configuration = body;
    response.writeHead(200, { "content-type": "application/xml" });
    response.end(request.method === "GET" ? this.configuration : "");
  }
}

const entriesOf = (instance: string, producer: string): NotificationEntriesInputs => ({
  bucket: "shared-logs",
  region: "eu-west-1",
  entries: [
    {
      id: `${instance}-prod-${producer}`,
      queueArn: `arn:aws:sqs:eu-west-1:123456789012:${instance}-${producer}`,
      events: ["s3:ObjectCreated:*"],
      prefix: `${producer}/`,
    },
  ],
});

describe("two LogShippers' entries for one bucket, written at the same time", () => {
  const server = new SlowNotificationServer(40);
  let s3: S3Client;
  beforeAll(async () => {
    const endpoint = await server.start();
    s3 = new S3Client({
      region: "eu-west-1",
      endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    });
  });
  afterAll(() => server.stop());

  const ids = async () =>
    (
      await notificationEntriesProvider(() => s3).read?.("shared-logs", {
        ...entriesOf("any", "any"),
        entries: ["security-prod-cloudtrail", "security-prod-vpcflow", "application-prod-waf"].map((id) => ({
          id,
          queueArn: "",
          events: [],
        })),
      })
    )?.props.entries.map((entry: { id: string }) => entry.id);

  it("keeps every writer's entries: each read-change-write of a bucket waits for the one before", async () => {
    server.configuration = EMPTY;
    // One provider per resource, as the engine deserializes one per call in a TypeScript program.
    await Promise.all([
      notificationEntriesProvider(() => s3).create(entriesOf("security", "cloudtrail")),
      notificationEntriesProvider(() => s3).create(entriesOf("security", "vpcflow")),
      notificationEntriesProvider(() => s3).create(entriesOf("application", "waf")),
    ]);
    expect((await ids())?.sort()).toEqual([
      "application-prod-waf",
      "security-prod-cloudtrail",
      "security-prod-vpcflow",
    ]);
  });

  it("goes on with the next writer after one fails", async () => {
    server.configuration = EMPTY;
    server.refusePuts = 1;
    const results = await Promise.allSettled([
      notificationEntriesProvider(() => s3).create(entriesOf("security", "cloudtrail")),
      notificationEntriesProvider(() => s3).create(entriesOf("application", "waf")),
    ]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "fulfilled"]);
    expect(await ids()).toEqual(["application-prod-waf"]);
  });
});
