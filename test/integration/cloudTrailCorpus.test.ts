/**
 * Issue 35 on real Elasticsearch (8.x and 9.x), through moto and the deployed bundle: the CloudTrail
 * corpus (test/corpus/cloudtrail, 1,366 real records of 579 APIs) shipped by a `format: cloudtrail`
 * producer without an index, into the data stream `logs-aws.cloudtrail-<namespace>` under the template
 * its stack puts for it (ECS types, `flattened` for the open-ended members: pipeline/elasticsearch/).
 * Every record is indexed exactly once and none is refused, and the stream maps a bounded number of
 * fields; so are records at the limits of a flattened field (EDGES).
 *
 * Then detections in the manner of Elastic Security's prebuilt CloudTrail rules, each described and
 * written here in our own words from what the rule looks for (elastic/detection-rules is Elastic
 * License 2.0: read, nothing copied): a record that should raise it is found on the node by those
 * conditions, and a near-miss record is not.
 */
import { Client } from "@elastic/elasticsearch";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsClients, deployLocalStack, queueDepth, type LocalProducer } from "../../scripts/local/localPipeline";
import { majorsUnderTest, resetMoto, startElasticsearch, startMoto } from "../../scripts/local/services";
import { templateNameOf } from "../../pipeline/elasticsearch/indexTemplates";
import { corpusFiles, corpusRecords } from "../helpers/cloudTrailCorpus";
import { CLOUDTRAIL_START_INSTANCES } from "../helpers/awsDocumentedLogs";
import { TAG_ORIGINAL_KEPT } from "../../lambda/contract/tags";

type Record_ = Record<string, unknown>;

/** An IAM user calling with its long-term key from an address: the base of the detection records below. */
const BASE: Record_ = {
  ...CLOUDTRAIL_START_INSTANCES,
  eventVersion: "1.09",
  eventTime: "2026-12-07T09:00:00Z",
  awsRegion: "eu-west-1",
  sourceIPAddress: "198.51.100.23",
  userAgent: "aws-cli/2.15.0 Python/3.11.6 Linux/6.1 exe/x86_64",
  tlsDetails: {
    tlsVersion: "TLSv1.3",
    cipherSuite: "TLS_AES_128_GCM_SHA256",
    clientProvidedHostHeader: "ec2.eu-west-1.amazonaws.com",
  },
  requestParameters: null,
  responseElements: null,
};
const ASSUMED_ROLE = {
  type: "AssumedRole",
  principalId: "AROAEXAMPLEID:attacker",
  arn: "arn:aws:sts::123456789012:assumed-role/ops/attacker",
  accountId: "123456789012",
  accessKeyId: "ASIAEXAMPLEKEY",
  sessionContext: { sessionIssuer: { type: "Role", userName: "ops", arn: "arn:aws:iam::123456789012:role/ops" } },
};

interface Detection {
  /** What the rule looks for, in our words. */
  title: string;
  hit: Record_;
  miss: Record_;
  /** The rule's conditions as an Elasticsearch query on the documents. */
  query: object;
}

const term = (field: string, value: unknown) => ({ term: { [field]: value } });
const wildcard = (field: string, value: string) => ({ wildcard: { [field]: { value } } });
const exists = (field: string) => ({ exists: { field } });

/** Ten-plus detections with plain field conditions. */
const DETECTIONS: Detection[] = [
  {
    title: "an assumed role refused the administrator password of an EC2 instance",
    hit: {
      ...BASE,
      userIdentity: ASSUMED_ROLE,
      eventName: "GetPasswordData",
      errorCode: "Client.UnauthorizedOperation",
      requestParameters: { instanceId: "i-0123456789abcdef0" },
    },
    miss: { ...BASE, eventName: "GetPasswordData", errorCode: "Client.UnauthorizedOperation" },
    query: {
      bool: {
        filter: [
          term("event.provider", "ec2.amazonaws.com"),
          term("event.action", "GetPasswordData"),
          term("aws.cloudtrail.user_identity.type", "AssumedRole"),
          term("aws.cloudtrail.error_code", "Client.UnauthorizedOperation"),
        ],
      },
    },
  },
  {
    title: "a trail stopped logging",
    hit: {
      ...BASE,
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "StopLogging",
      requestParameters: { name: "org-trail" },
    },
    miss: {
      ...BASE,
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "StartLogging",
      requestParameters: { name: "org-trail" },
    },
    query: {
      bool: {
        filter: [
          term("event.provider", "cloudtrail.amazonaws.com"),
          term("event.action", "StopLogging"),
          term("event.outcome", "success"),
        ],
      },
    },
  },
  {
    title: "a console sign-in succeeded without MFA",
    hit: {
      ...BASE,
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: { LoginTo: "https://console.aws.amazon.com/", MobileVersion: "No", MFAUsed: "No" },
    },
    miss: {
      ...BASE,
      eventSource: "signin.amazonaws.com",
      eventName: "ConsoleLogin",
      responseElements: { ConsoleLogin: "Success" },
      additionalEventData: { LoginTo: "https://console.aws.amazon.com/", MobileVersion: "No", MFAUsed: "Yes" },
    },
    query: {
      bool: {
        filter: [
          term("event.provider", "signin.amazonaws.com"),
          term("event.action", "ConsoleLogin"),
          term("event.outcome", "success"),
          term("aws.cloudtrail.console_login.additional_eventdata.mfa_used", false),
        ],
      },
    },
  },
  {
    title: "an instance's user data was changed (a startup script swapped in)",
    hit: {
      ...BASE,
      eventName: "ModifyInstanceAttribute",
      requestParameters: { instanceId: "i-0123456789abcdef0", userData: "<sensitiveDataRemoved>" },
    },
    miss: {
      ...BASE,
      eventName: "ModifyInstanceAttribute",
      requestParameters: { instanceId: "i-0123456789abcdef0", instanceType: { value: "t3.large" } },
    },
    query: {
      bool: {
        filter: [
          term("event.action", "ModifyInstanceAttribute"),
          wildcard("aws.cloudtrail.request_parameters", "*userData=*"),
        ],
      },
    },
  },
  {
    title: "the AdministratorAccess policy was attached to a user",
    hit: {
      ...BASE,
      eventSource: "iam.amazonaws.com",
      eventName: "AttachUserPolicy",
      requestParameters: { userName: "backup", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    },
    miss: {
      ...BASE,
      eventSource: "iam.amazonaws.com",
      eventName: "AttachUserPolicy",
      requestParameters: { userName: "backup", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" },
    },
    query: {
      bool: {
        filter: [
          term("event.provider", "iam.amazonaws.com"),
          term("event.action", "AttachUserPolicy"),
          wildcard("aws.cloudtrail.request_parameters", "*AdministratorAccess*"),
        ],
      },
    },
  },
  {
    title: "an object was read from a bucket without authentication",
    hit: {
      ...BASE,
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      userIdentity: { type: "AWSAccount", principalId: "", accountId: "anonymous" },
      requestParameters: { bucketName: "acme-public", key: "backup.sql" },
    },
    miss: {
      ...BASE,
      eventSource: "s3.amazonaws.com",
      eventName: "GetObject",
      userIdentity: { type: "AWSAccount", principalId: "AIDAEXAMPLE", accountId: "444455556666" },
      requestParameters: { bucketName: "acme-public", key: "backup.sql" },
    },
    query: {
      bool: {
        filter: [
          term("event.provider", "s3.amazonaws.com"),
          term("event.outcome", "success"),
          term("aws.cloudtrail.user_identity.type", "AWSAccount"),
          term("cloud.account.id", "anonymous"),
        ],
      },
    },
  },
  {
    title: "a security group was opened to the whole internet",
    hit: {
      ...BASE,
      eventName: "AuthorizeSecurityGroupIngress",
      requestParameters: {
        groupId: "sg-0123456789abcdef0",
        ipPermissions: {
          items: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }],
        },
      },
    },
    miss: {
      ...BASE,
      eventName: "AuthorizeSecurityGroupIngress",
      requestParameters: {
        groupId: "sg-0123456789abcdef0",
        ipPermissions: {
          items: [{ ipProtocol: "tcp", fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: "10.0.0.0/8" }] } }],
        },
      },
    },
    query: {
      bool: {
        filter: [
          term("event.action", "AuthorizeSecurityGroupIngress"),
          term("aws.cloudtrail.flattened.request_parameters.ipPermissions.items.ipRanges.items.cidrIp", "0.0.0.0/0"),
        ],
      },
    },
  },
  {
    title: "an IAM user's temporary session key called IAM, not from the console",
    hit: {
      ...BASE,
      eventSource: "iam.amazonaws.com",
      eventName: "CreateUser",
      userIdentity: { ...CLOUDTRAIL_START_INSTANCES.userIdentity, accessKeyId: "ASIAEXAMPLESESSION" },
      requestParameters: { userName: "svc-backdoor" },
    },
    miss: {
      ...BASE,
      eventSource: "iam.amazonaws.com",
      eventName: "CreateUser",
      userIdentity: { ...CLOUDTRAIL_START_INSTANCES.userIdentity, accessKeyId: "ASIAEXAMPLESESSION" },
      requestParameters: { userName: "svc-backdoor" },
      sessionCredentialFromConsole: "true",
    },
    query: {
      bool: {
        filter: [
          term("event.provider", "iam.amazonaws.com"),
          term("aws.cloudtrail.user_identity.type", "IAMUser"),
          { prefix: { "aws.cloudtrail.user_identity.access_key_id": "ASIA" } },
          exists("source.ip"),
        ],
        must_not: [term("aws.cloudtrail.session_credential_from_console", "true")],
      },
    },
  },
  {
    title: "a GuardDuty detector was deleted",
    hit: {
      ...BASE,
      eventSource: "guardduty.amazonaws.com",
      eventName: "DeleteDetector",
      requestParameters: { detectorId: "12abc34d" },
    },
    miss: {
      ...BASE,
      eventSource: "guardduty.amazonaws.com",
      eventName: "DeleteDetector",
      requestParameters: { detectorId: "12abc34d" },
      errorCode: "AccessDenied",
      errorMessage: "User is not authorized to perform: guardduty:DeleteDetector",
    },
    query: {
      bool: {
        filter: [
          term("event.provider", "guardduty.amazonaws.com"),
          term("event.action", "DeleteDetector"),
          term("event.outcome", "success"),
        ],
      },
    },
  },
  {
    title: "an object was written with a customer-provided key (SSE-C, as ransomware does)",
    hit: {
      ...BASE,
      eventSource: "s3.amazonaws.com",
      eventName: "PutObject",
      tlsDetails: { ...(BASE.tlsDetails as Record_), clientProvidedHostHeader: "acme-data.s3.eu-west-1.amazonaws.com" },
      requestParameters: {
        bucketName: "acme-data",
        key: "a.csv",
        "x-amz-server-side-encryption-customer-algorithm": "AES256",
      },
    },
    miss: {
      ...BASE,
      eventSource: "s3.amazonaws.com",
      eventName: "PutObject",
      requestParameters: { bucketName: "acme-data", key: "a.csv", "x-amz-server-side-encryption": "aws:kms" },
    },
    query: {
      bool: {
        filter: [
          term("event.provider", "s3.amazonaws.com"),
          term("event.action", "PutObject"),
          exists("aws.cloudtrail.flattened.request_parameters.x-amz-server-side-encryption-customer-algorithm"),
          exists("tls.client.server_name"),
        ],
      },
    },
  },
  {
    title: "a trail was told to stop recording management events",
    hit: {
      ...BASE,
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "PutEventSelectors",
      requestParameters: {
        trailName: "org-trail",
        eventSelectors: [{ readWriteType: "All", includeManagementEvents: false }],
      },
    },
    miss: {
      ...BASE,
      eventSource: "cloudtrail.amazonaws.com",
      eventName: "PutEventSelectors",
      requestParameters: {
        trailName: "org-trail",
        eventSelectors: [{ readWriteType: "All", includeManagementEvents: true }],
      },
    },
    query: {
      bool: {
        filter: [
          term("event.action", "PutEventSelectors"),
          wildcard("aws.cloudtrail.request_parameters", "*includeManagementEvents=false*"),
        ],
      },
    },
  },
  {
    title: "an EBS snapshot was shared with everyone",
    hit: {
      ...BASE,
      eventName: "ModifySnapshotAttribute",
      requestParameters: {
        snapshotId: "snap-0123456789abcdef0",
        attributeType: "CREATE_VOLUME_PERMISSION",
        createVolumePermission: { add: { items: [{ group: "all" }] } },
      },
    },
    miss: {
      ...BASE,
      eventName: "ModifySnapshotAttribute",
      requestParameters: {
        snapshotId: "snap-0123456789abcdef0",
        attributeType: "CREATE_VOLUME_PERMISSION",
        createVolumePermission: { add: { items: [{ userId: "444455556666" }] } },
      },
    },
    query: {
      bool: {
        filter: [
          term("event.action", "ModifySnapshotAttribute"),
          wildcard("aws.cloudtrail.request_parameters", "*attributeType=CREATE_VOLUME_PERMISSION*"),
          term("aws.cloudtrail.flattened.request_parameters.createVolumePermission.add.items.group", "all"),
        ],
      },
    },
  },
];

/**
 * Records no real one in the corpus is, at the limits of a flattened field (lambda/documents/aws/flattened.ts):
 * each was refused by the node before, the document failing the message. Now each is indexed; those with
 * a member no field can hold carry the record in event.original, tagged.
 */
function deepObject(depth: number): Record_ {
  let value: Record_ = { leaf: "x" };
  for (let level = 1; level < depth; level += 1) value = { d: value };
  return value;
}
const EDGES: Array<{ record: Record_; originalKept: boolean }> = [
  // 12,000 characters, 36,000 bytes of UTF-8: its text form kept, no flattened copy.
  {
    record: { ...BASE, eventID: "edge-multibyte", requestParameters: { userData: "€".repeat(12_000) } },
    originalKept: false,
  },
  { record: { ...BASE, eventID: "edge-deep-parameters", requestParameters: deepObject(25) }, originalKept: false },
  { record: { ...BASE, eventID: "edge-long-error", errorMessage: "m".repeat(40_000) }, originalKept: false },
  { record: { ...BASE, eventID: "edge-huge-member", newMember: "a".repeat(40_000) }, originalKept: true },
  { record: { ...BASE, eventID: "edge-deep-member", other: deepObject(25) }, originalKept: true },
];

describe.each(majorsUnderTest())("CloudTrail as Elastic Security reads it, Elasticsearch %s.x", (major) => {
  let client: Client;
  let producers: LocalProducer[];
  let dlqDepth: () => Promise<number>;
  // A stream per run: the test distribution has no _data_stream API to delete one, nor deletes a write index.
  const namespace = `es${major}corpus${Date.now().toString(36)}`;
  const stream = `logs-aws.cloudtrail-${namespace}`;
  const bucket = `es${major}-cloudtrail-corpus`;
  const records = corpusRecords();
  const detections = DETECTIONS.flatMap((detection, n) => [
    { ...detection.hit, eventID: `detection-${n}-hit` },
    { ...detection.miss, eventID: `detection-${n}-miss` },
  ]);
  const edges = EDGES.map((edge) => edge.record);

  beforeAll(async () => {
    const awsEndpoint = await startMoto();
    await resetMoto();
    const es = await startElasticsearch(major);
    client = new Client({ node: es.url, auth: { username: es.username, password: es.password } });
    // The stack puts its destination's template (with a retention) through its own provider, as
    // `pulumi up` does, on a stream of this run's own: a template in use by a data stream cannot be deleted.
    const local = await deployLocalStack(
      { awsEndpoint, elasticsearch: es },
      {
        elasticsearch: { manageIndices: true, adminVault: { mount: "local", path: "elasticsearch-admin" } },
        producers: [
          { name: `es${major}-trail`, bucket, prefix: "AWSLogs/", format: "cloudtrail", namespace, retentionDays: 30 },
        ],
      },
      { stack: `cloudtrail-corpus-${major}`, retryBaseDelaySeconds: 1, echoLogs: process.env.S3LS_ECHO_LOGS === "1" },
    );
    producers = local.producers;
    const { s3, sqs } = awsClients(awsEndpoint);
    dlqDepth = async () => queueDepth(sqs, producers[0]?.deadLetterQueueUrl ?? "");
    const key = (name: string) =>
      `AWSLogs/123456789012/CloudTrail/eu-west-1/2026/12/07/123456789012_CloudTrail_eu-west-1_20261207T0900Z_${name}.json.gz`;
    for (const file of corpusFiles())
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key(file.name.replace(/\.json\.gz$/, "")), Body: file.gzip }),
      );
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key("detections"),
        Body: gzipSync(JSON.stringify({ Records: detections })),
      }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key("edges"), Body: gzipSync(JSON.stringify({ Records: edges })) }),
    );
  }, 300_000);
  afterAll(async () => {
    for (const producer of producers ?? []) producer.function.kill();
    await client?.close();
  });

  it("indexes every record of the corpus exactly once, none refused, into the integration's data stream", async () => {
    expect(await producers[0]?.poller.drain(300_000)).toBe(true);
    await client.indices.refresh({ index: stream });
    const total = records.length + detections.length + edges.length;
    expect((await client.count({ index: stream })).count).toBe(total);
    expect(await dlqDepth()).toBe(0);
    // One document per record: every record's eventID is there as often as the corpus has it.
    const ids = await client.search({
      index: stream,
      size: 0,
      aggs: { ids: { cardinality: { field: "event.id", precision_threshold: 40_000 } } },
    });
    const distinct = new Set(
      [...records, ...detections, ...edges]
        .map((record) => record.eventID)
        .filter((id) => typeof id === "string" && id !== ""),
    ).size;
    expect((ids.aggregations?.ids as { value: number }).value).toBe(distinct);
    // Tagged: only the records with a member no field holds, each with the record kept whole.
    const tagged = await client.search({
      index: stream,
      size: 100,
      _source: ["event.id", "event.original", "tags"],
      query: { exists: { field: "tags" } },
    });
    const keptWhole = EDGES.filter((edge) => edge.originalKept).map((edge) => edge.record);
    expect(tagged.hits.hits.map((hit) => (hit._source as { event: { id: string } }).event.id).sort()).toEqual(
      keptWhole.map((record) => record.eventID).sort(),
    );
    for (const hit of tagged.hits.hits) {
      const source = hit._source as { event: { id: string; original: string }; tags: string[] };
      expect(source.tags).toEqual([TAG_ORIGINAL_KEPT]);
      expect(JSON.parse(source.event.original)).toEqual(keptWhole.find((record) => record.eventID === source.event.id));
    }
    expect((await client.count({ index: stream, query: term("data_stream.dataset", "aws.cloudtrail") })).count).toBe(
      total,
    );
  }, 360_000);

  it("maps a bounded number of fields, whatever the 579 APIs put in their parameters", async () => {
    const mapping = await client.indices.getMapping({ index: stream });
    const fields = Object.values(mapping).flatMap((index) => leafFields(index.mappings.properties ?? {}));
    const outside = fields.filter((field) => !field.startsWith("aws.cloudtrail.flattened."));
    process.stdout.write(`Elasticsearch ${major}.x: ${stream} maps ${new Set(fields).size} fields\n`);
    // The integration's own default limit is 1,000 fields; raw records under dynamic mapping passed it.
    expect(new Set(fields).size).toBeLessThan(200);
    expect(fields.filter((field) => field.startsWith("aws.cloudtrail.flattened.")).length).toBeLessThanOrEqual(10);
    expect(outside.length).toBeGreaterThan(50);
  });

  it("types the stream by the template pulumi up puts: addresses ip, open-ended members flattened, their text keyword and text, retention in the lifecycle", async () => {
    const typeOf = async (field: string) => {
      const answer = (await client.indices.getFieldMapping({ index: stream, fields: [field] })) as Record<
        string,
        {
          mappings: Record<
            string,
            { mapping: Record<string, { type: string; fields?: Record<string, { type: string }> }> }
          >;
        }
      >;
      const found = Object.values(answer)[0]?.mappings[field]?.mapping;
      return found ? Object.values(found)[0] : undefined;
    };
    expect((await typeOf("source.ip"))?.type).toBe("ip");
    expect((await typeOf("aws.cloudtrail.flattened.request_parameters"))?.type).toBe("flattened");
    expect((await typeOf("aws.cloudtrail.flattened.response_elements"))?.type).toBe("flattened");
    const text = await typeOf("aws.cloudtrail.request_parameters");
    expect(text?.type).toBe("keyword");
    expect(text?.fields?.text?.type).toBe("text");
    const settings = (await client.transport.request({ method: "GET", path: `/${stream}/_settings` })) as Record<
      string,
      { settings: { index: { lifecycle?: { prefer_ilm?: string } } } }
    >;
    for (const backing of Object.values(settings)) expect(backing.settings.index.lifecycle?.prefer_ilm).toBe("false");
    const template = await client.indices.getIndexTemplate({ name: templateNameOf(stream) });
    expect(template.index_templates[0]?.index_template.template?.lifecycle?.data_retention).toBe("30d");
  });

  it.each(DETECTIONS.map((detection, n) => [detection.title, n] as const))(
    "detects that %s, and not its near miss",
    async (_, n) => {
      const detection = DETECTIONS[n] as Detection;
      const found = await client.search({
        index: stream,
        size: 100,
        _source: ["event.id"],
        query: { bool: { filter: [term("data_stream.dataset", "aws.cloudtrail"), detection.query] } },
      });
      const matched = found.hits.hits.map((hit) => (hit._source as { event?: { id?: string } }).event?.id);
      expect(matched).toContain(`detection-${n}-hit`);
      expect(matched).not.toContain(`detection-${n}-miss`);
    },
  );
});

/** Dotted names of a mapping's leaf fields (a flattened field is one). */
function leafFields(properties: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(properties).flatMap(([name, property]) => {
    const path = prefix ? `${prefix}.${name}` : name;
    const nested = (property as { properties?: Record<string, unknown> }).properties;
    return nested ? leafFields(nested, path) : [path];
  });
}
