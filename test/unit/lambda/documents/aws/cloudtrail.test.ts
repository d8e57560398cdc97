/**
 * CloudTrail records shaped as Elastic's AWS integration shapes them (lambda/documents/aws/cloudtrail.ts),
 * from AWS's documented records, the corpus of real records (test/corpus/cloudtrail/SOURCES.md) and
 * records of any shape:
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-examples.html
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { documentsOf } from "../../../../helpers/formatDocuments";
import { corpusFiles, corpusRecords } from "../../../../helpers/cloudTrailCorpus";
import { CLOUDTRAIL_START_INSTANCES as START_INSTANCES } from "../../../../helpers/awsDocumentedLogs";
import { FLATTENED_LIMIT } from "../../../../../lambda/documents/aws/cloudtrail";
import { javaMapText } from "../../../../../lambda/documents/aws/javaMapText";
import { TAG_ORIGINAL_KEPT } from "../../../../../lambda/contract/tags";
import { gunzipSync } from "node:zlib";

const DATA_STREAM = { type: "logs", dataset: "aws.cloudtrail", namespace: "default", module: "aws" } as const;

async function shaped(...records: unknown[]): Promise<Array<Record<string, unknown>>> {
  const run = await documentsOf(JSON.stringify({ Records: records }), "cloudtrail", { dataStream: DATA_STREAM });
  return run.documents.map((document) => document.source);
}

const ASSUMED_ROLE_DENIED = {
  eventVersion: "1.08",
  userIdentity: {
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:session",
    arn: "arn:aws:sts::111122223333:assumed-role/Auditor/session",
    accountId: "111122223333",
    accessKeyId: "ASIAEXAMPLE",
    sessionContext: {
      attributes: { creationDate: "2026-11-27T09:00:00Z", mfaAuthenticated: "false" },
      sessionIssuer: { type: "Role", userName: "Auditor", arn: "arn:aws:iam::111122223333:role/Auditor" },
    },
  },
  eventTime: "2026-11-27T10:00:00Z",
  eventSource: "s3.amazonaws.com",
  eventName: "GetBucketAcl",
  awsRegion: "eu-west-1",
  sourceIPAddress: "cloudtrail.amazonaws.com",
  userAgent: "cloudtrail.amazonaws.com",
  errorCode: "AccessDenied",
  requestParameters: { bucketName: "amzn-s3-demo-bucket", acl: "" },
  recipientAccountId: "444455556666",
};

/** A document's leaf paths (arrays of objects by their members' paths). */
function leafPaths(value: unknown, prefix = "", into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const item of value) leafPaths(item, prefix, into);
  else if (value !== null && typeof value === "object")
    for (const [key, member] of Object.entries(value)) leafPaths(member, prefix ? `${prefix}.${key}` : key, into);
  else into.add(prefix);
  return into;
}

describe("cloudtrail", () => {
  it("shapes the documented record under aws.cloudtrail.* with ECS fields, the data stream named, nothing of the raw record left", async () => {
    const [document] = await shaped(START_INSTANCES);
    expect(document).toMatchObject({
      "@timestamp": "2014-03-06T21:22:54Z",
      data_stream: { type: "logs", dataset: "aws.cloudtrail", namespace: "default" },
      event: {
        dataset: "aws.cloudtrail",
        module: "aws",
        kind: "event",
        action: "StartInstances",
        provider: "ec2.amazonaws.com",
        outcome: "success",
        type: ["start"],
      },
      source: { ip: "205.251.233.176", address: "205.251.233.176" },
      user: { name: "Alice", id: "EX_PRINCIPAL_ID" },
      user_agent: { original: "ec2-api-tools 1.6.12.2" },
      cloud: { account: { id: "123456789012" }, region: "us-east-2", provider: "aws" },
      related: { user: ["Alice"], ip: ["205.251.233.176"] },
      aws: {
        cloudtrail: {
          event_version: "1.0",
          user_identity: {
            type: "IAMUser",
            arn: "arn:aws:iam::123456789012:user/Alice",
            access_key_id: "EXAMPLE_KEY_ID",
          },
          request_parameters: "{instancesSet={items=[{instanceId=i-ebeaf9e2}]}}",
          response_elements: "{instancesSet={items=[{instanceId=i-ebeaf9e2}]}}",
          flattened: {
            request_parameters: { instancesSet: { items: [{ instanceId: "i-ebeaf9e2" }] } },
            response_elements: { instancesSet: { items: [{ instanceId: "i-ebeaf9e2" }] } },
          },
        },
      },
    });
    for (const member of Object.keys(START_INSTANCES)) expect(document).not.toHaveProperty(member);
    expect(document).not.toHaveProperty("event.original");
  });

  it("names an assumed role's user by its issuer, the caller's account, a service's name as source.address only, the error", async () => {
    const [document] = await shaped(ASSUMED_ROLE_DENIED);
    expect(document).toMatchObject({
      event: { action: "GetBucketAcl", outcome: "failure", category: ["file"] },
      source: { address: "cloudtrail.amazonaws.com" },
      user: { name: "Auditor", id: "AROAEXAMPLE:session" },
      cloud: { account: { id: "111122223333" }, region: "eu-west-1" },
      entity: { target: { id: ["amzn-s3-demo-bucket"] } },
      aws: {
        cloudtrail: {
          error_code: "AccessDenied",
          recipient_account_id: "444455556666",
          // The empty acl is dropped before the text is written, as the integration's pipeline drops it.
          request_parameters: "{bucketName=amzn-s3-demo-bucket}",
          user_identity: {
            type: "AssumedRole",
            access_key_id: "ASIAEXAMPLE",
            session_context: {
              mfa_authenticated: "false",
              creation_date: "2026-11-27T09:00:00Z",
              session_issuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/Auditor" },
            },
          },
        },
      },
    });
    expect(document).not.toHaveProperty("source.ip");
  });

  it("reads a console sign-in's outcome and additional data, and the IAM user, group and rename a call acts on", async () => {
    const [login, renamed] = await shaped(
      {
        ...ASSUMED_ROLE_DENIED,
        eventSource: "signin.amazonaws.com",
        eventName: "ConsoleLogin",
        errorCode: undefined,
        responseElements: { ConsoleLogin: "Failure" },
        additionalEventData: { LoginTo: "https://console.aws.amazon.com/", MobileVersion: "No", MFAUsed: "No" },
        sessionCredentialFromConsole: "true",
      },
      {
        ...ASSUMED_ROLE_DENIED,
        eventSource: "iam.amazonaws.com",
        eventName: "UpdateUser",
        errorCode: undefined,
        requestParameters: { userName: "bob", newUserName: "robert" },
      },
    );
    expect(login).toMatchObject({
      event: { outcome: "failure", category: ["authentication"] },
      aws: {
        cloudtrail: {
          session_credential_from_console: "true",
          console_login: {
            additional_eventdata: {
              login_to: "https://console.aws.amazon.com/",
              mobile_version: false,
              mfa_used: false,
            },
          },
        },
      },
    });
    expect(renamed).toMatchObject({
      event: { outcome: "success", category: ["iam"], type: ["user", "change"] },
      user: { target: { name: "bob" }, changes: { name: "robert" } },
      related: { user: expect.arrayContaining(["bob", "robert"]) },
    });
  });

  it("keeps members it has no field for under aws.cloudtrail.flattened, and no flattened copy of a text of 32,766 characters or more", async () => {
    const huge = { policy: "x".repeat(FLATTENED_LIMIT) };
    const [document] = await shaped({
      ...START_INSTANCES,
      requestParameters: huge,
      edgeDeviceDetails: { deviceId: "d-1" },
      userIdentity: { ...START_INSTANCES.userIdentity, credentialId: "c-1", onBehalfOf: { userId: "u-1" } },
    });
    const cloudtrail = (document as { aws: { cloudtrail: Record<string, unknown> } }).aws.cloudtrail;
    expect(cloudtrail.request_parameters).toBe(javaMapText(huge));
    expect(cloudtrail.flattened).toEqual({
      response_elements: START_INSTANCES.responseElements,
      unmapped: {
        edgeDeviceDetails: { deviceId: "d-1" },
        userIdentity: { credentialId: "c-1", onBehalfOf: { userId: "u-1" } },
      },
    });
  });

  it("gives a flattened field nothing it refuses: no copy of a member too deep or too large in UTF-8, its text kept", async () => {
    let deep: Record<string, unknown> = { leaf: "x" };
    for (let level = 1; level < 25; level += 1) deep = { d: deep };
    // 12,000 characters, 36,000 bytes: under the integration's 32,766-character cut, over Lucene's term limit.
    const multibyte = { userData: "€".repeat(12_000) };
    const [wide, deeper] = await shaped(
      { ...START_INSTANCES, requestParameters: multibyte },
      { ...START_INSTANCES, requestParameters: deep },
    );
    for (const [document, member] of [
      [wide, multibyte],
      [deeper, deep],
    ] as const) {
      expect(document).toHaveProperty("aws.cloudtrail.request_parameters", javaMapText(member));
      expect(document).not.toHaveProperty("aws.cloudtrail.flattened.request_parameters");
      expect(document).toHaveProperty("aws.cloudtrail.flattened.response_elements");
      expect(document).not.toHaveProperty("event.original");
      expect(document).not.toHaveProperty("tags");
    }
  });

  it("never drops a member: one not taken whole by its field goes to unmapped, one no field holds keeps the record in event.original", async () => {
    const record = {
      ...START_INSTANCES,
      errorCode: { code: "Throttling" },
      eventTime: "March 6, 2014",
      tlsDetails: { tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256", keyExchange: "x25519" },
      resources: [{ ARN: "arn:aws:ec2:us-east-2:123456789012:instance/i-1", accountId: "123456789012", tag: "t" }],
      userIdentity: {
        ...START_INSTANCES.userIdentity,
        sessionContext: {
          attributes: { creationDate: "yesterday", mfaAuthenticated: "true", region: "x" },
          sessionIssuer: { type: "Role", userName: "ops", path: "/team/" },
        },
      },
    };
    const [taken] = await shaped(record);
    expect(taken).toMatchObject({
      aws: {
        cloudtrail: {
          user_identity: { session_context: { mfa_authenticated: "true", session_issuer: { type: "Role" } } },
          flattened: {
            unmapped: {
              errorCode: { code: "Throttling" },
              eventTime: "March 6, 2014",
              tlsDetails: record.tlsDetails,
              resources: record.resources,
              userIdentity: {
                sessionContext: {
                  attributes: { creationDate: "yesterday", region: "x" },
                  sessionIssuer: { path: "/team/" },
                },
              },
            },
          },
        },
      },
    });
    expect(taken).not.toHaveProperty("event.original");
    // A session context that is no object is no one's field either.
    const [odd] = await shaped({ ...START_INSTANCES, userIdentity: { type: "IAMUser", sessionContext: "none" } });
    expect(odd).toHaveProperty("aws.cloudtrail.flattened.unmapped.userIdentity.sessionContext", "none");

    let deep: Record<string, unknown> = { leaf: "x" };
    for (let level = 1; level < 25; level += 1) deep = { d: deep };
    const huge = { ...START_INSTANCES, eventID: "huge", newMember: "a".repeat(40_000), small: "kept" };
    const deeper = { ...START_INSTANCES, eventID: "deep", other: deep };
    const run = await documentsOf(JSON.stringify({ Records: [huge, deeper] }), "cloudtrail", {
      dataStream: DATA_STREAM,
    });
    for (const [index, raw] of [huge, deeper].entries()) {
      const document = run.documents[index]?.source;
      expect(document).toMatchObject({ event: { original: JSON.stringify(raw) }, tags: [TAG_ORIGINAL_KEPT] });
      expect(document).not.toHaveProperty("aws.cloudtrail.flattened.unmapped.newMember");
      expect(document).not.toHaveProperty("aws.cloudtrail.flattened.unmapped.other");
    }
    expect(run.documents[0]?.source).toHaveProperty("aws.cloudtrail.flattened.unmapped.small", "kept");
  });

  it("types what real records disagree on as a mapping can hold it (seen in the corpus, each refused by Elasticsearch before)", async () => {
    const [scalars, truthy, odd] = await shaped(
      // Members without a field of their own that are scalars (Lambda's and DynamoDB's data events) and a
      // serviceEventDetails written as a JSON string: a flattened field takes objects only.
      {
        ...START_INSTANCES,
        eventSourceArn: "arn:aws:dynamodb:us-east-2:111122223333:table/Music/stream/2026",
        invokeIdentityArn: "arn:aws:iam::111122223333:role/lambda-role",
        serviceEventDetails: '{"state":"Enabled"}',
      },
      { ...START_INSTANCES, readOnly: "True" },
      { ...START_INSTANCES, readOnly: "maybe" },
    );
    expect(scalars).toMatchObject({
      aws: {
        cloudtrail: {
          service_event_details: '{"state":"Enabled"}',
          flattened: {
            unmapped: {
              eventSourceArn: "arn:aws:dynamodb:us-east-2:111122223333:table/Music/stream/2026",
              invokeIdentityArn: "arn:aws:iam::111122223333:role/lambda-role",
            },
          },
        },
      },
    });
    expect(scalars).not.toHaveProperty("aws.cloudtrail.flattened.service_event_details");
    expect(truthy).toMatchObject({ aws: { cloudtrail: { read_only: true } } });
    expect(odd).toMatchObject({ aws: { cloudtrail: { flattened: { unmapped: { readOnly: "maybe" } } } } });
    expect(odd).not.toHaveProperty("aws.cloudtrail.read_only");
  });

  it("keeps the record as CloudTrail wrote it in event.original with preserveOriginal only", async () => {
    const text = JSON.stringify(START_INSTANCES);
    const run = await documentsOf(`{"Records":[${text}]}`, "cloudtrail", {
      context: { preserveOriginal: true },
      dataStream: DATA_STREAM,
    });
    expect(run.documents[0]?.source).toMatchObject({ event: { original: text } });
  });

  it("indexes a record that is no JSON object as its text, and a record without CloudTrail's members with what it has", async () => {
    const [scalar, bare] = await shaped(42, { a: 1 });
    expect(scalar).toMatchObject({ message: "42", data_stream: { dataset: "aws.cloudtrail" } });
    expect(bare).toMatchObject({
      event: { kind: "event", outcome: "success" },
      aws: { cloudtrail: { flattened: { unmapped: { a: 1 } } } },
    });
  });

  it("makes one document per record of the corpus, none tagged, with a bounded set of fields outside aws.cloudtrail.flattened", async () => {
    const paths = new Set<string>();
    let documents = 0;
    for (const file of corpusFiles()) {
      const run = await documentsOf(gunzipSync(file.gzip), "cloudtrail", { dataStream: DATA_STREAM });
      documents += run.documents.length;
      for (const { source } of run.documents) {
        expect(source).not.toHaveProperty("tags");
        for (const path of leafPaths(source)) if (!path.startsWith("aws.cloudtrail.flattened.")) paths.add(path);
      }
    }
    expect(documents).toBe(corpusRecords().length);
    // 1,366 records of 579 APIs: the fields a CloudTrail destination maps, whatever the APIs called.
    expect(paths.size).toBeLessThanOrEqual(100);
  });

  it("adds no field outside aws.cloudtrail.flattened for members of any shape (any API's parameters and responses)", async () => {
    const baseline = leafPaths((await shaped(START_INSTANCES))[0]);
    const member = fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 3 }), {
      maxKeys: 6,
    });
    await fc.assert(
      fc.asyncProperty(member, member, member, member, async (request, response, additional, unknown) => {
        // Prepare: any open-ended members, and a member CloudTrail may add some day.
        const record = {
          ...START_INSTANCES,
          requestParameters: request,
          responseElements: response,
          additionalEventData: additional,
          newMemberOfTomorrow: unknown,
        };
        // Act
        const [document] = await shaped(record);
        // Assess
        for (const path of leafPaths(document))
          if (!path.startsWith("aws.cloudtrail.flattened."))
            expect(baseline.has(path) || KNOWN.has(path), path).toBe(true);
      }),
      { numRuns: 150 },
    );
  });
});

/** Fields a record may give beyond the documented one's, each by its own name (ConsoleLogin, IAM, TLS …). */
const KNOWN = new Set([
  "aws.cloudtrail.additional_eventdata",
  "aws.cloudtrail.service_event_details",
  "event.category",
  "event.type",
  "entity.target.id",
  "related.entity",
  "user.target.name",
  "user.target.id",
  "user.changes.name",
  "group.name",
  "group.id",
]);
