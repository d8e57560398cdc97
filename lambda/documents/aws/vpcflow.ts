/**
 * VPC flow logs delivered to S3: space-separated fields whose order the object's first line names
 * (the default version 2 format, or any custom format), `-` for a field with no value. Every field
 * AWS documents up to its newest (versions 2 to 8, and `resource-id`, `encryption-status`) is read by
 * name; a field it adds later is kept under `aws.vpcflow` as text. Named by position, a custom format
 * is never mis-parsed the way a fixed token count is (elastic/integrations#8532).
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 */
import { EcsDocument, epochSecondsTime, integerOf, portOf, type ParsedFields } from "./ecs";

/** The default format's fields (version 2), for an object whose header was not read. */
export const VPCFLOW_DEFAULT_FIELDS = [
  "version",
  "account-id",
  "interface-id",
  "srcaddr",
  "dstaddr",
  "srcport",
  "dstport",
  "protocol",
  "packets",
  "bytes",
  "start",
  "end",
  "action",
  "log-status",
];

/** IANA protocol numbers as ECS's `network.transport`. */
const TRANSPORTS: Record<string, string> = {
  "1": "icmp",
  "6": "tcp",
  "17": "udp",
  "47": "gre",
  "50": "esp",
  "58": "ipv6-icmp",
};

/** TCP flags as the flow log's bit field sums them (FIN, SYN, RST, PSH, ACK, URG). */
const TCP_FLAGS: Array<[number, string]> = [
  [1, "fin"],
  [2, "syn"],
  [4, "rst"],
  [8, "psh"],
  [16, "ack"],
  [32, "urg"],
];

/** Fields that are numbers (the rest are identifiers, kept as text). */
const NUMERIC = new Set([
  "srcport",
  "dstport",
  "packets",
  "bytes",
  "start",
  "end",
  "tcp-flags",
  "traffic-path",
  "sublocation-id",
  "reject-reason",
]);

export class VpcFlowParser {
  private fields: string[] | undefined;

  /** @param header the field names a continuation carried (the object's first line). */
  constructor(header?: string[]) {
    this.fields = header && header.length > 0 ? header : undefined;
  }

  get header(): string[] | undefined {
    return this.fields;
  }

  /** Whether `line` is the object's header (field names, no values), remembering it. */
  readHeader(line: string): boolean {
    if (this.fields !== undefined) return false;
    const names = line.trim().split(/\s+/);
    if (!names.every((name) => /^[a-z][a-z0-9-]*$/.test(name)) || !names.some((name) => KNOWN.has(name))) {
      // A line of values before any header: the object is in the default format.
      this.fields = VPCFLOW_DEFAULT_FIELDS;
      return false;
    }
    this.fields = names;
    return true;
  }

  parse(line: string): ParsedFields | undefined {
    const fields = this.fields ?? VPCFLOW_DEFAULT_FIELDS;
    const values = line.trim().split(/\s+/);
    if (values.length !== fields.length) return undefined;
    const named = new Map<string, string>();
    fields.forEach((name, index) => named.set(name, values[index] as string));
    for (const name of NUMERIC) {
      const value = named.get(name);
      if (value !== undefined && value !== "-" && integerOf(value) === undefined) return undefined;
    }
    const document = new EcsDocument();
    const start = epochSecondsTime(named.get("start"));
    const end = epochSecondsTime(named.get("end"));
    document.put("event.kind", "event").put("cloud.provider", "aws");
    document.put("event.start", start).put("event.end", end);
    document.put("source.address", named.get("srcaddr")).put("source.ip", named.get("srcaddr"));
    document.put("source.port", portOf(named.get("srcport")));
    document.put("destination.address", named.get("dstaddr")).put("destination.ip", named.get("dstaddr"));
    document.put("destination.port", portOf(named.get("dstport")));
    const protocol = named.get("protocol");
    document.put("network.iana_number", protocol).put("network.transport", protocol ? TRANSPORTS[protocol] : undefined);
    const packets = integerOf(named.get("packets"));
    const bytes = integerOf(named.get("bytes"));
    document.put("source.packets", packets).put("network.packets", packets);
    document.put("source.bytes", bytes).put("network.bytes", bytes);
    const action = named.get("action");
    if (action === "ACCEPT" || action === "REJECT") {
      document.put("event.action", action.toLowerCase());
      document.put("event.category", ["network"]);
      document.put("event.type", ["connection", action === "ACCEPT" ? "allowed" : "denied"]);
      document.put("event.outcome", action === "ACCEPT" ? "success" : "failure");
    }
    const source = named.get("srcaddr");
    const destination = named.get("dstaddr");
    if (source && source !== "-" && destination && destination !== "-")
      document.put("related.ip", [source, destination]);
    document.put("cloud.account.id", named.get("account-id"));
    document.put("cloud.instance.id", named.get("instance-id"));
    document.put("cloud.region", named.get("region"));
    const type = named.get("type");
    document.put("network.type", type === undefined || type === "-" ? undefined : type.toLowerCase());
    const direction = named.get("flow-direction");
    document.put("network.direction", direction === "ingress" || direction === "egress" ? direction : undefined);
    const flags = integerOf(named.get("tcp-flags"));
    if (flags !== undefined)
      document.put(
        "aws.vpcflow.tcp_flags_array",
        TCP_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name),
      );
    for (const [name, value] of named) {
      if (value === "-" || IN_ECS.has(name)) continue;
      document.put(`aws.vpcflow.${name.replace(/-/g, "_")}`, NUMERIC.has(name) ? integerOf(value) : value);
    }
    return { fields: document.fields, timestamp: end ?? start };
  }
}

/**
 * Fields that are ECS fields above, and not repeated under `aws.vpcflow` (as Elastic's integration
 * does; it keeps `account_id`, `instance_id` and `action` there as well as in ECS, and so does this).
 */
const IN_ECS = new Set(["srcaddr", "dstaddr", "srcport", "dstport", "protocol", "packets", "bytes", "start", "end"]);

/** Every field AWS documents (to tell a header from a line of values). */
const KNOWN = new Set([
  ...VPCFLOW_DEFAULT_FIELDS,
  "vpc-id",
  "subnet-id",
  "instance-id",
  "tcp-flags",
  "type",
  "pkt-srcaddr",
  "pkt-dstaddr",
  "region",
  "az-id",
  "sublocation-type",
  "sublocation-id",
  "pkt-src-aws-service",
  "pkt-dst-aws-service",
  "flow-direction",
  "traffic-path",
  "ecs-cluster-arn",
  "ecs-cluster-name",
  "ecs-container-instance-arn",
  "ecs-container-instance-id",
  "ecs-container-id",
  "ecs-second-container-id",
  "ecs-service-name",
  "ecs-task-definition-arn",
  "ecs-task-arn",
  "ecs-task-id",
  "reject-reason",
  "resource-id",
  "encryption-status",
]);
