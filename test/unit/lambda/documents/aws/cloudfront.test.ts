/**
 * CloudFront standard logs, from the example file AWS documents:
 * https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html
 * ("Standard log file fields": tab-separated, `#Version` and `#Fields` first; "Values are URL-encoded").
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { documentsOf } from "../../../../helpers/formatDocuments";
import { TAG_PARSE_FAILURE } from "../../../../../lambda/contract/tags";
import { CLOUDFRONT_DEFAULT_FIELDS } from "../../../../../lambda/documents/aws/cloudfront";
import { dashValues } from "./dashValues";
import {
  CLOUDFRONT_FIELDS as FIELDS,
  CLOUDFRONT_AGENT as AGENT,
  cloudFrontLine as line,
  CLOUDFRONT_FILE as FILE,
  CLOUDFRONT_V2_JSON,
  CLOUDFRONT_V2_W3C,
} from "../../../../helpers/awsDocumentedLogs";

describe("cloudfront", () => {
  it("reads the documented example file: header lines no documents, every request one, values decoded", async () => {
    const run = await documentsOf(FILE, "cloudfront");
    expect(run.documents).toHaveLength(3);
    const document = run.documents[0]?.source;
    expect(document).toMatchObject({
      "@timestamp": "2019-12-04T21:02:31Z",
      source: { ip: "192.0.2.100", port: 11040 },
      destination: { domain: "d111111abcdef8.cloudfront.net" },
      http: {
        request: { method: "GET", bytes: 23, id: "SOX4xwn4XV6Q4rgb7XiVGOHms_BGlTAC4KyHmureZmBNrjGdRLiNIQ==" },
        response: { status_code: 200, bytes: 392, body: { bytes: 78 }, mime_type: "text/html" },
        version: "2.0",
      },
      url: {
        original: "https://d111111abcdef8.cloudfront.net/index.html",
        domain: "d111111abcdef8.cloudfront.net",
        path: "/index.html",
        scheme: "https",
      },
      user_agent: {
        original:
          "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/78.0.3904.108 Safari/537.36",
      },
      tls: { version: "1.2", version_protocol: "tls", cipher: "ECDHE-RSA-AES128-GCM-SHA256" },
      event: { outcome: "success", duration: 1_000_000, category: ["web"] },
      aws: {
        cloudfront: {
          edge_location: "LAX1",
          edge_result_type: "Hit",
          edge_response_result_type: "Hit",
          edge_detailed_result_type: "Hit",
          time_taken: 0.001,
          time_to_first_byte: 0.001,
        },
      },
    });
    expect(document).not.toHaveProperty("url.query");
    for (const { source } of run.documents) expect(dashValues(source)).toEqual([]);
    expect(run.header).toEqual(CLOUDFRONT_DEFAULT_FIELDS);
  });

  it("takes the field order from the object's own #Fields line (AWS has reordered and appended)", async () => {
    const values = line("id-1", "0.002").split("\t");
    // The same request, its columns reversed, and a field AWS does not document yet at the end.
    const reversedFields = [...CLOUDFRONT_DEFAULT_FIELDS].reverse();
    const reordered = [
      "#Version: 1.0",
      `#Fields: ${reversedFields.join(" ")} x-new-field`,
      [...values].reverse().concat("new-value").join("\t"),
      "",
    ].join("\n");
    const inOrder = await documentsOf(`#Version: 1.0\n#Fields: ${FIELDS}\n${values.join("\t")}\n`, "cloudfront");
    const run = await documentsOf(reordered, "cloudfront");
    const { aws, ...rest } = run.documents[0]?.source as { aws: { cloudfront: Record<string, unknown> } };
    const { aws: expectedAws, ...expectedRest } = inOrder.documents[0]?.source as (typeof run.documents)[0]["source"];
    expect(rest).toMatchObject({ ...expectedRest, log: { offset: expect.any(Number) } });
    expect(aws.cloudfront).toEqual({
      ...(expectedAws as { cloudfront: Record<string, unknown> }).cloudfront,
      new_field: "new-value",
    });
  });

  it("decodes the query and the forwarded addresses: the first is network.forwarded_ip, the list decoded like every value", async () => {
    const run = await documentsOf(
      `#Fields: ${FIELDS}\n${line("id-2", "0.1", "203.0.113.9,%20198.51.100.1", "q=caf%C3%A9%20au%20lait&page=2")}\n`,
      "cloudfront",
    );
    expect(run.documents[0]?.source).toMatchObject({
      url: {
        query: "q=café au lait&page=2",
        original: "https://d111111abcdef8.cloudfront.net/index.html?q=caf%C3%A9%20au%20lait&page=2",
      },
      network: { forwarded_ip: "203.0.113.9" },
      aws: { cloudfront: { forwarded_for: "203.0.113.9, 198.51.100.1" } },
    });
  });

  it("keeps a malformed percent escape as it is, and a line that is no request as text, tagged", async () => {
    const odd = line("id-3", "0.1").replace(AGENT, "bad%ZZagent%");
    const run = await documentsOf(`#Fields: ${FIELDS}\n${odd}\nnot a request line\n`, "cloudfront");
    expect(run.documents[0]?.source).toMatchObject({ user_agent: { original: "bad%ZZagent%" } });
    expect(run.documents[1]?.source).toMatchObject({ message: "not a request line", tags: [TAG_PARSE_FAILURE] });
  });

  it("resumes after the header lines with the fields a continuation carried", async () => {
    const reversedFields = [...CLOUDFRONT_DEFAULT_FIELDS].reverse();
    const content = [
      "#Version: 1.0",
      `#Fields: ${reversedFields.join(" ")}`,
      ...["a", "b", "c"].map((id) => line(id, "0.1").split("\t").reverse().join("\t")),
      "",
    ].join("\n");
    const whole = await documentsOf(content, "cloudfront");
    const third = content.split("\n").slice(0, 3).join("\n").length + 1;
    const resumed = await documentsOf(content, "cloudfront", { start: third, header: whole.header });
    expect(resumed.documents).toEqual(whole.documents.slice(1));
    // Without it, the documented order would be assumed: the fields would be mis-read.
    const headless = await documentsOf(content, "cloudfront", { start: third });
    expect(headless.documents[0]?.source).not.toMatchObject({ source: { ip: "192.0.2.100" } });
  });

  it("reads a file whose #Fields names a selection of seven fields (standard logging lets the owner choose)", async () => {
    // The review's selection: c-ip sc-status cs-method date time cs-uri-stem cs(User-Agent).
    const selection = ["c-ip", "sc-status", "cs-method", "date", "time", "cs-uri-stem", "cs(User-Agent)"];
    const all = line("id-7", "0.1").split("\t");
    const values = selection.map((name) => all[CLOUDFRONT_DEFAULT_FIELDS.indexOf(name)] as string);
    const run = await documentsOf(
      `#Version: 1.0\n#Fields: ${selection.join(" ")}\n${values.join("\t")}\n`,
      "cloudfront",
    );
    expect(run.linesUnparsed).toBe(0);
    expect(run.documents[0]?.source).toMatchObject({
      "@timestamp": "2019-12-04T21:02:31Z",
      source: { ip: "192.0.2.100" },
      http: { request: { method: "GET" }, response: { status_code: 200 } },
      url: { path: "/index.html" },
      user_agent: { original: expect.stringContaining("Mozilla/5.0 (Windows NT 10.0") },
      event: { outcome: "success" },
    });
    expect(run.documents[0]?.source).not.toHaveProperty("tags");
  });

  it("reads any selection that holds the date and time, down to those two alone, as the full line reads them", async () => {
    const values = line("id-8", "0.25", "203.0.113.9,%20198.51.100.1", "a=1").split("\t");
    const full = (await documentsOf(`#Fields: ${FIELDS}\n${values.join("\t")}\n`, "cloudfront")).documents[0]
      ?.source as Record<string, unknown>;
    const others = CLOUDFRONT_DEFAULT_FIELDS.filter((name) => name !== "date" && name !== "time");
    await fc.assert(
      fc.asyncProperty(fc.subarray(others), fc.nat(), async (chosen, seed) => {
        // Prepare: the chosen fields and the date and time, in an order of the seed's choosing.
        const names = ["date", "time", ...chosen];
        const order = names
          .map((name, index) => ({ name, key: (index * 7919 + seed) % 1009 }))
          .sort((a, b) => a.key - b.key);
        const header = order.map(({ name }) => name);
        const row = header.map((name) => values[CLOUDFRONT_DEFAULT_FIELDS.indexOf(name)] as string);
        // Act
        const run = await documentsOf(`#Fields: ${header.join(" ")}\n${row.join("\t")}\n`, "cloudfront");
        // Assess: parsed, and every value it holds is the one the full line gives.
        expect(run.linesUnparsed).toBe(0);
        const { log, "@timestamp": timestamp, ...parsed } = run.documents[0]?.source as Record<string, unknown>;
        expect(timestamp).toBe("2019-12-04T21:02:31Z");
        expect(log).toBeDefined();
        for (const [path, value] of leaves(parsed))
          if (path !== "url.original" && path !== "url.scheme") expect(valueAt(full, path), path).toEqual(value);
      }),
      { numRuns: 200 },
    );
    const dateAndTime = await documentsOf("#Fields: date time\n2019-12-04\t21:02:31\n", "cloudfront");
    expect(dateAndTime.documents[0]?.source).toMatchObject({
      "@timestamp": "2019-12-04T21:02:31Z",
      event: { kind: "event" },
    });
    expect(dateAndTime.linesUnparsed).toBe(0);
  });

  it("leaves a line without the values its header names, or without a date and time, unparsed: indexed as text, tagged", async () => {
    const run = await documentsOf(
      "#Fields: date time c-ip sc-status\n2019-12-04\t21:02:31\t192.0.2.100\n#Fields: c-ip sc-status\n192.0.2.100\t200\n",
      "cloudfront",
    );
    expect(run.linesUnparsed).toBe(2);
    for (const document of run.documents) expect(document.source).toMatchObject({ tags: [TAG_PARSE_FAILURE] });
  });

  it("reads standard logging v2's documented w3c file: its selection, timestamp(ms), the viewer's ASN and a cookie", async () => {
    const run = await documentsOf(CLOUDFRONT_V2_W3C, "cloudfront");
    expect(run.linesUnparsed).toBe(0);
    expect(run.documents).toHaveLength(1);
    expect(run.documents[0]?.source).toMatchObject({
      "@timestamp": "2024-11-14T22:30:25.421Z",
      source: { as: { number: 16509 } },
      url: { domain: "d111111abcdef8.cloudfront.net" },
      aws: { cloudfront: { edge_location: "SOF50-P2", cookie: "examplecookie=value2" } },
    });
    expect(run.documents[0]?.source).not.toHaveProperty("aws.cloudfront.timestamp_ms");
  });

  it("reads standard logging v2's JSON output: an object per line, keyed by field name", async () => {
    const run = await documentsOf(CLOUDFRONT_V2_JSON, "cloudfront");
    expect(run.linesUnparsed).toBe(0);
    expect(run.documents.map((document) => document.source["@timestamp"])).toEqual([
      "2024-11-15T19:45:51.183Z",
      "2024-11-15T19:45:52.950Z",
    ]);
    expect(run.documents[0]?.source).toMatchObject({
      source: { as: { number: 16509 } },
      aws: { cloudfront: { origin_fbl: 0.254, origin_lbl: 0.254, edge_location: "SOF50-P2" } },
    });
    // The same request in w3c and in JSON makes the same fields.
    const fields =
      "date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(User-Agent) c-country";
    const row = [
      "2019-12-04",
      "21:02:31",
      "LAX1",
      "392",
      "192.0.2.100",
      "GET",
      "d111111abcdef8.cloudfront.net",
      "/index.html",
      "200",
      AGENT,
      "US",
    ];
    const w3c = await documentsOf(`#Fields: ${fields}\n${row.join("\t")}\n`, "cloudfront");
    const json = await documentsOf(
      `${JSON.stringify(Object.fromEntries(fields.split(" ").map((name, index) => [name, row[index]])))}\n`,
      "cloudfront",
    );
    const strip = (source: Record<string, unknown> | undefined) => ({ ...source, log: undefined });
    expect(strip(json.documents[0]?.source)).toEqual(strip(w3c.documents[0]?.source));
    expect(w3c.documents[0]?.source).toMatchObject({ source: { geo: { country_iso_code: "US" } } });
  });

  it("reads v2's other field delimiters, and a header-less (plain) line in the documented default order", async () => {
    const fields = "date time c-ip sc-status cs-uri-stem";
    const values = ["2019-12-04", "21:02:31", "192.0.2.100", "404", "/missing"];
    for (const delimiter of [" ", ",", "|", ";"]) {
      const run = await documentsOf(`#Fields: ${fields}\n${values.join(delimiter)}\n`, "cloudfront");
      expect(run.documents[0]?.source, JSON.stringify(delimiter)).toMatchObject({
        source: { ip: "192.0.2.100" },
        http: { response: { status_code: 404 } },
        url: { path: "/missing" },
      });
    }
    // v2's default selection without a header: the legacy fields, then c-country and the cache behavior's path pattern.
    const plain = await documentsOf(`${line("id-9", "0.1")}\tDE\t/images/*\n`, "cloudfront");
    expect(plain.linesUnparsed).toBe(0);
    expect(plain.documents[0]?.source).toMatchObject({
      source: { ip: "192.0.2.100", geo: { country_iso_code: "DE" } },
      aws: { cloudfront: { cache_behavior_path_pattern: "/images/*" } },
    });
    expect(plain.header).toBeUndefined();
  });
});

/** A document's leaf values by dotted path. */
function leaves(value: Record<string, unknown>, prefix = ""): Array<[string, unknown]> {
  return Object.entries(value).flatMap(([key, member]) =>
    member !== null && typeof member === "object" && !Array.isArray(member)
      ? leaves(member as Record<string, unknown>, `${prefix}${key}.`)
      : [[`${prefix}${key}`, member] as [string, unknown]],
  );
}

function valueAt(document: Record<string, unknown>, path: string): unknown {
  return path.split(".").reduce<unknown>((at, part) => (at as Record<string, unknown> | undefined)?.[part], document);
}
