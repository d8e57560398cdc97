/**
 * A CloudTrail record as the fields of Elastic's AWS integration (its cloudtrail data stream), made
 * in the function: what Elastic Security's prebuilt CloudTrail rules and the integration's
 * dashboards query, with a mapping that does not grow with the APIs an organisation calls.
 *
 * - The record's members go under `aws.cloudtrail.*` by their snake_case names, ECS fields beside
 *   them (who, from where, what, with which outcome, in which account and region).
 * - The four open-ended members (`requestParameters`, `responseElements`, `additionalEventData`,
 *   `serviceEventDetails`) never become fields of their own names: each is one string in the form
 *   rules match by substring (javaMapText.ts), and the object itself under
 *   `aws.cloudtrail.flattened.*` for a `flattened` mapping, skipped when its string is 32,766
 *   characters or more (Lucene's term limit, as the integration skips it). Members without a field
 *   of their own (newer ones AWS adds) are kept by their own names in `aws.cloudtrail.flattened.unmapped`.
 * - GeoIP, ASN and user-agent parsing are the cluster's (the producer's `pipeline:`).
 *
 * Shape read from the integration's public pipeline and field reference (elastic/integrations
 * packages/aws/data_stream/cloudtrail; Elastic License 2.0, nothing of it copied here) and from
 * CloudTrail's record reference:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import { isIP } from "node:net";
import { isPlainObject } from "../../contract/plainObjects";
import { EcsDocument, isoTime, type ParsedFields } from "./ecs";
import { dropEmpty } from "./emptyValues";
import { javaMapText } from "./javaMapText";
import { fitsFlattened } from "./flattened";

/** Lucene refuses a keyword term of this many bytes or more; the integration keeps no flattened copy from here on. */
export const FLATTENED_LIMIT = 32_766;

/** The open-ended members: one string each, and a flattened copy. */
const OPEN_MEMBERS = [
  ["requestParameters", "request_parameters"],
  ["responseElements", "response_elements"],
  ["additionalEventData", "additional_eventdata"],
  ["serviceEventDetails", "service_event_details"],
] as const;

/** Top-level members with a field of their own (or read into ECS fields), by CloudTrail's name. */
const SCALAR_MEMBERS: Record<string, string> = {
  eventVersion: "aws.cloudtrail.event_version",
  eventCategory: "aws.cloudtrail.event_category",
  errorCode: "aws.cloudtrail.error_code",
  errorMessage: "aws.cloudtrail.error_message",
  requestID: "aws.cloudtrail.request_id",
  eventType: "aws.cloudtrail.event_type",
  apiVersion: "aws.cloudtrail.api_version",
  managementEvent: "aws.cloudtrail.management_event",

  recipientAccountId: "aws.cloudtrail.recipient_account_id",
  sharedEventID: "aws.cloudtrail.shared_event_id",
  vpcEndpointId: "aws.cloudtrail.vpc_endpoint_id",
  vpcEndpointAccountId: "aws.cloudtrail.vpc_endpoint_account_id",
  sessionCredentialFromConsole: "aws.cloudtrail.session_credential_from_console",
  sourceIdentity: "aws.cloudtrail.source_identity",
};

const isText = (value: unknown): boolean => text(value) !== undefined;
const hasOnly = (value: unknown, members: ReadonlySet<string>): value is Record<string, unknown> =>
  isPlainObject(value) && Object.keys(value).every((member) => members.has(member));

/** `tlsDetails` and `resources` items: the members read into fields. */
const TLS_MEMBERS = new Set(["tlsVersion", "cipherSuite", "clientProvidedHostHeader"]);
const RESOURCE_MEMBERS = new Set(["ARN", "arn", "accountId", "account_id", "type"]);

/**
 * The members read into fields, each with whether a value of it was taken whole. One that was not
 * (an object where a name was expected, a time in another form, a member a newer record adds to
 * `tlsDetails`) is kept by CloudTrail's name under `flattened.unmapped` like a member without a
 * field, never dropped: only the integration's empty values (null, "") are.
 */
const TAKEN: Record<string, (value: unknown) => boolean> = {
  ...Object.fromEntries(Object.keys(SCALAR_MEMBERS).map((member) => [member, (value) => scalar(value) !== undefined])),
  // Any value has a text form (a member written as a JSON string has no flattened copy, its text is whole).
  ...Object.fromEntries(OPEN_MEMBERS.map(([member]) => [member, () => true])),
  eventTime: (value) => isoTime(text(value)) !== undefined,
  eventSource: isText,
  eventName: isText,
  awsRegion: isText,
  sourceIPAddress: isText,
  userAgent: isText,
  eventID: isText,
  readOnly: (value) => booleanOf(value) !== undefined,
  // Its members without a field of their own are kept one by one (identityLeftOver).
  userIdentity: isPlainObject,
  resources: (value) => Array.isArray(value) && value.every((item) => hasOnly(item, RESOURCE_MEMBERS)),
  tlsDetails: (value) =>
    hasOnly(value, TLS_MEMBERS) && Object.values(value).every(isText) && tlsVersionOf(value.tlsVersion) !== undefined,
  insightDetails: (value) => isPlainObject(value) && fitsFlattened(value),
};

/** `sessionIssuer` members with a field of their own. */
const ISSUER_MEMBERS = new Set(["type", "principalId", "arn", "accountId", "userName"]);

/** `userIdentity` members with a field of their own. */
const IDENTITY_MEMBERS = new Set([
  "type",
  "principalId",
  "arn",
  "accountId",
  "accessKeyId",
  "userName",
  "invokedBy",
  "sessionContext",
]);

/**
 * Request parameters that name what a call acts on: `entity.target.id` (ECS 9) and, with the
 * caller's identity and the record's resources, `related.entity`. Chosen for this shipper, not
 * copied: the identifiers IAM, STS, EC2, S3, KMS, Lambda, Secrets Manager, RDS and CloudTrail
 * calls name their target by.
 */
const TARGET_PARAMETERS = [
  "roleName",
  "userName",
  "groupName",
  "policyArn",
  "instanceProfileName",
  "roleArn",
  "bucketName",
  "functionName",
  "keyId",
  "secretId",
  "dBInstanceIdentifier",
  "dBClusterIdentifier",
  "dBSnapshotIdentifier",
  "snapshotId",
  "imageId",
  "instanceId",
  "groupId",
  "trailName",
  "accessKeyId",
];

const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
const objectOf = (value: unknown): Record<string, unknown> => (isPlainObject(value) ? value : {});

/** The document fields of one CloudTrail record (the object's fields are the builder's). */
export function cloudTrailFields(record: Record<string, unknown>): ParsedFields {
  const document = new EcsDocument();
  const identity = objectOf(record.userIdentity);
  const session = objectOf(identity.sessionContext);
  const attributes = objectOf(session.attributes);
  const issuer = objectOf(session.sessionIssuer);
  const request = objectOf(record.requestParameters);
  const response = objectOf(record.responseElements);
  const additional = objectOf(record.additionalEventData);
  const eventName = text(record.eventName);

  document.put("event.kind", "event").put("cloud.provider", "aws");
  document.put("event.action", eventName).put("event.provider", text(record.eventSource));
  document.put("event.id", text(record.eventID));
  document.put("cloud.region", text(record.awsRegion));
  // The caller's account (an anonymous S3 request's is "anonymous"), not the recipient's: the rules' cloud.account.id.
  document.put("cloud.account.id", scalar(identity.accountId));
  const address = text(record.sourceIPAddress);
  // An AWS service names itself there (`cloudtrail.amazonaws.com`): an address, but no IP.
  document.put("source.address", address).put("source.ip", address && isIP(address) ? address : undefined);
  document.put("user_agent.original", text(record.userAgent));

  // Who: an assumed role's user is the role its session was issued for.
  document.put("user.name", text(issuer.userName) ?? text(identity.userName));
  document.put("user.id", text(identity.principalId));
  document.put("aws.cloudtrail.user_identity.type", text(identity.type));
  document.put("aws.cloudtrail.user_identity.arn", text(identity.arn));
  document.put("aws.cloudtrail.user_identity.access_key_id", text(identity.accessKeyId));
  document.put("aws.cloudtrail.user_identity.invoked_by", text(identity.invokedBy));
  document.put("aws.cloudtrail.user_identity.session_context.mfa_authenticated", scalar(attributes.mfaAuthenticated));
  document.put("aws.cloudtrail.user_identity.session_context.creation_date", isoTime(text(attributes.creationDate)));
  document.put("aws.cloudtrail.user_identity.session_context.session_issuer.type", text(issuer.type));
  document.put("aws.cloudtrail.user_identity.session_context.session_issuer.principal_id", text(issuer.principalId));
  document.put("aws.cloudtrail.user_identity.session_context.session_issuer.arn", text(issuer.arn));
  document.put("aws.cloudtrail.user_identity.session_context.session_issuer.account_id", scalar(issuer.accountId));

  for (const [member, field] of Object.entries(SCALAR_MEMBERS)) document.put(field, scalar(record[member]));
  // A boolean: CloudTrail writes true and false; a "True" seen in the field (a copied record) reads the same,
  // anything else stays the record's own under `unmapped` rather than a document Elasticsearch refuses.
  const readOnly = booleanOf(record.readOnly);
  document.put("aws.cloudtrail.read_only", readOnly);

  // The open-ended members: text the rules match, and a flattened copy, after null and "" are dropped.
  const flattened: Record<string, unknown> = {};
  for (const [member, name] of OPEN_MEMBERS) {
    const value = dropEmpty(record[member]);
    if (value === undefined) continue;
    const asText = javaMapText(value);
    document.put(`aws.cloudtrail.${name}`, asText);
    // A flattened field takes an object only: a member some service writes as a JSON string (seen:
    // serviceEventDetails) keeps its text form alone, and so does one the field would refuse.
    if (asText.length < FLATTENED_LIMIT && isPlainObject(value) && fitsFlattened(value)) flattened[name] = value;
  }
  const insight = dropEmpty(record.insightDetails);
  if (isPlainObject(insight) && fitsFlattened(insight)) flattened.insight_details = insight;
  // Members without a field of their own (or not taken whole by theirs), by CloudTrail's names: one
  // flattened object, scalars included. A member too deep or too large for it (flattened.ts) is not
  // dropped: the raw record becomes the document's event.original (tagged).
  const unmapped: Record<string, unknown> = {};
  let keepOriginal = false;
  const keep = (member: string, value: unknown): void => {
    const kept = dropEmpty(value);
    if (kept === undefined) return;
    if (fitsFlattened({ [member]: kept })) unmapped[member] = kept;
    else keepOriginal = true;
  };
  keep("userIdentity", identityLeftOver(identity, session, attributes, issuer));
  for (const [member, value] of Object.entries(record)) {
    const taken = TAKEN[member];
    if (taken === undefined || !taken(value)) keep(member, value);
  }
  if (Object.keys(unmapped).length > 0) flattened.unmapped = unmapped;
  if (Object.keys(flattened).length > 0) document.put("aws.cloudtrail.flattened", flattened);

  const resources = resourcesOf(record.resources);
  document.put("aws.cloudtrail.resources", resources.length > 0 ? resources : undefined);

  // Outcome: an error code or message fails the call; a console sign-in says so itself.
  const failed =
    (record.errorCode !== undefined && record.errorCode !== null) || text(record.errorMessage) !== undefined;
  const consoleLogin = eventName === "ConsoleLogin" ? text(response.ConsoleLogin)?.toLowerCase() : undefined;
  document.put("event.outcome", consoleLogin ?? (failed ? "failure" : "success"));
  const { category, type } = categorization(eventName, text(record.eventSource));
  document.put("event.category", category).put("event.type", type);
  if (eventName === "ConsoleLogin") putConsoleLogin(document, additional);

  // The users and groups a call acts on (IAM).
  const targetUser = text(request.userName);
  document.put("user.target.name", targetUser);
  document.put("user.target.id", text(objectOf(response.user).userId));
  document.put("user.changes.name", text(request.newUserName));
  document.put("group.name", text(request.groupName));
  document.put("group.id", text(objectOf(response.group).groupId));
  document.put("related.user", unique([text(identity.userName), targetUser, text(request.newUserName)]));
  const targets =
    unique([
      ...TARGET_PARAMETERS.map((name) => text(request[name])),
      ...resources.map((resource) => text(resource.arn)),
    ]) ?? [];
  document.put("entity.target.id", targets);
  document.put(
    "related.entity",
    unique([
      text(identity.arn),
      text(identity.principalId),
      text(identity.userName),
      text(identity.identityProvider),
      text(issuer.arn),
      text(issuer.userName),
      text(objectOf(session.webIdFederationData).federatedProvider),
      ...targets,
    ]),
  );
  document.put(
    "related.ip",
    record.sourceIPAddress && isIP(String(record.sourceIPAddress)) ? [record.sourceIPAddress] : undefined,
  );

  const tls = objectOf(record.tlsDetails);
  const version = tlsVersionOf(tls.tlsVersion);
  document.put("tls.version_protocol", version?.protocol).put("tls.version", version?.version);
  document.put("tls.cipher", text(tls.cipherSuite));
  document.put("tls.client.server_name", text(tls.clientProvidedHostHeader));

  // CloudTrail writes ISO 8601 (`2014-03-06T21:22:54Z`); anything else leaves @timestamp to the object's event time.
  const time = isoTime(text(record.eventTime));
  return { fields: document.fields, ...(time ? { timestamp: time } : {}), ...(keepOriginal ? { keepOriginal } : {}) };
}

/**
 * What of `userIdentity` has no field of its own: its unknown members, and those of its session
 * context, the session's attributes (a creation date in another form than ISO 8601 too) and its issuer.
 */
function identityLeftOver(
  identity: Record<string, unknown>,
  session: Record<string, unknown>,
  attributes: Record<string, unknown>,
  issuer: Record<string, unknown>,
): Record<string, unknown> | undefined {
  const otherAttributes = leftOver(
    attributes,
    (member, value) =>
      (member === "mfaAuthenticated" && scalar(value) !== undefined) ||
      (member === "creationDate" && isoTime(text(value)) !== undefined),
  );
  const otherIssuer = leftOver(issuer, (member, value) => ISSUER_MEMBERS.has(member) && scalar(value) !== undefined);
  let sessionContext = leftOver(session, (member) => member === "attributes" || member === "sessionIssuer");
  if (otherAttributes || otherIssuer)
    sessionContext = {
      ...sessionContext,
      ...(otherAttributes ? { attributes: otherAttributes } : {}),
      ...(otherIssuer ? { sessionIssuer: otherIssuer } : {}),
    };
  const other = leftOver(identity, (member, value) =>
    member === "sessionContext" ? isPlainObject(value) : IDENTITY_MEMBERS.has(member) && scalar(value) !== undefined,
  );
  return sessionContext ? { ...other, sessionContext } : other;
}

/** The members of `object` not `taken`, or undefined when none is left (most records: no object made). */
function leftOver(
  object: Record<string, unknown>,
  taken: (member: string, value: unknown) => boolean,
): Record<string, unknown> | undefined {
  let left: Record<string, unknown> | undefined;
  for (const member in object) {
    const value = object[member];
    if (!taken(member, value)) (left ??= {})[member] = value;
  }
  return left;
}

/** `TLSv1.3` as ECS's protocol (`tls`) and version (`1.3`). */
function tlsVersionOf(value: unknown): { protocol: string; version: string } | undefined {
  const match = /^([A-Za-z]+)v(.+)$/.exec(text(value) ?? "");
  return match?.[1] && match[2] ? { protocol: match[1].toLowerCase(), version: match[2] } : undefined;
}

/** A console sign-in's additional data as the rules read it: yes/no answers as booleans. */
function putConsoleLogin(document: EcsDocument, additional: Record<string, unknown>): void {
  const yes = (value: unknown) =>
    value === undefined || value === null ? undefined : value !== "No" && value !== false;
  document.put("aws.cloudtrail.console_login.additional_eventdata.mobile_version", yes(additional.MobileVersion));
  document.put("aws.cloudtrail.console_login.additional_eventdata.login_to", text(additional.LoginTo));
  document.put("aws.cloudtrail.console_login.additional_eventdata.mfa_used", yes(additional.MFAUsed));
}

/** `resources`: arn, account_id and type each, each combination once. */
function resourcesOf(value: unknown): Array<Record<string, string>> {
  if (!Array.isArray(value)) return [];
  const seen = new Map<string, Record<string, string>>();
  for (const item of value) {
    if (!isPlainObject(item)) continue;
    const resource: Record<string, string> = {};
    const arn = text(item.ARN) ?? text(item.arn);
    const account = scalar(item.accountId) ?? scalar(item.account_id);
    const type = text(item.type);
    if (arn) resource.arn = arn;
    if (account !== undefined) resource.account_id = String(account);
    if (type) resource.type = type;
    if (Object.keys(resource).length > 0) seen.set(`${arn ?? ""}_${account ?? ""}_${type ?? ""}`, resource);
  }
  return [...seen.values()];
}

/**
 * ECS categorization from the API's name, for every service: sign-ins and credential calls are
 * `authentication`; IAM's calls on users, groups, roles and policies `iam`; S3 bucket calls `file`
 * (the integration's table names these, for fewer calls); the verb gives the type.
 */
function categorization(
  action: string | undefined,
  source: string | undefined,
): { category?: string[]; type: string[] } {
  if (action === undefined) return { type: ["info"] };
  if (
    /^(ConsoleLogin|CheckMfa|AssumeRole\w*|GetSessionToken|GetFederationToken|SwitchRole|ExitRole|RenewRole)$/.test(
      action,
    )
  )
    return { category: ["authentication"], type: ["info"] };
  const type = typeOfVerb(/^[A-Z][a-z]+/.exec(action)?.[0]);
  if (source === "iam.amazonaws.com") {
    const subject =
      /(User|Group|Role|Policy|AccessKey|LoginProfile|MFADevice|SSHPublicKey|InstanceProfile|PasswordPolicy)/.exec(
        action,
      )?.[1];
    const kind =
      subject === "User" ||
      subject === "AccessKey" ||
      subject === "LoginProfile" ||
      subject === "MFADevice" ||
      subject === "SSHPublicKey"
        ? "user"
        : subject === "Group"
          ? "group"
          : "admin";
    return { category: ["iam"], type: [kind, type] };
  }
  if (source === "s3.amazonaws.com" && /Bucket/.test(action)) return { category: ["file"], type: [type] };
  return { type: [type] };
}

/** ECS `event.type` of an API by its verb; calls that read (Get, List, Describe …) are `info`. */
function typeOfVerb(verb: string | undefined): string {
  switch (verb) {
    case "Create":
    case "Run":
    case "Upload":
    case "Copy":
    case "Import":
    case "Register":
    case "Allocate":
    case "Issue":
      return "creation";
    case "Delete":
    case "Remove":
    case "Terminate":
    case "Deregister":
    case "Release":
      return "deletion";
    case "Start":
      return "start";
    case "Stop":
      return "end";
    case "Add":
    case "Put":
    case "Attach":
    case "Detach":
    case "Update":
    case "Modify":
    case "Set":
    case "Enable":
    case "Disable":
    case "Deactivate":
    case "Activate":
    case "Tag":
    case "Untag":
    case "Change":
    case "Reset":
    case "Reboot":
    case "Restore":
    case "Associate":
    case "Disassociate":
    case "Authorize":
    case "Revoke":
    case "Grant":
    case "Replace":
    case "Rotate":
      return "change";
    default:
      return "info";
  }
}

/** `true`/`false`, or their text in any case; undefined for anything else. */
function booleanOf(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value !== "string") return undefined;
  const lower = value.toLowerCase();
  return lower === "true" ? true : lower === "false" ? false : undefined;
}

/** A scalar member as it is (booleans and numbers too); objects are not scalars. */
function scalar(value: unknown): string | number | boolean | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" || typeof value === "boolean") return value;
  return undefined;
}

function unique(values: Array<string | undefined>): string[] | undefined {
  const kept = [...new Set(values.filter((value): value is string => value !== undefined))];
  return kept.length === 0 ? undefined : kept;
}
