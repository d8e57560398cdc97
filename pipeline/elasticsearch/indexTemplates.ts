/**
 * What a producer's destinations need on the cluster, as the requests that put it: per data stream
 * (or explicit index) one index template typing its documents (documentMappings.ts) and holding
 * their retention. The same requests are made by `pulumi up` and written by
 * `npm run plan -- --elasticsearch-requests DIR` for a cluster the deploying machine cannot reach.
 *
 * Decisions, with the documentation they rest on:
 * - **One template per destination, on its exact name, priority 250.** Above the built-in `logs`
 *   template (priority 100 on `logs-*-*`) and Elastic's AWS integration's (200 on
 *   `logs-aws.<dataset>-*`): the highest priority is the one template an index gets
 *   (Elasticsearch, "Index templates": "only the index template with the highest priority is used").
 *   This is how Fleet's documentation has a namespace's streams take their own settings beside an
 *   integration (Fleet, "Customize data retention policies", scenario 3: a copy of the template on
 *   `logs-<dataset>-<namespace>*` at priority 250). Ours is complete on its own rather than a copy:
 *   the integration's default ingest pipeline would parse our parsed documents again and tag them
 *   (lambda/contract/destination.ts pipelineOf), and its `@custom` hooks add to a template that
 *   still sets that pipeline, so they do not remove it.
 * - **Composed with the cluster's `logs@settings` and `ecs@mappings`** where it has them, listed in
 *   `ignore_missing_component_templates` so a cluster without them (the test distribution, an
 *   older one) takes the template all the same (Elasticsearch 8.7+, "Create or update index
 *   template"). Our own mappings come last and win where they name a field.
 * - **Retention** through the data stream lifecycle (`template.lifecycle.data_retention`,
 *   Elasticsearch 8.14+), with `index.lifecycle.prefer_ilm: false` so that the ILM policy
 *   `logs@settings` names (`logs`, which never deletes) does not take precedence ("Tutorial:
 *   Migrate ILM managed data stream to data stream lifecycle"); or, for clusters before 8.14, an
 *   ILM policy of ours that rolls over and deletes after `retentionDays`.
 * - **`_meta`** names this package and the owner (`<stack>/<instance>`) on everything it puts: the
 *   provider changes and deletes only what carries its own owner.
 */
import { AWS_DATASETS, AWS_GENERIC_DATASET, dataStreamName, isAwsFormat } from "../../lambda/contract/destination";
import type { LogFormat } from "../../lambda/contract/formats";
import { ECS_DYNAMIC_TEMPLATES, ECS_PROPERTIES } from "./documentMappings";

/** What `_meta.managed_by` says on every template and policy this package puts. */
export const MANAGED_BY = "s3-log-shipper";

/** Above `logs` (100) and Elastic's AWS integration (200); see the file comment. */
export const TEMPLATE_PRIORITY = 250;

/** The cluster's own component templates, composed where they exist. */
export const CLUSTER_COMPONENTS = ["logs@settings", "ecs@mappings"] as const;

/** The first version whose data stream lifecycle is generally available. */
export const LIFECYCLE_SINCE = { major: 8, minor: 14 } as const;

/** How retention is put: the data stream lifecycle, or an ILM policy (clusters before 8.14). */
export type RetentionMechanism = "lifecycle" | "ilm";

/** One request, as `--elasticsearch-requests` writes it and the deploy sends it. */
export interface ElasticsearchRequest {
  method: "PUT" | "DELETE";
  path: string;
  body?: Record<string, unknown>;
}

/** A data stream or index whose template this package manages. */
export interface ManagedDestination {
  /** The data stream (or explicit index) name: also the template's only pattern. */
  name: string;
  /**
   * A data stream: every destination but an explicit `index` outside Elastic's data stream naming
   * scheme (`logs-<dataset>-<namespace>`), which stays a plain index (mappings, no retention: the
   * lifecycle is a data stream's).
   */
  dataStream: boolean;
  /** Days its documents are kept; absent: the cluster's default (the `logs` policy never deletes). */
  retentionDays?: number;
}

/** What a producer says about where its documents go and for how long. */
export interface ProducerDestination {
  name: string;
  format: LogFormat;
  index?: string | undefined;
  dataset?: string | undefined;
  namespace: string;
  retentionDays?: number | undefined;
}

/** Elastic's data stream naming scheme: an explicit index of this form is (or becomes) a data stream. */
const DATA_STREAM_NAME = /^logs-[^-]+-[^-]+$/;

/** Every data stream a producer may write: for `format: aws`, each AWS dataset's and the text one. */
export function destinationNamesOf(producer: ProducerDestination): string[] {
  if (producer.index !== undefined) return [producer.index];
  if (producer.format === "aws") {
    const datasets = new Set<string>([...Object.values(AWS_DATASETS), producer.dataset ?? AWS_GENERIC_DATASET]);
    return [...datasets].map((dataset) => dataStreamName(dataset, producer.namespace));
  }
  const dataset = isAwsFormat(producer.format) ? AWS_DATASETS[producer.format] : producer.dataset;
  // The stack config refuses such a producer (pipeline/validation/config.ts): it has no destination.
  return dataset === undefined ? [] : [dataStreamName(dataset, producer.namespace)];
}

/**
 * The destinations of all producers, each once, with the retention the producers writing it give.
 * Producers that share a destination must agree on it: a problem per disagreement otherwise.
 */
export function managedDestinationsOf(producers: readonly ProducerDestination[]): {
  destinations: ManagedDestination[];
  problems: string[];
} {
  const byName = new Map<string, { destination: ManagedDestination; producer: string }>();
  const problems: string[] = [];
  for (const producer of producers) {
    for (const name of destinationNamesOf(producer)) {
      const seen = byName.get(name);
      if (seen === undefined) {
        const dataStream = producer.index === undefined || DATA_STREAM_NAME.test(name);
        const destination: ManagedDestination = {
          name,
          dataStream,
          ...(producer.retentionDays !== undefined ? { retentionDays: producer.retentionDays } : {}),
        };
        byName.set(name, { destination, producer: producer.name });
        if (!dataStream && producer.retentionDays !== undefined)
          problems.push(
            `producer ${producer.name}: retentionDays needs a data stream, but index ${name} is a plain index (not logs-<dataset>-<namespace>): leave index out to write the data stream, or drop retentionDays`,
          );
      } else if (seen.destination.retentionDays !== producer.retentionDays) {
        const days = (value: number | undefined) => (value === undefined ? "none" : String(value));
        problems.push(
          `producers ${seen.producer} and ${producer.name} both write ${name} but give retentionDays ${days(seen.destination.retentionDays)} and ${days(producer.retentionDays)}: one data stream keeps its documents for one period; give both the same`,
        );
      }
    }
  }
  const destinations = [...byName.values()].map((entry) => entry.destination);
  return { destinations: destinations.sort((a, b) => a.name.localeCompare(b.name)), problems };
}

/** The owner a stack's `LogShipper` writes into `_meta`: two stacks never manage one template. */
export function ownerOf(stack: string, instance: string): string {
  return `${stack}/${instance}`;
}

/** The index template's name for a destination. */
export function templateNameOf(destination: string): string {
  return `${MANAGED_BY}-${destination}`;
}

/** The ILM policy's name for a destination (clusters before 8.14). */
export function policyNameOf(destination: string): string {
  return `${MANAGED_BY}-${destination}`;
}

/**
 * The index template for documents written to `patterns`: data streams when `dataStream`, with the
 * retention `mechanism` puts. Also the integration tier's and the benchmark's template.
 */
export function indexTemplateBody(
  patterns: string[],
  options: {
    dataStream: boolean;
    retentionDays?: number | undefined;
    mechanism: RetentionMechanism;
    policy?: string;
    owner?: string;
  },
): Record<string, unknown> {
  const retained = options.retentionDays !== undefined && options.dataStream;
  const settings: Record<string, unknown> = {};
  if (retained && options.mechanism === "lifecycle") settings["index.lifecycle.prefer_ilm"] = false;
  if (retained && options.mechanism === "ilm") settings["index.lifecycle.name"] = options.policy;
  return {
    index_patterns: patterns,
    ...(options.dataStream ? { data_stream: {} } : {}),
    priority: TEMPLATE_PRIORITY,
    composed_of: [...CLUSTER_COMPONENTS],
    ignore_missing_component_templates: [...CLUSTER_COMPONENTS],
    template: {
      ...(Object.keys(settings).length > 0 ? { settings } : {}),
      mappings: { date_detection: false, dynamic_templates: ECS_DYNAMIC_TEMPLATES, properties: ECS_PROPERTIES },
      ...(retained && options.mechanism === "lifecycle"
        ? { lifecycle: { data_retention: `${options.retentionDays}d` } }
        : {}),
    },
    _meta: metaOf(options.owner),
  };
}

/** What marks a template or policy as ours: the package, and the stack and instance that put it. */
function metaOf(owner: string | undefined): Record<string, string> {
  return { managed_by: MANAGED_BY, ...(owner !== undefined ? { owner } : {}) };
}

/** The ILM policy that rolls a destination's backing indices over and deletes them `retentionDays` after. */
export function retentionPolicyBody(retentionDays: number, owner?: string): Record<string, unknown> {
  return {
    policy: {
      phases: {
        // The rollover conditions of Elastic's built-in `logs` policy.
        hot: { actions: { rollover: { max_primary_shard_size: "50gb", max_age: "30d" } } },
        delete: { min_age: `${retentionDays}d`, actions: { delete: {} } },
      },
      _meta: metaOf(owner),
    },
  };
}

/** The requests that put what `destination` needs, in order (a policy before the template naming it). */
export function putRequestsOf(
  destination: ManagedDestination,
  mechanism: RetentionMechanism,
  owner?: string,
): ElasticsearchRequest[] {
  const requests: ElasticsearchRequest[] = [];
  const policy = policyNameOf(destination.name);
  const ilm = mechanism === "ilm" && destination.retentionDays !== undefined;
  if (ilm)
    requests.push({
      method: "PUT",
      path: `/_ilm/policy/${policy}`,
      body: retentionPolicyBody(destination.retentionDays!, owner),
    });
  requests.push({
    method: "PUT",
    path: `/_index_template/${templateNameOf(destination.name)}`,
    body: indexTemplateBody([destination.name], {
      dataStream: destination.dataStream,
      retentionDays: destination.retentionDays,
      mechanism,
      ...(ilm ? { policy } : {}),
      ...(owner !== undefined ? { owner } : {}),
    }),
  });
  return requests;
}

/** The mechanism a cluster of `version` (GET / → version.number) supports. */
export function retentionMechanismOf(version: string): RetentionMechanism {
  const [major = 0, minor = 0] = version.split(".").map((part) => Number.parseInt(part, 10));
  const supportsLifecycle =
    major > LIFECYCLE_SINCE.major || (major === LIFECYCLE_SINCE.major && minor >= LIFECYCLE_SINCE.minor);
  return supportsLifecycle ? "lifecycle" : "ilm";
}

/** Every request the destinations need, in order: what the deploy sends and `--elasticsearch-requests` writes. */
export function putRequestsOfAll(
  destinations: readonly ManagedDestination[],
  mechanism: RetentionMechanism,
  owner?: string,
): ElasticsearchRequest[] {
  return destinations.flatMap((destination) => putRequestsOf(destination, mechanism, owner));
}

/** A request's file name: its place in the order, method and path (`003-PUT-_index_template-….json`). */
export function requestFileName(position: number, request: ElasticsearchRequest): string {
  const path = request.path.replace(/^\//, "").replace(/[^A-Za-z0-9@._-]+/g, "-");
  return `${String(position + 1).padStart(3, "0")}-${request.method}-${path}.json`;
}
