/**
 * CloudTrail records and AWS WAF log lines keep their own JSON as it is (Elastic's integration
 * renames it under `aws.cloudtrail` and `aws.waf`; this shipper indexes the record as AWS wrote it)
 * and gain the ECS fields investigations filter on beside it: who, from where, what, with which
 * outcome, in which account and region.
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 * https://docs.aws.amazon.com/waf/latest/developerguide/logging-fields.html
 */
import { isPlainObject } from "../../contract/plainObjects";
import { arnParts, EcsDocument, isoTime, type ParsedFields } from "./ecs";
import { isIP } from "node:net";

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);

/** The ECS fields of one CloudTrail record. */
export function cloudTrailFields(record: Record<string, unknown>): ParsedFields {
  const document = new EcsDocument();
  const identity = isPlainObject(record.userIdentity) ? record.userIdentity : {};
  const session = isPlainObject(identity.sessionContext) ? identity.sessionContext : {};
  const issuer = isPlainObject(session.sessionIssuer) ? session.sessionIssuer : {};
  document.put("event.kind", "event").put("cloud.provider", "aws");
  document.put("event.action", text(record.eventName));
  document.put("event.provider", text(record.eventSource));
  document.put("event.id", text(record.eventID));
  document.put("event.outcome", record.errorCode === undefined || record.errorCode === null ? "success" : "failure");
  const address = text(record.sourceIPAddress);
  // CloudTrail names an AWS service there (`cloudtrail.amazonaws.com`) when the call was made by one.
  if (address && isIP(address)) document.put("source.ip", address).put("source.address", address);
  else document.put("source.address", address).put("source.domain", address);
  const arn = text(identity.arn);
  document.put(
    "user.name",
    text(identity.userName) ?? text(issuer.userName) ?? (arn ? arn.substring(arn.lastIndexOf("/") + 1) : undefined),
  );
  document.put("user.id", text(identity.principalId));
  document.put("cloud.account.id", text(record.recipientAccountId) ?? text(identity.accountId));
  document.put("cloud.region", text(record.awsRegion));
  document.put("user_agent.original", text(record.userAgent));
  // CloudTrail writes ISO 8601 (`2014-03-06T21:22:54Z`); anything else (Date.parse takes "March 7,
  // 2014", which Elasticsearch refuses) leaves @timestamp to the object's event time.
  const time = isoTime(text(record.eventTime));
  return { fields: document.fields, ...(time ? { timestamp: time } : {}) };
}

/** The ECS fields of one AWS WAF log record. */
export function wafFields(record: Record<string, unknown>): ParsedFields {
  const document = new EcsDocument();
  const request = isPlainObject(record.httpRequest) ? record.httpRequest : {};
  document.put("event.kind", "event").put("event.category", ["web"]).put("cloud.provider", "aws");
  const action = text(record.action);
  document.put("event.action", action);
  document.put("event.type", action === "BLOCK" ? ["denied"] : action === "ALLOW" ? ["allowed"] : undefined);
  document.put("rule.id", text(record.terminatingRuleId));
  document.put("rule.ruleset", text(record.webaclId));
  const { region, account } = arnParts(text(record.webaclId));
  document.put("cloud.region", region).put("cloud.account.id", account);
  const client = text(request.clientIp);
  document.put("source.ip", client).put("source.address", client);
  document.put("source.geo.country_iso_code", text(request.country));
  document.put("http.request.method", text(request.httpMethod));
  document.put("http.request.id", text(request.requestId));
  const version = text(request.httpVersion);
  document.put("http.version", version?.startsWith("HTTP/") ? version.substring(5) : version);
  document.put("url.path", text(request.uri));
  document.put("url.query", text(request.args));
  const headers = Array.isArray(request.headers) ? request.headers : [];
  for (const header of headers) {
    if (!isPlainObject(header) || typeof header.name !== "string") continue;
    const name = header.name.toLowerCase();
    if (name === "user-agent") document.put("user_agent.original", text(header.value));
    else if (name === "host") document.put("url.domain", text(header.value));
  }
  const millis = typeof record.timestamp === "number" ? record.timestamp : undefined;
  return {
    fields: document.fields,
    ...(millis !== undefined && Math.abs(millis) < 8.64e15 ? { timestamp: new Date(millis).toISOString() } : {}),
  };
}
