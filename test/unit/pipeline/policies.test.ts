import { describe, expect, it } from "vitest";
import {
  functionPolicy,
  lambdaAssumeRolePolicy,
  parameterArn,
  producerObjectsArn,
} from "../../../pipeline/resources/policies";

const base = {
  partition: "aws",
  region: "eu-west-1",
  dnsSuffix: "amazonaws.com",
  bucket: "acme-logs",
  queueArn: "arn:aws:sqs:eu-west-1:123456789012:q",
  parameterArn: "arn:aws:ssm:eu-west-1:123456789012:parameter/s3-log-shipper/prod/elasticsearch",
  keyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
  logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/s3-log-shipper/prod/waf",
  inVpc: false,
};

describe("functionPolicy", () => {
  it("reads exactly the keys the notification filter matches: bucket/prefix*suffix", () => {
    expect(functionPolicy(base).Statement[0]?.Resource).toBe("arn:aws:s3:::acme-logs/*");
    expect(functionPolicy({ ...base, prefix: "AWSLogs/" }).Statement[0]?.Resource).toBe(
      "arn:aws:s3:::acme-logs/AWSLogs/*",
    );
    expect(functionPolicy({ ...base, prefix: "AWSLogs/", suffix: ".log.gz" }).Statement[0]?.Resource).toBe(
      "arn:aws:s3:::acme-logs/AWSLogs/*.log.gz",
    );
    expect(functionPolicy({ ...base, suffix: ".json" }).Statement[0]?.Resource).toBe("arn:aws:s3:::acme-logs/*.json");
  });

  it("writes a literal $ as IAM's ${$}, so it never starts a policy variable", () => {
    expect(
      producerObjectsArn({ partition: "aws", bucket: "acme-logs", prefix: "a${aws:username}/", suffix: "$x" }),
    ).toBe("arn:aws:s3:::acme-logs/a${$}{aws:username}/*${$}x");
  });

  it("decrypts the producer's SSE-KMS objects only through S3 in the bucket's region, for its bucket key or its objects", () => {
    const keys = [
      "arn:aws:kms:eu-west-1:111122223333:key/1111aaaa-2222-bbbb-3333-cccc4444dddd",
      "arn:aws:kms:eu-west-1:123456789012:key/k2",
    ];
    const statement = functionPolicy({
      ...base,
      prefix: "AWSLogs/",
      suffix: ".json.gz",
      objectKmsKeyArns: keys,
    }).Statement.find((candidate) => candidate.Sid === "DecryptProducerObjects");
    expect(statement).toEqual({
      Sid: "DecryptProducerObjects",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: keys,
      Condition: {
        StringEquals: { "kms:ViaService": "s3.eu-west-1.amazonaws.com" },
        // S3 Bucket Key: the bucket ARN; without: the object ARN, within the producer's keys only.
        StringLike: {
          "kms:EncryptionContext:aws:s3:arn": ["arn:aws:s3:::acme-logs", "arn:aws:s3:::acme-logs/AWSLogs/*.json.gz"],
        },
      },
    });
    expect(functionPolicy(base).Statement.some((candidate) => candidate.Sid === "DecryptProducerObjects")).toBe(false);
  });

  it("adds network-interface actions only in a VPC", () => {
    expect(functionPolicy(base).Statement.some((s) => s.Sid === "ManageVpcNetworkInterfaces")).toBe(false);
    expect(
      functionPolicy({ ...base, inVpc: true }).Statement.find((s) => s.Sid === "ManageVpcNetworkInterfaces")?.Action,
    ).toContain("ec2:CreateNetworkInterface");
  });

  it("never puts a wildcard resource on S3, SQS, SSM, KMS or logs actions", () => {
    for (const statement of functionPolicy({ ...base, inVpc: true }).Statement) {
      const actions = ([] as string[]).concat(statement.Action);
      if (actions.some((a) => /^(s3|sqs|ssm|kms|logs):/.test(a))) expect(statement.Resource).not.toBe("*");
    }
  });
});

describe("trust policy", () => {
  it("has no Resource element (IAM refuses one in trust policies)", () => {
    expect(lambdaAssumeRolePolicy().Statement[0]).not.toHaveProperty("Resource");
  });
});

describe("parameterArn", () => {
  it("joins a slash-led name without doubling the slash", () => {
    expect(parameterArn({ partition: "aws", region: "eu-west-1", accountId: "1", name: "/a/b" })).toBe(
      "arn:aws:ssm:eu-west-1:1:parameter/a/b",
    );
    expect(parameterArn({ partition: "aws", region: "eu-west-1", accountId: "1", name: "a" })).toBe(
      "arn:aws:ssm:eu-west-1:1:parameter/a",
    );
  });
});
