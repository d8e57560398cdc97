/**
 * `s3ls status`: per producer, the queue (visible, in flight, delayed), the dead-letter queue, the
 * age of the oldest message, the alarms and, for an `eventbridge` producer, the bucket's EventBridge
 * switch. Anything that needs attention makes the exit code 1; what the operator may not read is
 * listed with "?" and does not.
 */
import { DescribeAlarmsCommand, GetMetricStatisticsCommand, type CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import type { Command } from "commander";
import { EXIT } from "../errors";
import { selectProducers } from "../stackOutputs";
import type { CommandContext, StackFlags } from "./command";
import type { OperatorClients } from "../awsClients";
import { queueDepth, type QueueDepth } from "../queues";
import { eventBridgeSwitch } from "../notificationSource";
import type { ProducerOutputs } from "../stackOutputs";

export interface ProducerStatus {
  producer: string;
  queue: QueueDepth;
  deadLetterQueue: QueueDepth;
  /** Seconds, from CloudWatch's ApproximateAgeOfOldestMessage over the last 10 minutes; null when it has no data. */
  oldestMessageAgeSeconds: number | null;
  alarms: Array<{ name: string; state: string }>;
  /** What needs attention, in words; empty when all is well. */
  attention: string[];
  /** What could not be checked with the operator's credentials (not a problem of the pipeline, not "ok" either). */
  unchecked: string[];
}

export async function producerStatus(
  clients: OperatorClients,
  producer: ProducerOutputs,
  now = new Date(),
): Promise<ProducerStatus> {
  const [queue, deadLetterQueue, oldestMessageAgeSeconds, alarms, source] = await Promise.all([
    queueDepth(clients.sqs, producer.queueUrl),
    queueDepth(clients.sqs, producer.deadLetterQueueUrl),
    oldestMessageAge(clients.cloudwatch, queueName(producer.queueUrl), now),
    alarmStates(clients.cloudwatch, producer.alarmNames),
    eventBridgeSwitch(clients.s3, producer),
  ]);
  const attention: string[] = [];
  const unchecked: string[] = [];
  if (source?.verdict === "problem") attention.push(source.detail);
  if (source?.verdict === "unchecked") unchecked.push(source.detail);
  const dead = deadLetterQueue.visible + deadLetterQueue.inFlight + deadLetterQueue.delayed;
  if (dead > 0)
    attention.push(`${dead} message(s) in the dead-letter queue: s3ls dlq list --producer ${producer.name}`);
  for (const alarm of alarms) {
    if (alarm.state === "ALARM") attention.push(`alarm ${alarm.name} is firing`);
    if (alarm.state === "MISSING")
      attention.push(`alarm ${alarm.name} does not exist (deleted by hand? pulumi up restores it)`);
  }
  return { producer: producer.name, queue, deadLetterQueue, oldestMessageAgeSeconds, alarms, attention, unchecked };
}

function queueName(queueUrl: string): string {
  return queueUrl.slice(queueUrl.lastIndexOf("/") + 1);
}

async function oldestMessageAge(cloudwatch: CloudWatchClient, queue: string, now: Date): Promise<number | null> {
  const { Datapoints: points = [] } = await cloudwatch.send(
    new GetMetricStatisticsCommand({
      Namespace: "AWS/SQS",
      MetricName: "ApproximateAgeOfOldestMessage",
      Dimensions: [{ Name: "QueueName", Value: queue }],
      StartTime: new Date(now.getTime() - 10 * 60_000),
      EndTime: now,
      Period: 60,
      Statistics: ["Maximum"],
    }),
  );
  const latest = points
    .filter((point) => point.Timestamp)
    .sort((a, b) => (b.Timestamp?.getTime() ?? 0) - (a.Timestamp?.getTime() ?? 0))[0];
  return latest?.Maximum ?? null;
}

async function alarmStates(
  cloudwatch: CloudWatchClient,
  names: string[],
): Promise<Array<{ name: string; state: string }>> {
  if (names.length === 0) return [];
  const { MetricAlarms: alarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names }));
  return names.map((name) => ({
    name,
    state: alarms.find((alarm) => alarm.AlarmName === name)?.StateValue ?? "MISSING",
  }));
}

/** The status as a table, one producer per block; what needs attention is marked with "!". */
export function formatStatus(statuses: ProducerStatus[]): string {
  const lines: string[] = [];
  for (const status of statuses) {
    const { queue, deadLetterQueue: dlq } = status;
    const age = status.oldestMessageAgeSeconds === null ? "no data" : `${Math.round(status.oldestMessageAgeSeconds)} s`;
    lines.push(`${status.attention.length > 0 ? "!" : " "} ${status.producer}`);
    lines.push(
      `    queue        ${queue.visible} visible, ${queue.inFlight} in flight, ${queue.delayed} delayed; oldest message: ${age}`,
    );
    lines.push(`    dead letters ${dlq.visible + dlq.inFlight + dlq.delayed}`);
    lines.push(`    alarms       ${status.alarms.map((alarm) => `${alarm.name} ${alarm.state}`).join(", ") || "none"}`);
    for (const problem of status.attention) lines.push(`    ! ${problem}`);
    for (const gap of status.unchecked) lines.push(`    ? ${gap}`);
  }
  const troubled = statuses.filter((status) => status.attention.length > 0).length;
  lines.push(
    "",
    troubled === 0
      ? `all ${statuses.length} producer(s) fine`
      : `${troubled} of ${statuses.length} producer(s) need attention`,
  );
  return `${lines.join("\n")}\n`;
}

export function registerStatus(program: Command, context: CommandContext): void {
  context
    .withStack(
      program
        .command("status")
        .description(
          "per producer: queue, dead-letter queue, oldest message, alarms, the bucket's EventBridge switch; exit 1 when something needs attention",
        ),
    )
    .option("--producer <name>", "only this producer")
    .action(async (flags: StackFlags & { producer?: string }) => {
      const { outputs, clients } = await context.stackOf(flags);
      const statuses = await Promise.all(
        selectProducers(outputs, flags.producer).map((producer) => producerStatus(clients, producer)),
      );
      context.print(flags, { producers: statuses }, formatStatus(statuses));
      if (statuses.some((status) => status.attention.length > 0)) context.exitWith(EXIT.attention);
    });
}
