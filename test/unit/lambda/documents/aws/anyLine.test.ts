/**
 * Whatever a line of AWS's formats holds — AWS's documented lines with fields dropped, added or
 * garbled, or any string at all — it makes exactly one document and never throws: parsed, or its
 * text in `message`, tagged. And a parsed one never holds AWS's `-` or a number as a string.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { documentsOf } from "../../../../helpers/formatDocuments";
import { PARSED_LINE_FORMATS, type ParsedLineFormat } from "../../../../../lambda/contract/formats";
import { CLOUDFRONT_DEFAULT_FIELDS } from "../../../../../lambda/documents/aws/cloudfront";
import { TAG_PARSE_FAILURE } from "../../../../../lambda/contract/tags";
import { dashValues } from "./dashValues";

/** A documented line of each format, and the header lines its objects start with. */
const SAMPLES: Record<ParsedLineFormat, { header: string; line: string; separator: string }> = {
  alb: {
    header: "",
    separator: " ",
    line: 'http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90',
  },
  nlb: {
    header: "",
    separator: " ",
    line: "tls 2.0 2018-12-20T02:59:40 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd 72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com - - - 2018-12-20T02:59:30",
  },
  elb: {
    header: "",
    separator: " ",
    line: '2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -',
  },
  cloudfront: {
    header: `#Version: 1.0\n#Fields: ${CLOUDFRONT_DEFAULT_FIELDS.join(" ")}\n`,
    separator: "\t",
    line: "2019-12-04\t21:02:31\tLAX1\t392\t192.0.2.100\tGET\td111111abcdef8.cloudfront.net\t/index.html\t200\t-\tMozilla/5.0%20(X11)\t-\t-\tHit\tSOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==\td111111abcdef8.cloudfront.net\thttps\t23\t0.001\t-\tTLSv1.2\tECDHE-RSA-AES128-GCM-SHA256\tHit\tHTTP/2.0\t-\t-\t11040\t0.001\tHit\ttext/html\t78\t-\t-",
  },
  vpcflow: {
    header:
      "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n",
    separator: " ",
    line: "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
  },
  s3access: {
    header: "",
    separator: " ",
    line: '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be amzn-s3-demo-bucket1 [06/Feb/2019:00:00:38 +0000] 192.0.2.3 79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be 3E57427F3EXAMPLE REST.GET.VERSIONING - "GET /amzn-s3-demo-bucket1?versioning HTTP/1.1" 200 - 113 - 7 - "-" "S3Console/0.4" -',
  },
};

/** Fields ECS types as numbers: where present, numbers. */
const NUMERIC_PATHS = [
  ["http", "response", "status_code"],
  ["http", "request", "body", "bytes"],
  ["http", "response", "body", "bytes"],
  ["source", "port"],
  ["destination", "port"],
  ["source", "bytes"],
  ["source", "packets"],
];

function at(document: Record<string, unknown>, path: string[]): unknown {
  return path.reduce<unknown>(
    (value, key) => (typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined),
    document,
  );
}

/** A line to try: the documented one with fields dropped, repeated, replaced or garbled — or any text. */
function linesFor(format: ParsedLineFormat): fc.Arbitrary<string> {
  const { line, separator } = SAMPLES[format];
  const fields = line.split(separator);
  const token = fc.oneof(
    fc.constantFrom("-", '"', '"-"', "[", "]", "-1", "", "999999999999999999999", "NaN", "::1", 'a\\"b'),
    fc.string({ maxLength: 12 }),
  );
  const mutated = fc
    .array(
      fc.tuple(fc.nat({ max: fields.length - 1 }), fc.constantFrom("drop", "repeat", "replace", "append"), token),
      { maxLength: 4 },
    )
    .map((edits) => {
      const result = [...fields];
      for (const [index, edit, value] of edits) {
        const place = Math.min(index, result.length - 1);
        if (edit === "drop") result.splice(place, 1);
        else if (edit === "repeat") result.splice(place, 0, result[place] ?? "");
        else if (edit === "replace") result[place] = value;
        else result.push(value);
      }
      return result.join(separator);
    });
  return (
    fc
      .oneof(mutated, fc.string({ maxLength: 300 }), fc.string({ unit: "grapheme", maxLength: 80 }))
      // One line, not blank (blank lines are skipped, as in every line format), not a header line.
      .filter(
        (text) => !/[\r\n]/.test(text) && text.trim() !== "" && !(format === "cloudfront" && text.startsWith("#")),
      )
  );
}

describe("any line of AWS's formats", () => {
  for (const format of PARSED_LINE_FORMATS) {
    it(`${format}: exactly one document, parsed or tagged, never a throw`, async () => {
      await fc.assert(
        fc.asyncProperty(linesFor(format), async (text) => {
          const run = await documentsOf(`${SAMPLES[format].header}${text}\n`, format);
          expect(run.documents).toHaveLength(1);
          const source = run.documents[0]?.source as Record<string, unknown>;
          if (Array.isArray(source.tags) && source.tags.includes(TAG_PARSE_FAILURE)) {
            expect(source.message).toBe(text);
            expect(run.linesUnparsed).toBe(1);
          } else {
            expect(dashValues(source)).toEqual([]);
            for (const path of NUMERIC_PATHS) {
              const value = at(source, path);
              if (value === undefined) continue;
              expect(Number.isSafeInteger(value), path.join(".")).toBe(true);
              if (path[1] === "port") expect(value).toBeLessThanOrEqual(65_535);
            }
            expect(typeof source["@timestamp"]).toBe("string");
            expect(Number.isNaN(Date.parse(source["@timestamp"] as string))).toBe(false);
          }
        }),
        { numRuns: 300 },
      );
    });
  }
});
