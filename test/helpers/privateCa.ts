/**
 * Certificates for TLS stand-ins, made with the openssl command line (Node cannot issue X.509
 * certificates): a CA, and server certificates it signs for a host name or IP. Each set lives in a
 * temporary folder; nothing is committed.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

export interface Issued {
  key: string;
  cert: string;
}

export interface TestCa extends Issued {
  /** SHA-256 fingerprint as openssl prints it: upper-case hex pairs joined by colons. */
  fingerprint: string;
  /** Its subject key identifier, hex pairs joined by colons. */
  subjectKeyIdentifier: string;
  /** A server certificate for `subjectAltName` (e.g. "IP:127.0.0.1"), signed by this CA. */
  issue(subjectAltName: string): Issued;
}

/** Runs openssl in `folder`; `command` is split on spaces, `extra` arguments may hold spaces. */
function openssl(folder: string, command: string, ...extra: string[]): string {
  return execFileSync("openssl", [...command.split(" "), ...extra], {
    cwd: folder,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * A new CA named `name` (EC P-256 keys: fast to make). `impersonating` gives it another CA's
 * subject key identifier, so that certificates it signs name that CA's key as their issuer's —
 * what an impostor forges to make a chain look as if it led to the real CA.
 */
export function createTestCa(name: string, impersonating?: TestCa): TestCa {
  const folder = mkdtempSync(path.join(tmpdir(), `s3ls-ca-${name}-`));
  const keyIdentifier = impersonating ? ["-addext", `subjectKeyIdentifier=${impersonating.subjectKeyIdentifier}`] : [];
  openssl(folder, "ecparam -name prime256v1 -genkey -noout -out ca.key");
  openssl(
    folder,
    "req -x509 -new -key ca.key -sha256 -days 2 -out ca.crt",
    ...["-subj", `/CN=${name}`, "-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign", ...keyIdentifier],
  );
  const fingerprint = openssl(folder, "x509 -in ca.crt -noout -fingerprint -sha256").trim().replace(/^.*=/, "");
  const subjectKeyIdentifier = (
    openssl(folder, "x509 -in ca.crt -noout -ext subjectKeyIdentifier").split("\n")[1] ?? ""
  ).trim();
  let serial = 0;
  return {
    key: readFileSync(path.join(folder, "ca.key"), "utf8"),
    cert: readFileSync(path.join(folder, "ca.crt"), "utf8"),
    fingerprint,
    subjectKeyIdentifier,
    issue(subjectAltName) {
      serial += 1;
      const base = `server-${serial}`;
      writeFileSync(path.join(folder, `${base}.ext`), `subjectAltName=${subjectAltName}\nbasicConstraints=CA:FALSE\n`);
      openssl(folder, `ecparam -name prime256v1 -genkey -noout -out ${base}.key`);
      openssl(folder, `req -new -key ${base}.key -out ${base}.csr`, "-subj", `/CN=${base}`);
      openssl(
        folder,
        `x509 -req -in ${base}.csr -CA ca.crt -CAkey ca.key -days 2 -sha256`,
        ...["-set_serial", String(serial), "-extfile", `${base}.ext`, "-out", `${base}.crt`],
      );
      return {
        key: readFileSync(path.join(folder, `${base}.key`), "utf8"),
        cert: readFileSync(path.join(folder, `${base}.crt`), "utf8"),
      };
    },
  };
}
