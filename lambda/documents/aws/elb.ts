/**
 * Elastic Load Balancing access logs, one line per request (ALB), per TLS connection (NLB) or per
 * request or connection (Classic), and the ALB's connection logs (one line per TLS connection),
 * into the ECS and `aws.elb.*` fields Elastic's AWS integration gives the same lines (its elb_logs
 * data stream), so its dashboards and rules find them.
 * Fields AWS appends later are tolerated: the known ones are parsed by position, any further ones
 * kept as they are in `aws.elb.extra_fields` — never a failure (Vector's strict parser broke on
 * each of AWS's additions).
 *
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
 */
import { JsonShape, type ShapedDocument } from "./jsonShape";
import {
  addressOf,
  arnParts,
  httpOutcome,
  integerOf,
  isoTime,
  listOf,
  numberOf,
  putRequestLine,
  portOf,
  putTlsVersion,
  splitFields,
  type ParsedLine,
} from "./ecs";

/** Each load balancer's documents, `@timestamp` first. */
const ALB_SHAPE = new JsonShape();
const NLB_SHAPE = new JsonShape();
const CLASSIC_SHAPE = new JsonShape();
const CONNECTION_SHAPE = new JsonShape();

/** The fields of an ALB line, in AWS's order (the documented syntax, newest last). */
const ALB_FIELDS = 33;
const NLB_FIELDS = 22;
const CLASSIC_FIELDS = 15;

function putCommon(document: ShapedDocument): void {
  document.put("event.kind", "event");
  document.put("event.category", ["web"]);
  document.put("cloud.provider", "aws");
}

function putClient(document: ShapedDocument, value: string | undefined): void {
  const client = addressOf(value);
  document.put("source.address", client?.ip).put("source.ip", client?.ip).put("source.port", client?.port);
}

function putBackend(document: ShapedDocument, value: string | undefined): void {
  const backend = addressOf(value);
  document.put("aws.elb.backend.ip", backend?.ip).put("aws.elb.backend.port", backend?.port);
  document.put("destination.ip", backend?.ip).put("destination.port", backend?.port);
}

function putTls(document: ShapedDocument, cipher: string | undefined, protocol: string | undefined): void {
  document.put("aws.elb.ssl_cipher", cipher).put("tls.cipher", cipher);
  document.put("aws.elb.ssl_protocol", protocol);
  putTlsVersion(document, protocol);
}

function putExtra(document: ShapedDocument, fields: string[], known: number): void {
  if (fields.length > known) document.put("aws.elb.extra_fields", fields.slice(known));
}

/**
 * An Application Load Balancer line — an access log entry, or a connection log entry (the ALB writes
 * those to the same bucket and prefix, named `conn_log_…`; an entry starts with its time where an
 * access entry starts with its type) — or undefined when it is neither.
 */
export function parseAlb(line: string): ParsedLine | undefined {
  const f = splitFields(line);
  if (f !== undefined && f.length >= CONNECTION_FIELDS_LEAST && isoTime(f[0]) !== undefined)
    return parseAlbConnection(f);
  // Through the request line and user agent: what every ALB line since the first has.
  if (!f || f.length < 14) return undefined;
  const time = isoTime(f[1]);
  const status = integerOf(f[8]);
  if (!time || (f[8] !== "-" && status === undefined)) return undefined;
  const document = ALB_SHAPE.document();
  putCommon(document);
  document.put("aws.elb.type", f[0]).put("aws.elb.protocol", "http").put("aws.elb.name", f[2]);
  putClient(document, f[3]);
  putBackend(document, f[4]);
  document.put("aws.elb.request_processing_time.sec", numberOf(f[5], "-1"));
  document.put("aws.elb.backend_processing_time.sec", numberOf(f[6], "-1"));
  document.put("aws.elb.response_processing_time.sec", numberOf(f[7], "-1"));
  document.put("http.response.status_code", status);
  document.put("aws.elb.backend.http.response.status_code", integerOf(f[9]));
  document.put("http.request.body.bytes", integerOf(f[10]));
  document.put("http.response.body.bytes", integerOf(f[11]));
  putRequestLine(document, f[12]);
  document.put("user_agent.original", f[13]);
  putTls(document, f[14], f[15]);
  document.put("aws.elb.target_group.arn", f[16]);
  const account = arnParts(f[16]);
  document.put("cloud.region", account.region).put("cloud.account.id", account.account);
  document.put("aws.elb.trace_id", f[17]).put("trace.id", f[17]);
  document.put("destination.domain", f[18]);
  document.put("aws.elb.chosen_cert.arn", f[19]);
  // `-1` names no rule: left out rather than indexed as a priority.
  document.put("aws.elb.matched_rule_priority", f[20] === "-1" ? undefined : f[20]);
  const start = isoTime(f[21]);
  document.put("event.start", start).put("event.end", time);
  document.put("aws.elb.action_executed", listOf(f[22]));
  document.put("aws.elb.redirect_url", f[23]);
  document.put("aws.elb.error.reason", f[24]);
  document.put("aws.elb.target_port", listOf(f[25], " "));
  document.put("aws.elb.target_status_code", listOf(f[26], " "));
  document.put("aws.elb.classification", f[27]);
  document.put("aws.elb.classification_reason", f[28]);
  document.put("aws.elb.connection_trace_id", f[29]);
  document.put("aws.elb.transformed_host", f[30]);
  document.put("aws.elb.transformed_uri", f[31]);
  document.put("aws.elb.request_transform_status", f[32]);
  putExtra(document, f, ALB_FIELDS);
  document.put("event.outcome", httpOutcome(status));
  return { document, timestamp: time };
}

/** The fields of a connection log entry: through `conn_trace_id` when AWS introduced them, then `tls_keyexchange`. */
const CONNECTION_FIELDS_LEAST = 12;
const CONNECTION_FIELDS = 13;

/**
 * An ALB connection log entry: one per TLS connection (a persistent connection carries many access
 * log entries), its `conn_trace_id` the access entries' own (`aws.elb.connection_trace_id` in both),
 * so a connection joins its requests. The client certificate's subject, validity and serial are
 * those of mutual TLS; `tls_verify_status` is `Success` or `Failed:<reason>`.
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-connection-logs.html
 */
function parseAlbConnection(f: string[]): ParsedLine | undefined {
  const time = isoTime(f[0]);
  const client = addressOf(f[1]);
  if (!time || !client || portOf(f[2]) === undefined) return undefined;
  const document = CONNECTION_SHAPE.document();
  document.put("event.kind", "event").put("event.category", ["network"]).put("event.type", ["connection"]);
  document.put("cloud.provider", "aws");
  document.put("source.address", client.ip).put("source.ip", client.ip).put("source.port", portOf(f[2]));
  document.put("destination.port", portOf(f[3]));
  putTls(document, f[5], f[4]);
  // Seconds to the millisecond, as the NLB's handshake time is in ms under the same name.
  const latency = numberOf(f[6]);
  document.put("aws.elb.tls_handshake_time.ms", latency === undefined ? undefined : Math.round(latency * 1e6) / 1e3);
  const subject = f[7];
  document.put("tls.client.subject", subject).put("tls.client.x509.subject.distinguished_name", subject);
  // `NotBefore=2023-09-21T22:43:21Z;NotAfter=2026-06-17T22:43:21Z`
  const validity = /^NotBefore=([^;]+);NotAfter=(.+)$/.exec(f[8] ?? "");
  const notBefore = isoTime(validity?.[1]);
  const notAfter = isoTime(validity?.[2]);
  document.put("tls.client.not_before", notBefore).put("tls.client.x509.not_before", notBefore);
  document.put("tls.client.not_after", notAfter).put("tls.client.x509.not_after", notAfter);
  document.put("tls.client.x509.serial_number", f[9]);
  const status = f[10];
  document.put("aws.elb.tls_verify_status", status);
  if (status?.startsWith("Failed")) {
    document.put("event.outcome", "failure").put("error.code", status.substring(status.indexOf(":") + 1));
  } else if (status === "Success") document.put("event.outcome", "success");
  // A handshake latency is logged only for a handshake that was established.
  if (f[4] !== "-") document.put("tls.established", latency !== undefined);
  document.put("aws.elb.connection_trace_id", f[11]);
  document.put("aws.elb.tls_keyexchange", f[12]);
  putExtra(document, f, CONNECTION_FIELDS);
  return { document, timestamp: time };
}

/** A Network Load Balancer (TLS listener) line, or undefined when it is none. */
export function parseNlb(line: string): ParsedLine | undefined {
  const f = splitFields(line);
  if (!f || f.length < 11) return undefined;
  const time = isoTime(f[2]);
  if (!time) return undefined;
  const document = NLB_SHAPE.document();
  document.put("event.kind", "event").put("event.category", ["network"]).put("cloud.provider", "aws");
  document.put("aws.elb.type", f[0]).put("aws.elb.protocol", "tcp").put("aws.elb.name", f[3]);
  document.put("aws.elb.listener", f[4]);
  putClient(document, f[5]);
  putBackend(document, f[6]);
  document.put("aws.elb.connection_time.ms", numberOf(f[7]));
  document.put("aws.elb.tls_handshake_time.ms", numberOf(f[8]));
  document.put("source.bytes", integerOf(f[9])).put("destination.bytes", integerOf(f[10]));
  document.put("aws.elb.incoming_tls_alert", f[11]);
  document.put("aws.elb.chosen_cert.arn", f[12]);
  const account = arnParts(f[12]);
  document.put("cloud.region", account.region).put("cloud.account.id", account.account);
  document.put("aws.elb.chosen_cert.serial", f[13]);
  putTls(document, f[14], f[15]);
  document.put("aws.elb.ssl_named_group", f[16]);
  document.put("destination.domain", f[17]);
  document.put("aws.elb.alpn_fe_protocol", f[18]);
  document.put("aws.elb.alpn_be_protocol", f[19]);
  // `"h2","http/1.1"`: quoted values, comma-separated.
  document.put(
    "aws.elb.alpn_client_preference_list",
    listOf(f[20])?.map((protocol) => protocol.replace(/^"(.*)"$/, "$1")),
  );
  document.put("event.start", isoTime(f[21])).put("event.end", time);
  putExtra(document, f, NLB_FIELDS);
  return { document, timestamp: time };
}

/** A Classic Load Balancer line, or undefined when it is none. */
export function parseClassicElb(line: string): ParsedLine | undefined {
  const f = splitFields(line);
  if (!f || f.length < 11) return undefined;
  const time = isoTime(f[0]);
  if (!time) return undefined;
  // A TCP listener logs `-` for what only HTTP has (request, status codes): its bytes are the connection's.
  const tcp = f[7] === "-";
  const document = CLASSIC_SHAPE.document();
  if (tcp) document.put("event.kind", "event").put("event.category", ["network"]).put("cloud.provider", "aws");
  else putCommon(document);
  document.put("aws.elb.protocol", tcp ? "tcp" : "http").put("aws.elb.name", f[1]);
  putClient(document, f[2]);
  putBackend(document, f[3]);
  document.put("aws.elb.request_processing_time.sec", numberOf(f[4], "-1"));
  document.put("aws.elb.backend_processing_time.sec", numberOf(f[5], "-1"));
  document.put("aws.elb.response_processing_time.sec", numberOf(f[6], "-1"));
  const status = integerOf(f[7]);
  document.put("http.response.status_code", status);
  document.put("aws.elb.backend.http.response.status_code", integerOf(f[8]));
  document.put(tcp ? "source.bytes" : "http.request.body.bytes", integerOf(f[9]));
  document.put(tcp ? "destination.bytes" : "http.response.body.bytes", integerOf(f[10]));
  putRequestLine(document, f[11]);
  document.put("user_agent.original", f[12]);
  putTls(document, f[13], f[14]);
  putExtra(document, f, CLASSIC_FIELDS);
  document.put("event.end", time);
  document.put("event.outcome", httpOutcome(status));
  return { document, timestamp: time };
}
