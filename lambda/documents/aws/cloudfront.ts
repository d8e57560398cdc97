/**
 * CloudFront standard (legacy) access logs: tab-separated, after `#Version:` and `#Fields:` header
 * lines; the field order is the object's own `#Fields` line (AWS has appended fields over the years),
 * the documented order when an object has none. Values AWS URL-encodes (user agent, referrer, query)
 * are decoded; `-` is absent.
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
 */
import { isIP } from "node:net";
import { addressOf, httpOutcome, integerOf, isoTime, numberOf, portOf, putTlsVersion, type ParsedLine } from "./ecs";
import { JsonShape } from "./jsonShape";

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
    .replace(/[^a-z0-9]+/g, "_");
}

export class CloudFrontParser {
  private fields: string[];

  /** @param header the `#Fields` names a continuation carried, if any. */
  constructor(header?: string[]) {
    this.fields = header && header.length > 0 ? header : CLOUDFRONT_DEFAULT_FIELDS;
  }

  /** The field names in force: what a continuation carries. */
  get header(): string[] {
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
    const values = line.split("\t");
    // Fewer values than the date, time and a status: not one of these lines.
    if (values.length < 9) return undefined;
    const named = new Map<string, string>();
    this.fields.forEach((name, index) => {
      const value = values[index];
      if (value !== undefined) named.set(name, value);
    });
    const date = named.get("date");
    const time = named.get("time");
    const timestamp = date && time && date.length === 10 && time.length === 8 ? isoTime(`${date}T${time}Z`) : undefined;
    if (!timestamp) return undefined;
    const document = SHAPE.document();
    document.put("event.kind", "event").put("event.category", ["web"]).put("cloud.provider", "aws");
    const status = integerOf(named.get("sc-status"));
    const decoded = (name: string) => {
      const value = named.get(name);
      return value === undefined || value === "-" ? undefined : percentDecoded(value);
    };
    const client = addressOf(named.get("c-ip"));
    document.put("source.address", client?.ip).put("source.ip", client?.ip);
    document.put("source.port", portOf(named.get("c-port")));
    document.put("http.request.method", named.get("cs-method"));
    document.put("destination.domain", named.get("cs(Host)"));
    document.put("url.domain", named.get("x-host-header"));
    document.put("url.path", decoded("cs-uri-stem"));
    document.put("url.query", decoded("cs-uri-query"));
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
    document.put("http.request.referrer", decoded("cs(Referer)"));
    document.put("user_agent.original", decoded("cs(User-Agent)"));
    document.put("http.request.bytes", integerOf(named.get("cs-bytes")));
    document.put("http.response.bytes", integerOf(named.get("sc-bytes")));
    document.put("http.response.body.bytes", integerOf(named.get("sc-content-len")));
    document.put("http.response.mime_type", named.get("sc-content-type"));
    const taken = numberOf(named.get("time-taken"));
    document.put("event.duration", taken === undefined ? undefined : Math.round(taken * 1e9));
    // An ip field in ECS: the first address of the list a chain of proxies leaves (the whole list stays under aws.cloudfront).
    const forwarded = named.get("x-forwarded-for")?.split(",")[0]?.trim();
    document.put("network.forwarded_ip", forwarded && isIP(forwarded) ? forwarded : undefined);
    putTlsVersion(document, named.get("ssl-protocol"));
    document.put("tls.cipher", named.get("ssl-cipher"));
    const version = named.get("cs-protocol-version");
    document.put("http.version", version?.startsWith("HTTP/") ? version.substring(5) : version);
    document.put("http.request.id", named.get("x-edge-request-id"));
    for (const [name, value] of named) {
      if (KNOWN_ELSEWHERE.has(name)) continue;
      const number = NUMERIC.has(name) ? numberOf(value) : undefined;
      document.putUnder("aws.cloudfront", fieldKey(name), number ?? value);
    }
    document.put("event.outcome", httpOutcome(status));
    return { document, timestamp };
  }
}

/** Fields mapped to ECS names above; every other one goes under `aws.cloudfront`. */
const KNOWN_ELSEWHERE = new Set([
  "date",
  "time",
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
const NUMERIC = new Set(["time-taken", "time-to-first-byte", "sc-range-start", "sc-range-end"]);
