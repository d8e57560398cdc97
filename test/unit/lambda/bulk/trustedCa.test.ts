/**
 * A cluster with a private CA: the function verifies its certificate against `caCertificate` or
 * the CA `caFingerprint` picks, never with verification off. Against a TLS stand-in that answers
 * like Elasticsearch, with CAs and server certificates made for the test.
 */
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ElasticsearchBulkTransport, type ElasticsearchSettings } from "../../../../lambda/bulk/esClient";
import { BulkRequestError } from "../../../../lambda/bulk/wire";
import { FakeElasticsearch } from "../../../helpers/fakeElasticsearch";
import { createTestCa, type Issued, type TestCa } from "../../../helpers/privateCa";

const BODY = Buffer.from('{"create":{"_index":"logs-tls","_id":"doc-1"}}\n{"message":"over a private CA"}\n');
/** One stored value, as the function's credentials cache hands out (a new object would mean rotated credentials). */
const stored = { username: "shipper", password: "not-for-strangers" };
const credentials = { get: () => Promise.resolve(stored), invalidate: () => undefined };

describe("a cluster with a private CA", () => {
  let clusterCa: TestCa;
  let otherCa: TestCa;
  let server: FakeElasticsearch | undefined;

  beforeAll(() => {
    clusterCa = createTestCa("cluster-ca");
    otherCa = createTestCa("other-ca");
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  /** Serves HTTPS with `certificate` and the chain `extraChain` after it; returns the endpoint. */
  async function serve(certificate: Issued, extraChain: string[] = []): Promise<string> {
    server = new FakeElasticsearch();
    return server.start({ key: certificate.key, cert: [certificate.cert, ...extraChain].join("") });
  }

  function send(endpoint: string, trust: Partial<ElasticsearchSettings>): Promise<unknown> {
    const transport = new ElasticsearchBulkTransport({ endpoint, requestTimeoutMs: 5_000, ...trust }, credentials);
    return transport.send(BODY);
  }

  it("indexes through a server whose certificate chains to caCertificate", async () => {
    // Prepare
    const endpoint = await serve(clusterCa.issue("IP:127.0.0.1"));
    // Act
    const answer = await send(endpoint, { caCertificates: clusterCa.cert });
    // Assess
    expect(answer).toEqual({ errors: false, itemCount: 1 });
    expect(server?.stored.get("logs-tls")?.get("doc-1")).toEqual({ message: "over a private CA" });
  });

  it("refuses the server without the CA, naming the endpoint and the setting, and sends it nothing", async () => {
    const endpoint = await serve(clusterCa.issue("IP:127.0.0.1"));

    const sent = send(endpoint, {});

    await expect(sent).rejects.toThrow(BulkRequestError);
    await expect(sent).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(
        new RegExp(
          `certificate was refused .*Elasticsearch at ${endpoint}: .*caCertificate \\(its PEM\\) or caFingerprint`,
        ),
      ) as unknown,
    });
    expect(server?.requests).toBe(0);
    expect(server?.authorizations).toEqual([]);
  });

  it("refuses a server whose chain does not lead to the configured CA", async () => {
    const endpoint = await serve(otherCa.issue("IP:127.0.0.1"));

    const sent = send(endpoint, { caCertificates: clusterCa.cert });

    await expect(sent).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining("check s3-log-shipper:elasticsearch.caCertificate") as unknown,
    });
    expect(server?.requests).toBe(0);
  });

  it("still checks the host name: a certificate of the right CA for another name is refused", async () => {
    const endpoint = await serve(clusterCa.issue("DNS:elasticsearch.other.example"));

    const sent = send(endpoint, { caCertificates: clusterCa.cert });

    await expect(sent).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/does not match certificate's altnames/) as unknown,
    });
    expect(server?.requests).toBe(0);
  });

  it("with caFingerprint, trusts the CA of that fingerprint in the presented chain (openssl's form or plain hex)", async () => {
    const endpoint = await serve(clusterCa.issue("IP:127.0.0.1"), [clusterCa.cert]);

    await expect(send(endpoint, { caFingerprint: clusterCa.fingerprint })).resolves.toEqual({
      errors: false,
      itemCount: 1,
    });
    // The same document again: answered (409, already there), so the request got through.
    await send(endpoint, { caFingerprint: clusterCa.fingerprint.replace(/:/g, "").toLowerCase() });
    expect(server?.requests).toBe(2);
  });

  it("with caFingerprint, refuses a chain without that CA, listing what the server presents", async () => {
    const endpoint = await serve(otherCa.issue("IP:127.0.0.1"), [otherCa.cert]);

    const sent = send(endpoint, { caFingerprint: clusterCa.fingerprint });

    await expect(sent).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(
        /presents no certificate with the SHA-256 fingerprint of s3-log-shipper:elasticsearch.caFingerprint .*it presents server-\d+ \(.*\), other-ca \(/,
      ) as unknown,
    });
    expect(server?.requests).toBe(0);
  });

  it("with caFingerprint, refuses an impostor whose chain shows the real CA's certificate", async () => {
    // The CA certificate is public; its key is not. An impostor CA with the real one's name and key
    // identifier signs a server certificate, and the server presents the real CA's certificate after
    // it: the chain Node reads then ends in the right fingerprint. A fingerprint check alone (the
    // client's caFingerprint with rejectUnauthorized off) would pass it; the signature check does not.
    const impostorCa = createTestCa("cluster-ca", clusterCa);
    const endpoint = await serve(impostorCa.issue("IP:127.0.0.1"), [clusterCa.cert]);

    const sent = send(endpoint, { caFingerprint: clusterCa.fingerprint });

    await expect(sent).rejects.toMatchObject({
      retryable: false,
      message: expect.stringContaining("caFingerprint") as unknown,
    });
    expect(server?.requests).toBe(0);
  });

  it("with caFingerprint, an unreachable server is worth retrying", async () => {
    const endpoint = await serve(clusterCa.issue("IP:127.0.0.1"), [clusterCa.cert]);
    await server?.stop();
    server = undefined;

    await expect(send(endpoint, { caFingerprint: clusterCa.fingerprint })).rejects.toMatchObject({
      retryable: true,
      message: expect.stringContaining("cannot reach Elasticsearch") as unknown,
    });
  });
});
