import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Stats, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ConstructPropsError } from '../errors.js';
import type { EncryptionKey } from './encryption-key.js';

export interface BatchAlarmsProps {
  /** Encrypts the alarm topic; CloudWatch is allowed to use it. */
  readonly encryptionKey: EncryptionKey;
  /** The FIFO request queue: the age of its oldest message says the launcher is stuck. */
  readonly requestQueue: IQueue;
  /** Every dead-letter queue: one message in any of them is a request nobody launched. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** The functions whose errors and throttles page someone, by name. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** Age of the oldest queued request that raises the alarm. */
  readonly oldestMessageAge: Duration;
  /**
   * Subscribed to the topic; omit to subscribe later (a pager integration, chat).
   * @default - no subscription
   */
  readonly email?: string;
}

/**
 * The alarms of DESIGN "Flow" on one encrypted SNS topic: any message in a DLQ,
 * requests waiting too long, and errors or throttles of every function. Each
 * alarm also notifies when it recovers, so nobody has to check.
 */
export class BatchAlarms extends Construct {
  public readonly topic: Topic;
  /** The alarms by what they watch (`dlq:<name>`, `oldest-request-age`, `errors:<fn>`, `throttles:<fn>`). */
  public readonly alarms: ReadonlyMap<string, Alarm>;

  constructor(scope: Construct, id: string, props: BatchAlarmsProps) {
    super(scope, id);
    const ageSeconds = props.oldestMessageAge.toSeconds();
    if (ageSeconds < 60) {
      throw new ConstructPropsError(
        `BatchAlarms ${this.node.path}`,
        `oldestMessageAge ${ageSeconds}s is under a minute: SQS publishes the metric once a minute, use 60 s or more`,
      );
    }
    props.encryptionKey.allowCloudWatchAlarms();
    this.topic = new Topic(this, 'Topic', {
      displayName: 'ecs-batch-launcher alarms',
      masterKey: props.encryptionKey.key,
      enforceSSL: true,
    });
    if (props.email !== undefined) this.topic.addSubscription(new EmailSubscription(props.email));

    const alarms = new Map<string, Alarm>();
    const add = (key: string, id: string, metric: IMetric, threshold: number, description: string) => {
      const alarm = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      alarm.addAlarmAction(new SnsAction(this.topic));
      alarm.addOkAction(new SnsAction(this.topic));
      alarms.set(key, alarm);
    };

    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      add(
        `dlq:${name}`,
        `${pascal(name)}Visible`,
        queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(1),
          statistic: Stats.MAXIMUM,
        }),
        0,
        `${name} holds messages that were not launched or not delivered: triage with docs/runbook.md (its reasons are in the messages' attributes), fix, then redrive`,
      );
    }
    add(
      'oldest-request-age',
      'OldestRequestAge',
      props.requestQueue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: Stats.MAXIMUM,
      }),
      ageSeconds,
      `A request has waited more than ${ageSeconds}s in the FIFO queue: the launcher is failing, throttled or a message group is blocked`,
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      add(
        `errors:${name}`,
        `${pascal(name)}Errors`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: Stats.SUM }),
        0,
        `${name} failed invocations: see its log group`,
      );
      add(
        `throttles:${name}`,
        `${pascal(name)}Throttles`,
        fn.metricThrottles({ period: Duration.minutes(5), statistic: Stats.SUM }),
        0,
        `${name} was throttled: the account's concurrency is exhausted`,
      );
    }
    this.alarms = alarms;
  }
}

/** `launch-batch` → `LaunchBatch`, for construct ids. */
function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
