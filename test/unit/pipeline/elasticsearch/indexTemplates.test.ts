/** The requests that put a producer's destinations on the cluster: which, in what order, with what retention. */
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests read request bodies by path */
import { describe, expect, it } from "vitest";
import {
  destinationNamesOf,
  indexTemplateBody,
  managedDestinationsOf,
  MANAGED_BY,
  putRequestsOf,
  requestFileName,
  retentionMechanismOf,
  TEMPLATE_PRIORITY,
} from "../../../../pipeline/elasticsearch/indexTemplates";
import { StackConfigError } from "../../../../pipeline/validation/vocabulary";
import { validateConfig } from "../../../../pipeline/validation/config";

const ES = {
  endpoint: "https://es.example.com:443",
  vault: { mount: "secret", path: "logging/es" },
  manageIndices: false,
};

describe("the destinations whose templates a stack puts", () => {
  it("names the integration's data stream of each AWS format, in the producer's namespace", () => {
    expect(destinationNamesOf({ name: "t", format: "cloudtrail", namespace: "prod" })).toEqual([
      "logs-aws.cloudtrail-prod",
    ]);
    expect(destinationNamesOf({ name: "a", format: "nlb", namespace: "default" })).toEqual([
      "logs-aws.elb_logs-default",
    ]);
  });

  it("gives format aws every AWS dataset's stream and the text one, and an explicit index its name alone", () => {
    const names = destinationNamesOf({ name: "x", format: "aws", namespace: "ops" });
    expect(names).toContain("logs-aws.cloudtrail-ops");
    expect(names).toContain("logs-aws.vpcflow-ops");
    expect(names).toContain("logs-aws_logs.generic-ops");
    expect(new Set(names).size).toBe(names.length);
    expect(destinationNamesOf({ name: "x", format: "aws", namespace: "ops", index: "my-logs" })).toEqual(["my-logs"]);
    expect(destinationNamesOf({ name: "app", format: "text", namespace: "default", dataset: "acme.app" })).toEqual([
      "logs-acme.app-default",
    ]);
  });

  it("puts a destination two producers share once, and refuses them two retentions, naming both", () => {
    const shared = managedDestinationsOf([
      { name: "alb", format: "alb", namespace: "default", retentionDays: 90 },
      { name: "nlb", format: "nlb", namespace: "default", retentionDays: 90 },
    ]);
    expect(shared).toEqual({
      destinations: [{ name: "logs-aws.elb_logs-default", dataStream: true, retentionDays: 90 }],
      problems: [],
    });
    const disagree = managedDestinationsOf([
      { name: "alb", format: "alb", namespace: "default", retentionDays: 90 },
      { name: "nlb", format: "nlb", namespace: "default" },
    ]);
    expect(disagree.problems).toEqual([
      expect.stringContaining(
        "producers alb and nlb both write logs-aws.elb_logs-default but give retentionDays 90 and none",
      ),
    ]);
  });

  it("takes retentionDays from defaults or the producer, and the stack config refuses a disagreement or a bad value", () => {
    const config = validateConfig({
      elasticsearch: ES,
      defaults: { retentionDays: 30 },
      producers: [
        { name: "trail", bucket: "acme-trail", format: "cloudtrail" },
        { name: "waf", bucket: "acme-waf", format: "waf", retentionDays: 400 },
      ],
    });
    expect(managedDestinationsOf(config.producers).destinations).toEqual([
      { name: "logs-aws.cloudtrail-default", dataStream: true, retentionDays: 30 },
      { name: "logs-aws.waf-default", dataStream: true, retentionDays: 400 },
    ]);
    const refused = (producers: unknown[]) => {
      try {
        validateConfig({ elasticsearch: ES, producers });
      } catch (error) {
        if (error instanceof StackConfigError) return error.message;
        throw error;
      }
      return "";
    };
    expect(
      refused([
        { name: "alb", bucket: "acme-a", format: "alb", retentionDays: 30 },
        { name: "nlb", bucket: "acme-b", format: "nlb", retentionDays: 60 },
      ]),
    ).toContain("both write logs-aws.elb_logs-default but give retentionDays 30 and 60");
    expect(refused([{ name: "alb", bucket: "acme-a", format: "alb", retentionDays: 0 }])).toMatch(
      /producers\[0\] \(alb\): retentionDays .*1/,
    );
  });
});

describe("the requests that put a destination", () => {
  it("through the data stream lifecycle: one template on the exact stream, above the integration's, keeping its documents retentionDays", () => {
    const [request, ...rest] = putRequestsOf(
      { name: "logs-aws.waf-default", dataStream: true, retentionDays: 90 },
      "lifecycle",
    );
    expect(rest).toEqual([]);
    expect(request?.method).toBe("PUT");
    expect(request?.path).toBe("/_index_template/s3-log-shipper-logs-aws.waf-default");
    const body = request?.body as Record<string, any>;
    expect(body.index_patterns).toEqual(["logs-aws.waf-default"]);
    expect(body.data_stream).toEqual({});
    // Above the built-in logs template (100) and Elastic's AWS integration (200).
    expect(body.priority).toBe(TEMPLATE_PRIORITY);
    expect(TEMPLATE_PRIORITY).toBeGreaterThan(200);
    expect(body.composed_of).toEqual(["logs@settings", "ecs@mappings"]);
    expect(body.ignore_missing_component_templates).toEqual(body.composed_of);
    expect(body.template.lifecycle).toEqual({ data_retention: "90d" });
    // logs@settings names the ILM policy `logs`: without this, ILM would keep managing the stream.
    expect(body.template.settings).toEqual({ "index.lifecycle.prefer_ilm": false });
    expect(body.template.mappings.properties.source.properties.ip).toEqual({ type: "ip" });
    expect(
      body.template.mappings.properties.aws.properties.cloudtrail.properties.flattened.properties.request_parameters,
    ).toEqual({
      type: "flattened",
    });
    expect(body._meta.managed_by).toBe(MANAGED_BY);
  });

  it("without retentionDays, sets no lifecycle and leaves the cluster's policy in force", () => {
    const [request] = putRequestsOf({ name: "logs-aws.waf-default", dataStream: true }, "lifecycle");
    const body = request?.body as Record<string, any>;
    expect(body.template.lifecycle).toBeUndefined();
    expect(body.template.settings).toBeUndefined();
    expect(putRequestsOf({ name: "logs-aws.waf-default", dataStream: true }, "ilm")).toHaveLength(1);
  });

  it("through ILM before 8.14: its policy first, deleting after retentionDays, then the template naming it", () => {
    const [policy, template] = putRequestsOf(
      { name: "logs-aws.waf-default", dataStream: true, retentionDays: 7 },
      "ilm",
    );
    expect(policy?.path).toBe("/_ilm/policy/s3-log-shipper-logs-aws.waf-default");
    const phases = (policy?.body as Record<string, any>).policy.phases;
    expect(phases.delete).toEqual({ min_age: "7d", actions: { delete: {} } });
    expect(phases.hot.actions.rollover).toBeDefined();
    const body = template?.body as Record<string, any>;
    expect(body.template.settings).toEqual({ "index.lifecycle.name": "s3-log-shipper-logs-aws.waf-default" });
    expect(body.template.lifecycle).toBeUndefined();
  });

  it("chooses the mechanism by the cluster's version", () => {
    expect(retentionMechanismOf("7.17.25")).toBe("ilm");
    expect(retentionMechanismOf("8.13.4")).toBe("ilm");
    expect(retentionMechanismOf("8.14.0")).toBe("lifecycle");
    expect(retentionMechanismOf("8.19.21")).toBe("lifecycle");
    expect(retentionMechanismOf("9.2.4")).toBe("lifecycle");
  });

  it("names request files by their order, method and path", () => {
    expect(requestFileName(0, { method: "PUT", path: "/_ilm/policy/s3-log-shipper-logs-x-default" })).toBe(
      "001-PUT-_ilm-policy-s3-log-shipper-logs-x-default.json",
    );
  });

  it("makes plain indices' templates, for the tiers that write to a pattern, with the same mappings", () => {
    const pattern = indexTemplateBody(["bench-*"], { dataStream: false, mechanism: "lifecycle" });
    const stream = putRequestsOf({ name: "logs-aws.waf-default", dataStream: true }, "lifecycle")[0]?.body as Record<
      string,
      any
    >;
    expect(pattern.data_stream).toBeUndefined();
    expect((pattern.template as Record<string, unknown>).mappings).toEqual(stream.template.mappings);
  });
});
