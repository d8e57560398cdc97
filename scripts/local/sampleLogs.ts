/** Deterministic sample logs in the shapes real producers write (AWS WAF, ALB, VPC flow logs, CloudWatch Logs through Firehose, CloudTrail). */

/** A small seeded PRNG (mulberry32) so samples and benchmarks are reproducible. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const ip = (random: () => number) =>
  `${pick(random, [198, 203, 192])}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`;
const PATHS = ["/", "/login", "/api/v1/orders", "/static/app.js", "/wp-admin", "/.env", "/api/v1/users/42"] as const;
const START = Date.UTC(2026, 10, 27, 10, 0, 0);

/** One AWS WAF log line (ndjson). */
export function wafLine(random: () => number, n: number): string {
  return JSON.stringify({
    timestamp: START + n * 37,
    formatVersion: 1,
    webaclId: "arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/acme/0f1e2d3c",
    terminatingRuleId: pick(random, ["Default_Action", "AWS-AWSManagedRulesCommonRuleSet", "RateLimit"]),
    action: pick(random, ["ALLOW", "ALLOW", "ALLOW", "BLOCK"]),
    httpSourceName: "ALB",
    httpRequest: {
      clientIp: ip(random),
      country: pick(random, ["DE", "US", "FR", "BR"]),
      uri: pick(random, PATHS),
      httpMethod: pick(random, ["GET", "POST"]),
      requestId: `req-${n}`,
    },
  });
}

/** One ALB access log line as AWS writes them today: every field through the transform fields. */
export function albLine(random: () => number, n: number): string {
  const time = new Date(START + n * 41);
  const created = new Date(time.getTime() - 12).toISOString();
  const status = pick(random, [200, 200, 301, 404, 500]);
  const target = `10.0.1.${12 + (n % 4)}:8080`;
  return (
    `https ${time.toISOString()} app/acme-prod/50dc6c495c0c9188 ${ip(random)}:${40_000 + (n % 20_000)} ${target} ` +
    `0.000 0.00${n % 9} 0.000 ${status} ${status} ${Math.floor(random() * 900)} ${Math.floor(random() * 90_000)} ` +
    `"GET https://acme.example.com:443${pick(random, PATHS)} HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" ` +
    `ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/acme-web/73e2d6bc24d8a067 ` +
    `"Root=1-6747${(n % 65_536).toString(16).padStart(4, "0")}-${Math.floor(random() * 2 ** 48).toString(16)}" "acme.example.com" ` +
    `"arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012" ${n % 3} ${created} ` +
    `"forward" "-" "-" "${target}" "${status}" "-" "-" TID_${((n * 2_654_435_761) >>> 0).toString(16)} "-" "-" "-"`
  );
}

/** The header line of a VPC flow log object in the default format (version 2). */
export const VPC_FLOW_HEADER =
  "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status";

/** One VPC flow log record in the default format. */
export function vpcFlowLine(random: () => number, n: number): string {
  const start = Math.floor(START / 1000) + Math.floor(n / 50);
  const accepted = random() < 0.85;
  return (
    `2 123456789012 eni-0a1b2c3d4e5f6${(n % 10).toString()} ${ip(random)} 10.0.${n % 8}.${n % 250} ` +
    `${1_024 + Math.floor(random() * 60_000)} ${pick(random, [22, 80, 443, 3389, 5432])} ${pick(random, [6, 6, 17])} ` +
    `${1 + Math.floor(random() * 40)} ${40 + Math.floor(random() * 60_000)} ${start} ${start + 60} ${accepted ? "ACCEPT" : "REJECT"} OK`
  );
}

/**
 * One CloudWatch Logs subscription record as Firehose writes it to S3 (JSON, no separator after
 * it): `count` log events whose messages `message` makes.
 */
export function cloudWatchRecord(
  random: () => number,
  first: number,
  count: number,
  message: (random: () => number, n: number) => string,
): string {
  return JSON.stringify({
    messageType: "DATA_MESSAGE",
    owner: "123456789012",
    logGroup: "/aws/alb/acme-prod",
    logStream: `stream-${Math.floor(first / count)}`,
    subscriptionFilters: ["acme-to-firehose"],
    logEvents: Array.from({ length: count }, (_, e) => ({
      id: `${first + e}`.padStart(56, "0"),
      timestamp: START + (first + e) * 41,
      message: message(random, first + e),
    })),
  });
}

/** An application's log event: mostly JSON (structured logging), some plain text. */
export function applicationLogMessage(random: () => number, n: number): string {
  if (n % 5 === 4) return `WARN cache miss for /api/v1/orders/${n} after ${Math.floor(random() * 900)} ms`;
  return JSON.stringify({
    level: pick(random, ["info", "info", "debug", "error"]),
    msg: pick(random, ["order created", "user logged in", "payment declined"]),
    request_id: `req-${n}`,
    duration_ms: Math.floor(random() * 500),
  });
}

/** One CloudTrail record (an element of the file's `Records`). */
export function cloudTrailRecord(random: () => number, n: number): Record<string, unknown> {
  return {
    eventVersion: "1.09",
    eventTime: new Date(START + n * 1_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
    eventSource: pick(random, ["s3.amazonaws.com", "iam.amazonaws.com", "ec2.amazonaws.com"]),
    eventName: pick(random, ["GetObject", "AssumeRole", "DescribeInstances", "ConsoleLogin"]),
    awsRegion: "eu-west-1",
    sourceIPAddress: ip(random),
    userIdentity: { type: "AssumedRole", arn: `arn:aws:sts::123456789012:assumed-role/dev/${n % 7}` },
    eventID: `e-${n}`,
  };
}

export function lines(
  count: number,
  seed: number,
  line: (random: () => number, n: number) => string,
  offset = 0,
): string {
  const random = seededRandom(seed);
  let text = "";
  for (let n = 0; n < count; n += 1) text += `${line(random, n + offset)}\n`;
  return text;
}
