import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ConfigError, filtersOverlap, validateConfig, visibilityTimeoutFor } from "../../../pipeline/config";

const elasticsearch = { endpoint: "https://es.example.com", vault: { mount: "secret", path: "es" } };

describe("validateConfig", () => {
  it("applies defaults, then stack defaults, then producer overrides", () => {
    // Act
    const config = validateConfig({
      elasticsearch,
      defaults: { timeoutSeconds: 120, memoryMb: 256 },
      producers: [
        { name: "waf", bucket: "b", index: "logs-waf", format: "ndjson" },
        { name: "alb", bucket: "c", index: "logs-alb", format: "text", timeoutSeconds: 600 },
      ],
    });
    // Assess
    expect(config.producers[0]).toMatchObject({ timeoutSeconds: 120, memoryMb: 256, maxReceiveCount: 5, batchSize: 10, maxConcurrency: 5, visibilityTimeoutSeconds: 720 });
    expect(config.producers[1]).toMatchObject({ timeoutSeconds: 600, memoryMb: 256, visibilityTimeoutSeconds: 3600 });
    expect(config.alerts.emails).toEqual([]);
    expect(config.elasticsearch.requestTimeoutSeconds).toBe(30);
  });

  it("throws a ConfigError naming every problem", () => {
    expect(() => validateConfig({ producers: [{ name: "x" }] })).toThrow(ConfigError);
  });
});

describe("visibilityTimeoutFor", () => {
  it("is never below the function timeout, for every allowed timeout", () => {
    fc.assert(fc.property(fc.integer({ min: 10, max: 900 }), (timeout) => visibilityTimeoutFor(timeout) >= timeout && visibilityTimeoutFor(timeout) === 6 * timeout));
  });
});

describe("filtersOverlap", () => {
  const filter = fc.record({ prefix: fc.option(fc.constantFrom("", "a/", "a/b/", "b/", "a/b/c"), { nil: undefined }), suffix: fc.option(fc.constantFrom("", ".gz", ".log.gz", ".json"), { nil: undefined }) });

  it("is symmetric", () => {
    fc.assert(fc.property(filter, filter, (a, b) => filtersOverlap(a, b) === filtersOverlap(b, a)));
  });

  it("holds whenever some key matches both filters, and not otherwise", () => {
    const keys = ["a/b/c.log.gz", "a/x.gz", "b/y.json", "a/b/cz.json", "zzz", "a/b/c.gz"];
    const matches = (f: { prefix?: string; suffix?: string }, key: string) => key.startsWith(f.prefix ?? "") && key.endsWith(f.suffix ?? "");
    fc.assert(
      fc.property(filter, filter, (a, b) => {
        if (keys.some((key) => matches(a, key) && matches(b, key))) return filtersOverlap(a, b);
        return true;
      }),
    );
  });

  it.each([
    [{ prefix: "AWSLogs/waf/" }, { prefix: "AWSLogs/elb/" }, false],
    [{ prefix: "AWSLogs/" }, { prefix: "AWSLogs/elb/" }, true],
    [{ suffix: ".json.gz" }, { suffix: ".log.gz" }, false],
    [{ suffix: ".gz" }, { suffix: ".log.gz" }, true],
    [{}, { prefix: "x/" }, true],
  ])("%j and %j overlap: %s", (a, b, expected) => {
    expect(filtersOverlap(a, b)).toBe(expected);
  });
});
