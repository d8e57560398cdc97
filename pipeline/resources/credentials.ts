/**
 * Elasticsearch credentials: read in cleartext from Vault (KV v2) at deploy time, stored as an SSM
 * SecureString under a customer-managed KMS key with rotation. The value is a Pulumi secret from
 * the moment it is read, so it is encrypted in state; the function reads it from SSM at run time.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as vault from "@pulumi/vault";
import type { StoredCredentials } from "../../lambda/contract/storedCredentials";
import { vaultCredentialsOf } from "../elasticsearch/vaultSecret";

export interface CredentialsArgs {
  /** The `LogShipper` instance, in the key's description and alias. */
  instance: string;
  /** KV v2 mount and secret path holding `api_key`, or `username` and `password`. */
  vaultMount: string;
  vaultPath: string;
  /** SSM parameter name, with a leading slash. */
  parameterName: string;
}

/**
 * Turns the Vault secret's data into the stored JSON. Throws `pulumi.RunError` (without any
 * value) when it holds neither `api_key` nor `username` + `password`.
 */
export function credentialsFromVaultData(data: Record<string, string> | undefined, where: string): StoredCredentials {
  const credentials = vaultCredentialsOf(data, where);
  if ("problem" in credentials) throw new pulumi.RunError(credentials.problem);
  return credentials;
}

export class Credentials extends pulumi.ComponentResource {
  readonly key: aws.kms.Key;
  readonly parameter: aws.ssm.Parameter;
  readonly parameterName: string;
  /** The JSON stored in SSM: a secret output from the moment Vault answers. */
  readonly storedValue: pulumi.Output<string>;

  constructor(name: string, args: CredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-log-shipper:pipeline:Credentials", name, {}, opts);
    const where = `${args.vaultMount}/${args.vaultPath}`;

    const secret = vault.kv.getSecretV2Output({ mount: args.vaultMount, name: args.vaultPath }, { parent: this });
    // The lookup's result is not secret by itself: mark it before anything derives from it.
    this.storedValue = pulumi
      .secret(secret.data)
      .apply((data) => JSON.stringify(credentialsFromVaultData(data, where)));

    this.key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `${args.instance} ${pulumi.getStack()}: encrypts the Elasticsearch credentials in SSM`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      { parent: this },
    );
    new aws.kms.Alias(
      `${name}-key-alias`,
      { name: `alias/${args.instance}-${pulumi.getStack()}-credentials`, targetKeyId: this.key.keyId },
      { parent: this },
    );

    this.parameterName = args.parameterName;
    this.parameter = new aws.ssm.Parameter(
      `${name}-parameter`,
      {
        name: args.parameterName,
        description: `Elasticsearch credentials for ${args.instance} (from Vault ${where}); managed by Pulumi`,
        type: aws.ssm.ParameterType.SecureString,
        keyId: this.key.arn,
        value: this.storedValue,
      },
      { parent: this },
    );

    this.registerOutputs({ keyArn: this.key.arn, parameterName: this.parameter.name });
  }
}
