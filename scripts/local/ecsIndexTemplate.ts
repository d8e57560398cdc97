/**
 * An index template that types documents as Elastic Common Schema does, for clusters without
 * Elastic's `ecs@mappings` (the integration tier's test distribution has none): strings are
 * keywords, addresses are `ip` (so `source.ip` answers a CIDR query), `message` is full text and
 * `event.original` is stored only. The integration tier and the benchmark's end-to-end runs use it,
 * so parsed and text documents are indexed the way a user's ECS cluster indexes them; the README
 * points to it as an example for other clusters.
 */
import type { Client, estypes } from "@elastic/elasticsearch";

export const ECS_DYNAMIC_TEMPLATES: Array<Record<string, estypes.MappingDynamicTemplate>> = [
  { message: { path_match: "message", mapping: { type: "text" } } },
  // CloudTrail's open-ended members: one flattened field each, whatever the API put in them (aws/cloudtrail.ts).
  { cloudtrail_flattened: { path_match: "aws.cloudtrail.flattened.*", mapping: { type: "flattened" } } },
  // Their text form, matched by substring (keyword) and by words (text), as Elastic's integration maps it.
  {
    cloudtrail_text: {
      path_match: [
        "aws.cloudtrail.request_parameters",
        "aws.cloudtrail.response_elements",
        "aws.cloudtrail.additional_eventdata",
        "aws.cloudtrail.service_event_details",
      ],
      mapping: { type: "keyword", ignore_above: 8191, fields: { text: { type: "text" } } },
    },
  },
  // WAF's headers (any names) and rule lists: flattened, so they add no field per header or rule.
  {
    waf_flattened: {
      path_match: [
        "aws.waf.request.headers",
        "aws.waf.request_headers_inserted",
        "aws.waf.rule_group_list",
        "aws.waf.rate_based_rule_list",
        "aws.waf.non_terminating_matching_rules",
        "aws.waf.terminating_rule_match_details",
      ],
      mapping: { type: "flattened" },
    },
  },
  { original: { path_match: "event.original", mapping: { type: "keyword", index: false, doc_values: false } } },
  { ip: { match: "ip", match_mapping_type: "string", mapping: { type: "ip" } } },
  { forwarded_ip: { path_match: "network.forwarded_ip", mapping: { type: "ip" } } },
  { strings: { match_mapping_type: "string", mapping: { type: "keyword", ignore_above: 1024 } } },
];

/**
 * Fields typed by name rather than guessed from a first value: the times (date detection is off, so
 * a string that once looked like a date — CloudTrail's `apiVersion` `2016-02-16` — does not make the
 * field a date that refuses `v20160216` later), and CloudTrail's members whose records disagree on
 * the type (`managementEvent` `true` and `"True"`), as Elastic's integration types them.
 */
export const ECS_PROPERTIES: Record<string, estypes.MappingProperty> = {
  "@timestamp": { type: "date" },
  event: {
    properties: {
      start: { type: "date" },
      end: { type: "date" },
      ingested: { type: "date" },
      created: { type: "date" },
    },
  },
  tls: {
    properties: {
      client: {
        properties: {
          not_before: { type: "date" },
          not_after: { type: "date" },
          x509: { properties: { not_before: { type: "date" }, not_after: { type: "date" } } },
        },
      },
    },
  },
  aws: {
    properties: {
      cloudtrail: {
        properties: {
          api_version: { type: "keyword" },
          management_event: { type: "keyword" },
          read_only: { type: "boolean" },
          event_version: { type: "keyword" },
          session_credential_from_console: { type: "keyword" },
          user_identity: {
            properties: {
              session_context: {
                properties: { creation_date: { type: "date" }, mfa_authenticated: { type: "keyword" } },
              },
            },
          },
          console_login: {
            properties: {
              additional_eventdata: {
                properties: { mobile_version: { type: "boolean" }, mfa_used: { type: "boolean" } },
              },
            },
          },
        },
      },
      waf: {
        properties: {
          captcha_response: { properties: { solve_timestamp: { type: "date" } } },
          challenge_response: { properties: { solve_timestamp: { type: "date" } } },
        },
      },
    },
  },
};

/** Puts the template for indices matching `pattern` (before they are created). */
export async function putEcsIndexTemplate(client: Client, pattern: string): Promise<void> {
  await client.indices.putIndexTemplate({
    name: `ecs-${pattern.replace(/[^a-z0-9-]/g, "all")}`,
    index_patterns: [pattern],
    // Above the default priority 0 of any other template on the same pattern (an older run's, a user's).
    priority: 200,
    template: {
      mappings: { date_detection: false, dynamic_templates: ECS_DYNAMIC_TEMPLATES, properties: ECS_PROPERTIES },
    },
  });
}
