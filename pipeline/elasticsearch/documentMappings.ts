/**
 * How the documents this shipper writes are typed: as Elastic Common Schema types them (strings are
 * keywords, addresses `ip` so `source.ip` answers a CIDR query, `message` full text, `event.original`
 * stored only), plus the fields no generic rule types right (times by name, CloudTrail's and WAF's
 * open-ended members as `flattened`, CloudTrail's members the rules match as text). The index
 * templates `pulumi up` puts (indexTemplates.ts), the integration tier and the benchmark use these
 * alone, so a test's documents are typed as a user's cluster types them.
 *
 * What must hold whatever else the cluster composes (Elastic's `ecs@mappings`, whose dynamic
 * templates come before these: a dynamic template's first match wins) is an explicit property.
 */
import type { estypes } from "@elastic/elasticsearch";

/** Strings and addresses, by name or JSON type, wherever they appear. */
export const ECS_DYNAMIC_TEMPLATES: Array<Record<string, estypes.MappingDynamicTemplate>> = [
  // CloudTrail's open-ended members kept under names of their own (a member AWS adds later).
  { cloudtrail_flattened: { path_match: "aws.cloudtrail.flattened.*", mapping: { type: "flattened" } } },
  { ip: { match: "ip", match_mapping_type: "string", mapping: { type: "ip" } } },
  { strings: { match_mapping_type: "string", mapping: { type: "keyword", ignore_above: 1024 } } },
];

/** Whatever the API put in it, in one field: no mapped field per member, header or rule. */
const FLATTENED: estypes.MappingProperty = { type: "flattened" };
/** CloudTrail's members as text, matched by substring (keyword) and by words (text), as Elastic's integration maps them. */
const MATCHED_TEXT: estypes.MappingProperty = {
  type: "keyword",
  ignore_above: 8191,
  fields: { text: { type: "text" } },
};
const DATE: estypes.MappingProperty = { type: "date" };
const IP: estypes.MappingProperty = { type: "ip" };

/**
 * Fields typed by name rather than guessed from a first value: the times (date detection is off, so
 * a string that once looked like a date — CloudTrail's `apiVersion` `2016-02-16` — does not make the
 * field a date that refuses `v20160216` later), and CloudTrail's members whose records disagree on
 * the type (`managementEvent` `true` and `"True"`), as Elastic's integration types them.
 */
export const ECS_PROPERTIES: Record<string, estypes.MappingProperty> = {
  "@timestamp": DATE,
  message: { type: "text" },
  event: {
    properties: {
      start: DATE,
      end: DATE,
      ingested: DATE,
      created: DATE,
      original: { type: "keyword", index: false, doc_values: false },
    },
  },
  source: { properties: { ip: IP } },
  destination: { properties: { ip: IP } },
  client: { properties: { ip: IP } },
  server: { properties: { ip: IP } },
  network: { properties: { forwarded_ip: IP } },
  tls: {
    properties: {
      client: {
        properties: {
          not_before: DATE,
          not_after: DATE,
          x509: { properties: { not_before: DATE, not_after: DATE } },
        },
      },
    },
  },
  aws: {
    properties: {
      cloudtrail: {
        properties: {
          request_parameters: MATCHED_TEXT,
          response_elements: MATCHED_TEXT,
          additional_eventdata: MATCHED_TEXT,
          service_event_details: MATCHED_TEXT,
          flattened: {
            properties: {
              request_parameters: FLATTENED,
              response_elements: FLATTENED,
              additional_eventdata: FLATTENED,
              service_event_details: FLATTENED,
              insight_details: FLATTENED,
              unmapped: FLATTENED,
            },
          },
          api_version: { type: "keyword" },
          management_event: { type: "keyword" },
          read_only: { type: "boolean" },
          event_version: { type: "keyword" },
          session_credential_from_console: { type: "keyword" },
          user_identity: {
            properties: {
              session_context: {
                properties: { creation_date: DATE, mfa_authenticated: { type: "keyword" } },
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
          request: { properties: { headers: FLATTENED } },
          request_headers_inserted: FLATTENED,
          rule_group_list: FLATTENED,
          rate_based_rule_list: FLATTENED,
          non_terminating_matching_rules: FLATTENED,
          terminating_rule_match_details: FLATTENED,
          captcha_response: { properties: { solve_timestamp: DATE } },
          challenge_response: { properties: { solve_timestamp: DATE } },
        },
      },
    },
  },
};
