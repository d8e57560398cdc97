/** Deterministic sample logs in the shapes real producers write (AWS WAF, ALB, CloudTrail). */

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

/** One ALB access log line (text). */
export function albLine(random: () => number, n: number): string {
  const time = new Date(START + n * 41).toISOString();
  return `https ${time} app/acme-prod/50dc6c495c0c9188 ${ip(random)}:${40_000 + (n % 20_000)} 10.0.1.12:8080 0.000 0.00${n % 9} 0.000 ${pick(random, [200, 200, 301, 404, 500])} 200 ${Math.floor(random() * 900)} ${Math.floor(random() * 90_000)} "GET https://acme.example.com:443${pick(random, PATHS)} HTTP/1.1" "Mozilla/5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2`;
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
