/**
 * What a Vault secret holding Elasticsearch credentials must hold, and its reading over Vault's HTTP
 * API for the one caller that cannot use `@pulumi/vault`: the index templates' provider, whose
 * administrator credential must never be in the stack's state (a data source's result is), so it
 * reads the secret itself each time it calls the cluster. One GET of a KV v2 secret; a Vault client
 * library would add a dependency for it.
 */
import type { StoredCredentials } from "../../lambda/contract/storedCredentials";

/** The credentials in a secret's data (`api_key`, or `username` and `password`), or why there are none (no value in it). */
export function vaultCredentialsOf(
  data: Record<string, unknown> | undefined,
  where: string,
): StoredCredentials | { problem: string } {
  const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
  const apiKey = text(data?.api_key);
  if (apiKey) return { apiKey };
  const username = text(data?.username);
  const password = text(data?.password);
  if (username && password) return { username, password };
  const keys = Object.keys(data ?? {}).sort();
  return {
    problem: `Vault secret ${where} must hold "api_key", or "username" and "password"; it has ${keys.length > 0 ? `only ${keys.map((k) => `"${k}"`).join(", ")}` : "no keys"}. Write them with: vault kv put ${where} api_key=<base64 id:key>`,
  };
}

/** Where Vault is and who asks: the `vault:*` stack config the Vault provider reads, else Vault's own environment variables. */
export interface VaultAccess {
  address?: string | undefined;
  token?: string | undefined;
  namespace?: string | undefined;
}

/** `vault:address`/`vault:token`/`vault:namespace` where given, else VAULT_ADDR, VAULT_TOKEN (or ~/.vault-token), VAULT_NAMESPACE. */
export function vaultAccessOf(
  config: VaultAccess,
  environment: NodeJS.ProcessEnv,
  tokenFile: () => string | undefined,
): VaultAccess {
  return {
    address: config.address ?? environment.VAULT_ADDR,
    token: config.token ?? environment.VAULT_TOKEN ?? tokenFile(),
    namespace: config.namespace ?? environment.VAULT_NAMESPACE,
  };
}

/** Reads the KV v2 secret `mount`/`path`: its data, or an error naming the secret and what to do (never a value). */
export async function readKvSecret(access: VaultAccess, mount: string, path: string): Promise<Record<string, unknown>> {
  const where = `${mount}/${path}`;
  if (!access.address)
    throw new Error(
      `reading Vault secret ${where}: no Vault address (vault:address in the stack config, or VAULT_ADDR)`,
    );
  if (!access.token)
    throw new Error(`reading Vault secret ${where}: no Vault token (vault:token, VAULT_TOKEN or ~/.vault-token)`);
  const url = `${access.address.replace(/\/+$/, "")}/v1/${encodeURI(mount)}/data/${encodeURI(path)}`;
  let response: Response;
  try {
    response = await fetch(url, {
      headers: {
        "X-Vault-Token": access.token,
        ...(access.namespace ? { "X-Vault-Namespace": access.namespace } : {}),
      },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new Error(
      `reading Vault secret ${where}: ${access.address} does not answer (${error instanceof Error ? error.message : String(error)})`,
    );
  }
  if (response.status === 404)
    throw new Error(`Vault has no secret ${where} (KV v2): write it with vault kv put ${where} …`);
  if (response.status === 403)
    throw new Error(`Vault refused to read ${where} (403): the token needs read on ${mount}/data/${path}`);
  if (!response.ok) throw new Error(`reading Vault secret ${where}: Vault answered ${response.status}`);
  const body = (await response.json()) as { data?: { data?: Record<string, unknown> } };
  return body.data?.data ?? {};
}
