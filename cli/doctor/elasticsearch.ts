/**
 * Elasticsearch as the function meets it: the endpoint answers; the credentials the stack stored
 * in SSM (read with the operator's own permissions, decrypted, never printed) authenticate; that
 * user may `create_doc` in the producer's index or data stream (the function's bulk action is
 * `create`; Elasticsearch security privileges: create_doc "privilege to index documents … does
 * not permit overwriting"); and a data stream, an index or an index template is there for it — a
 * first bulk into nothing creates an index with guessed mappings.
 */
import { Client, errors } from "@elastic/elasticsearch";
import { GetParameterCommand } from "@aws-sdk/client-ssm";
import { storedCredentialsSchema, type StoredCredentials } from "../../lambda/contract/storedCredentials";
import type { OperatorClients } from "../awsClients";
import type { ProducerOutputs, StackOutputs } from "../stackOutputs";
import { errorName, isRefusal, ok, problem, unchecked, type DoctorCheck, type Finding } from "./check";
import { templatesMatching } from "./indexTemplate";

const CHECK = "elasticsearch";
const REQUEST_TIMEOUT_MS = 10_000;

/** A client for the stack's cluster with its stored credentials, or why there is none (a finding). */
export async function clusterClient(
  clients: OperatorClients,
  outputs: StackOutputs,
): Promise<{ client: Client; user: string } | Finding> {
  const cluster = outputs.elasticsearch;
  if (!cluster || (!cluster.endpoint && !cluster.cloudId))
    return unchecked("the stack outputs do not name the cluster (deployed before s3ls doctor): pulumi up adds them");
  const parameter = outputs.credentialsParameterName;
  let credentials: StoredCredentials;
  try {
    const response = await clients.ssm.send(new GetParameterCommand({ Name: parameter, WithDecryption: true }));
    const parsed = storedCredentialsSchema.safeParse(JSON.parse(response.Parameter?.Value ?? "null"));
    if (!parsed.success)
      return problem(
        `SSM parameter ${parameter} holds neither {apiKey} nor {username, password}: pulumi up writes it from Vault`,
      );
    credentials = parsed.data;
  } catch (error) {
    if (errorName(error) === "ParameterNotFound")
      return problem(
        `SSM parameter ${parameter} does not exist: the function has no credentials; pulumi up writes it from Vault`,
      );
    if (isRefusal(error))
      return unchecked(
        `cannot read the stored credentials ${parameter} with your credentials (${errorName(error)}); ssm:GetParameter and kms:Decrypt on the stack's key read them`,
      );
    if (error instanceof SyntaxError)
      return problem(`SSM parameter ${parameter} is not JSON: pulumi up writes it from Vault`);
    throw error;
  }
  const client = new Client({
    ...(cluster.endpoint ? { node: cluster.endpoint } : { cloud: { id: cluster.cloudId as string } }),
    auth: "apiKey" in credentials ? { apiKey: credentials.apiKey } : credentials,
    ...(cluster.caCertificate ? { tls: { ca: cluster.caCertificate } } : {}),
    // The operator's own check of a pinned CA: the client's option, as `curl --pinnedpubkey` would.
    ...(cluster.caFingerprint ? { caFingerprint: cluster.caFingerprint } : {}),
    requestTimeout: REQUEST_TIMEOUT_MS,
    maxRetries: 0,
  });
  return { client, user: "username" in credentials ? credentials.username : "the API key" };
}

/**
 * The cluster as the stack's functions meet it, asked once per `s3ls doctor` run whatever the number
 * of producers: the stored credentials read and the login tried once; each producer's index after.
 */
export interface ClusterSession {
  /** Whether the endpoint answers and the stored credentials authenticate. */
  login: Finding;
  /** Present when they do: for the per-index checks. */
  client?: Client;
  user?: string;
  close(): Promise<void>;
}

export async function openClusterSession(clients: OperatorClients, outputs: StackOutputs): Promise<ClusterSession> {
  const connected = await clusterClient(clients, outputs);
  if (!("client" in connected)) return { login: connected, close: async () => undefined };
  const { client, user } = connected;
  const close = () => client.close();
  const where = outputs.elasticsearch?.endpoint ?? `cloud id ${outputs.elasticsearch?.cloudId ?? "?"}`;
  try {
    await client.security.authenticate();
    return { login: ok(`${where} answers; ${user} authenticates`), client, user, close };
  } catch (error) {
    await close();
    if (error instanceof errors.ResponseError && error.statusCode === 401)
      return {
        login: problem(
          `${where} answers, but the credentials in SSM ${outputs.credentialsParameterName} do not authenticate (401): every bulk request fails; ` +
            `fix them in Vault and pulumi up (docs/operating.md "Rotating the credentials")`,
        ),
        close: async () => undefined,
      };
    if (error instanceof errors.ResponseError)
      return {
        login: unchecked(`${where} answers _security/_authenticate with ${error.statusCode}: ${error.message}`),
        close: async () => undefined,
      };
    return {
      login: problem(
        `${where} does not answer (${describeClientError(error)}): the function cannot ship; is the endpoint right, and reachable from here?`,
      ),
      close: async () => undefined,
    };
  }
}

/** The login's line, then, when it worked, whether the producer may write its index and what is there for it. */
export async function checkElasticsearch(session: ClusterSession, producer: ProducerOutputs): Promise<DoctorCheck[]> {
  const findings: DoctorCheck[] = [{ check: CHECK, ...session.login }];
  const { client, user } = session;
  if (!client || !user) return findings;
  const index = producer.deployed?.index;
  if (!index)
    return [
      ...findings,
      {
        check: CHECK,
        ...unchecked(
          "the stack outputs do not name the producer's index (deployed before s3ls doctor): pulumi up adds them",
        ),
      },
    ];
  for (const finding of await indexPrivileges(client, user, index)) findings.push({ check: CHECK, ...finding });
  findings.push({ check: CHECK, ...(await indexTarget(client, index)) });
  return findings;
}

/**
 * `create_doc`, without which every bulk item is refused, and `read`, without which a redelivery
 * cannot ask which documents the destination already holds across its backing indices (the
 * function then says once per invocation and reason that deduplication across rollovers is off).
 */
async function indexPrivileges(client: Client, user: string, index: string): Promise<Finding[]> {
  try {
    const answer = await client.security.hasPrivileges({
      index: [{ names: [index], privileges: ["create_doc", "read"] }],
    });
    const granted = answer.has_all_requested ? undefined : (answer.index[index] ?? {});
    const has = (privilege: string) => granted === undefined || granted[privilege] === true;
    return [
      has("create_doc")
        ? ok(`${user} may create_doc in ${index}`)
        : problem(
            `${user} may not create_doc in ${index}: every bulk item is refused (403); give its role the index privilege create_doc (or write) on ${index}`,
          ),
      has("read")
        ? ok(`${user} may read ${index}: a redelivery finds what any backing index already holds`)
        : problem(
            `${user} may not read ${index}: a redelivery after a rollover indexes its documents again (deduplication across rollovers is off); give its role the index privilege read on ${index}`,
          ),
    ];
  } catch (error) {
    return [unchecked(`could not ask _has_privileges for ${index}: ${describeClientError(error)}`)];
  }
}

async function indexTarget(client: Client, index: string): Promise<Finding> {
  try {
    if (await dataStreamExists(client, index)) return ok(`data stream ${index} exists`);
    if (await client.indices.exists({ index })) return ok(`index ${index} exists`);
    const { index_templates: templates = [] } = await client.indices.getIndexTemplate();
    const matching = templatesMatching(templates, index)[0];
    if (matching)
      return ok(
        `index template ${matching.name} matches ${index}${matching.index_template.data_stream ? " (a data stream is created on the first document)" : ""}`,
      );
    return problem(
      `no data stream, index or index template for ${index}: the first document creates an index with guessed mappings; create an index template for it first (PUT _index_template)`,
    );
  } catch (error) {
    return unchecked(`could not read the data stream, index or templates for ${index}: ${describeClientError(error)}`);
  }
}

/**
 * Whether `name` is a data stream. A cluster without the data streams module (Elasticsearch's own
 * test distribution, which the integration tier runs) answers the API with 405: no data stream then.
 */
async function dataStreamExists(client: Client, name: string): Promise<boolean> {
  try {
    const answer = await client.indices.getDataStream({ name });
    return answer.data_streams.some((stream) => stream.name === name);
  } catch (error) {
    if (error instanceof errors.ResponseError && (error.statusCode === 404 || error.statusCode === 405)) return false;
    throw error;
  }
}

function describeClientError(error: unknown): string {
  if (error instanceof errors.ResponseError) return `${error.statusCode ?? "?"} ${error.message}`;
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
