/**
 * Names of one `LogShipper` instance: every child's and every AWS name derives from the instance's
 * name and the producer's, so two instances in one program (two clusters, two teams) never collide.
 * The standalone stack's instance is called `s3-log-shipper`, which is what the names were before
 * they were derived (SSM `/s3-log-shipper/<stack>/elasticsearch`, entry ids
 * `s3-log-shipper-<stack>-<producer>`, …): its AWS names do not change, and its children, whose
 * logical names now carry the instance's name, keep their URNs through aliases.
 */
import type * as pulumi from "@pulumi/pulumi";
import { PRODUCER_NAME_PATTERN } from "./schema";

/** The instance name of the standalone stack (`index.ts`), and of every stack deployed before 0.2. */
export const STANDALONE_INSTANCE = "s3-log-shipper";

/** A name usable in every AWS name it flows into (Lambda, IAM, SQS, EventBridge, SSM, KMS aliases, log groups). */
export const INSTANCE_NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]*$/;

/**
 * The longest AWS name built from a child's logical name: Pulumi's auto-naming appends `-` and 7
 * random characters, and Lambda functions, IAM roles and EventBridge rules allow 64; the longest
 * child is `<instance>-<producer>-objects-rule`.
 */
const AUTONAME_MAX = 64;
const AUTONAME_SUFFIX = 8;
const LONGEST_CHILD_SUFFIX = "-objects-rule".length;

/** The logical name of a child of the instance: `<instance>-<part>`. */
export function childName(instance: string, part: string): string {
  return `${instance}-${part}`;
}

/**
 * Aliases that keep a child's URN from before names were derived (`credentials` instead of
 * `s3-log-shipper-credentials`), for the standalone instance only: another instance has no such
 * past, and two instances claiming one old name would collide.
 */
export function legacyAliases(instance: string, part: string, extra: pulumi.Alias[] = []): pulumi.Alias[] {
  if (instance !== STANDALONE_INSTANCE) return extra;
  return [...extra, { name: part }, ...extra.map((alias) => ({ ...alias, name: part }))];
}

/** The SSM parameter holding the instance's credentials. */
export function credentialsParameterName(instance: string, stack: string): string {
  return `/${instance}/${stack}/elasticsearch`;
}

/** The id of a producer's entry in its bucket's notification configuration. */
export function notificationEntryId(instance: string, stack: string, producer: string): string {
  return `${instance}-${stack}-${producer}`;
}

/** The log group of a producer's function. */
export function producerLogGroupName(instance: string, stack: string, producer: string): string {
  return `/${instance}/${stack}/${producer}`;
}

export interface NameProblems {
  /** Refusals: the instance cannot be deployed with these names. */
  errors: string[];
  /**
   * For the standalone instance only: producers whose new resources would get names too long for
   * AWS. Its existing producers keep the names they were created with, so this cannot be refused.
   */
  warnings: string[];
}

/** What is wrong with an instance's name, or with a producer's name beside it, for the AWS names derived from them. */
export function instanceNameProblems(instance: string, producerNames: readonly string[]): NameProblems {
  if (!INSTANCE_NAME_PATTERN.test(instance))
    return {
      errors: [
        `name ${JSON.stringify(instance)}: must match ${INSTANCE_NAME_PATTERN} (a letter, then letters, digits, - or _): it is part of the AWS names of the instance's queues, functions, roles and parameter`,
      ],
      warnings: [],
    };
  const room = AUTONAME_MAX - AUTONAME_SUFFIX - LONGEST_CHILD_SUFFIX - 1;
  const tooLong = producerNames
    .filter((producer) => PRODUCER_NAME_PATTERN.test(producer))
    .filter((producer) => instance.length + producer.length > room);
  const messages = tooLong.map(
    (producer) =>
      `producers (${producer}): "${instance}" and "${producer}" are ${instance.length + producer.length} characters together, ` +
      `over the ${room} that fit AWS's 64-character names (the function's, its role's, its EventBridge rule's: ` +
      `"${childName(instance, producer)}-objects-rule" plus Pulumi's 8-character suffix); shorten the instance's or the producer's name`,
  );
  return instance === STANDALONE_INSTANCE ? { errors: [], warnings: messages } : { errors: messages, warnings: [] };
}
