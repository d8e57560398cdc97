/**
 * The alarms that page people for one producer: anything in the dead-letter queue, a backlog that
 * is getting old, and function errors. All notify the alert topic, on alarm and on recovery.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ProducerAlarmsArgs {
  producerName: string;
  queueName: pulumi.Input<string>;
  deadLetterQueueName: pulumi.Input<string>;
  functionName: pulumi.Input<string>;
  topicArn: pulumi.Input<string>;
  backlogAgeAlarmSeconds: number;
}

/** What differs between the three alarms; all compare "greater than" and notify the same topic. */
interface AlarmSpec {
  description: string;
  namespace: "AWS/SQS" | "AWS/Lambda";
  metricName: string;
  dimensions: Record<string, pulumi.Input<string>>;
  statistic: "Maximum" | "Sum";
  period: number;
  evaluationPeriods: number;
  threshold: number;
}

export class ProducerAlarms extends pulumi.ComponentResource {
  readonly deadLetterQueueDepth: aws.cloudwatch.MetricAlarm;
  readonly backlogAge: aws.cloudwatch.MetricAlarm;
  readonly functionErrors: aws.cloudwatch.MetricAlarm;

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
          comparisonOperator: "GreaterThanThreshold",
          // SQS and Lambda stop reporting when idle: no data means nothing is wrong.
          treatMissingData: "notBreaching",
          alarmActions: [args.topicArn],
          okActions: [args.topicArn],
        },
        { parent: this },
      );

    this.deadLetterQueueDepth = alarm("dlq-depth", {
      description: `s3-log-shipper ${args.producerName}: messages reached the dead-letter queue — logs are not in Elasticsearch. See README "Operating the DLQ".`,
      namespace: "AWS/SQS",
      metricName: "ApproximateNumberOfMessagesVisible",
      dimensions: { QueueName: args.deadLetterQueueName },
      statistic: "Maximum",
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
    });
    this.backlogAge = alarm("backlog-age", {
      description: `s3-log-shipper ${args.producerName}: the oldest queued notification is older than ${args.backlogAgeAlarmSeconds} s — the shipper is falling behind or failing.`,
      namespace: "AWS/SQS",
      metricName: "ApproximateAgeOfOldestMessage",
      dimensions: { QueueName: args.queueName },
      statistic: "Maximum",
      period: 300,
      evaluationPeriods: 2,
      threshold: args.backlogAgeAlarmSeconds,
    });
    this.functionErrors = alarm("function-errors", {
      description: `s3-log-shipper ${args.producerName}: the shipper function failed whole invocations (Elasticsearch down, or a bug); see its log group.`,
      namespace: "AWS/Lambda",
      metricName: "Errors",
      dimensions: { FunctionName: args.functionName },
      statistic: "Sum",
      period: 300,
      evaluationPeriods: 1,
      threshold: 0,
    });

    this.registerOutputs({
      deadLetterQueueDepth: this.deadLetterQueueDepth.name,
      backlogAge: this.backlogAge.name,
      functionErrors: this.functionErrors.name,
    });
  }
}
