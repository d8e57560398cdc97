/**
 * An AWS WAF log record as the fields of Elastic's AWS integration (its waf data stream) names them,
 * made in the function: the request under ECS (`source.*`, `http.*`, `url.*`, `tls.client.ja3`),
 * the web ACL's ARN split into `cloud.*`, and the record's own lists and maps under `aws.waf.*`
 * (headers as a name → value map). What the integration drops, this drops too: null, "", "-" and
 * empty lists and objects; what has no field here (a member AWS adds, a map a flattened field
 * would refuse) keeps the whole record in `event.original`. Beyond it, this keeps `user_agent.original` and `url.domain` from the
 * headers (issue 30's fields, which investigations filter on).
 *
 * Shape read from the integration's public pipeline (elastic/integrations
 * packages/aws/data_stream/waf; Elastic License 2.0, nothing of it copied here) and AWS's field
 * reference: https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html
 */
import { isIP } from "node:net";
import { isPlainObject } from "../../contract/plainObjects";
import { EcsDocument, integerOf, type ParsedFields } from "./ecs";
import { dropEmpty } from "./emptyValues";
import { fitsFlattened } from "./flattened";

const text = (value: unknown): string | undefined =>
  typeof value === "string" && value !== "" && value !== "-" ? value : undefined;
const objectOf = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : {});

/** Lists and objects the record carries as they are, under `aws.waf.*`; whether the field is `flattened`. */
const KEPT_AS_THEY_ARE: Array<[member: string, field: string, flattened: boolean]> = [
  ["labels", "labels", false],
  ["oversizeFields", "oversize_fields", false],
  ["terminatingRuleMatchDetails", "terminating_rule_match_details", true],
  ["ruleGroupList", "rule_group_list", true],
  ["rateBasedRuleList", "rate_based_rule_list", true],
  ["nonTerminatingMatchingRules", "non_terminating_matching_rules", true],
];

/**
 * The members read into fields (AWS's field list), the record's and its `httpRequest`'s. A member
 * not among them (one AWS adds later) has no field here: the record is then kept whole in
 * `event.original` (tagged), never dropped in part.
 */
const RECORD_MEMBERS = new Set([
  "timestamp",
  "formatVersion",
  "webaclId",
  "terminatingRuleId",
  "terminatingRuleType",
  "action",
  "httpSourceName",
  "httpSourceId",
  "httpRequest",
  "requestHeadersInserted",
  "responseCodeSent",
  "captchaResponse",
  "challengeResponse",
  "ja3Fingerprint",
  "ja4Fingerprint",
  "ClientASN",
  "requestBodySize",
  "requestBodySizeInspectedByWAF",
  ...KEPT_AS_THEY_ARE.map(([member]) => member),
]);
const REQUEST_MEMBERS = new Set([
  "clientIp",
  "country",
  "headers",
  "uri",
  "args",
  "httpVersion",
  "httpMethod",
  "requestId",
  "fragment",
  "scheme",
  "host",
]);

/** The document fields of one AWS WAF log record. */
export function wafFields(record: Record<string, unknown>): ParsedFields {
  const document = new EcsDocument();
  const request = objectOf(record.httpRequest);
  document.put("event.kind", "alert").put("event.category", ["web", "network"]).put("cloud.provider", "aws");
  const action = text(record.action);
  document.put("event.action", action);
  document.put("event.type", ["access", ...(action === "ALLOW" ? ["allowed"] : action === "BLOCK" ? ["denied"] : [])]);

  const client = text(request.clientIp);
  document.put("source.ip", client).put("source.address", client);
  document.put("related.ip", client && isIP(client) ? [client] : undefined);
  document.put("source.geo.country_iso_code", text(request.country));
  document.put("source.as.number", integerOf(String(record.ClientASN ?? "")));
  document.put("http.request.method", text(request.httpMethod));
  document.put("http.request.id", text(request.requestId));
  const version = /^([A-Za-z]+)\/(.+)$/.exec(text(request.httpVersion) ?? "");
  document.put("network.protocol", version?.[1]?.toLowerCase()).put("http.version", version?.[2]);
  document.put("network.transport", version?.[1]?.toLowerCase() === "http" ? "tcp" : undefined);
  document.put("url.path", text(request.uri));
  document.put("url.query", text(request.args));
  document.put("url.fragment", text(request.fragment));
  document.put("url.scheme", text(request.scheme));
  document.put("host.domain", text(request.host));
  document.put("tls.client.ja3", text(record.ja3Fingerprint));
  document.put("aws.waf.ja4_fingerprint", text(record.ja4Fingerprint));

  // Headers as a map, name → value (a name repeated keeps its last value, as a map does).
  const headers: Record<string, string> = {};
  for (const header of Array.isArray(request.headers) ? request.headers : []) {
    if (!isPlainObject(header) || typeof header.name !== "string") continue;
    const value = text(header.value);
    if (value === undefined) continue;
    headers[header.name] = value;
    const name = header.name.toLowerCase();
    if (name === "user-agent") document.put("user_agent.original", value);
    else if (name === "host") document.put("url.domain", value);
  }
  // The maps and lists below are flattened fields: one the field would refuse (flattened.ts) is left
  // to event.original.
  let keepOriginal = false;
  const putFlattened = (field: string, value: unknown): void => {
    if (fitsFlattened(value)) document.put(field, value);
    else keepOriginal = true;
  };
  if (Object.keys(headers).length > 0) putFlattened("aws.waf.request.headers", headers);
  const inserted: Record<string, string> = {};
  for (const header of Array.isArray(record.requestHeadersInserted) ? record.requestHeadersInserted : []) {
    if (isPlainObject(header) && typeof header.name === "string" && text(header.value) !== undefined)
      inserted[header.name] = text(header.value) as string;
  }
  if (Object.keys(inserted).length > 0) putFlattened("aws.waf.request_headers_inserted", inserted);

  for (const [member, field] of [
    ["captchaResponse", "captcha_response"],
    ["challengeResponse", "challenge_response"],
  ] as const) {
    const response = objectOf(record[member]);
    document.put(`aws.waf.${field}.response_code`, integerOf(String(response.responseCode ?? "")));
    document.put(`aws.waf.${field}.solve_timestamp`, millisTime(response.solveTimestamp));
    document.put(`aws.waf.${field}.failure_reason`, text(response.failureReason));
  }
  document.put("aws.waf.format_version", record.formatVersion === undefined ? undefined : String(record.formatVersion));
  document.put("aws.waf.request_body_size", integerOf(String(record.requestBodySize ?? "")));
  document.put(
    "aws.waf.request_body_size_inspected_by_waf",
    integerOf(String(record.requestBodySizeInspectedByWAF ?? "")),
  );
  document.put("aws.waf.response_code_sent", integerOf(String(record.responseCodeSent ?? "")));
  for (const [member, field, flattened] of KEPT_AS_THEY_ARE) {
    const value = dropEmpty(record[member], "-");
    if (value === undefined) continue;
    if (flattened) putFlattened(`aws.waf.${field}`, value);
    else document.put(`aws.waf.${field}`, value);
  }

  // The web ACL: arn:aws:wafv2:<region>:<account>:<scope>/webacl/<name>/<id>.
  const arn = text(record.webaclId);
  document.put("aws.waf.arn", arn);
  const parts = /^arn:[^:]*:([^:]*):([^:]*):([^:]*):(.+)$/.exec(arn ?? "");
  document.put("cloud.service.name", parts?.[1]).put("cloud.region", parts?.[2]).put("cloud.account.id", parts?.[3]);
  document.put("aws.waf.id", parts?.[4]);
  document.put("rule.id", text(record.terminatingRuleId));
  document.put("rule.ruleset", text(record.terminatingRuleType));
  document.put("aws.waf.source.name", text(record.httpSourceName));
  document.put("aws.waf.source.id", text(record.httpSourceId));

  const unknown =
    Object.keys(record).some((member) => !RECORD_MEMBERS.has(member) && dropEmpty(record[member], "-") !== undefined) ||
    Object.keys(request).some(
      (member) => !REQUEST_MEMBERS.has(member) && dropEmpty(request[member], "-") !== undefined,
    );
  const time = millisTime(record.timestamp);
  return {
    fields: document.fields,
    ...(time ? { timestamp: time } : {}),
    ...(keepOriginal || unknown ? { keepOriginal: true } : {}),
  };
}

/** Epoch milliseconds as ISO 8601, or undefined. */
function millisTime(value: unknown): string | undefined {
  const millis =
    typeof value === "number" ? value : typeof value === "string" && /^\d+$/.test(value) ? Number(value) : undefined;
  return millis !== undefined && Math.abs(millis) < 8.64e15 ? new Date(millis).toISOString() : undefined;
}
