/**
 * Multiline events on real Elasticsearch: a gzip application log of Java stack traces, too large
 * for one 10 s invocation, so continuations fall mid-object. Each trace is one document, once; a
 * continuation that split an event would leave a headless part (tagged `_shipper_truncated`) and
 * one document more.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { majorsUnderTest } from "../../scripts/local/services";
import { deployForSeveralInvocations, type SeveralInvocations } from "./severalInvocations";

const EVENTS = 400_000;

/** Every fourth record an exception with a trace of 4–9 frames; ~30 MB decompressed. */
function applicationLog(): string {
  const parts: string[] = [];
  for (let n = 0; n < EVENTS; n += 1) {
    parts.push(`2026-12-04T10:00:00Z ${n % 4 === 0 ? "ERROR" : "INFO"} request#${n} served`);
    if (n % 4 === 0)
      for (let f = 0; f < 4 + (n % 6); f += 1) parts.push(`    at com.acme.Handler${f}.handle(Handler${f}.java:${n})`);
  }
  return `${parts.join("\n")}\n`;
}

describe.each(majorsUnderTest())("multiline events, Elasticsearch %s.x", (major) => {
  let deployed: SeveralInvocations;

  beforeAll(async () => {
    deployed = await deployForSeveralInvocations(
      major,
      "multiline",
      { prefix: "app/", format: "text", multiline: { pattern: "^\\s+at ", match: "after" } },
      { key: "app/app.log.gz", body: gzipSync(applicationLog()) },
    );
  });
  afterAll(() => deployed?.stop());

  it("ships every stack trace as one document, once, across continuations", async () => {
    const { client, index, producer } = deployed;
    expect(await producer.poller.drain(600_000)).toBe(true);

    expect(
      producer.function.logs.some((line) => line.includes('"object continued"')),
      "the object took several invocations",
    ).toBe(true);
    await client.indices.refresh({ index });
    expect((await client.count({ index })).count).toBe(EVENTS);
    expect((await client.count({ index, query: { term: { "tags.keyword": "_shipper_truncated" } } })).count).toBe(0);
    const trace = await client.search<{ message: string }>({
      index,
      query: { match_phrase: { message: "request#4000 served" } },
    });
    expect(trace.hits.hits[0]?._source?.message.split("\n")).toHaveLength(1 + 4 + (4000 % 6));
    expect(await deployed.deadLetters()).toBe(0);
  });
});
