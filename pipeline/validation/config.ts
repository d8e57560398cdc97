/**
 * The settings validated: stack config (`s3-log-shipper:*` keys) or LogShipper's arguments as plain
 * values, checked against the schema (`schema.ts`), merged with the defaults (`defaults.ts`) and the
 * memory budget, and held to the rules across keys (`rules.ts`). Every rule of the design is enforced
 * before any resource exists, and all violations become one message that names each key and its fix,
 * e.g. `producers[1] (alb): maxReceiveCount must be at least 5, got 3`.
 */
import { z } from "zod";
import { DEFAULT_NAMESPACE } from "../../lambda/contract/destination";
import { visibilityTimeoutFor } from "./messageLifetime";
import { describeIssues } from "./configIssues";
import { nearestKey } from "./unknownKeys";
import { withoutUndefined } from "../../lambda/contract/plainObjects";
import { memoryBudgetFor } from "../function/memoryBudget";
import { managedDestinationsOf } from "../elasticsearch/indexTemplates";
import { DEFAULT_TUNING, type Tuning } from "./defaults";
import {
  accountsSchema,
  alertsSchema,
  defaultsSchema,
  elasticsearchSchema,
  networkSchema,
  producerSchema,
  SECTIONS,
  type AccountConfig,
  type NetworkConfig,
  type ProducerConfig,
  type RawShipperConfig,
  type ShipperConfig,
} from "./schema";
import { accountProblems, crossProducerProblems, environmentProblems, tuningProblems } from "./rules";
import {
  keyPath,
  producerLabel,
  StackConfigError,
  STACK_CONFIG_VOCABULARY,
  type SettingsVocabulary,
} from "./vocabulary";

/**
 * Validates the settings — stack config, or `LogShipper`'s arguments as plain values — and applies
 * defaults. Throws `StackConfigError` listing every problem.
 */
export function validateConfig(
  raw: RawShipperConfig,
  vocabulary: SettingsVocabulary = STACK_CONFIG_VOCABULARY,
): ShipperConfig {
  const problems: string[] = [];
  // A misspelt key is one problem ("did you mean …?"), not also the real key reported missing.
  const suggested = new Set<string>();
  for (const key of Object.keys(raw)) {
    if (SECTIONS.includes(key)) continue;
    const suggestion = nearestKey(key, SECTIONS);
    const hint = suggestion
      ? `did you mean ${vocabulary.key(suggestion)}?`
      : `the settings are ${SECTIONS.map((name) => vocabulary.key(name)).join(", ")}`;
    problems.push(`${vocabulary.key(key)}: ${vocabulary.unknown}; ${hint}`);
    if (suggestion) suggested.add(suggestion);
  }

  const parse = <T>(
    key: string,
    schema: z.ZodType<T>,
    value: unknown,
    describeKey: (path: PropertyKey[]) => string = (p) => keyPath(key, p),
  ): T | undefined => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    problems.push(...describeIssues(result.error.issues, schema, value, describeKey));
    return undefined;
  };

  if (raw.elasticsearch === undefined && !suggested.has("elasticsearch")) {
    problems.push(
      `elasticsearch: missing; ${vocabulary.set} ${vocabulary.key("elasticsearch")} with endpoint (or cloudId) and vault.mount/vault.path`,
    );
  }
  const elasticsearch =
    raw.elasticsearch === undefined ? undefined : parse("elasticsearch", elasticsearchSchema, raw.elasticsearch);
  const alerts = parse("alerts", alertsSchema, raw.alerts ?? {});
  const network = raw.network === undefined ? undefined : parse("network", networkSchema, raw.network);
  const accounts = accountsOf(parse("accounts", accountsSchema, raw.accounts ?? {}) ?? {});
  const defaults = parse("defaults", defaultsSchema, raw.defaults ?? {});

  const producers: ProducerConfig[] = [];
  if (!Array.isArray(raw.producers) || raw.producers.length === 0) {
    if (!(raw.producers === undefined && suggested.has("producers"))) {
      problems.push(
        `producers: must list at least one producer (name, bucket, index, format); see docs/getting-started.md "Adding a producer"`,
      );
    }
  } else {
    const listed = raw.producers;
    listed.forEach((candidate: unknown, position) => {
      const label = producerLabel(candidate, position);
      const producer = parse(
        "producers",
        producerSchema,
        candidate,
        (path) => `${label}: ${path.length > 0 ? `${path.map(String).join(".")} ` : ""}`,
      );
      if (!producer) return;
      const tuning: Tuning = { ...DEFAULT_TUNING, ...(defaults ?? {}), ...withoutUndefined(producer) } as Tuning;
      const memory = memoryBudgetFor({
        memoryMb: tuning.memoryMb,
        format: producer.format,
        ...(tuning.maxLineBytes !== undefined ? { maxLineBytes: tuning.maxLineBytes } : {}),
        ...(producer.multiline ? { multiline: withoutUndefined({ maxBytes: producer.multiline.maxBytes }) } : {}),
      });
      if ("problem" in memory) {
        problems.push(`${label}: ${memory.problem}`);
        return;
      }
      const { multiline, ...rest } = producer;
      const merged: ProducerConfig = {
        ...rest,
        ...tuning,
        ...(multiline
          ? { multiline: { ...multiline, maxBytes: memory.multilineMaxBytes ?? memory.maxLineBytes } }
          : {}),
        namespace: producer.namespace ?? defaults?.namespace ?? DEFAULT_NAMESPACE,
        visibilityTimeoutSeconds: visibilityTimeoutFor(tuning.timeoutSeconds),
        memory,
      };
      // Checked here, with the label of this entry: a producer refused earlier shifts no index.
      problems.push(...tuningProblems(merged).map((problem) => `${label}: ${problem}`));
      producers.push(merged);
    });
    problems.push(...crossProducerProblems(producers, listed));
    problems.push(...managedDestinationsOf(producers).problems);
    if (elasticsearch) problems.push(...environmentProblems(producers, elasticsearch));
    problems.push(...accountProblems(producers, accounts, vocabulary));
  }

  if (problems.length > 0 || !elasticsearch || !alerts) throw new StackConfigError(problems, vocabulary);
  return { accounts, elasticsearch, alerts, ...(network ? { network } : {}), producers };
}

/**
 * `network` on its own, once its values are known: `LogShipper` accepts subnets and security
 * groups as Outputs of other resources, so it checks them when they resolve. Throws
 * `StackConfigError` naming the key.
 */
export function validateNetwork(raw: unknown, vocabulary: SettingsVocabulary = STACK_CONFIG_VOCABULARY): NetworkConfig {
  const result = networkSchema.safeParse(raw);
  if (result.success) return result.data;
  throw new StackConfigError(
    describeIssues(result.error.issues, networkSchema, raw, (path) => keyPath("network", path)),
    vocabulary,
  );
}

function accountsOf(parsed: Record<string, { roleArn: string }>): Record<string, AccountConfig> {
  return Object.fromEntries(
    Object.entries(parsed).map(([name, account]) => [
      name,
      { ...account, accountId: account.roleArn.split(":")[4] as string },
    ]),
  );
}
