/**
 * CloudFront standard logs, legacy and v2, into ECS fields and `aws.cloudfront.*`.
 *
 * - **Legacy** (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html):
 *   tab-separated, after `#Version:` and `#Fields:` header lines.
 * - **v2** (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logging.html): the
 *   owner selects the fields (any of the legacy ones and `timestamp(ms)`, `origin-fbl`, `origin-lbl`, `asn`,
 *   `c-country`, `cache-behavior-path-pattern`), the field delimiter and the output format: `w3c` (a
 *   `#Fields:` line, then values), `plain` (values only), `JSON` (an object per line, keyed by field name)
 *   or Parquet (refused by its magic bytes, read/records.ts).
 *
 * A line is read by the header in force: the values it names, in its order and number — a selection down to
 * the date and time alone is a request like any other. An object without a header is read in the documented
 * order (the legacy fields, then v2's two defaults). Values AWS URL-encodes are decoded; `-` is absent.
 */
import { isIP } from "node:net";
import { addressOf, httpOutcome, integerOf, isoTime, numberOf, portOf, putTlsVersion, type ParsedLine } from "./ecs";
import { JsonShape } from "./jsonShape";
import { isPlainObject } from "../../contract/plainObjects";

const SHAPE = new JsonShape();

/** The standard log's fields as AWS documents them, in its order (for an object without `#Fields`). */
export const CLOUDFRONT_DEFAULT_FIELDS = [
  "date",
  "time",
  "x-edge-location",
  "sc-bytes",
  "c-ip",
  "cs-method",
  "cs(Host)",
  "cs-uri-stem",
  "sc-status",
  "cs(Referer)",
  "cs(User-Agent)",
  "cs-uri-query",
  "cs(Cookie)",
  "x-edge-result-type",
  "x-edge-request-id",
  "x-host-header",
  "cs-protocol",
  "cs-bytes",
  "time-taken",
  "x-forwarded-for",
  "ssl-protocol",
  "ssl-cipher",
  "x-edge-response-result-type",
  "cs-protocol-version",
  "fle-status",
  "fle-encrypted-fields",
  "c-port",
  "time-to-first-byte",
  "x-edge-detailed-result-type",
  "sc-content-type",
  "sc-content-len",
  "sc-range-start",
  "sc-range-end",
];

/** Percent-decoding, lenient: a malformed escape stays as it is (a log line is never refused for it). */
export function percentDecoded(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value.replace(/%([0-9A-Fa-f]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  }
}

/** A field's name as a key under `aws.cloudfront` (`x-edge-location` → `edge_location`, `cs(Cookie)` → `cookie`). */
function fieldKey(name: string): string {
  return name
    .replace(/^(x|cs|sc|c|s)-/, "")
    .replace(/^(cs|sc)\((.*)\)$/, "$2")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_|_$/g, "");
}

/** v2's default selection: the legacy fields, then the two it adds by default (the documented CreateDelivery output). */
const HEADERLESS_FIELDS = [...CLOUDFRONT_DEFAULT_FIELDS, "c-country", "cache-behavior-path-pattern"];

/** Delimiters v2 lets the owner choose, tried when a line has no tab (the legacy and w3c default). */
const OTHER_DELIMITERS = [" ", ",", "|", ";"];

export class CloudFrontParser {
  /** The field names of the object's `#Fields` line (or of a continuation); undefined: none read. */
  private fields: string[] | undefined;

  /** @param header the `#Fields` names a continuation carried, if any. */
  constructor(header?: string[]) {
    this.fields = header && header.length > 0 ? header : undefined;
  }

  /** The field names in force, what a continuation carries; undefined for an object without a header. */
  get header(): string[] | undefined {
    return this.fields;
  }

  /** Whether `line` is a header line (`#Version:`, `#Fields:`), remembering the fields it names. */
  readHeader(line: string): boolean {
    if (!line.startsWith("#")) return false;
    const fields = /^#Fields:\s*(.*)$/.exec(line);
    if (fields?.[1]) this.fields = fields[1].trim().split(/\s+/);
    return true;
  }

  parse(line: string): ParsedLine | undefined {
    const named = line.startsWith("{") ? jsonFields(line) : this.valuesByName(line);
    return named === undefined ? undefined : cloudFrontDocument(named);
  }

  /** The line's values by field name, or undefined when it does not hold the values the header names. */
  private valuesByName(line: string): Map<string, string> | undefined {
    const { fields } = this;
    const names = fields ?? HEADERLESS_FIELDS;
    // A header names exactly what each line holds; without one, at least the legacy fields.
    const least = fields ? fields.length : CLOUDFRONT_DEFAULT_FIELDS.length;
    let values = line.split("\t");
    if (values.length < least && values.length === 1)
      for (const delimiter of OTHER_DELIMITERS) {
        const split = line.split(delimiter);
        if (split.length === least) {
          values = split;
          break;
        }
      }
    if (values.length < least) return undefined;
    const named = new Map<string, string>();
    names.forEach((name, index) => {
      const value = values[index];
      if (value !== undefined) named.set(name, value);
    });
    // Values past the last named field (AWS appending one before the header says so): kept by position.
    if (values.length > names.length) named.set(EXTRA, JSON.stringify(values.slice(names.length)));
    return named;
  }
}

/** The key under which values past the header's last field travel to the document (never a field name). */
const EXTRA = "\u0000extra";

/** A v2 JSON line's fields (values written as strings; others as their text), or undefined when it is no object. */
function jsonFields(line: string): Map<string, string> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isPlainObject(value)) return undefined;
  const named = new Map<string, string>();
  for (const [name, member] of Object.entries(value)) {
    if (member === null || member === undefined) continue;
    named.set(
      name,
      typeof member === "string" ? member : typeof member === "object" ? JSON.stringify(member) : String(member),
    );
  }
  return named;
}

/** A value as ECS wants it: `-` absent, URL-encoding decoded. */
function decoded(value: string | undefined): string | undefined {
  return value === undefined || value === "-" || value === "" ? undefined : percentDecoded(value);
}

/** The request's time: `timestamp(ms)` (v2, to the millisecond) or the date and time, or undefined. */
function requestTime(named: Map<string, string>): string | undefined {
  const millis = integerOf(named.get("timestamp(ms)"));
  if (millis !== undefined && millis >= 0 && millis < 8.64e15) return new Date(millis).toISOString();
  const date = named.get("date");
  const time = named.get("time");
  return date && time && date.length === 10 && time.length === 8 ? isoTime(`${date}T${time}Z`) : undefined;
}

/** The document of one request's named values, or undefined when they hold no time. */
function cloudFrontDocument(named: Map<string, string>): ParsedLine | undefined {
  const timestamp = requestTime(named);
  if (!timestamp) return undefined;
  const document = SHAPE.document();
  document.put("event.kind", "event").put("event.category", ["web"]).put("cloud.provider", "aws");
  const status = integerOf(named.get("sc-status"));
  const client = addressOf(named.get("c-ip"));
  document.put("source.address", client?.ip).put("source.ip", client?.ip);
  document.put("source.port", portOf(named.get("c-port")));
  document.put("source.as.number", integerOf(named.get("asn")));
  document.put("source.geo.country_iso_code", named.get("c-country"));
  document.put("http.request.method", named.get("cs-method"));
  document.put("destination.domain", named.get("cs(Host)"));
  document.put("url.domain", named.get("x-host-header"));
  document.put("url.path", decoded(named.get("cs-uri-stem")));
  document.put("url.query", decoded(named.get("cs-uri-query")));
  document.put("url.scheme", named.get("cs-protocol"));
  const host = named.get("x-host-header") ?? named.get("cs(Host)");
  const path = named.get("cs-uri-stem");
  const query = named.get("cs-uri-query");
  if (host && host !== "-" && path && path !== "-")
    document.put(
      "url.original",
      `${named.get("cs-protocol") ?? "https"}://${host}${path}${query && query !== "-" ? `?${query}` : ""}`,
    );
  document.put("http.response.status_code", status);
  document.put("http.request.referrer", decoded(named.get("cs(Referer)")));
  document.put("user_agent.original", decoded(named.get("cs(User-Agent)")));
  document.put("http.request.bytes", integerOf(named.get("cs-bytes")));
  document.put("http.response.bytes", integerOf(named.get("sc-bytes")));
  document.put("http.response.body.bytes", integerOf(named.get("sc-content-len")));
  document.put("http.response.mime_type", named.get("sc-content-type"));
  const taken = numberOf(named.get("time-taken"));
  document.put("event.duration", taken === undefined ? undefined : Math.round(taken * 1e9));
  // An ip field in ECS: the first address of the list a chain of proxies leaves (the whole list, decoded
  // like every other value, stays under aws.cloudfront).
  const forwarded = decoded(named.get("x-forwarded-for"))?.split(",")[0]?.trim();
  document.put("network.forwarded_ip", forwarded && isIP(forwarded) ? forwarded : undefined);
  putTlsVersion(document, named.get("ssl-protocol"));
  document.put("tls.cipher", named.get("ssl-cipher"));
  const version = named.get("cs-protocol-version");
  document.put("http.version", version?.startsWith("HTTP/") ? version.substring(5) : version);
  document.put("http.request.id", named.get("x-edge-request-id"));
  for (const [name, value] of named) {
    if (name === EXTRA) {
      document.put("aws.cloudfront.extra_fields", JSON.parse(value) as string[]);
      continue;
    }
    if (KNOWN_ELSEWHERE.has(name)) continue;
    const number = NUMERIC.has(name) ? numberOf(value) : undefined;
    document.putUnder("aws.cloudfront", fieldKey(name), number ?? decoded(value));
  }
  document.put("event.outcome", httpOutcome(status));
  return { document, timestamp };
}

/** Fields mapped to ECS names above; every other one goes under `aws.cloudfront`. */
const KNOWN_ELSEWHERE = new Set([
  "date",
  "time",
  "timestamp(ms)",
  "asn",
  "c-country",
  "c-ip",
  "c-port",
  "cs-method",
  "cs(Host)",
  "x-host-header",
  "cs-uri-stem",
  "cs-uri-query",
  "cs-protocol",
  "sc-status",
  "cs(Referer)",
  "cs(User-Agent)",
  "cs-bytes",
  "sc-bytes",
  "sc-content-len",
  "sc-content-type",
  "ssl-protocol",
  "ssl-cipher",
  "cs-protocol-version",
]);

/** Fields AWS documents as numbers. */
const NUMERIC = new Set([
  "time-taken",
  "time-to-first-byte",
  "sc-range-start",
  "sc-range-end",
  "origin-fbl",
  "origin-lbl",
]);
