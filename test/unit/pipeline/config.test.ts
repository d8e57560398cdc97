import fc from "fast-check";
import { functionEnvironment } from "../../../pipeline/function/functionEnvironment";
import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "../../../lambda/queue/retryPacing";
import { bucketNameProblem } from "../../../pipeline/validation/schema";
import { StackConfigError } from "../../../pipeline/validation/vocabulary";
import { filtersOverlap } from "../../../pipeline/validation/rules";
import { validateConfig } from "../../../pipeline/validation/config";
import { visibilityTimeoutFor } from "../../../pipeline/validation/messageLifetime";
import {
  DEAD_LETTER_RETENTION_SECONDS,
  MAX_BACKLOG_ALARM_SECONDS,
  maxReceiveCountFor,
  MIN_DEAD_LETTER_HOLD_SECONDS,
  QUEUE_RETENTION_SECONDS,
  worstSecondsToDeadLetter,
} from "../../../pipeline/validation/messageLifetime";
import { createTestCa } from "../../helpers/privateCa";

const elasticsearch = {
  endpoint: "https://es.example.com",
  vault: { mount: "secret", path: "es" },
  adminVault: { mount: "secret", path: "es-admin" },
};

describe("validateConfig", () => {
  it("applies defaults, then stack defaults, then producer overrides", () => {
    // Act
    const config = validateConfig({
      elasticsearch,
      defaults: { timeoutSeconds: 120, memoryMb: 256 },
      producers: [
        { name: "waf", bucket: "acme-waf", index: "logs-waf", format: "ndjson" },
        { name: "alb", bucket: "acme-alb", index: "logs-alb", format: "text", timeoutSeconds: 600 },
      ],
    });
    // Assess
    expect(config.producers[0]).toMatchObject({
      timeoutSeconds: 120,
      memoryMb: 256,
      maxReceiveCount: 5,
      batchSize: 10,
      maxConcurrency: 5,
      visibilityTimeoutSeconds: 720,
    });
    expect(config.producers[1]).toMatchObject({ timeoutSeconds: 600, memoryMb: 256, visibilityTimeoutSeconds: 3600 });
    expect(config.alerts.emails).toEqual([]);
    expect(config.elasticsearch.requestTimeoutSeconds).toBe(30);
  });

  it("throws a StackConfigError naming every problem", () => {
    expect(() => validateConfig({ producers: [{ name: "x" }] })).toThrow(StackConfigError);
  });
});

describe("visibilityTimeoutFor", () => {
  it("is never below the function timeout, for every allowed timeout", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 900 }),
        (timeout) => visibilityTimeoutFor(timeout) >= timeout && visibilityTimeoutFor(timeout) === 6 * timeout,
      ),
    );
  });
});

describe("filtersOverlap", () => {
  const filter = fc.record({
    prefix: fc.option(fc.constantFrom("", "a/", "a/b/", "b/", "a/b/c"), { nil: undefined }),
    suffix: fc.option(fc.constantFrom("", ".gz", ".log.gz", ".json"), { nil: undefined }),
  });

  it("is symmetric", () => {
    fc.assert(fc.property(filter, filter, (a, b) => filtersOverlap(a, b) === filtersOverlap(b, a)));
  });

  it("holds whenever some key matches both filters, and not otherwise", () => {
    const keys = ["a/b/c.log.gz", "a/x.gz", "b/y.json", "a/b/cz.json", "zzz", "a/b/c.gz"];
    const matches = (f: { prefix?: string; suffix?: string }, key: string) =>
      key.startsWith(f.prefix ?? "") && key.endsWith(f.suffix ?? "");
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

/** Validates one producer (with a valid rest of the config) and returns the problems, or [] when accepted. */
function problemsOf(producer: Record<string, unknown>, rest: Record<string, unknown> = {}): string[] {
  try {
    validateConfig({
      elasticsearch,
      producers: [{ name: "waf", bucket: "acme-waf", index: "logs-waf", format: "ndjson", ...producer }],
      ...rest,
    });
    return [];
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
}

describe("config that would widen access", () => {
  it.each([
    "*",
    "acme-*",
    "acme?logs",
    "Acme-Logs",
    "acme_logs",
    "ab",
    "a".repeat(64),
    "acme..logs",
    "-acme",
    "acme-",
    "192.168.1.10",
    "xn--acme",
    "acme-s3alias",
    "acme--x-s3",
  ])("refuses the bucket name %j", (bucket) => {
    const problems = problemsOf({ bucket });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^producers\[0\] \(waf\): bucket must be/);
  });

  it("accepts every name S3's rules allow", () => {
    const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?$/);
    const name = fc
      .array(label, { minLength: 1, maxLength: 4 })
      .map((labels) => labels.join("."))
      .filter(
        (n) =>
          n.length >= 3 &&
          n.length <= 63 &&
          !/^\d+\.\d+\.\d+\.\d+$/.test(n) &&
          !/^(xn--|sthree-|amzn-s3-demo-)/.test(n) &&
          !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(n),
      );
    fc.assert(fc.property(name, (bucket) => bucketNameProblem(bucket) === undefined));
  });

  it.each([
    ["prefix", "AWSLogs/*/"],
    ["prefix", "logs?"],
    ["suffix", "*.gz"],
  ])("refuses an IAM wildcard in %s %j", (field, value) => {
    expect(problemsOf({ [field]: value })).toEqual([
      expect.stringContaining(`producers[0] (waf): ${field} must not contain * or ?`),
    ]);
  });

  it("refuses an endpoint carrying credentials, without repeating them", () => {
    const problems = problemsOf(
      {},
      { elasticsearch: { ...elasticsearch, endpoint: "http://shipper:hunter2@es.example.com:9200" } },
    );
    expect(problems).toEqual([
      expect.stringContaining("elasticsearch.endpoint: must not carry credentials"),
      expect.stringContaining("elasticsearch.endpoint: must use https (got http://es.example.com:9200)"),
    ]);
    expect(problems.join("\n")).not.toContain("hunter2");
  });

  it("validates deadLetterIndex like index", () => {
    expect(problemsOf({ deadLetterIndex: "Failed*" })).toEqual([
      expect.stringContaining("producers[0] (waf): deadLetterIndex must be a valid index name"),
    ]);
    expect(problemsOf({ deadLetterIndex: "_failed" })).toEqual([
      expect.stringContaining("producers[0] (waf): deadLetterIndex must not start with -, _ or +"),
    ]);
  });
});

describe("objectKmsKeyArns", () => {
  it("accepts key ARNs of any account", () => {
    expect(
      problemsOf({ objectKmsKeyArns: ["arn:aws:kms:eu-west-1:111122223333:key/1111aaaa-2222-bbbb-3333-cccc4444dddd"] }),
    ).toEqual([]);
  });

  it.each([
    ["an alias", "arn:aws:kms:eu-west-1:111122223333:alias/cloudtrail"],
    ["a key id", "1111aaaa-2222-bbbb-3333-cccc4444dddd"],
    ["a wildcard", "arn:aws:kms:eu-west-1:111122223333:key/*"],
  ])("refuses %s, naming the key", (_what, arn) => {
    expect(problemsOf({ objectKmsKeyArns: [arn] })).toEqual([
      expect.stringMatching(/^producers\[0\] \(waf\): objectKmsKeyArns\.0 must be a KMS key ARN like /),
    ]);
  });

  it("refuses an empty list", () => {
    expect(problemsOf({ objectKmsKeyArns: [] })).toEqual([
      expect.stringContaining("objectKmsKeyArns must list at least one key ARN"),
    ]);
  });
});

describe("config that would be silently ignored", () => {
  it.each([
    ["alert", "alerts"],
    ["defualts", "defaults"],
    ["producer", "producers"],
    ["elasticsearh", "elasticsearch"],
  ])("refuses the top-level key %j and suggests %j, without also reporting it missing", (typo, meant) => {
    // Prepare: the typo holds what the real key would.
    const raw: Record<string, unknown> = {
      elasticsearch,
      producers: [{ name: "waf", bucket: "acme-waf", index: "logs-waf", format: "ndjson" }],
    };
    raw[typo] = raw[meant] ?? { emails: ["secops@example.com"] };
    if (meant in raw) delete raw[meant];
    // Act
    const error = (() => {
      try {
        validateConfig(raw);
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    // Assess
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as StackConfigError).problems).toEqual([
      `s3-log-shipper:${typo}: not a setting of this program, so it would be ignored; did you mean s3-log-shipper:${meant}?`,
    ]);
  });

  it.each(["toString", "constructor", "hasOwnProperty"])(
    "refuses a key named like an object's own method: %s",
    (key) => {
      expect(() =>
        validateConfig({
          elasticsearch,
          producers: [{ name: "waf", bucket: "acme-waf", index: "logs-waf", format: "ndjson" }],
          [key]: {},
        }),
      ).toThrow(`s3-log-shipper:${key}: not a setting of this program`);
    },
  );

  it("lists the settings when no key is close", () => {
    expect(() =>
      validateConfig({
        elasticsearch,
        producers: [{ name: "waf", bucket: "acme-waf", index: "logs-waf", format: "ndjson" }],
        retention: 7,
      }),
    ).toThrow(
      "s3-log-shipper:retention: not a setting of this program, so it would be ignored; the settings are s3-log-shipper:elasticsearch",
    );
  });

  it.each<[Record<string, unknown>, string]>([
    [{ indx: "logs-waf", index: undefined }, 'producers[0] (waf): unknown key "indx"; did you mean "index"?'],
    [{ formta: "ndjson", format: undefined }, 'producers[0] (waf): unknown key "formta"; did you mean "format"?'],
    [{ timeoutSecond: 60 }, 'producers[0] (waf): unknown key "timeoutSecond"; did you mean "timeoutSeconds"?'],
    [{ colour: "blue" }, 'producers[0] (waf): unknown key "colour"; valid keys are "name", "bucket"'],
  ])("names an unknown producer key once, with the nearest valid key: %j", (fields, message) => {
    const producer = Object.fromEntries(
      Object.entries({ name: "waf", bucket: "acme-waf", index: "logs-waf", format: "ndjson", ...fields }).filter(
        ([, v]) => v !== undefined,
      ),
    );
    const problems = problemsOf({}, { producers: [producer] });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("suggests keys inside nested settings too", () => {
    const problems = problemsOf(
      {},
      { elasticsearch: { endpoint: elasticsearch.endpoint, vault: { mount: "secret", pth: "es" } } },
    );
    expect(problems).toEqual(['elasticsearch.vault: unknown key "pth"; did you mean "path"?']);
  });
});

describe("maxReceiveCount and the queues' retention", () => {
  it("refuses more receives than fit before SQS would expire a failing message, naming the limit", () => {
    expect(problemsOf({ timeoutSeconds: 900, maxReceiveCount: 1000 })).toEqual([
      expect.stringContaining(
        `producers[0] (waf): maxReceiveCount must be at most ${maxReceiveCountFor(900, 3600)} with timeoutSeconds 900`,
      ),
    ]);
    expect(problemsOf({ timeoutSeconds: 900, maxReceiveCount: maxReceiveCountFor(900, 3600) })).toEqual([]);
  });

  it("names the entry at fault by its own position, also after an entry refused for another reason", () => {
    const error = (() => {
      try {
        validateConfig({
          elasticsearch,
          producers: [
            { name: "waf", bucket: "acme-waf", index: "logs-waf", format: "xml" },
            {
              name: "alb",
              bucket: "acme-alb",
              index: "logs-alb",
              format: "text",
              timeoutSeconds: 900,
              maxReceiveCount: 500,
              batchSize: 50,
            },
          ],
        });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })() as StackConfigError;
    expect(error.problems).toEqual([
      expect.stringMatching(/^producers\[0\] \(waf\): format must be one of/),
      expect.stringMatching(/^producers\[1\] \(alb\): batchSize above 10 needs batchWindowSeconds/),
      expect.stringMatching(/^producers\[1\] \(alb\): maxReceiveCount must be at most 95/),
    ]);
  });

  it("accepts the default maxReceiveCount with every timeout and backlog alarm", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 900 }),
        fc.integer({ min: 60, max: MAX_BACKLOG_ALARM_SECONDS }),
        (timeoutSeconds, backlogAgeAlarmSeconds) => problemsOf({ timeoutSeconds, backlogAgeAlarmSeconds }).length === 0,
      ),
    );
  });

  it("accepts a config only if every message it can fail reaches the DLQ with a week left, under the real pacing schedule", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 900 }),
        fc.integer({ min: 5, max: 1000 }),
        fc.integer({ min: 60, max: MAX_BACKLOG_ALARM_SECONDS }),
        (timeoutSeconds, maxReceiveCount, backlogAgeAlarmSeconds) => {
          const accepted = problemsOf({ timeoutSeconds, maxReceiveCount, backlogAgeAlarmSeconds }).length === 0;
          // Worst case: first received only when the backlog alarm fires; every receive runs the full
          // timeout, then waits the longest of the paced delay (jitter at its top) and — when the
          // function crashed and paced nothing — the visibility timeout counted from the receive.
          const visibility = visibilityTimeoutFor(timeoutSeconds);
          let now = backlogAgeAlarmSeconds;
          for (let receive = 1; receive <= maxReceiveCount; receive += 1) {
            now += Math.max(timeoutSeconds + retryDelaySeconds(receive, visibility, () => 1), visibility);
          }
          const reachesDeadLetterQueue = now < QUEUE_RETENTION_SECONDS;
          const heldForAWeek = DEAD_LETTER_RETENTION_SECONDS - now >= MIN_DEAD_LETTER_HOLD_SECONDS;
          if (accepted) return reachesDeadLetterQueue && heldForAWeek;
          // Refused only when needed: one receive fewer would still not fit (the bound is tight).
          return (
            worstSecondsToDeadLetter(timeoutSeconds, maxReceiveCount, backlogAgeAlarmSeconds) >
            DEAD_LETTER_RETENTION_SECONDS - MIN_DEAD_LETTER_HOLD_SECONDS
          );
        },
      ),
      { numRuns: 2_000 },
    );
  });
});

describe("Elasticsearch compression and ingest pipelines", () => {
  it("compresses with gzip at level 1 unless told otherwise", () => {
    const config = validateConfig({
      elasticsearch,
      producers: [{ name: "waf", bucket: "acme-waf", index: "logs-waf", format: "ndjson" }],
    });
    expect(config.elasticsearch).toMatchObject({ compression: "gzip" });
    expect(config.elasticsearch.compressionLevel).toBeUndefined();
  });

  it.each<[Record<string, unknown>, string]>([
    [{ compression: "zstd" }, 'elasticsearch.compression: must be one of gzip, none, got "zstd"'],
    [{ compressionLevel: 0 }, "elasticsearch.compressionLevel: must be at least 1, got 0"],
    [{ compressionLevel: 10 }, "elasticsearch.compressionLevel: must be at most 9, got 10"],
    [
      { compression: "none", compressionLevel: 6 },
      "elasticsearch.compressionLevel: only applies to compression: gzip, but compression is none",
    ],
  ])("refuses %j naming the key", (settings, message) => {
    expect(problemsOf({}, { elasticsearch: { ...elasticsearch, ...settings } })).toEqual([
      expect.stringContaining(message),
    ]);
  });

  it.each(["with space", "a/b", "", 'quote"d'])("refuses the pipeline id %j naming the key", (pipeline) => {
    expect(problemsOf({ pipeline })).toEqual([
      expect.stringContaining("producers[0] (waf): pipeline must be the id of an ingest pipeline"),
    ]);
  });

  it("accepts a pipeline id as Elasticsearch names them", () => {
    expect(problemsOf({ pipeline: "logs-aws.waf@custom" })).toEqual([]);
  });
});

describe("include and exclude", () => {
  it("refuses an expression RE2 cannot compile, naming the key and the expression", () => {
    expect(problemsOf({ exclude: ["ok", "(?<=x)y"] })).toEqual([
      expect.stringMatching(/^producers\[0\] \(waf\): exclude\.1 "\(\?<=x\)y" is not an RE2 regular expression/),
    ]);
  });

  it("refuses an empty list and a list of other things", () => {
    expect(problemsOf({ include: [] })).toEqual([expect.stringContaining("include must list at least one expression")]);
    expect(problemsOf({ include: "ERROR" })).toEqual([
      expect.stringContaining("include must be a list of regular expressions"),
    ]);
  });
});

describe("a cluster's private CA", () => {
  const ca = createTestCa("config-ca");
  const problemsOf = (es: Record<string, unknown>, producer: Record<string, unknown> = {}): string[] => {
    try {
      validateConfig({
        elasticsearch: { ...elasticsearch, ...es },
        producers: [{ name: "waf", bucket: "acme-waf", index: "logs-waf", format: "ndjson", ...producer }],
      });
      return [];
    } catch (error) {
      if (error instanceof StackConfigError) return error.problems;
      throw error;
    }
  };

  it("accepts a CA certificate, or a chain of two, and a fingerprint with or without colons", () => {
    const other = createTestCa("config-ca-2");

    expect(problemsOf({ caCertificate: ca.cert })).toEqual([]);
    expect(problemsOf({ caCertificate: ca.cert + other.cert })).toEqual([]);
    expect(problemsOf({ caFingerprint: ca.fingerprint })).toEqual([]);
    expect(problemsOf({ caFingerprint: ca.fingerprint.replace(/:/g, "").toLowerCase() })).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["text that is no PEM", { caCertificate: "MIIB…" }, /caCertificate: must hold the CA's certificate as PEM/],
    [
      "a PEM block that is no certificate",
      { caCertificate: "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n" },
      /caCertificate: certificate 1 of 1 cannot be read/,
    ],
    [
      "a private key beside the certificate",
      { caCertificate: `${ca.cert}${ca.key}` },
      /caCertificate: holds a PRIVATE KEY block: give only the CA's certificate .*treat that key as exposed/,
    ],
    ["a fingerprint of the wrong length", { caFingerprint: "AB:CD" }, /caFingerprint: must be a SHA-256 fingerprint/],
    [
      "both",
      { caCertificate: ca.cert, caFingerprint: ca.fingerprint },
      /caFingerprint: set either caCertificate .* or caFingerprint, not both/,
    ],
    [
      "a CA for an http endpoint",
      { endpoint: "http://es.internal:9200", allowInsecureHttp: true, caCertificate: ca.cert },
      /caCertificate: only applies to an https endpoint, but endpoint is http:\/\/es.internal:9200/,
    ],
  ])("refuses %s, naming the key", (_, es, problem) => {
    const problems = problemsOf(es);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
    // Never the key material itself in the message.
    expect(problems[0]).not.toContain("PRIVATE KEY-----");
  });

  it("refuses a function environment over Lambda's 4 KB, naming what fills it", () => {
    const chain = Array.from({ length: 8 }, (_, n) => createTestCa(`config-ca-chain-${n}`).cert).join("");

    const problems = problemsOf({ caCertificate: chain }, { exclude: ["health", "ping"] });

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^producers \(waf\): the function's environment would be about \d+ bytes, over Lambda's 4096 \(elasticsearch.caCertificate \d+ bytes, exclude 17 bytes\); .*caFingerprint instead of caCertificate/,
    );
  });

  it("refuses long include/exclude lists the same way, and takes what fits", () => {
    const many = Array.from({ length: 400 }, (_, n) => `noise-${n}`);

    expect(problemsOf({}, { exclude: many })[0]).toMatch(/over Lambda's 4096 \(exclude \d+ bytes\)/);
    expect(problemsOf({}, { exclude: many.slice(0, 100) })).toEqual([]);
  });
});

describe("multiline", () => {
  const problemsOf = (producer: Record<string, unknown>): string[] => {
    try {
      validateConfig({
        elasticsearch,
        producers: [{ name: "app", bucket: "acme-app", index: "logs-app", format: "text", ...producer }],
      });
      return [];
    } catch (error) {
      if (error instanceof StackConfigError) return error.problems;
      throw error;
    }
  };

  it("takes Filebeat's settings with its defaults (negate false, maxLines 500) and maxBytes of the memory budget's line limit", () => {
    const config = validateConfig({
      elasticsearch,
      producers: [
        {
          name: "app",
          bucket: "acme-app",
          index: "logs-app",
          format: "text",
          multiline: { pattern: "^\\[", negate: true, match: "after" },
        },
      ],
    });

    expect(config.producers[0]?.multiline).toEqual({
      pattern: "^\\[",
      negate: true,
      match: "after",
      maxLines: 500,
      // 512 MB (the default) holds a 4 MiB line and a 4 MiB event in each of 3 messages (memoryBudget.ts).
      maxBytes: 4 * 1024 * 1024,
    });
    expect(config.producers[0]?.memory).toMatchObject({ maxLineBytes: 4 * 1024 * 1024, messageConcurrency: 3 });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "multiline on ndjson",
      { format: "ndjson", multiline: { pattern: "^\\s", match: "after" } },
      /\(app\): multiline only applies to format: text, but format is ndjson/,
    ],
    [
      "a pattern RE2 does not take",
      { multiline: { pattern: "^(?!\\s)", match: "after" } },
      /\(app\): multiline.pattern "\^\(\?!\\\\s\)" is not an RE2 regular expression/,
    ],
    ["no match", { multiline: { pattern: "^\\s" } }, /\(app\): multiline.match must be one of after, before/],
    [
      "match: previous",
      { multiline: { pattern: "^\\s", match: "previous" } },
      /multiline.match must be one of after, before, got "previous"/,
    ],
    [
      "maxLines 0",
      { multiline: { pattern: "^\\s", match: "after", maxLines: 0 } },
      /multiline.maxLines must be at least 1/,
    ],
    [
      "maxBytes over a line's limit",
      { multiline: { pattern: "^\\s", match: "after", maxBytes: 9 * 1024 * 1024 } },
      /multiline.maxBytes must be at most 8388608/,
    ],
    [
      "an unknown key",
      { multiline: { pattern: "^\\s", match: "after", flush_pattern: "x" } },
      /multiline.*flush_pattern/,
    ],
  ])("refuses %s, naming the key", (_, producer, problem) => {
    const problems = problemsOf(producer);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});

/** The first producer's function environment. */
function environmentOf(config: ReturnType<typeof validateConfig>): Record<string, string> {
  const producer = config.producers[0];
  if (!producer) throw new Error("no producer");
  return functionEnvironment({
    producer,
    elasticsearch: config.elasticsearch,
    parameterName: "/p",
    queueUrl: "https://q",
  });
}

describe("AWS's formats", () => {
  it.each(["alb", "nlb", "elb", "cloudfront", "vpcflow", "s3access", "cloudwatch", "cloudtrail", "waf", "aws"])(
    "takes format %s, and writes it to the function's environment",
    (format) => {
      const config = validateConfig({
        elasticsearch,
        producers: [{ name: "lb", bucket: "acme-lb-logs", index: "logs-lb", format }],
      });
      expect(config.producers[0]?.format).toBe(format);
      expect(environmentOf(config).LOG_FORMAT).toBe(format);
    },
  );

  it("keeps the raw line in event.original for a parsed format when asked, and refuses it where nothing is parsed", () => {
    const config = validateConfig({
      elasticsearch,
      producers: [{ name: "lb", bucket: "acme-lb-logs", index: "logs-lb", format: "alb", preserveOriginal: true }],
    });
    expect(environmentOf(config).PRESERVE_ORIGINAL).toBe("true");
    const unset = validateConfig({
      elasticsearch,
      producers: [{ name: "lb", bucket: "acme-lb-logs", index: "logs-lb", format: "alb" }],
    });
    expect(environmentOf(unset)).not.toHaveProperty("PRESERVE_ORIGINAL");
    expect(problemsOf({ format: "ndjson", preserveOriginal: true })).toEqual([
      expect.stringMatching(
        /preserveOriginal only applies to AWS's parsed formats \(alb, .*cloudtrail, waf, aws\), but format is ndjson/,
      ),
    ]);
    expect(problemsOf({ format: "vpcflow", multiline: { pattern: "^\\s", match: "after" } })).toEqual([
      expect.stringMatching(/multiline only applies to format: text, but format is vpcflow/),
    ]);
    expect(problemsOf({ format: "cloudtrail", recordsField: "Records" })).toEqual([
      expect.stringMatching(/recordsField only applies to format json or auto, but format is cloudtrail/),
    ]);
  });
});

describe("destinations", () => {
  it("writes an AWS format without an index to the integration's data stream in the namespace, the same fields with an index", () => {
    // Act
    const config = validateConfig({
      elasticsearch,
      defaults: { namespace: "prod" },
      producers: [
        { name: "trail", bucket: "acme-trail", format: "cloudtrail" },
        { name: "lb", bucket: "acme-lb", format: "alb", namespace: "edge" },
        { name: "app", bucket: "acme-app", format: "ndjson", dataset: "acme.app" },
        { name: "own", bucket: "acme-own", format: "waf", index: "logs-waf-default" },
      ],
    });
    // Assess
    expect(config.producers.map(({ index, dataset, namespace }) => ({ index, dataset, namespace }))).toEqual([
      { index: undefined, dataset: undefined, namespace: "prod" },
      { index: undefined, dataset: undefined, namespace: "edge" },
      { index: undefined, dataset: "acme.app", namespace: "prod" },
      { index: "logs-waf-default", dataset: undefined, namespace: "prod" },
    ]);
    const environments = config.producers.map((producer) =>
      functionEnvironment({
        producer,
        elasticsearch: config.elasticsearch,
        parameterName: "/p",
        queueUrl: "https://q",
      }),
    );
    expect(environments.map((env) => [env.ES_INDEX, env.DATA_STREAM_DATASET, env.DATA_STREAM_NAMESPACE])).toEqual([
      [undefined, undefined, "prod"],
      [undefined, undefined, "edge"],
      [undefined, "acme.app", "prod"],
      ["logs-waf-default", undefined, "prod"],
    ]);
    // The default namespace is the function's own: an existing stack's environment does not change.
    const plain = validateConfig({
      elasticsearch,
      producers: [{ name: "trail", bucket: "acme-trail", format: "cloudtrail" }],
    });
    expect(environmentOf(plain)).not.toHaveProperty("DATA_STREAM_NAMESPACE");
  });

  it("refuses a producer with nowhere to write, a dataset for an AWS format, and names Elastic's naming rules", () => {
    expect(problemsOf({ index: undefined, format: "ndjson" })).toEqual([
      expect.stringMatching(
        /index missing; set index \(an index or data stream\), or dataset to write the data stream logs-<dataset>-<namespace>/,
      ),
    ]);
    expect(problemsOf({ index: undefined, format: "cloudtrail", dataset: "mine" })).toEqual([
      expect.stringMatching(
        /dataset only applies to formats that are not AWS's own: format cloudtrail writes the dataset of Elastic's AWS integration \(aws.cloudtrail\)/,
      ),
    ]);
    expect(problemsOf({ index: undefined, dataset: "acme-app" })).toEqual([
      expect.stringMatching(/dataset must not contain - .* got "acme-app"/),
    ]);
    expect(problemsOf({ namespace: "Prod" })).toEqual([expect.stringMatching(/namespace must be lower case/)]);
    expect(problemsOf({}, { defaults: { namespace: "a".repeat(101) } })).toEqual([
      expect.stringMatching(/defaults.namespace: must be 1–100 bytes/),
    ]);
  });
});

describe("the memory budget", () => {
  const configOf = (producer: Record<string, unknown>, defaults: Record<string, unknown> = {}) =>
    validateConfig({
      elasticsearch,
      defaults,
      producers: [{ name: "app", bucket: "acme-app", index: "logs-app", format: "text", ...producer }],
    });
  const problemsOf = (producer: Record<string, unknown>, defaults: Record<string, unknown> = {}): string[] => {
    try {
      configOf(producer, defaults);
      return [];
    } catch (error) {
      if (error instanceof StackConfigError) return error.problems;
      throw error;
    }
  };

  it("derives each producer's line limit and messages at once from its memoryMb", () => {
    const config = validateConfig({
      elasticsearch,
      producers: [
        { name: "small", bucket: "acme-app", prefix: "a/", index: "logs-app", format: "text", memoryMb: 128 },
        { name: "large", bucket: "acme-app", prefix: "b/", index: "logs-app", format: "text", memoryMb: 1024 },
      ],
    });

    expect(
      config.producers.map((producer) => [producer.memory.maxLineBytes, producer.memory.messageConcurrency]),
    ).toEqual([
      [512 * 1024, 2],
      [8 * 1024 * 1024, 4],
    ]);
  });

  it("takes an explicit maxLineBytes, from the producer or the stack's defaults, with fewer messages at once", () => {
    expect(configOf({ memoryMb: 256, maxLineBytes: 8 * 1024 * 1024 }).producers[0]?.memory).toMatchObject({
      maxLineBytes: 8 * 1024 * 1024,
      messageConcurrency: 1,
    });
    expect(configOf({}, { maxLineBytes: 65_536 }).producers[0]?.memory.maxLineBytes).toBe(65_536);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    [
      "a line limit the memory cannot hold",
      { memoryMb: 128, maxLineBytes: 8 * 1024 * 1024 },
      /^producers\[0\] \(app\): maxLineBytes 8388608 does not fit a 128 MB function even one message at a time .*; raise memoryMb to at least 256, or lower maxLineBytes$/,
    ],
    [
      "a multiline event the memory cannot hold",
      { memoryMb: 128, multiline: { pattern: "^\\s", match: "after", maxBytes: 8 * 1024 * 1024 } },
      /^producers\[0\] \(app\): multiline.maxBytes 8388608 does not fit a 128 MB function .*raise memoryMb to at least \d+, or lower multiline.maxBytes$/,
    ],
    ["a line limit over 8 MiB", { maxLineBytes: 9 * 1024 * 1024 }, /maxLineBytes must be at most 8388608/],
    ["a line limit under 1 KiB", { maxLineBytes: 100 }, /maxLineBytes must be at least 1024/],
  ])("refuses %s, naming the key and the fix", (_, producer, problem) => {
    const problems = problemsOf(producer);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});

describe("the Elasticsearch side's keys", () => {
  const { adminVault: _admin, ...withoutAdmin } = elasticsearch;

  it("requires adminVault while manageIndices is on (its default), naming the key and the way out", () => {
    const problems = problemsOf({}, { elasticsearch: withoutAdmin });
    expect(problems).toEqual([
      expect.stringMatching(
        /^elasticsearch\.adminVault: missing: pulumi up puts each destination's index template .*or set manageIndices: false/,
      ),
    ]);
    expect(problemsOf({}, { elasticsearch: { ...withoutAdmin, manageIndices: false } })).toEqual([]);
  });

  it("refuses adminVault without manageIndices, and a manageIndices that is no boolean", () => {
    expect(problemsOf({}, { elasticsearch: { ...elasticsearch, manageIndices: false } })).toEqual([
      "elasticsearch.adminVault: is used only with manageIndices: true, but manageIndices is false",
    ]);
    expect(problemsOf({}, { elasticsearch: { ...elasticsearch, manageIndices: "yes" } })).toEqual([
      expect.stringMatching(/^elasticsearch\.manageIndices: must be true or false/),
    ]);
  });

  it("refuses retentionDays for an explicit plain index: retention is a data stream's lifecycle", () => {
    expect(problemsOf({ index: "logs-waf", retentionDays: 30 })).toEqual([
      expect.stringContaining(
        "producer waf: retentionDays needs a data stream, but index logs-waf is a plain index (not logs-<dataset>-<namespace>)",
      ),
    ]);
    expect(problemsOf({ index: "logs-acme.waf-prod", retentionDays: 30 })).toEqual([]);
  });
});
