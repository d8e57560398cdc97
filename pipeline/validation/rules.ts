/**
 * Rules over several keys or producers, once each producer's settings are merged with the
 * defaults: accounts named and one account per bucket, the function's environment within Lambda's
 * 4 KB, batch and receive limits that depend on one another, unique names and notification filters
 * S3 accepts side by side on one bucket.
 */
import { maxReceiveCountFor, MIN_DEAD_LETTER_HOLD_SECONDS, QUEUE_RETENTION_SECONDS } from "./messageLifetime";
import { isPlainObject } from "../../lambda/contract/plainObjects";
import { functionEnvironment } from "../function/functionEnvironment";
import type { AccountConfig, ElasticsearchConfig, ProducerConfig } from "./schema";
import type { SettingsVocabulary } from "./vocabulary";

/** Every bucketAccount names an account, and one bucket lives in one account. */
export function accountProblems(
  producers: ProducerConfig[],
  accounts: Record<string, AccountConfig>,
  vocabulary: SettingsVocabulary,
): string[] {
  const problems: string[] = [];
  const bucketAccounts = new Map<string, { producer: string; account: string | undefined }>();
  for (const producer of producers) {
    if (producer.bucketAccount !== undefined && !Object.hasOwn(accounts, producer.bucketAccount)) {
      const known = Object.keys(accounts);
      problems.push(
        `producers (${producer.name}): bucketAccount ${JSON.stringify(producer.bucketAccount)} names no entry of ${vocabulary.key("accounts")} (${known.length > 0 ? `it has ${known.join(", ")}` : "there is none"}); add ${producer.bucketAccount}: { roleArn: … } there`,
      );
    }
    const seen = bucketAccounts.get(producer.bucket);
    if (seen && seen.account !== producer.bucketAccount) {
      problems.push(
        `producers (${seen.producer}, ${producer.name}): both read bucket ${producer.bucket} but name different bucketAccount (${seen.account ?? "the stack's own"} / ${producer.bucketAccount ?? "the stack's own"}); a bucket lives in one account`,
      );
    } else bucketAccounts.set(producer.bucket, { producer: producer.name, account: producer.bucketAccount });
  }
  return problems;
}

/**
 * Lambda refuses a function whose environment variables, names and values together, exceed 4 KB
 * ("Function environment variables: 4 KB, for all environment variables associated with the
 * function, in aggregate", Lambda quotas). What fills it is config (a CA certificate, long
 * include/exclude lists), so it is refused here naming those keys rather than by Lambda mid-deploy.
 * The queue URL and parameter name are not known yet: the longest they can be stands in for them.
 */
export const FUNCTION_ENVIRONMENT_MAX_BYTES = 4 * 1024;

export function environmentProblems(producers: ProducerConfig[], elasticsearch: ElasticsearchConfig): string[] {
  return producers.flatMap((producer) => {
    const environment = functionEnvironment({
      producer,
      elasticsearch,
      parameterName: `/s3-log-shipper/${"s".repeat(64)}/elasticsearch`,
      // https://sqs.<region>.amazonaws.com/<account>/<queue name of at most 80 characters>
      queueUrl: `https://sqs.ap-southeast-5.amazonaws.com/123456789012/${"q".repeat(80)}`,
    });
    const bytes = Object.entries(environment).reduce(
      (total, [name, value]) => total + Buffer.byteLength(name) + Buffer.byteLength(value),
      0,
    );
    if (bytes <= FUNCTION_ENVIRONMENT_MAX_BYTES) return [];
    const large = [
      ...(elasticsearch.caCertificate
        ? [`elasticsearch.caCertificate ${elasticsearch.caCertificate.length} bytes`]
        : []),
      ...(producer.include ? [`include ${JSON.stringify(producer.include).length} bytes`] : []),
      ...(producer.exclude ? [`exclude ${JSON.stringify(producer.exclude).length} bytes`] : []),
    ];
    return [
      `producers (${producer.name}): the function's environment would be about ${bytes} bytes, over Lambda's ${FUNCTION_ENVIRONMENT_MAX_BYTES} (${large.join(", ") || "no single large setting"}); ` +
        `shorten include/exclude (one alternation instead of many expressions), or give elasticsearch.caFingerprint instead of caCertificate`,
    ];
  });
}

/** Rules over a producer's merged settings (its own, the stack's defaults, the program's). */
export function tuningProblems(producer: ProducerConfig): string[] {
  const problems: string[] = [];
  if (producer.batchSize > 10 && producer.batchWindowSeconds < 1) {
    problems.push(
      `batchSize above 10 needs batchWindowSeconds of at least 1 (an SQS event source rule), got batchSize ${producer.batchSize}`,
    );
  }
  const receives = maxReceiveCountFor(producer.timeoutSeconds, producer.backlogAgeAlarmSeconds);
  if (producer.maxReceiveCount > receives) {
    problems.push(
      `maxReceiveCount must be at most ${receives} with timeoutSeconds ${producer.timeoutSeconds} and backlogAgeAlarmSeconds ${producer.backlogAgeAlarmSeconds}, got ${producer.maxReceiveCount}: ` +
        `each receive can keep a failing message ${producer.timeoutSeconds + producer.visibilityTimeoutSeconds} s (the function's run plus the visibility timeout), and it must reach the DLQ with ` +
        `${MIN_DEAD_LETTER_HOLD_SECONDS / 86_400} days left of SQS's ${QUEUE_RETENTION_SECONDS / 86_400} (counted from when it was sent); lower maxReceiveCount or timeoutSeconds`,
    );
  }
  return problems;
}

/**
 * Whether two notification filters on one bucket overlap: S3 refuses a configuration where one
 * object key could match two queue entries for the same event. Prefixes overlap when one starts
 * the other (or one is empty); suffixes when one ends the other.
 */
export function filtersOverlap(
  a: { prefix?: string; suffix?: string },
  b: { prefix?: string; suffix?: string },
): boolean {
  const pa = a.prefix ?? "";
  const pb = b.prefix ?? "";
  const sa = a.suffix ?? "";
  const sb = b.suffix ?? "";
  const prefixesOverlap = pa.startsWith(pb) || pb.startsWith(pa);
  const suffixesOverlap = sa.endsWith(sb) || sb.endsWith(sa);
  return prefixesOverlap && suffixesOverlap;
}

export function crossProducerProblems(producers: ProducerConfig[], raw: unknown[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  raw.forEach((candidate, position) => {
    const name = isPlainObject(candidate) && typeof candidate.name === "string" ? candidate.name : undefined;
    if (name === undefined) return;
    const first = seen.get(name);
    if (first !== undefined)
      problems.push(
        `producers[${position}] (${name}): name is already used by producers[${first}]; names must be unique`,
      );
    else seen.set(name, position);
  });
  for (let i = 0; i < producers.length; i += 1) {
    for (let j = i + 1; j < producers.length; j += 1) {
      const a = producers[i] as ProducerConfig;
      const b = producers[j] as ProducerConfig;
      // Only entries of one bucket notification configuration must not overlap (S3 refuses them).
      const sameConfiguration = a.notifications === "bucket" && b.notifications === "bucket";
      if (sameConfiguration && a.bucket === b.bucket && a.name !== b.name && filtersOverlap(a, b)) {
        problems.push(
          `producers (${a.name}, ${b.name}): both read bucket ${a.bucket} with overlapping filters (prefix ${JSON.stringify(a.prefix ?? "")} / ${JSON.stringify(b.prefix ?? "")}, suffix ${JSON.stringify(a.suffix ?? "")} / ${JSON.stringify(b.suffix ?? "")}); S3 refuses that — give them prefixes or suffixes that cannot both match one key`,
        );
      }
    }
  }
  return problems;
}
