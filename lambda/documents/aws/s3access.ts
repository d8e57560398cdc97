/**
 * S3 server access logs: space-separated, the time in brackets (`[06/Feb/2019:00:00:38 +0000]`),
 * request URI, referrer and user agent in quotes, `-` for no value; fields AWS added over time at
 * the end (a line may have fewer of them: older logs), and any it adds later kept as they are.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/LogFormat.html
 */
import { JsonShape } from "./jsonShape";
import {
  httpOutcome,
  integerOf,
  isRealOffset,
  isRealTime,
  putRequestLine,
  putTlsVersion,
  splitFields,
  type ParsedLine,
} from "./ecs";

const SHAPE = new JsonShape();

/** The fields in AWS's order, by the names Elastic's integration gives them under `aws.s3access`. */
const FIELDS = [
  "bucket_owner",
  "bucket",
  "time",
  "remote_ip",
  "requester",
  "request_id",
  "operation",
  "key",
  "request_uri",
  "http_status",
  "error_code",
  "bytes_sent",
  "object_size",
  "total_time",
  "turn_around_time",
  "referrer",
  "user_agent",
  "version_id",
  "host_id",
  "signature_version",
  "cipher_suite",
  "authentication_type",
  "host_header",
  "tls_version",
  "access_point_arn",
  "acl_required",
  "source_region",
] as const;

const NUMERIC = new Set(["http_status", "bytes_sent", "object_size", "total_time", "turn_around_time"]);

const MONTHS: Record<string, string> = {
  Jan: "01",
  Feb: "02",
  Mar: "03",
  Apr: "04",
  May: "05",
  Jun: "06",
  Jul: "07",
  Aug: "08",
  Sep: "09",
  Oct: "10",
  Nov: "11",
  Dec: "12",
};

/** `06/Feb/2019:00:00:38 +0000` as ISO 8601. */
function accessLogTime(value: string | undefined): string | undefined {
  const match = /^(\d{2})\/([A-Z][a-z]{2})\/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})$/.exec(value ?? "");
  if (!match) return undefined;
  const [, day, month, year, hour, minute, second, sign, zoneHour, zoneMinute] = match;
  const monthNumber = month ? MONTHS[month] : undefined;
  if (!monthNumber) return undefined;
  // Date.parse would move 30 February to 2 March: a time that does not exist leaves the line unparsed.
  const fields = [year, monthNumber, day, hour, minute, second].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isRealTime(...fields) || !isRealOffset(zoneHour ?? "", zoneMinute ?? "")) return undefined;
  const iso = `${year}-${monthNumber}-${day}T${hour}:${minute}:${second}${sign}${zoneHour}:${zoneMinute}`;
  const millis = Date.parse(iso);
  return Number.isNaN(millis) ? undefined : new Date(millis).toISOString();
}

export function parseS3Access(line: string): ParsedLine | undefined {
  const values = splitFields(line, true);
  // Through turn-around time: what every access log line has had.
  if (!values || values.length < 15) return undefined;
  const time = accessLogTime(values[2]);
  if (!time) return undefined;
  const named = new Map<string, string>();
  values.forEach((value, index) => named.set(FIELDS[index] ?? `field_${index}`, value));
  for (const name of NUMERIC) {
    const value = named.get(name);
    if (value !== undefined && value !== "-" && integerOf(value) === undefined) return undefined;
  }
  const document = SHAPE.document();
  document.put("event.kind", "event").put("event.category", ["web"]).put("cloud.provider", "aws");
  const ip = named.get("remote_ip");
  document.put("source.address", ip).put("source.ip", ip).put("client.address", ip).put("client.ip", ip);
  document.put("client.user.id", named.get("requester"));
  document.put("event.id", named.get("request_id"));
  document.put("event.action", named.get("operation"));
  putRequestLine(document, named.get("request_uri"));
  const status = integerOf(named.get("http_status"));
  document.put("http.response.status_code", status);
  document.put("http.response.body.bytes", integerOf(named.get("bytes_sent")));
  const total = integerOf(named.get("total_time"));
  document.put("event.duration", total === undefined ? undefined : total * 1_000_000);
  document.put("http.request.referrer", named.get("referrer"));
  document.put("user_agent.original", named.get("user_agent"));
  document.put("tls.cipher", named.get("cipher_suite"));
  putTlsVersion(document, named.get("tls_version"));
  document.put("url.domain", named.get("host_header"));
  document.put("cloud.region", named.get("source_region"));
  for (const [name, value] of named) {
    if (value === "-" || name === "time") continue;
    // The documented fields are the shape's; any AWS appends later, by position, members by name.
    document.putUnder("aws.s3access", name, NUMERIC.has(name) ? integerOf(value) : value);
  }
  document.put("event.outcome", httpOutcome(status));
  return { document, timestamp: time };
}
