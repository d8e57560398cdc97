/**
 * The alarms that page people for one producer: anything in the dead-letter queue, a backlog that
 * is getting old, function errors, and — when the producer is expected to write regularly — a
 * silence: no object shipped for that long. All notify the alert topic, on alarm and on recovery.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { METRICS_NAMESPACE, OBJECTS_PROCESSED, producerMetricDimensions } from "../../lambda/contract/metricNames";

export interface ProducerAlarmsArgs {
  /** The `LogShipper` instance: in descriptions, and the service dimension of the function's metrics. */
  instance: string;
  producerName: string;
  queueName: pulumi.Input<string>;
  deadLetterQueueName: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  topicArn: pulumi.Input<string>;
  backlogAgeAlarmSeconds: number;
  /** Alarm when no object was shipped for this long; no silence alarm without it. */
  expectedIntervalMinutes?: number;
}

/** What differs between the alarms; all notify the same topic. */
interface AlarmSpec {
  description: string;
  namespace: "AWS/SQS" | "AWS/Lambda" | typeof METRICS_NAMESPACE;
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic: "Maximum" | "Sum";
  period: number;
  evaluationPeriods: number;
  threshold: number;
  /** Default: something happened (greater than the threshold; no data means nothing did). */
  comparisonOperator?: "GreaterThanThreshold" | "LessThanThreshold";
  treatMissingData?: "notBreaching" | "breaching";
}

export class ProducerAlarms extends pulumi.ComponentResource {
  readonly deadLetterQueueDepth: aws.cloudwatch.MetricAlarm;
  readonly backlogAge: aws.cloudwatch.MetricAlarm;
  readonly functionErrors: aws.cloudwatch.MetricAlarm;
  readonly silence?: aws.cloudwatch.MetricAlarm;

  constructor(name: string, args: ProducerAlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("s3-log-shipper:pipeline:ProducerAlarms", name, {}, opts);
    const alarm = (suffix: string, spec: AlarmSpec): aws.cloudwatch.MetricAlarm =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          alarmDescription: spec.description,
          namespace: spec.namespace,
          metricName: spec.metricName,
          dimensions: spec.dimensions,
          statistic: spec.statistic,
          period: spec.period,
          evaluationPeriods: spec.evaluationPeriods,
          threshold: spec.threshold,
          comparisonOperator: spec.comparisonOperator ?? "GreaterThanThreshold",
          // SQS and Lambda stop reporting when idle: no data means nothing is wrong (except for silence).
          treatMissingData: spec.treatMissingData ?? "notBreaching",
          alarmActions: [args.topicArn],
          okActions: [args.topicArn],
        },
        { parent: this },
      );

    this.deadLetterQueueDepth = alarm("dlq-depth", {
      description: `${args.instance} ${args.producerName}: messages reached the dead-letter queue — logs are not in Elasticsearch. See docs/operating.md "The dead-letter queue".`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: args.deadLetterQueueName },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
    });
    this.backlogAge = alarm("backlog-age", {
      description: `${args.instance} ${args.producerName}: the oldest queued notification is older than ${args.backlogAgeAlarmSeconds} s — the shipper is falling behind or failing.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: args.queueName },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 2,
      threshold: args.backlogAgeAlarmSeconds,
    });
    this.functionErrors = alarm("function-errors", {
      description: `${args.instance} ${args.producerName}: the shipper function failed whole invocations (Elasticsearch down, or a bug); see its log group.`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: args.functionName },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });

    if (args.expectedIntervalMinutes !== undefined) {
      this.silence = alarm("silence", {
        description:
          `${args.instance} ${args.producerName}: no object shipped for ${args.expectedIntervalMinutes} minutes — logs may have stopped arriving. ` +
          `Check the bucket's notification configuration (another tool may have replaced it), that the producer still writes, and under which prefix. See docs/operating.md "Alarms".`,
        namespace: METRICS_NAMESPACE,
        metricName: OBJECTS_PROCESSED,
        dimensions: producerMetricDimensions(args.producerName, args.instance),
        statistic: "Sum",
        period: args.expectedIntervalMinutes * 60,
        evaluationPeriods: 1,
        threshold: 1,
        comparisonOperator: "LessThanThreshold",
        // The function emits nothing while nothing arrives: no data is exactly the silence to report.
        treatMissingData: "breaching",
      });
    }

    this.registerOutputs({
      deadLetterQueueDepth: this.deadLetterQueueDepth.name,
      backlogAge: this.backlogAge.name,
      functionErrors: this.functionErrors.name,
      ...(this.silence ? { silence: this.silence.name } : {}),
    });
  }
}
