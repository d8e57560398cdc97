/**
 * What every parser of AWS's log formats shares: splitting a line into its fields, AWS's `-` for an
 * absent value, numbers that are numbers, addresses, request lines, TLS versions, times — and an ECS
 * document assembled field by field (`EcsDocument`), only with values that are there.
 */

import type { ShapedDocument } from "./jsonShape";

/** A parsed record (CloudTrail, WAF): the ECS fields beside it, and the log's own time when it has one. */
export interface ParsedFields {
  fields: Record<string, unknown>;
  /** ISO 8601: the log's own request or end time; `@timestamp`. */
  timestamp?: string;
  /** Part of the record has no field that can hold it: the raw record goes into `event.original` (tagged). */
  keepOriginal?: boolean;
}

/** A parsed line of AWS's line formats: its document, written as JSON (jsonShape.ts), and its own time. */
export interface ParsedLine {
  document: ShapedDocument;
  /** ISO 8601: the log's own request or end time; `@timestamp`. */
  timestamp?: string;
}

/** What the helpers below write to: a shaped document or an object one. */
export interface FieldWriter {
  put(path: string, value: unknown): this;
}

/** Dotted paths, split once each. */
const SPLIT_PATHS = new Map<string, string[]>();

/** An ECS document being assembled as objects: `put("source.ip", …)` creates the objects on the way. */
export class EcsDocument implements FieldWriter {
  readonly fields: Record<string, unknown> = {};

  /** Sets the dotted `path` to `value`, unless the value is absent (undefined, `-`, empty). */
  put(path: string, value: unknown): this {
    if (value === undefined || value === null || value === "-" || value === "") return this;
    let parts = SPLIT_PATHS.get(path);
    if (parts === undefined) {
      parts = path.split(".");
      SPLIT_PATHS.set(path, parts);
    }
    let target = this.fields;
    for (let index = 0; index < parts.length - 1; index += 1) {
      const part = parts[index] as string;
      let next = target[part];
      if (typeof next !== "object" || next === null || Array.isArray(next)) {
        next = {};
        target[part] = next;
      }
      target = next as Record<string, unknown>;
    }
    target[parts[parts.length - 1] as string] = value;
    return this;
  }
}

/**
 * Splits a line on single spaces into its fields; a field that starts with `"` runs to the next `"`
 * not escaped by a backslash (S3 and the load balancers quote request lines and user agents), quotes
 * dropped; with `brackets`, a field that starts with `[` runs to the next `]`. Undefined when a quoted
 * or bracketed field is not closed: the line does not parse.
 */
export function splitFields(line: string, brackets = false): string[] | undefined {
  const fields: string[] = [];
  const length = line.length;
  let at = 0;
  while (at < length) {
    if (line.charCodeAt(at) === 0x5b && brackets) {
      // S3's `[06/Feb/2019:00:00:38 +0000]`: one field, brackets dropped.
      const end = line.indexOf("]", at + 1);
      if (end === -1) return undefined;
      fields.push(line.substring(at + 1, end));
      at = end + 2;
      continue;
    }
    if (line.charCodeAt(at) === 0x22) {
      let end = line.indexOf('"', at + 1);
      while (end !== -1 && line.charCodeAt(end - 1) === 0x5c && !evenBackslashesBefore(line, end))
        end = line.indexOf('"', end + 1);
      if (end === -1) return undefined;
      if (end + 1 < length && line.charCodeAt(end + 1) !== 0x20) {
        // Quoted values run together (NLB's `"h2","http/1.1"`): one field, to the next space, as written.
        let space = line.indexOf(" ", end + 1);
        if (space === -1) space = length;
        fields.push(line.substring(at, space));
        at = space + 1;
        continue;
      }
      const quoted = line.substring(at + 1, end);
      fields.push(quoted.includes("\\") ? quoted.replace(/\\(["\\])/g, "$1") : quoted);
      at = end + 2;
      continue;
    }
    let end = line.indexOf(" ", at);
    if (end === -1) end = length;
    fields.push(line.substring(at, end));
    at = end + 1;
  }
  return fields;
}

function evenBackslashesBefore(line: string, at: number): boolean {
  let count = 0;
  for (let index = at - 1; index >= 0 && line.charCodeAt(index) === 0x5c; index -= 1) count += 1;
  return count % 2 === 0;
}

/** A number, or undefined for `-`, `-1` where AWS means "none" (`noneValue`), and anything not a finite number. */
export function numberOf(value: string | undefined, noneValue?: string): number | undefined {
  if (value === undefined || value === "-" || value === "" || value === noneValue) return undefined;
  const number = Number(value);
  return Number.isFinite(number) ? number : undefined;
}

/** A whole number, or undefined. */
export function integerOf(value: string | undefined, noneValue?: string): number | undefined {
  const number = numberOf(value, noneValue);
  // Beyond 2^53 a number is no longer exact (and an Elasticsearch long refuses some of them).
  return number !== undefined && Number.isSafeInteger(number) ? number : undefined;
}

/** `ip:port`, `[ipv6]:port` or a bare address; undefined for `-`. */
export function addressOf(value: string | undefined): { ip: string; port?: number } | undefined {
  if (value === undefined || value === "-" || value === "") return undefined;
  if (value.startsWith("[")) {
    const close = value.indexOf("]");
    if (close === -1) return undefined;
    const port = portOf(value.substring(close + 2));
    return { ip: value.substring(1, close), ...(port !== undefined ? { port } : {}) };
  }
  const colon = value.lastIndexOf(":");
  // One colon: ipv4:port. Several: an IPv6 address without a port.
  if (colon === -1 || value.indexOf(":") !== colon) return { ip: value };
  const port = portOf(value.substring(colon + 1));
  return { ip: value.substring(0, colon), ...(port !== undefined ? { port } : {}) };
}

/** A TCP or UDP port, 0–65535, or undefined. */
export function portOf(value: string | undefined): number | undefined {
  const port = integerOf(value);
  return port !== undefined && port >= 0 && port <= 65_535 ? port : undefined;
}

/** Puts a URL's parts the way ECS names them (`url.original`, `scheme`, `domain`, `port`, `path`, `query`). */
export function putUrl(document: FieldWriter, original: string | undefined): void {
  if (original === undefined || original === "-" || original === "") return;
  document.put("url.original", original);
  let rest = original;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rest);
  if (scheme) {
    document.put("url.scheme", scheme[1]?.toLowerCase());
    rest = rest.substring(scheme[0].length);
    const slash = rest.search(/[/?]/);
    const authority = slash === -1 ? rest : rest.substring(0, slash);
    rest = slash === -1 ? "" : rest.substring(slash);
    const host = addressOf(authority.substring(authority.lastIndexOf("@") + 1));
    document.put("url.domain", host?.ip);
    document.put("url.port", host?.port);
  }
  const question = rest.indexOf("?");
  document.put("url.path", question === -1 ? rest : rest.substring(0, question));
  if (question !== -1) document.put("url.query", rest.substring(question + 1));
}

/** A part of a request line AWS could not read: `-`, or nothing. */
const ABSENT_PART = /^[\s-]*$/;

/**
 * A request line as the load balancers and S3 log it: `GET http://host:80/path?q HTTP/1.1`. AWS
 * writes `-` for each part it could not read — `"- - - "` for a request it could not parse at all
 * (ALB, and Classic's TCP and SSL listeners), `"- http://host:80- -"` for one it refused — and such
 * a part is absent here like any other `-`, never a `url.original` of dashes.
 */
export function putRequestLine(document: FieldWriter, request: string | undefined): void {
  if (request === undefined || ABSENT_PART.test(request)) return;
  const first = request.indexOf(" ");
  if (first === -1) {
    putUrl(document, request);
    return;
  }
  const method = request.substring(0, first);
  document.put("http.request.method", ABSENT_PART.test(method) ? undefined : method);
  // The version is the last part when it is one (`HTTP/1.1`); a trailing space leaves it empty.
  const last = request.lastIndexOf(" ");
  const protocol = last > first ? request.substring(last + 1) : "";
  const isVersion = /^HTTP\/\S+$/i.test(protocol) || ABSENT_PART.test(protocol);
  const target = isVersion
    ? request.substring(first + 1, last > first ? last : request.length)
    : request.substring(first + 1);
  if (!ABSENT_PART.test(target)) putUrl(document, target);
  const slash = protocol.indexOf("/");
  document.put("http.version", isVersion && slash !== -1 ? protocol.substring(slash + 1) : undefined);
}

/** `TLSv1.2`, `tlsv12`, `TLSV1.3` as ECS's `tls.version` (`1.2`) and `tls.version_protocol` (`tls`). */
export function putTlsVersion(document: FieldWriter, protocol: string | undefined): void {
  if (protocol === undefined || protocol === "-" || protocol === "") return;
  const match = /^(tls|ssl)v?(\d)\.?(\d)?$/i.exec(protocol);
  if (!match) return;
  document.put("tls.version_protocol", match[1]?.toLowerCase());
  document.put("tls.version", match[3] === undefined ? match[2] : `${match[2]}.${match[3]}`);
}

/** ECS's `event.outcome` of an HTTP status: below 400 a success. */
export function httpOutcome(status: number | undefined): "success" | "failure" | undefined {
  return status === undefined ? undefined : status < 400 ? "success" : "failure";
}

/** The shape of the ISO 8601 times AWS writes; its fields are read by position below, not by capture groups. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?$/;

/** The whole number written in `count` digits of `value` from `at` (the shape has been checked). */
function digitsAt(value: string, at: number, count: number): number {
  let number = 0;
  for (let index = at; index < at + count; index += 1) number = number * 10 + value.charCodeAt(index) - 48;
  return number;
}

/**
 * An ISO 8601 time as AWS writes it (`2018-07-02T22:23:00.186641Z`; without a zone: UTC), or
 * undefined. Its fields are range-checked here rather than by `Date.parse` (a third of the parse
 * time of an ALB line, and V8 moves 30 February to 2 March): Elasticsearch's date parser refuses
 * a time that does not exist, so such a line stays unparsed (indexed as text, tagged) instead of
 * making a document Elasticsearch refuses. The shape is tested once and the fields read by
 * position: capture groups made eight strings per time, two times per ALB line (issue 38's profile).
 */
export function isoTime(value: string | undefined): string | undefined {
  if (value === undefined || value.length < 19 || !ISO_TIME.test(value)) return undefined;
  if (
    !isRealTime(
      digitsAt(value, 0, 4),
      digitsAt(value, 5, 2),
      digitsAt(value, 8, 2),
      digitsAt(value, 11, 2),
      digitsAt(value, 14, 2),
      digitsAt(value, 17, 2),
    )
  )
    return undefined;
  // The zone follows the seconds and their fraction: nothing (UTC), `Z`, `±hh:mm` or `±hhmm`.
  let zone = 19;
  if (value.charCodeAt(zone) === 0x2e) {
    zone += 1;
    while (zone < value.length && value.charCodeAt(zone) >= 0x30 && value.charCodeAt(zone) <= 0x39) zone += 1;
  }
  if (zone === value.length) return `${value}Z`;
  if (value.charCodeAt(zone) === 0x5a) return value;
  return isRealOffset(value.substring(zone + 1, zone + 3), value.substring(value.length - 2)) ? value : undefined;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether the fields name a time that exists (no 30 February, hour 24 or second 60). */
export function isRealTime(year: number, month: number, day: number, hour: number, minute: number, second: number) {
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

/** Whether `±hh:mm` is an offset Java's time API (Elasticsearch's) takes: at most 18 hours. */
export function isRealOffset(hours: string, minutes: string): boolean {
  return Number(hours) <= 18 && Number(minutes) <= 59;
}

/** The last epoch seconds converted, and their ISO time: a flow log's records share a few start and end times. */
const lastEpochs = new Map<string, string>();

/** Epoch seconds (VPC flow logs' start and end) as ISO 8601. */
export function epochSecondsTime(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const known = lastEpochs.get(value);
  if (known !== undefined) return known;
  const seconds = integerOf(value);
  if (seconds === undefined || seconds < 0 || seconds > 8.64e9) return undefined;
  const time = new Date(seconds * 1000).toISOString();
  // A handful of recent values: bounded, whatever the object holds.
  if (lastEpochs.size >= 64) lastEpochs.clear();
  lastEpochs.set(value, time);
  return time;
}

/** The last ARN read and its parts: a log file repeats its target group's on every line. */
let lastArn: { arn: string; parts: { region?: string; account?: string } } | undefined;

/** `arn:aws:service:region:account:…` → region and account, where the ARN has them. */
export function arnParts(arn: string | undefined): { region?: string; account?: string } {
  if (arn === undefined || !arn.startsWith("arn:")) return {};
  if (lastArn?.arn === arn) return lastArn.parts;
  const parts = arn.split(":");
  const result = {
    ...(parts[3] ? { region: parts[3] } : {}),
    ...(parts[4] && /^\d{12}$/.test(parts[4]) ? { account: parts[4] } : {}),
  };
  lastArn = { arn, parts: result };
  return result;
}

/** A comma-separated list (`actions_executed`, a target list) as an array; undefined for `-`. */
export function listOf(value: string | undefined, separator = ","): string[] | undefined {
  if (value === undefined || value === "-" || value === "") return undefined;
  // Most lists hold one item (ALB's `forward`, one target): no split, no filter.
  if (!value.includes(separator)) return [value];
  return value.split(separator).filter((item) => item !== "" && item !== "-");
}
