/**
 * The bucket's default encryption: a new object encrypted with an SSE-KMS customer key the
 * function may not use (the key is not in the producer's `objectKmsKeyArns`) fails every read with
 * AccessDenied. S3 names the key in `KMSMasterKeyID` by ARN, key id or alias (S3 API Reference,
 * ServerSideEncryptionByDefault); without one it is the AWS managed key aws/s3, which the function
 * uses through S3 within the account.
 */
import { GetBucketEncryptionCommand } from "@aws-sdk/client-s3";
import type { OperatorClients } from "../awsClients";
import type { ProducerOutputs } from "../stackOutputs";
import { errorName, ok, problem, runCheck, unchecked, type DoctorCheck, type Finding } from "./check";

export function checkEncryption(clients: OperatorClients, producer: ProducerOutputs): Promise<DoctorCheck[]> {
  return runCheck(
    "encryption",
    { what: `bucket ${producer.bucket}'s default encryption`, permission: "s3:GetEncryptionConfiguration" },
    () => defaultEncryption(clients, producer),
  );
}

async function defaultEncryption(clients: OperatorClients, producer: ProducerOutputs): Promise<Finding> {
  let rules;
  try {
    rules =
      (await clients.s3.send(new GetBucketEncryptionCommand({ Bucket: producer.bucket })))
        .ServerSideEncryptionConfiguration?.Rules ?? [];
  } catch (error) {
    if (errorName(error) === "ServerSideEncryptionConfigurationNotFoundError")
      return ok(`bucket ${producer.bucket} has no default encryption configured (SSE-S3)`);
    throw error;
  }
  const byDefault = rules.find((rule) => rule.ApplyServerSideEncryptionByDefault)?.ApplyServerSideEncryptionByDefault;
  const algorithm = byDefault?.SSEAlgorithm ?? "AES256";
  if (!algorithm.startsWith("aws:kms"))
    return ok(`bucket ${producer.bucket} encrypts new objects with ${algorithm} (SSE-S3)`);
  const key = byDefault?.KMSMasterKeyID;
  if (!key) return ok(`bucket ${producer.bucket} encrypts new objects with the AWS managed key aws/s3`);
  const allowed = producer.deployed?.objectKmsKeyArns;
  if (!allowed)
    return unchecked(
      `bucket ${producer.bucket} encrypts with KMS key ${key}; the stack outputs do not list objectKmsKeyArns (deployed before s3ls doctor): pulumi up adds them`,
    );
  if (key.startsWith("alias/") || key.includes(":alias/"))
    return unchecked(
      `bucket ${producer.bucket} names its KMS key by alias (${key}); objectKmsKeyArns must hold the key's ARN (aws kms describe-key --key-id ${key} prints it), and holds ${allowed.join(", ") || "nothing"}`,
    );
  const keyId = key.slice(key.lastIndexOf("/") + 1);
  if (allowed.some((arn) => arn === key || arn.endsWith(`:key/${keyId}`)))
    return ok(`bucket ${producer.bucket} encrypts with KMS key ${key}, which is in objectKmsKeyArns`);
  return problem(
    `bucket ${producer.bucket} encrypts new objects with KMS key ${key}, which the function may not use: every read of a new object fails AccessDenied; ` +
      `add the key's ARN to the producer's objectKmsKeyArns and pulumi up (docs/estates.md "Estates")`,
  );
}
