/**
 * `elasticsearch.caCertificate`: the CA (or CAs) a self-managed cluster's certificate chains to,
 * as PEM. Checked at plan time so that a paste error is a config message, not a function that
 * cannot connect: every block must be a certificate Node can parse, and a private key is refused
 * outright (it would sit in the function's environment and the stack state).
 */
import { X509Certificate } from "node:crypto";

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

/** The certificates in `text`, one normalized PEM block each (anything around the blocks dropped), or why not. */
export function caCertificatesOf(text: string): { pem: string; subjects: string[] } | { problem: string } {
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.some((block) => block[1]?.includes("PRIVATE KEY")))
    return {
      problem:
        "holds a PRIVATE KEY block: give only the CA's certificate (-----BEGIN CERTIFICATE-----), and treat that key as exposed",
    };
  const certificates = blocks.filter((block) => block[1] === "CERTIFICATE");
  if (certificates.length === 0)
    return {
      problem: "must hold the CA's certificate as PEM (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)",
    };
  const pems: string[] = [];
  const subjects: string[] = [];
  for (const [position, block] of certificates.entries()) {
    const body = (block[2] ?? "").replace(/\s+/g, "");
    const pem = `-----BEGIN CERTIFICATE-----\n${body.replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
    try {
      subjects.push(new X509Certificate(pem).subject.replace(/\n/g, ", "));
    } catch (error) {
      return {
        problem: `certificate ${position + 1} of ${certificates.length} cannot be read (${error instanceof Error ? error.message : String(error)})`,
      };
    }
    pems.push(pem);
  }
  return { pem: pems.join(""), subjects };
}
