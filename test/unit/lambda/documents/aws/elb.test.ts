/**
 * Elastic Load Balancing access logs into ECS fields, from the lines AWS documents:
 * - ALB: https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html
 *   ("Example log entries"; the 2018 entries end at error_reason, today's at conn_trace_id and after)
 * - NLB: https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-access-logs.html
 * - Classic: https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/access-log-collection.html
 */
import { describe, expect, it } from "vitest";
import { documentOf, documentsOf } from "../../../../helpers/formatDocuments";
import { TAG_PARSE_FAILURE } from "../../../../../lambda/contract/tags";
import { dashValues } from "./dashValues";
import {
  ALB_TARGET_GROUP_ARN as ARN,
  ALB_HTTP,
  ALB_CONNECTION_FAILED,
  ALB_CONNECTION_SUCCESS,
  NLB_TLS as NLB,
  CLASSIC_HTTPS,
} from "../../../../helpers/awsDocumentedLogs";

/** The documented HTTP/2 entry of 2018: a redirect, fields through error_reason only. */
const ALB_H2_2018 =
  `h2 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 10.0.1.252:48160 10.0.0.66:9000 ` +
  `0.000 0.002 0.000 200 200 5 257 "GET https://10.0.2.105:773/ HTTP/2.0" "curl/7.46.0" ` +
  `ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${ARN} "Root=1-58337327-72bd00b0343d75b906739c42" "-" "-" ` +
  `1 2018-07-02T22:22:48.364000Z "redirect" "https://example.com:80/" "-"`;

/** The documented entry of a Lambda target that failed: no target address, no target status. */
const ALB_LAMBDA_FAILED =
  `http 2018-11-30T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 - ` +
  `0.000 0.001 0.000 502 - 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - ${ARN} ` +
  `"Root=1-58337364-23a8c76965a2ef7629b185e3" "-" "-" 0 2018-11-30T22:22:48.364000Z "forward" "-" "LambdaInvalidResponse"`;

/**
 * A request the load balancer refused before routing (seen in the field: a malformed request
 * line, -1 timings, `-` for every target field) — addresses from the documentation ranges.
 */
const ALB_REFUSED =
  `http 2025-03-01T10:03:17.218099Z app/my-loadbalancer/50dc6c495c0c9188 198.51.100.158:61084 - -1 -1 -1 ` +
  `400 - 0 272 "- http://my-loadbalancer-1234567890.us-east-2.elb.amazonaws.com:80- -" "-" - - - "-" "-" "-" - ` +
  `2025-03-01T10:03:16.682000Z "-" "-" "-" "-" "-" "-" "-" TID_6cfb27fd2ef25c42932bd6e0ff56d631`;

const NLB_ALPN =
  `tls 2.0 2020-04-01T08:51:42 net/my-network-loadbalancer/c6e77e28c25b2234 g3d4b5e8bb8464cd ` +
  `72.21.218.154:51341 172.100.100.185:443 5 2 98 246 - ` +
  `arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99 - ` +
  `ECDHE-RSA-AES128-SHA tlsv12 - my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com ` +
  `h2 h2 "h2","http/1.1" 2020-04-01T08:51:20`;

const CLASSIC_HTTP =
  `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.000073 0.001048 0.000057 ` +
  `200 200 0 29 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.38.0" - -`;
const CLASSIC_TCP =
  `2015-05-13T23:39:43.945958Z my-loadbalancer 192.168.131.39:2817 10.0.0.1:80 0.001069 0.000028 0.000041 ` +
  `- - 82 305 "- - - " "-" - -`;

describe("alb", () => {
  it("parses the documented HTTP entry into the ECS and aws.elb fields Elastic's integration names", async () => {
    const document = await documentOf(ALB_HTTP, "alb");
    expect(document).toMatchObject({
      "@timestamp": "2018-07-02T22:23:00.186641Z",
      source: { ip: "192.168.131.39", address: "192.168.131.39", port: 2817 },
      destination: { ip: "10.0.0.1", port: 80 },
      http: {
        request: { method: "GET", body: { bytes: 34 } },
        response: { status_code: 200, body: { bytes: 366 } },
        version: "1.1",
      },
      url: { original: "http://www.example.com:80/", scheme: "http", domain: "www.example.com", port: 80, path: "/" },
      user_agent: { original: "curl/7.46.0" },
      trace: { id: "Root=1-58337262-36d228ad5d99923122bbe354" },
      cloud: { provider: "aws", region: "us-east-2", account: { id: "123456789012" } },
      event: {
        kind: "event",
        category: ["web"],
        outcome: "success",
        start: "2018-07-02T22:22:48.364000Z",
        end: "2018-07-02T22:23:00.186641Z",
      },
      aws: {
        elb: {
          type: "http",
          protocol: "http",
          name: "app/my-loadbalancer/50dc6c495c0c9188",
          backend: { ip: "10.0.0.1", port: 80, http: { response: { status_code: 200 } } },
          request_processing_time: { sec: 0 },
          backend_processing_time: { sec: 0.001 },
          response_processing_time: { sec: 0 },
          target_group: { arn: ARN },
          trace_id: "Root=1-58337262-36d228ad5d99923122bbe354",
          matched_rule_priority: "0",
          action_executed: ["forward"],
          target_port: ["10.0.0.1:80"],
          target_status_code: ["200"],
          connection_trace_id: "TID_1234abcd5678ef90",
        },
        s3: { bucket: { name: "acme-aws-logs" } },
      },
    });
    // `-` is absent, never the string; no TLS on an http listener; nothing appended to keep.
    expect(dashValues(document)).toEqual([]);
    expect(document).not.toHaveProperty("tls");
    expect(document).not.toHaveProperty("aws.elb.extra_fields");
    expect(document).not.toHaveProperty("message");
  });

  it("parses 2018's shorter entries: TLS, a redirect, and a failed Lambda target without target fields", async () => {
    const h2 = await documentOf(ALB_H2_2018, "alb");
    expect(h2).toMatchObject({
      tls: { cipher: "ECDHE-RSA-AES128-GCM-SHA256", version: "1.2", version_protocol: "tls" },
      http: { version: "2.0" },
      url: { scheme: "https", domain: "10.0.2.105", port: 773 },
      aws: { elb: { type: "h2", redirect_url: "https://example.com:80/", action_executed: ["redirect"] } },
    });
    expect(dashValues(h2)).toEqual([]);

    const failed = await documentOf(ALB_LAMBDA_FAILED, "alb");
    expect(failed).toMatchObject({
      http: { response: { status_code: 502 } },
      event: { outcome: "failure" },
      aws: { elb: { error: { reason: "LambdaInvalidResponse" } } },
    });
    expect(failed).not.toHaveProperty("destination");
    expect(failed).not.toHaveProperty("aws.elb.backend");
    expect(dashValues(failed)).toEqual([]);
  });

  it("parses a refused request: -1 timings and `-` fields absent, the odd request line kept as AWS wrote it", async () => {
    const document = await documentOf(ALB_REFUSED, "alb");
    expect(document).toMatchObject({
      source: { ip: "198.51.100.158", port: 61084 },
      http: { response: { status_code: 400, body: { bytes: 272 } }, request: { body: { bytes: 0 } } },
      event: { outcome: "failure" },
      url: { original: "http://my-loadbalancer-1234567890.us-east-2.elb.amazonaws.com:80-" },
    });
    expect(document).not.toHaveProperty("aws.elb.request_processing_time");
    expect(document).not.toHaveProperty("aws.elb.matched_rule_priority");
    expect(document).not.toHaveProperty("http.request.method");
    expect(dashValues(document)).toEqual([]);
  });

  it('leaves url.*, the method and the version out of a request AWS could not parse (`"- - - "`), as any absent value', async () => {
    // The ALB's own form for a request line it could not parse, and the same with the spaces AWS trims
    // elsewhere; Classic's TCP and SSL listeners write it for every connection.
    for (const request of ['"- - - "', '"- - -"', '"-"']) {
      const line = ALB_REFUSED.replace(
        '"- http://my-loadbalancer-1234567890.us-east-2.elb.amazonaws.com:80- -"',
        request,
      );
      const document = await documentOf(line, "alb");
      expect(document).toMatchObject({ http: { response: { status_code: 400 } }, event: { outcome: "failure" } });
      expect(document).not.toHaveProperty("url");
      expect(document).not.toHaveProperty("http.request.method");
      expect(document).not.toHaveProperty("http.version");
      expect(dashValues(document)).toEqual([]);
    }
    // A method and version AWS read around a target it could not: only the target is absent.
    const partial = await documentOf(
      ALB_HTTP.replace("GET http://www.example.com:80/ HTTP/1.1", "GET - HTTP/1.1"),
      "alb",
    );
    expect(partial).toMatchObject({ http: { request: { method: "GET" }, version: "1.1" } });
    expect(partial).not.toHaveProperty("url");
  });

  it("keeps fields AWS appends after today's last one, in order, and never fails the line for them", async () => {
    const appended = `${ALB_HTTP} 3.34.116.99 "-" "new-field value"`;
    const document = await documentOf(appended, "alb");
    expect(document).toMatchObject({ http: { response: { status_code: 200 } } });
    expect((document.aws as { elb: Record<string, unknown> }).elb.extra_fields).toEqual([
      "3.34.116.99",
      "-",
      "new-field value",
    ]);
  });

  it("reads an escaped quote inside the user agent as part of it", async () => {
    const line = ALB_HTTP.replace('"curl/7.46.0"', '"Mozilla \\"quoted\\" agent"');
    expect(await documentOf(line, "alb")).toMatchObject({ user_agent: { original: 'Mozilla "quoted" agent' } });
  });

  it("indexes a line that is not an ALB entry once, as text, tagged and counted", async () => {
    const run = await documentsOf(`not an alb line\n${ALB_HTTP}\n`, "alb");
    expect(run.documents).toHaveLength(2);
    expect(run.documents[0]?.source).toMatchObject({ message: "not an alb line", tags: [TAG_PARSE_FAILURE] });
    expect(run.documents[1]?.source).not.toHaveProperty("tags");
    expect(run.linesUnparsed).toBe(1);
  });
});

describe("alb connection logs", () => {
  it("parses the documented successful mutual-TLS connection: client, listener, TLS, certificate, trace id", async () => {
    const document = await documentOf(ALB_CONNECTION_SUCCESS, "alb");
    expect(document).toMatchObject({
      "@timestamp": "2023-10-04T17:05:15.514108Z",
      source: { ip: "203.0.113.1", address: "203.0.113.1", port: 36280 },
      destination: { port: 443 },
      tls: {
        version: "1.2",
        version_protocol: "tls",
        cipher: "ECDHE-RSA-AES128-GCM-SHA256",
        established: true,
        client: {
          subject: "CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US",
          not_before: "2023-09-21T22:43:21Z",
          not_after: "2026-06-17T22:43:21Z",
          x509: {
            serial_number: "FEF257372D5C14D4",
            subject: { distinguished_name: "CN=amazondomains.com,O=endEntity,L=Seattle,ST=Washington,C=US" },
          },
        },
      },
      event: { kind: "event", category: ["network"], type: ["connection"], outcome: "success" },
      aws: {
        elb: {
          tls_handshake_time: { ms: 4036 },
          tls_verify_status: "Success",
          connection_trace_id: "TID_3180a73013c8ca4bac2f731159d4b0fe",
        },
      },
    });
    expect(document).not.toHaveProperty("tags");
    expect(dashValues(document)).toEqual([]);
  });

  it("parses the documented failed connection: the reason code, no handshake time, not established", async () => {
    const document = await documentOf(ALB_CONNECTION_FAILED, "alb");
    expect(document).toMatchObject({
      event: { outcome: "failure" },
      error: { code: "ClientCertUntrusted" },
      tls: { established: false },
      aws: { elb: { tls_verify_status: "Failed:ClientCertUntrusted" } },
    });
    expect(document).not.toHaveProperty("aws.elb.tls_handshake_time");
    expect(dashValues(document)).toEqual([]);
  });

  it("joins its requests: the access entries of a connection carry the same aws.elb.connection_trace_id", async () => {
    const traceId = "TID_3180a73013c8ca4bac2f731159d4b0fe";
    const run = await documentsOf(
      `${ALB_CONNECTION_SUCCESS}\n${ALB_HTTP.replace("TID_1234abcd5678ef90", traceId)}\n`,
      "alb",
    );
    const ids = run.documents.map(
      (document) => (document.source.aws as { elb: Record<string, unknown> }).elb.connection_trace_id,
    );
    expect(ids).toEqual([traceId, traceId]);
    expect(run.linesUnparsed).toBe(0);
  });

  it("reads tls_keyexchange (the 13th field), keeps fields AWS appends later and the entries of a plain listener", async () => {
    const withKeyExchange = `${ALB_CONNECTION_SUCCESS} X25519MLKEM768 new-value`;
    expect(await documentOf(withKeyExchange, "alb")).toMatchObject({
      aws: { elb: { tls_keyexchange: "X25519MLKEM768", extra_fields: ["new-value"] } },
    });
    // An HTTP listener: `-` for every TLS field.
    const plain =
      "2023-10-04T17:05:15.514108Z 203.0.113.1 36280 80 - - - - - - - TID_3180a73013c8ca4bac2f731159d4b0fe -";
    const document = await documentOf(plain, "alb");
    expect(document).toMatchObject({ destination: { port: 80 }, source: { port: 36280 } });
    expect(document).not.toHaveProperty("tls");
    expect(dashValues(document)).toEqual([]);
  });

  it("ships a connection log object by its conn_log_ key under format: aws", async () => {
    const key =
      "AWSLogs/123456789012/elasticloadbalancing/us-east-2/2022/05/01/conn_log_123456789012_elasticloadbalancing_us-east-2_app.my-loadbalancer.1234567890abcdef_20220215T2340Z_172.160.001.192_20sg8hgm.log.gz";
    const run = await documentsOf(`${ALB_CONNECTION_SUCCESS}\n${ALB_CONNECTION_FAILED}\n`, "aws", { context: { key } });
    expect(run.linesUnparsed).toBe(0);
    expect(run.documents.map((document) => document.source.event)).toMatchObject([
      { outcome: "success" },
      { outcome: "failure" },
    ]);
    expect(run.documents[0]?.source).toMatchObject({ cloud: { region: "us-east-2", account: { id: "123456789012" } } });
  });
});

describe("nlb", () => {
  it("parses the documented TLS entry", async () => {
    const document = await documentOf(NLB, "nlb");
    expect(document).toMatchObject({
      "@timestamp": "2018-12-20T02:59:40Z",
      source: { ip: "72.21.218.154", port: 51341, bytes: 98 },
      destination: {
        ip: "172.100.100.185",
        port: 443,
        bytes: 246,
        domain: "my-network-loadbalancer-c6e77e28c25b2234.elb.us-east-2.amazonaws.com",
      },
      tls: { cipher: "ECDHE-RSA-AES128-SHA", version: "1.2", version_protocol: "tls" },
      cloud: { region: "us-east-2", account: { id: "671290407336" } },
      event: { category: ["network"], start: "2018-12-20T02:59:30Z", end: "2018-12-20T02:59:40Z" },
      aws: {
        elb: {
          type: "tls",
          protocol: "tcp",
          listener: "g3d4b5e8bb8464cd",
          connection_time: { ms: 5 },
          tls_handshake_time: { ms: 2 },
          chosen_cert: { arn: "arn:aws:acm:us-east-2:671290407336:certificate/2a108f19-aded-46b0-8493-c63eb1ef4a99" },
        },
      },
    });
    expect(dashValues(document)).toEqual([]);
  });

  it("reads the ALPN fields, the client's preference list as a list", async () => {
    const document = await documentOf(NLB_ALPN, "nlb");
    expect(document).toMatchObject({
      aws: { elb: { alpn_fe_protocol: "h2", alpn_be_protocol: "h2", alpn_client_preference_list: ["h2", "http/1.1"] } },
      event: { start: "2020-04-01T08:51:20Z" },
    });
  });
});

describe("elb (Classic)", () => {
  it("parses the documented HTTP, HTTPS and TCP entries", async () => {
    const http = await documentOf(CLASSIC_HTTP, "elb");
    expect(http).toMatchObject({
      "@timestamp": "2015-05-13T23:39:43.945958Z",
      source: { ip: "192.168.131.39", port: 2817 },
      http: { request: { method: "GET", body: { bytes: 0 } }, response: { status_code: 200, body: { bytes: 29 } } },
      url: { original: "http://www.example.com:80/", path: "/" },
      aws: { elb: { name: "my-loadbalancer", protocol: "http", backend_processing_time: { sec: 0.001048 } } },
      event: { outcome: "success", category: ["web"] },
    });
    expect(dashValues(http)).toEqual([]);

    const https = await documentOf(CLASSIC_HTTPS, "elb");
    expect(https).toMatchObject({ tls: { cipher: "DHE-RSA-AES128-SHA", version: "1.2" } });

    const tcp = await documentOf(CLASSIC_TCP, "elb");
    expect(tcp).toMatchObject({
      source: { bytes: 82 },
      destination: { bytes: 305, ip: "10.0.0.1" },
      event: { category: ["network"] },
      aws: { elb: { protocol: "tcp" } },
    });
    expect(tcp).not.toHaveProperty("http");
    expect(tcp).not.toHaveProperty("url");
    expect(tcp).not.toHaveProperty("event.outcome");
    expect(dashValues(tcp)).toEqual([]);
  });
});
