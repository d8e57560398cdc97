/**
 * The `_bulk` transport over the official client (major 8: it speaks to 8.x and 9.x servers,
 * whereas client 9 sends `compatible-with=9`, which 8.x servers reject). Configured for Lambda:
 * an explicit request timeout, no sniffing (Elastic Cloud and private endpoints sit behind a proxy),
 * no client-side retries (the indexer retries with backoff and knows the function's deadline).
 * A 401/403 re-reads the credentials once (rotation) before the request counts as failed.
 */
import { Client, errors, HttpConnection, Serializer } from "@elastic/elasticsearch";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { StoredCredentials } from "../contract/storedCredentials";
import type { CredentialsSource } from "./credentials";
import { CredentialsError, describeError } from "../errors";
import { BulkRequestError, HeldIdsRefused, type BulkResponse, type BulkTransport } from "./wire";
import { caByFingerprint, isUntrustedCertificate } from "./trustedCa";

/**
 * Parses responses with plain JSON.parse. The default serializer also scans every response for
 * `__proto__`/`constructor` keys (secure-json-parse), which cost ~8 % of the shipper's CPU on bulk
 * answers (bench/results.json); the shipper only reads `status` and `error` from them and never
 * merges a response into another object, so prototype poisoning cannot reach anything.
 */
class BulkResponseSerializer extends Serializer {
  override deserialize<T = unknown>(json: string): T {
    // `errors` precedes `items` in every bulk answer: when it is false, the items need no parsing,
    // only counting (each has one `status`; filter_path leaves nothing else that could hold one).
    if (ALL_ITEMS_SUCCEEDED.test(json.slice(0, 64)))
      return { errors: false, itemCount: countOccurrences(json, ITEM_STATUS) } satisfies CountedBulkAnswer as T;
    return JSON.parse(json) as T;
  }
}

const ALL_ITEMS_SUCCEEDED = /^\{(?:"took":\d+,)?"errors":false[,}]/;
const ITEM_STATUS = '"status":';

/** An all-successful answer as the serializer leaves it: items counted, not parsed. */
interface CountedBulkAnswer {
  errors: false;
  itemCount: number;
}

function countOccurrences(text: string, part: string): number {
  let count = 0;
  for (let at = text.indexOf(part); at !== -1; at = text.indexOf(part, at + part.length)) count += 1;
  return count;
}

/** What @elastic/transport's HttpConnection says when the answer ends before the request was written. */
const ANSWERED_BEFORE_BODY_WAS_READ = "Connection closed while reading the body";

/** Elasticsearch's default `index.max_result_window`. */
const MAX_SEARCH_HITS = 10_000;

const BULK_FILTER_PATH = "errors,items.*.status,items.*.error.type,items.*.error.reason";

export interface ElasticsearchSettings {
  endpoint?: string;
  cloudId?: string;
  requestTimeoutMs: number;
  /** gzip level (1–9) of request bodies; undefined sends them uncompressed. */
  gzipLevel?: number;
  /** PEM of the CA(s) a self-managed cluster's certificate chains to (`ES_CA_CERTIFICATES`). */
  caCertificates?: string;
  /** Or the SHA-256 fingerprint of that CA in the chain the server presents (`ES_CA_FINGERPRINT`). */
  caFingerprint?: string;
}

/**
 * zlib's callback API compresses on libuv's thread pool, off the one JavaScript thread that parses
 * lines. The client's own `compression: true` does the same but only at level 6, which spends ~2.5×
 * level 1's compression CPU for 15–20 % fewer bytes on log documents (docs/benchmark.md "Benchmark").
 * Elasticsearch accepts compressed requests whatever its settings, since 5.0 ("Compressed HTTP
 * requests are always accepted", breaking changes 5.0).
 */
const gzipOffThread = promisify(gzip);

/**
 * Asked for compressed answers too: Elasticsearch compresses them when `http.compression` is on
 * (its default without TLS; "If HTTPS is enabled, defaults to false", HTTP settings reference),
 * and otherwise the header costs nothing. An answer is ~25 bytes per document with filter_path,
 * ~3 % of the compressed request, ~30 KB instead of ~4 MB per GB of logs once compressed (bench).
 */
const COMPRESSED_HEADERS = { "content-encoding": "gzip", "accept-encoding": "gzip" } as const;

interface BulkResponseBody {
  errors?: boolean;
  itemCount?: number;
  items?: Array<Record<string, { status: number; error?: { type?: string; reason?: string | null } }>>;
}

export class ElasticsearchBulkTransport implements BulkTransport {
  private client?: { instance: Client; credentials: StoredCredentials };
  /** The CA `caFingerprint` picked, once per container. */
  private pinnedCa?: Promise<string>;

  constructor(
    private readonly settings: ElasticsearchSettings,
    private readonly credentials: CredentialsSource,
  ) {}

  async send(ndjson: Buffer, timeoutMs?: number): Promise<BulkResponse> {
    const { gzipLevel } = this.settings;
    // Size limits and splitting count the uncompressed bytes: what http.max_content_length measures.
    const wireBody = gzipLevel === undefined ? ndjson : await gzipOffThread(ndjson, { level: gzipLevel });
    for (let attempt = 1; ; attempt += 1) {
      const client = await this.clientForCurrentCredentials();
      try {
        const body = (await client.transport.request(
          // Only what classification needs: a default item answer is ~150 bytes, this is ~25.
          { method: "POST", path: "/_bulk", bulkBody: wireBody, querystring: { filter_path: BULK_FILTER_PATH } },
          {
            requestTimeout: Math.min(this.settings.requestTimeoutMs, timeoutMs ?? Number.POSITIVE_INFINITY),
            maxRetries: 0,
            meta: false,
            ...(gzipLevel === undefined ? {} : { headers: COMPRESSED_HEADERS }),
          },
        )) as BulkResponseBody;
        if (body.errors === false) return { errors: false, itemCount: body.itemCount ?? body.items?.length ?? 0 };
        const items = (body.items ?? []).map((item) => {
          const result = Object.values(item)[0];
          if (!result) return { status: 500, error: { type: "empty_item", reason: "bulk item without an operation" } };
          return {
            status: result.status,
            ...(result.error
              ? { error: { type: result.error.type ?? "unknown", reason: result.error.reason ?? "" } }
              : {}),
          };
        });
        return { errors: true, items };
      } catch (error) {
        const status = error instanceof errors.ResponseError ? error.statusCode : undefined;
        if ((status === 401 || status === 403) && attempt === 1) {
          // Credentials may have been rotated: read them again and retry once.
          this.credentials.invalidate();
          continue;
        }
        throw toBulkRequestError(error, this.trustHint());
      }
    }
  }

  /**
   * Which of `ids` the destination holds in any backing index: one `ids` query, only `_id`s back.
   * A redelivery's documents rolled over into another backing index since their first delivery
   * would be created again there (`_id` is unique per index only).
   */
  async heldIds(index: string, ids: readonly string[], timeoutMs?: number): Promise<Set<string>> {
    // A search returns at most index.max_result_window (10,000) hits.
    if (ids.length > MAX_SEARCH_HITS) {
      const held = new Set<string>();
      for (let at = 0; at < ids.length; at += MAX_SEARCH_HITS)
        for (const id of await this.heldIds(index, ids.slice(at, at + MAX_SEARCH_HITS), timeoutMs)) held.add(id);
      return held;
    }
    const client = await this.clientForCurrentCredentials();
    try {
      const body = (await client.transport.request(
        {
          method: "POST",
          path: `/${encodeURIComponent(index)}/_search`,
          querystring: { filter_path: "hits.hits._id", ignore_unavailable: true, allow_no_indices: true },
          body: { size: ids.length, _source: false, track_total_hits: false, query: { ids: { values: ids } } },
        },
        {
          requestTimeout: Math.min(this.settings.requestTimeoutMs, timeoutMs ?? Number.POSITIVE_INFINITY),
          maxRetries: 0,
          meta: false,
        },
      )) as { hits?: { hits?: Array<{ _id: string }> } };
      return new Set((body.hits?.hits ?? []).map((hit) => hit._id));
    } catch (error) {
      if (error instanceof errors.ResponseError && error.statusCode === 403)
        throw new HeldIdsRefused(`the credential may not read ${index} (403): give its role the index privilege read`);
      // A destination that does not exist yet holds nothing.
      if (error instanceof errors.ResponseError && error.statusCode === 404) return new Set();
      throw toBulkRequestError(error, this.trustHint());
    }
  }

  /** What a refused certificate's message says to do: the setting that makes the function trust the cluster's CA. */
  private trustHint(): string {
    const where = this.settings.endpoint ?? `the deployment of cloudId ${this.settings.cloudId ?? ""}`;
    const setting = this.settings.caFingerprint
      ? "check s3-log-shipper:elasticsearch.caFingerprint (the server's chain verifies against the CA it names)"
      : this.settings.caCertificates
        ? "check s3-log-shipper:elasticsearch.caCertificate: the server's chain does not verify against it"
        : "a cluster with a private CA needs s3-log-shipper:elasticsearch.caCertificate (its PEM) or caFingerprint";
    return `Elasticsearch at ${where}: ${setting}`;
  }

  /** The CA certificates the client verifies against, beside Node's public ones; undefined: the public ones alone. */
  private async trustedCa(): Promise<string | undefined> {
    if (this.settings.caCertificates) return this.settings.caCertificates;
    if (!this.settings.caFingerprint) return undefined;
    const endpoint = new URL(this.settings.endpoint ?? cloudEndpoint(this.settings.cloudId ?? ""));
    this.pinnedCa ??= caByFingerprint(endpoint, this.settings.caFingerprint, this.settings.requestTimeoutMs);
    // A failed look-up is looked up again by the next request, not remembered.
    return this.pinnedCa.catch((error: unknown) => {
      this.pinnedCa = undefined;
      throw error;
    });
  }

  private async clientForCurrentCredentials(): Promise<Client> {
    let credentials: StoredCredentials;
    try {
      credentials = await this.credentials.get();
    } catch (error) {
      // SSM unreachable is transient: the message is retried later.
      throw new BulkRequestError(
        error instanceof CredentialsError ? error.message : "reading credentials failed",
        undefined,
        true,
        {
          cause: error,
        },
      );
    }
    // Before the check below: no await may stand between it and `this.client = …`, or requests
    // started together would each make a client and close the others' under their feet.
    const ca = await this.trustedCa();
    if (this.client?.credentials === credentials) return this.client.instance;
    void this.client?.instance.close();
    const instance = new Client({
      // Verified against the cluster's CA alone (as curl's --cacert, Filebeat's certificate_authorities), never switched off.
      ...(ca ? { tls: { ca, rejectUnauthorized: true } } : {}),
      ...(this.settings.cloudId ? { cloud: { id: this.settings.cloudId } } : { node: this.settings.endpoint ?? "" }),
      auth:
        "apiKey" in credentials
          ? { apiKey: credentials.apiKey }
          : { username: credentials.username, password: credentials.password },
      requestTimeout: this.settings.requestTimeoutMs,
      // Node's http with a keep-alive agent; undici is left out of the bundle (lambda/stubs/undici.ts).
      Connection: HttpConnection,
      Serializer: BulkResponseSerializer,
      maxRetries: 0,
      sniffOnStart: false,
      sniffInterval: false,
      sniffOnConnectionFault: false,
      // One endpoint behind a proxy: never leave it marked dead between requests.
      resurrectStrategy: "optimistic",
      // The default ("replace") deep-copies an error's metadata key by key to redact it, request
      // body included: a failed 5 MB bulk request became millions of entries and exhausted a 256 MB
      // heap (bench, e2e). "remove" drops the parts that hold credentials and copies nothing.
      redaction: { type: "remove" },
    });
    this.client = { instance, credentials };
    return instance;
  }
}

/**
 * Classifies a failed request: 429, 5xx, connection and timeout errors are worth retrying. A server
 * certificate the function does not trust is not (retrying in seconds changes nothing); its message
 * ends with `trustHint`, the endpoint and the setting to check.
 */
export function toBulkRequestError(error: unknown, trustHint = "check the cluster's CA"): BulkRequestError {
  if (error instanceof BulkRequestError) return error;
  if (error instanceof errors.ConnectionError && isUntrustedCertificate(error.message))
    return new BulkRequestError(
      `the server's TLS certificate was refused (${error.message}); ${trustHint}`,
      undefined,
      false,
      { cause: error },
    );
  if (error instanceof errors.ResponseError) {
    const status = error.statusCode;
    const retryable = status === undefined || status === 429 || status >= 500;
    return new BulkRequestError(
      `bulk request answered ${status ?? "no status"}: ${error.message.slice(0, 300)}`,
      status,
      retryable,
      {
        cause: error,
      },
    );
  }
  if (error instanceof errors.TimeoutError)
    return new BulkRequestError(`bulk request timed out`, undefined, true, { cause: error, timedOut: true });
  if (error instanceof errors.ConnectionError && error.message.includes(ANSWERED_BEFORE_BODY_WAS_READ)) {
    // The client waits for the whole request to be written; an answer that ends first (a 413 sent
    // on the headers) is reported as this, its status lost. See BulkRequestError.answeredEarly.
    return new BulkRequestError(
      `Elasticsearch answered before reading the whole request (how it refuses one as too large): ${error.message}`,
      undefined,
      true,
      {
        cause: error,
        answeredEarly: true,
      },
    );
  }
  if (error instanceof errors.ConnectionError || error instanceof errors.NoLivingConnectionsError) {
    return new BulkRequestError(`cannot reach Elasticsearch: ${error.message}`, undefined, true, { cause: error });
  }
  return new BulkRequestError(`bulk request failed: ${describeError(error)}`, undefined, false, { cause: error });
}

/** The Elasticsearch URL of an Elastic Cloud id (`name:base64(host$es-uuid$…)`), derived as the client derives it. */
function cloudEndpoint(cloudId: string): string {
  const [host = "", esId = ""] = Buffer.from(cloudId.split(":")[1] ?? "", "base64")
    .toString()
    .split("$");
  return `https://${esId}.${host}`;
}
