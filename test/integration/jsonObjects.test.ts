/**
 * A CloudTrail file on real Elasticsearch, streamed record by record: a gzip object of 150,000
 * records (~170 MB decompressed, more than the 32 MiB a whole-document parse allowed), too large for
 * one 10 s invocation, continued after the last record shipped. Every record once.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { majorsUnderTest } from "../../scripts/local/services";
import { deployForSeveralInvocations, type SeveralInvocations } from "./severalInvocations";

const RECORDS = 150_000;

function cloudTrailFile(): Buffer {
  const records: string[] = [];
  for (let n = 0; n < RECORDS; n += 1)
    records.push(
      JSON.stringify({
        eventVersion: "1.09",
        eventTime: "2026-12-04T10:00:00Z",
        eventSource: "s3.amazonaws.com",
        eventName: n % 2 === 0 ? "PutObject" : "GetObject",
        eventID: `trail-${n}`,
        requestParameters: { bucketName: "acme", key: `AWSLogs/${n}.log.gz` },
        padding: "p".repeat(900),
      }),
    );
  return gzipSync(`{"Records":[${records.join(",")}]}`, { level: 1 });
}

describe.each(majorsUnderTest())("json objects, Elasticsearch %s.x", (major) => {
  let deployed: SeveralInvocations;

  beforeAll(async () => {
    deployed = await deployForSeveralInvocations(
      major,
      "json-trail",
      { prefix: "AWSLogs/", format: "json", recordsField: "Records" },
      { key: "AWSLogs/trail.json.gz", body: cloudTrailFile() },
    );
  });
  afterAll(() => deployed?.stop());

  it("ships every record of a 170 MB CloudTrail file once, across continuations that resume after the last record", async () => {
    const { client, index, producer } = deployed;
    expect(await producer.poller.drain(600_000)).toBe(true);

    const continued = producer.function.logs.filter((line) => line.includes('"object continued"'));
    expect(continued.length, "the object took several invocations").toBeGreaterThan(0);
    for (const line of continued) expect(line).toMatch(/"unit":"record".*"byteOffset":\d+/);
    await client.indices.refresh({ index });
    expect((await client.count({ index })).count).toBe(RECORDS);
    const repeated = await client.search({
      index,
      size: 0,
      aggs: { ids: { terms: { field: "eventID.keyword", min_doc_count: 2, size: 5 } } },
    });
    expect((repeated.aggregations?.ids as { buckets: unknown[] }).buckets).toEqual([]);
    expect(await deployed.deadLetters()).toBe(0);
  });
});
