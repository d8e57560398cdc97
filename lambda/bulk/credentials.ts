/**
 * Elasticsearch credentials from an SSM SecureString, decrypted at read time. Read once per
 * container and cached with a TTL (fetching on every invocation floods CloudTrail and SSM's
 * rate limit), re-read after a 401/403 so a rotation is picked up. Never logged.
 */
import { GetParameterCommand, type SSMClient } from "@aws-sdk/client-ssm";
import { storedCredentialsSchema, type StoredCredentials } from "../contract/storedCredentials";
import { CredentialsError } from "../errors";

/** Where the transport gets credentials from (SSM in the function). */
export interface CredentialsSource {
  get(): Promise<StoredCredentials>;
  /** Forget what is cached (after a 401/403). */
  invalidate(): void;
}

export class CredentialsProvider implements CredentialsSource {
  private cached?: { value: StoredCredentials; expires: number };
  private reading?: Promise<StoredCredentials>;

  constructor(
    private readonly ssm: SSMClient,
    private readonly parameterName: string,
    private readonly ttlMs: number,
  ) {}

  /** The credentials, from cache when fresh. Throws `CredentialsError` (without the value). */
  async get(): Promise<StoredCredentials> {
    if (this.cached && this.cached.expires > Date.now()) return this.cached.value;
    this.reading ??= this.read().finally(() => (this.reading = undefined));
    return this.reading;
  }

  /** Forgets the cached value: the next `get` reads SSM again. */
  invalidate(): void {
    this.cached = undefined;
  }

  private async read(): Promise<StoredCredentials> {
    let value: string | undefined;
    try {
      const response = await this.ssm.send(new GetParameterCommand({ Name: this.parameterName, WithDecryption: true }));
      value = response.Parameter?.Value;
    } catch (error) {
      const name = error instanceof Error ? error.name : "Error";
      throw new CredentialsError(`reading SSM parameter ${this.parameterName} failed: ${name}`, { cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(value ?? "");
    } catch {
      throw new CredentialsError(`SSM parameter ${this.parameterName} is not JSON`);
    }
    const parsed = storedCredentialsSchema.safeParse(json);
    if (!parsed.success) {
      throw new CredentialsError(`SSM parameter ${this.parameterName} holds neither {apiKey} nor {username, password}`);
    }
    this.cached = { value: parsed.data, expires: Date.now() + this.ttlMs };
    return parsed.data;
  }
}
