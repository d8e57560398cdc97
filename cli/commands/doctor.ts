/**
 * `s3ls doctor`: each producer's live wiring, one line per check — the source routes to the queue,
 * the queue is as deployed, the mapping is enabled, the bucket's default key is one the function
 * may use, Elasticsearch takes the producer's documents and types them with the stack's template,
 * the producer still writes. Exit 1 when a
 * check fails; what the operator may not read is listed with "?" and does not.
 */
import type { Command } from "commander";
import { EXIT } from "../errors";
import type { OperatorClients } from "../awsClients";
import type { DoctorCheck } from "../doctor/check";
import { checkElasticsearch, openClusterSession, type ClusterSession } from "../doctor/elasticsearch";
import { checkEncryption } from "../doctor/encryption";
import { checkIndexTemplates } from "../doctor/indexTemplate";
import { checkFreshness } from "../doctor/freshness";
import { checkMapping } from "../doctor/mapping";
import { checkQueue } from "../doctor/queue";
import { checkSource } from "../doctor/source";
import { selectProducers, type ProducerOutputs } from "../stackOutputs";
import type { CommandContext, StackFlags } from "./command";

export interface ProducerDiagnosis {
  producer: string;
  checks: DoctorCheck[];
}

export async function diagnose(
  clients: OperatorClients,
  cluster: ClusterSession,
  producer: ProducerOutputs,
): Promise<ProducerDiagnosis> {
  const checks = await Promise.all([
    checkSource(clients, producer),
    checkQueue(clients, producer),
    checkMapping(clients, producer),
    checkEncryption(clients, producer),
    checkElasticsearch(cluster, producer),
    checkIndexTemplates(cluster.client, producer),
    checkFreshness(clients, producer),
  ]);
  return { producer: producer.name, checks: checks.flat() };
}

const MARK = { ok: "ok", problem: "!", unchecked: "?" } as const;

export function formatDiagnosis(diagnoses: ProducerDiagnosis[]): string {
  const lines: string[] = [];
  for (const diagnosis of diagnoses) {
    const failing = diagnosis.checks.some((check) => check.verdict === "problem");
    lines.push(`${failing ? "!" : " "} ${diagnosis.producer}`);
    for (const check of diagnosis.checks)
      lines.push(`  ${MARK[check.verdict].padEnd(2)} ${check.check.padEnd(13)} ${check.detail}`);
  }
  const failing = diagnoses.filter((diagnosis) => diagnosis.checks.some((check) => check.verdict === "problem"));
  const gaps = diagnoses.flatMap((diagnosis) => diagnosis.checks).filter((check) => check.verdict === "unchecked");
  lines.push(
    "",
    (failing.length === 0
      ? `all ${diagnoses.length} producer(s) wired right`
      : `${failing.length} of ${diagnoses.length} producer(s) have a failing check: ${failing.map((d) => d.producer).join(", ")}`) +
      (gaps.length > 0 ? ` (${gaps.length} check(s) your credentials could not run: ?)` : ""),
  );
  return `${lines.join("\n")}\n`;
}

export function registerDoctor(program: Command, context: CommandContext): void {
  context
    .withStack(
      program
        .command("doctor")
        .description(
          "per producer, the live wiring: source → queue, queue settings, event source mapping, the bucket's encryption key, Elasticsearch (endpoint, credentials, privileges, template), the newest object; exit 1 when a check fails",
        ),
    )
    .option("--producer <name>", "only this producer")
    .action(async (flags: StackFlags & { producer?: string }) => {
      const { outputs, clients } = await context.stackOf(flags);
      const producers = selectProducers(outputs, flags.producer);
      const cluster = await openClusterSession(clients, outputs);
      const diagnoses = await Promise.all(producers.map((producer) => diagnose(clients, cluster, producer))).finally(
        () => cluster.close(),
      );
      context.print(flags, { producers: diagnoses }, formatDiagnosis(diagnoses));
      if (diagnoses.some((diagnosis) => diagnosis.checks.some((check) => check.verdict === "problem")))
        context.exitWith(EXIT.attention);
    });
}
