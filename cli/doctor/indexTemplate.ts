/**
 * The Elasticsearch side of each destination (issue 36): the index template that applies to it is
 * the stack's own (`pipeline/elasticsearch/indexTemplates.ts`), nothing of higher priority shadows
 * it, the destination's mapping types what the documents need (`source.ip` an `ip`, CloudTrail's
 * open-ended members `flattened`), and the template keeps the documents as long as the stack says.
 *
 * The mapping is the newest backing index's, where new documents go: one written before the
 * template, with guessed types, is fixed by a rollover; what older indices hold stays.
 */
import { errors, type Client } from "@elastic/elasticsearch";
import { keyPatternMatches } from "../../lambda/contract/objectFilter";
import {
  MANAGED_BY,
  policyNameOf,
  TEMPLATE_PRIORITY,
  templateNameOf,
} from "../../pipeline/elasticsearch/indexTemplates";
import type { ProducerOutputs } from "../stackOutputs";
import { ok, problem, unchecked, type DoctorCheck, type Finding } from "./check";

const CHECK = "template";

/** The types the documents need, where the destination maps the field at all. */
export const NEEDED_TYPES: Record<string, string> = {
  "source.ip": "ip",
  "destination.ip": "ip",
  "client.ip": "ip",
  "aws.cloudtrail.flattened.request_parameters": "flattened",
  "aws.cloudtrail.flattened.response_elements": "flattened",
  "aws.cloudtrail.flattened.additional_eventdata": "flattened",
  "aws.waf.request.headers": "flattened",
};

interface IndexTemplateEntry {
  name: string;
  index_template: {
    index_patterns: string | string[];
    priority?: number;
    template?: { settings?: Record<string, unknown>; lifecycle?: { data_retention?: string } };
    _meta?: Record<string, unknown>;
  };
}

/**
 * The templates whose patterns match `index`, the one Elasticsearch applies first (the highest
 * priority). Index patterns mean what key patterns mean: `*` any run of characters, the rest literal.
 */
export function templatesMatching<
  T extends { index_template: { index_patterns: string | string[]; priority?: number } },
>(templates: readonly T[], index: string): T[] {
  return templates
    .filter((entry) =>
      [entry.index_template.index_patterns].flat().some((pattern) => keyPatternMatches(pattern, index)),
    )
    .sort((a, b) => (b.index_template.priority ?? 0) - (a.index_template.priority ?? 0));
}

/** One line per destination of the producer. */
export async function checkIndexTemplates(
  client: Client | undefined,
  producer: ProducerOutputs,
): Promise<DoctorCheck[]> {
  const deployed = producer.deployed;
  if (!client) return [];
  if (!deployed?.destinations)
    return [
      {
        check: CHECK,
        ...unchecked(
          "the stack outputs do not name the destinations (deployed before s3ls doctor checked templates): pulumi up adds them",
        ),
      },
    ];
  let templates: IndexTemplateEntry[];
  try {
    templates = ((await client.indices.getIndexTemplate()).index_templates ?? []) as IndexTemplateEntry[];
  } catch (error) {
    return [{ check: CHECK, ...unchecked(`could not read the index templates: ${describe(error)}`) }];
  }
  const findings: DoctorCheck[] = [];
  for (const destination of deployed.destinations)
    findings.push({
      check: CHECK,
      ...(await checkDestination(
        client,
        templates,
        destination,
        deployed.managedTemplates ?? false,
        deployed.retentionDays,
      )),
    });
  return findings;
}

async function checkDestination(
  client: Client,
  templates: IndexTemplateEntry[],
  destination: string,
  managed: boolean,
  retentionDays: number | undefined,
): Promise<Finding> {
  const matching = templatesMatching(templates, destination);
  const winner = matching[0];
  const ours = templateNameOf(destination);
  const parts: string[] = [];

  if (managed) {
    if (!matching.some((entry) => entry.name === ours))
      return problem(
        `${destination}: no index template ${ours}; documents get guessed mappings: pulumi up --refresh puts it back`,
      );
    if (winner?.name !== ours)
      return problem(
        `${destination}: template ${winner?.name} (priority ${winner?.index_template.priority ?? 0}) applies instead of ${ours} (${TEMPLATE_PRIORITY}): give it a lower priority or a narrower pattern`,
      );
    if (winner.index_template._meta?.managed_by !== MANAGED_BY)
      return problem(
        `${destination}: template ${ours} was replaced by one that is not s3-log-shipper's: pulumi up --refresh`,
      );
    parts.push(`template ${ours} applies`);
    const retention = retentionProblem(winner, destination, retentionDays);
    if (retention) return problem(`${destination}: ${retention}`);
    parts.push(retentionDays === undefined ? "retention the cluster's" : `kept ${retentionDays} days`);
  } else {
    parts.push(
      winner
        ? `template ${winner.name} applies (manageIndices: false, managed elsewhere)`
        : "no template applies (manageIndices: false)",
    );
  }

  const types = await mappedTypes(client, destination);
  if ("unreadable" in types)
    return unchecked(`${destination}: ${parts.join("; ")}; could not read its mapping: ${types.unreadable}`);
  const wrong = Object.entries(types.fields).filter(([field, type]) => NEEDED_TYPES[field] !== type);
  if (wrong.length > 0)
    return problem(
      `${destination}: ${wrong.map(([field, type]) => `${field} is ${type}, not ${NEEDED_TYPES[field]}`).join(", ")} in ${types.index} ` +
        `(written before a template typed it): POST ${destination}/_rollover, and new documents get the template's types`,
    );
  if (types.index) {
    const typed = Object.keys(types.fields);
    parts.push(
      typed.length > 0
        ? `${typed.includes("source.ip") ? "source.ip ip" : typed[0]}${typed.length > 1 ? ` and ${typed.length - 1} more typed as needed` : ""} in ${types.index}`
        : `${types.index} maps no field a type is needed for yet`,
    );
  } else parts.push("not created yet");
  return ok(`${destination}: ${parts.join("; ")}`);
}

/** Why the template does not keep the documents `retentionDays`, or undefined. */
function retentionProblem(
  template: IndexTemplateEntry,
  destination: string,
  retentionDays: number | undefined,
): string | undefined {
  const lifecycle = template.index_template.template?.lifecycle?.data_retention;
  const settings = template.index_template.template?.settings ?? {};
  const policy =
    (settings["index.lifecycle.name"] as string | undefined) ??
    (settings.index as { lifecycle?: { name?: string } } | undefined)?.lifecycle?.name;
  if (retentionDays === undefined) return undefined;
  if (lifecycle === `${retentionDays}d` || policy === policyNameOf(destination)) return undefined;
  return `the template keeps documents ${lifecycle ?? (policy ? `by ILM policy ${policy}` : "without a limit")}, the stack says ${retentionDays} days: pulumi up --refresh`;
}

/** The needed fields' types in the destination's newest index, or nothing when it does not exist yet. */
async function mappedTypes(
  client: Client,
  destination: string,
): Promise<{ index?: string; fields: Record<string, string> } | { unreadable: string }> {
  try {
    const answer = (await client.indices.getFieldMapping({
      index: destination,
      fields: Object.keys(NEEDED_TYPES),
    })) as Record<string, { mappings: Record<string, { mapping: Record<string, { type?: string }> }> }>;
    // Backing indices `.ds-<stream>-<date>-<generation>`: the newest takes the writes.
    const newest = Object.keys(answer)
      .sort((a, b) => generation(a) - generation(b) || a.localeCompare(b))
      .pop();
    if (!newest) return { fields: {} };
    const fields: Record<string, string> = {};
    for (const [field, found] of Object.entries(answer[newest]?.mappings ?? {})) {
      const type = Object.values(found.mapping)[0]?.type;
      if (type) fields[field] = type;
    }
    return { index: newest, fields };
  } catch (error) {
    if (error instanceof errors.ResponseError && error.statusCode === 404) return { fields: {} };
    return { unreadable: describe(error) };
  }
}

function generation(index: string): number {
  return Number(/-(\d{6})$/.exec(index)?.[1] ?? 0);
}

function describe(error: unknown): string {
  if (error instanceof errors.ResponseError) return `${error.statusCode ?? "?"} ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
