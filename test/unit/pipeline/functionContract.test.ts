/**
 * The contract between deploy time and run time: what `pipeline/` writes into the function's
 * environment and SSM parameter is what `lambda/` reads back. A key renamed, dropped or mistyped
 * on either side fails here, not first in the integration tier.
 */
import { describe, expect, it } from "vitest";
import { ENVIRONMENT_KEYS, readSettings } from "../../../lambda/contract/env";
import { LOG_FORMATS } from "../../../lambda/contract/formats";
import { multilineFromEnvironment } from "../../../lambda/contract/multiline";
import { validateConfig } from "../../../pipeline/validation/config";
import { credentialsFromVaultData } from "../../../pipeline/resources/credentials";
import { functionEnvironment } from "../../../pipeline/function/functionEnvironment";
import { CredentialsProvider } from "../../../lambda/bulk/credentials";
import { SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll } from "vitest";
import { FakeAws } from "../../helpers/fakeAws";
import { createTestCa } from "../../helpers/privateCa";

const aws = new FakeAws();
let awsUrl = "";
beforeAll(async () => {
  awsUrl = await aws.start();
});
afterAll(() => aws.stop());

function deployedEnvironment(
  producer: Record<string, unknown>,
  elasticsearch: Record<string, unknown> = { endpoint: "https://es.example.com:9200" },
) {
  const config = validateConfig({
    elasticsearch: {
      requestTimeoutSeconds: 42,
      vault: { mount: "secret", path: "contract" },
      manageIndices: false,
      ...elasticsearch,
    },
    producers: [{ name: "contract", bucket: "acme-logs", index: "logs-contract", format: "ndjson", ...producer }],
  });
  const deployed = config.producers[0];
  if (!deployed) throw new Error("no producer");
  return {
    producer: deployed,
    environment: functionEnvironment({
      producer: deployed,
      elasticsearch: config.elasticsearch,
      parameterName: "/s3-log-shipper/contract/elasticsearch",
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/contract",
    }),
  };
}

describe("the function's environment", () => {
  it("reads back every setting the program writes", () => {
    const { producer, environment } = deployedEnvironment({
      format: "json",
      recordsField: "Records",
      timestampField: "eventTime",
      deadLetterIndex: "logs-contract-failed",
      timeoutSeconds: 120,
    });
    const settings = readSettings(environment);
    expect(settings).toMatchObject({
      ES_ENDPOINT: "https://es.example.com:9200",
      ES_CREDENTIALS_PARAMETER: "/s3-log-shipper/contract/elasticsearch",
      ES_INDEX: "logs-contract",
      ES_REQUEST_TIMEOUT_MS: 42_000,
      LOG_FORMAT: "json",
      RECORDS_FIELD: "Records",
      TIMESTAMP_FIELD: "eventTime",
      DEAD_LETTER_INDEX: "logs-contract-failed",
      QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/contract",
      PRODUCER: "contract",
      VISIBILITY_TIMEOUT_SECONDS: producer.visibilityTimeoutSeconds,
    });
    expect(settings.ES_CLOUD_ID).toBeUndefined();
  });

  it("reads back compression, its level and the producer's ingest pipeline", () => {
    const defaults = readSettings(deployedEnvironment({}).environment);
    expect(defaults).toMatchObject({ ES_COMPRESSION: "gzip", ES_COMPRESSION_LEVEL: 1 });
    expect(defaults.ES_PIPELINE).toBeUndefined();
    const tuned = readSettings(
      deployedEnvironment(
        { pipeline: "geoip-waf", include: ["ERROR|WARN"], exclude: ["health"] },
        { endpoint: "https://es.example.com:9200", compressionLevel: 6 },
      ).environment,
    );
    expect(tuned).toMatchObject({
      ES_COMPRESSION: "gzip",
      ES_COMPRESSION_LEVEL: 6,
      ES_PIPELINE: "geoip-waf",
      LINE_INCLUDE: '["ERROR|WARN"]',
      LINE_EXCLUDE: '["health"]',
    });
    const plain = readSettings(
      deployedEnvironment({}, { endpoint: "https://es.example.com:9200", compression: "none" }).environment,
    );
    expect(plain.ES_COMPRESSION).toBe("none");
  });

  it("reads back the cluster's CA certificate as normalized PEM, or its fingerprint", () => {
    const ca = createTestCa("contract-ca");
    // Pasted as users paste it: text around the block, CRLF line ends.
    const pasted = `cluster CA, from /etc/elasticsearch/certs/http_ca.crt\r\n${ca.cert.replace(/\n/g, "\r\n")}`;

    const withCertificate = readSettings(
      deployedEnvironment({}, { endpoint: "https://es.internal:9200", caCertificate: pasted }).environment,
    );
    const withFingerprint = readSettings(
      deployedEnvironment({}, { endpoint: "https://es.internal:9200", caFingerprint: ca.fingerprint }).environment,
    );

    expect(withCertificate.ES_CA_CERTIFICATES).toBe(ca.cert);
    expect(withCertificate.ES_CA_FINGERPRINT).toBeUndefined();
    expect(withFingerprint.ES_CA_FINGERPRINT).toBe(ca.fingerprint);
    expect(withFingerprint.ES_CA_CERTIFICATES).toBeUndefined();
  });

  it("reads back a text producer's multiline setting", () => {
    const { environment } = deployedEnvironment({
      format: "text",
      multiline: { pattern: "^\\s+at ", match: "after", maxLines: 200 },
    });

    expect(multilineFromEnvironment(readSettings(environment).MULTILINE)).toEqual({
      pattern: "^\\s+at ",
      negate: false,
      match: "after",
      maxLines: 200,
      maxBytes: 4 * 1024 * 1024, // the memory budget's at 512 MB, with an event held next to each line
    });
    expect(readSettings(deployedEnvironment({ format: "text" }).environment).MULTILINE).toBeUndefined();
    expect(() => multilineFromEnvironment('{"pattern":"^x"}')).toThrow(/MULTILINE: must be JSON like/);
  });

  it.each<[number, Record<string, number>, string]>([
    [
      128,
      { MAX_LINE_BYTES: 512 * 1024, MESSAGE_CONCURRENCY: 2, ES_BULK_MAX_BYTES: 1024 * 1024, ES_BULK_CONCURRENCY: 1 },
      "--max-old-space-size=64 --max-semi-space-size=2",
    ],
    [
      256,
      {
        MAX_LINE_BYTES: 2 * 1024 * 1024,
        MESSAGE_CONCURRENCY: 4,
        ES_BULK_MAX_BYTES: 2 * 1024 * 1024,
        ES_BULK_CONCURRENCY: 2,
      },
      "--max-old-space-size=128 --max-semi-space-size=4",
    ],
    [
      512,
      {
        MAX_LINE_BYTES: 8 * 1024 * 1024,
        MESSAGE_CONCURRENCY: 3,
        ES_BULK_MAX_BYTES: 5 * 1024 * 1024,
        ES_BULK_CONCURRENCY: 2,
      },
      "--max-old-space-size=256 --max-semi-space-size=8",
    ],
    [
      1024,
      {
        MAX_LINE_BYTES: 8 * 1024 * 1024,
        MESSAGE_CONCURRENCY: 4,
        ES_BULK_MAX_BYTES: 5 * 1024 * 1024,
        ES_BULK_CONCURRENCY: 2,
      },
      "--max-old-space-size=512 --max-semi-space-size=16",
    ],
  ])(
    "reads back the memory budget of a %i MB text function, and Node gets its heap flags",
    (memoryMb, budget, flags) => {
      const { environment } = deployedEnvironment({ memoryMb, format: "text" });

      expect(readSettings(environment)).toMatchObject(budget);
      expect(environment.NODE_OPTIONS).toBe(flags);
    },
  );

  it("gives an ndjson function (its lines parsed) half a text function's line limit at 512 MB", () => {
    expect(readSettings(deployedEnvironment({ memoryMb: 512, format: "ndjson" }).environment)).toMatchObject({
      MAX_LINE_BYTES: 4 * 1024 * 1024,
      MESSAGE_CONCURRENCY: 3,
    });
  });

  it("writes the budget's values only where they differ from the function's own defaults", () => {
    const { environment } = deployedEnvironment({ memoryMb: 1024, format: "text" });

    for (const key of ["MAX_LINE_BYTES", "MESSAGE_CONCURRENCY", "ES_BULK_MAX_BYTES", "ES_BULK_CONCURRENCY"])
      expect(environment).not.toHaveProperty(key);
    expect(deployedEnvironment({ memoryMb: 128, format: "text" }).environment).toMatchObject({
      MAX_LINE_BYTES: "524288",
    });
  });

  it("reads back a cloud id instead of an endpoint", () => {
    const { environment } = deployedEnvironment(
      {},
      { endpoint: undefined, cloudId: "deployment:ZXUtd2VzdC0xLmF3cy5mb3VuZC5pbyRhYmMkZGVm" },
    );
    const settings = readSettings(environment);
    expect(settings.ES_CLOUD_ID).toBe("deployment:ZXUtd2VzdC0xLmF3cy5mb3VuZC5pbyRhYmMkZGVm");
    expect(settings.ES_ENDPOINT).toBeUndefined();
  });

  it("writes no variable the function does not read (but Node's own)", () => {
    const { environment } = deployedEnvironment({
      format: "json",
      recordsField: "Records",
      timestampField: "t",
      deadLetterIndex: "x",
    });
    const unread = Object.keys(environment).filter((key) => !(ENVIRONMENT_KEYS as string[]).includes(key));
    expect(unread).toEqual(["NODE_OPTIONS"]);
  });

  it.each(LOG_FORMATS)("accepts the format %s on both sides", (format) => {
    const { environment } = deployedEnvironment({ format, ...(format === "json" ? { recordsField: "Records" } : {}) });
    expect(readSettings(environment).LOG_FORMAT).toBe(format);
  });
});

describe("the stored credentials", () => {
  it.each<Record<string, string>>([{ api_key: "aWQ6a2V5" }, { username: "shipper", password: "not-a-real-password" }])(
    "are read back by the function as written at deploy time (%o)",
    async (vaultData) => {
      const stored = JSON.stringify(credentialsFromVaultData(vaultData, "secret/contract"));
      aws.parameters.set("/s3-log-shipper/contract/elasticsearch", stored);
      const ssm = new SSMClient({
        region: "eu-west-1",
        endpoint: awsUrl,
        credentials: { accessKeyId: "test", secretAccessKey: "test" },
      });
      const read = await new CredentialsProvider(ssm, "/s3-log-shipper/contract/elasticsearch", 1_000).get();
      expect(read).toEqual(JSON.parse(stored));
    },
  );
});
