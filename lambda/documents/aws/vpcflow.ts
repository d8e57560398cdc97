/**
 * VPC flow logs delivered to S3: space-separated fields whose order the object's first line names
 * (the default version 2 format, or any custom format), `-` for a field with no value. Every field
 * AWS documents up to its newest (versions 2 to 8, and `resource-id`, `encryption-status`) is read by
 * name; a field it adds later is kept under `aws.vpcflow` as text. Named by position, a custom format
 * is never mis-parsed the way a fixed token count is (elastic/integrations#8532).
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-log-records.html
 */
import { epochSecondsTime, integerOf, portOf, type ParsedLine } from "./ecs";
import { jsonOf, JsonShape } from "./jsonShape";

const SHAPE = new JsonShape();

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

/** The slots of the fields every flow record may write (jsonShape.ts). */
const SLOT = SHAPE.slotsOf([
  "event.kind",
  "event.start",
  "event.end",
  "event.action",
  "event.category",
  "event.type",
  "event.outcome",
  "source.address",
  "source.ip",
  "source.port",
  "source.packets",
  "source.bytes",
  "destination.address",
  "destination.ip",
  "destination.port",
  "network.iana_number",
  "network.transport",
  "network.packets",
  "network.bytes",
  "network.type",
  "network.direction",
  "related.ip",
  "cloud.provider",
  "cloud.account.id",
  "cloud.instance.id",
  "cloud.region",
  "aws.vpcflow.tcp_flags_array",
]);

/** JSON of the values every accepted or rejected flow writes alike. */
const ACCEPTED = { action: '"accept"', type: '["connection","allowed"]', outcome: '"success"' };
const REJECTED = { action: '"reject"', type: '["connection","denied"]', outcome: '"failure"' };

/** A header compiled once per object: where each field is, and how the others are kept. */
interface FlowPlan {
  names: string[];
  /** The position of each field by name (the first, should a header repeat one). */
  at: Map<string, number>;
  /** Positions of fields that must be whole numbers. */
  numeric: number[];
  /** Fields kept under aws.vpcflow: position, `"name":`, and whether a number. */
  kept: Array<{ at: number; key: string; numeric: boolean }>;
}

function planOf(names: string[]): FlowPlan {
  const at = new Map<string, number>();
  names.forEach((name, index) => {
    if (!at.has(name)) at.set(name, index);
  });
  const kept: FlowPlan["kept"] = [];
  const numeric: number[] = [];
  for (const [name, index] of at) {
    if (NUMERIC.has(name)) numeric.push(index);
    if (IN_ECS.has(name)) continue;
    const key = name.replace(/-/g, "_");
    // A name the shape writes itself (tcp_flags_array) is not repeated from the header.
    if (key === "tcp_flags_array") continue;
    kept.push({ at: index, key: `${JSON.stringify(key)}:`, numeric: NUMERIC.has(name) });
  }
  return { names, at, numeric, kept };
}

const DEFAULT_PLAN = planOf(VPCFLOW_DEFAULT_FIELDS);

export class VpcFlowParser {
  private plan: FlowPlan | undefined;

  /** @param header the field names a continuation carried (the object's first line). */
  constructor(header?: string[]) {
    this.plan = header && header.length > 0 ? planOf(header) : undefined;
  }

  get header(): string[] | undefined {
    return this.plan?.names;
  }

  /** Whether `line` is the object's header (field names, no values), remembering it. */
  readHeader(line: string): boolean {
    if (this.plan !== undefined) return false;
    const names = line.trim().split(/\s+/);
    if (!names.every((name) => /^[a-z][a-z0-9-]*$/.test(name)) || !names.some((name) => KNOWN.has(name))) {
      // A line of values before any header: the object is in the default format.
      this.plan = DEFAULT_PLAN;
      return false;
    }
    this.plan = planOf(names);
    return true;
  }

  parse(line: string): ParsedLine | undefined {
    const plan = this.plan ?? DEFAULT_PLAN;
    // AWS separates by one space; anything else (tabs, runs) is read too, more slowly.
    let values = line.split(" ");
    if (values.length !== plan.names.length) {
      values = line.trim().split(/\s+/);
      if (values.length !== plan.names.length) return undefined;
    }
    for (const index of plan.numeric) {
      const value = values[index] as string;
      if (value !== "-" && integerOf(value) === undefined) return undefined;
    }
    const field = (name: string): string | undefined => {
      const index = plan.at.get(name);
      return index === undefined ? undefined : values[index];
    };
    const document = SHAPE.document();
    const start = epochSecondsTime(field("start"));
    const end = epochSecondsTime(field("end"));
    document.setJson(SLOT["event.kind"], '"event"').setJson(SLOT["cloud.provider"], '"aws"');
    document.set(SLOT["event.start"], start).set(SLOT["event.end"], end);
    const source = field("srcaddr");
    const destination = field("dstaddr");
    document.set(SLOT["source.address"], source).set(SLOT["source.ip"], source);
    document.set(SLOT["source.port"], portOf(field("srcport")));
    document.set(SLOT["destination.address"], destination).set(SLOT["destination.ip"], destination);
    document.set(SLOT["destination.port"], portOf(field("dstport")));
    const protocol = field("protocol");
    document.set(SLOT["network.iana_number"], protocol);
    document.set(SLOT["network.transport"], protocol ? TRANSPORTS[protocol] : undefined);
    const packets = integerOf(field("packets"));
    const bytes = integerOf(field("bytes"));
    document.set(SLOT["source.packets"], packets).set(SLOT["network.packets"], packets);
    document.set(SLOT["source.bytes"], bytes).set(SLOT["network.bytes"], bytes);
    const action = field("action");
    const outcome = action === "ACCEPT" ? ACCEPTED : action === "REJECT" ? REJECTED : undefined;
    if (outcome) {
      document.setJson(SLOT["event.action"], outcome.action).setJson(SLOT["event.category"], '["network"]');
      document.setJson(SLOT["event.type"], outcome.type).setJson(SLOT["event.outcome"], outcome.outcome);
    }
    if (source && source !== "-" && destination && destination !== "-")
      document.set(SLOT["related.ip"], [source, destination]);
    document.set(SLOT["cloud.account.id"], field("account-id"));
    document.set(SLOT["cloud.instance.id"], field("instance-id"));
    document.set(SLOT["cloud.region"], field("region"));
    const type = field("type");
    document.set(SLOT["network.type"], type === undefined || type === "-" ? undefined : type.toLowerCase());
    const direction = field("flow-direction");
    document.set(SLOT["network.direction"], direction === "ingress" || direction === "egress" ? direction : undefined);
    const flags = integerOf(field("tcp-flags"));
    if (flags !== undefined)
      document.set(
        SLOT["aws.vpcflow.tcp_flags_array"],
        TCP_FLAGS.filter(([bit]) => (flags & bit) !== 0).map(([, name]) => name),
      );
    // The other fields as AWS names them, under aws.vpcflow (the header's names are unique in the plan).
    let members = "";
    for (const { at, key, numeric } of plan.kept) {
      const value = values[at] as string;
      if (value === "-" || value === "") continue;
      const json = numeric ? String(integerOf(value)) : jsonOf(value);
      members = members === "" ? `${key}${json}` : `${members},${key}${json}`;
    }
    document.setMembers("aws.vpcflow", members);
    return { document, ...(end || start ? { timestamp: (end ?? start) as string } : {}) };
  }
}
