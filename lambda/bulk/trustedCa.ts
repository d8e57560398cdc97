/**
 * Which CA the function trusts for a self-managed cluster. With `caCertificate` that is the PEM
 * the program put in `ES_CA_CERTIFICATES`. With `caFingerprint` it is the certificate in the chain
 * the server presents whose SHA-256 fingerprint is the configured one.
 *
 * Hand-written rather than the client's own `caFingerprint` option: the client compares the
 * fingerprint only after the handshake, and for a private CA its documentation pairs it with
 * `tls.rejectUnauthorized: false` — the chain's signatures and the host name are then never
 * checked, and a server that merely includes the public CA certificate in its chain passes. Here the
 * fingerprint only picks the CA: a handshake that sends nothing reads the chain, and every request
 * then verifies the server against that CA with Node's full checks (signatures, validity, host name).
 */
import { connect, type DetailedPeerCertificate } from "node:tls";
import { BulkRequestError } from "./wire";

/** Lower-case hex without colons, as both a config value and Node's `fingerprint256` normalize to. */
export function normalizeFingerprint(fingerprint: string): string {
  return fingerprint.replace(/:/g, "").toLowerCase();
}

/** The certificates of a presented chain, leaf first, each once (a self-signed root points at itself). */
function chainOf(leaf: DetailedPeerCertificate): DetailedPeerCertificate[] {
  const chain: DetailedPeerCertificate[] = [];
  for (let certificate: DetailedPeerCertificate | undefined = leaf; certificate?.raw;) {
    if (chain.some((seen) => seen.fingerprint256 === certificate?.fingerprint256)) break;
    chain.push(certificate);
    certificate = certificate.issuerCertificate;
  }
  return chain;
}

function pemOf(der: Buffer): string {
  const base64 = der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}

/**
 * The PEM of the CA certificate with `fingerprint` in the chain `endpoint` presents. Throws
 * `BulkRequestError`: retryable when the server could not be reached, not when it answered
 * without that certificate (the config or the cluster's certificate must change).
 */
export async function caByFingerprint(endpoint: URL, fingerprint: string, timeoutMs: number): Promise<string> {
  const wanted = normalizeFingerprint(fingerprint);
  const port = Number(endpoint.port || 443);
  const chain = await new Promise<DetailedPeerCertificate[]>((resolve, reject) => {
    // Only reads the certificates the server presents; nothing is sent, and nothing from this
    // connection is trusted except the one certificate whose fingerprint the config gives.
    const socket = connect({ host: endpoint.hostname, port, servername: endpoint.hostname, rejectUnauthorized: false });
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`no TLS handshake within ${timeoutMs} ms`)));
    socket.once("secureConnect", () => {
      const presented = chainOf(socket.getPeerCertificate(true));
      socket.destroy();
      resolve(presented);
    });
    socket.once("error", reject);
  }).catch((error: unknown) => {
    throw new BulkRequestError(
      `cannot reach Elasticsearch at ${endpoint.origin} to find the CA of caFingerprint: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      true,
      { cause: error },
    );
  });
  const match = chain.find((certificate) => normalizeFingerprint(certificate.fingerprint256) === wanted);
  if (match) return pemOf(match.raw);
  const presented = chain.map((certificate) => `${certificate.subject.CN ?? "?"} (${certificate.fingerprint256})`);
  throw new BulkRequestError(
    `Elasticsearch at ${endpoint.origin} presents no certificate with the SHA-256 fingerprint of s3-log-shipper:elasticsearch.caFingerprint (${fingerprint}); ` +
      `it presents ${presented.join(", ") || "no certificate"}. Check the fingerprint (openssl x509 -in ca.crt -noout -fingerprint -sha256), ` +
      `or give the CA's PEM as caCertificate when the server does not send its CA in the chain`,
    undefined,
    false,
  );
}

/** Node's words for a certificate it did not accept, and the client's for a fingerprint mismatch. */
const UNTRUSTED_CERTIFICATE =
  /self[- ]signed certificate|unable to (?:verify the first certificate|get (?:local )?issuer certificate)|certificate has expired|certificate is not yet valid|does not match certificate's altnames|certificate signature failure|CA fingerprint does not match/i;

/** Whether `message` says the server's certificate was refused (a config problem, not an outage). */
export function isUntrustedCertificate(message: string): boolean {
  return UNTRUSTED_CERTIFICATE.test(message);
}
