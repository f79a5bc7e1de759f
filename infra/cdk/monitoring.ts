import { Aws, Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { FunctionName } from './functions.ts';
import type { TargetQueues } from './queues.ts';
import type { ResolvedAws } from './settings.ts';

export interface MonitoringProps {
  deployment: string;
  key: kms.IKey;
  aws: ResolvedAws;
  api: apigwv2.HttpApi;
  queues: TargetQueues[];
  functions: Map<FunctionName, lambda.IFunction>;
  /** The archive delivery function's logs, where a delivery with no receipt by its deadline is logged (Fiks IO) */
  receiptOverdueLogs?: logs.ILogGroup | undefined;
}

const PERIOD = Duration.minutes(1);
/**
 * A condition must hold in 3 of the last 5 minutes before it alarms: a single blip (one timed-out invocation, one
 * throttled burst, one slow minute) does not wake anyone. A dead letter is no blip (a delivery is FAILED and needs a
 * person), so it alarms at once.
 */
export const EVALUATION_PERIODS = 5;
export const DATAPOINTS_TO_ALARM = 3;

/**
 * Alarms to the operators' SNS topic (dead letters, deliveries that pile up, function errors and throttles,
 * server errors at the API) and one dashboard per stack.
 */
export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly compositeAlarms: cloudwatch.CompositeAlarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { deployment, aws } = props;
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `skjemaflyt-${deployment}-alarms`,
      displayName: `Skjemaflyt ${deployment}: alarms`,
      masterKey: props.key,
      enforceSSL: true,
    });
    // The topic's own policy replaces SNS's default one: without this, CloudWatch may not publish and no alarm is
    // ever sent. Only this account's alarms may.
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
        },
      }),
    );
    for (const email of aws.alarmEmails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (
      name: string,
      description: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      options: { atOnce?: boolean; silent?: boolean } = {},
    ) => {
      const created = new cloudwatch.Alarm(this, name, {
        alarmName: `skjemaflyt-${deployment}-${name}`,
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: options.atOnce ? 1 : EVALUATION_PERIODS,
        datapointsToAlarm: options.atOnce ? 1 : DATAPOINTS_TO_ALARM,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      // A part of a composite alarm tells nobody by itself: the composite does, once.
      if (!options.silent) {
        created.addAlarmAction(notify);
        created.addOkAction(notify);
      }
      this.alarms.push(created);
      return created;
    };

    for (const { plan, queue, deadLetterQueue } of props.queues) {
      // One outage of a target shows as deliveries waiting and then as dead letters: one composite alarm per target
      // tells the operators once, with both conditions as its parts.
      // The dead-letter function takes each dead letter at once (the delivery becomes FAILED), so the queue is
      // usually empty again: count what arrived as well as what waits.
      const deadLetters = alarm(
        `${plan.targetId}-dead-letters`,
        `Deliveries to ${plan.targetId} gave up after ${plan.settings.maxAttempts} attempts and are FAILED: ` +
          'see the admin console (status FAILED), fix the cause, retry.',
        new cloudwatch.MathExpression({
          expression: 'arrived + waiting',
          label: 'dead letters',
          period: PERIOD,
          usingMetrics: {
            arrived: deadLetterQueue.metricNumberOfMessagesReceived({ period: PERIOD, statistic: 'Sum' }),
            waiting: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: PERIOD, statistic: 'Maximum' }),
          },
        }),
        1,
        { atOnce: true, silent: true },
      );
      const oldest = alarm(
        `${plan.targetId}-oldest-message`,
        `A delivery to ${plan.targetId} has waited more than ${aws.oldestMessageAgeSeconds / 60} minutes: the target ` +
          'is down or slow, or the delivery function fails.',
        queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
        aws.oldestMessageAgeSeconds,
        { silent: true },
      );
      const failing = new cloudwatch.CompositeAlarm(this, `${plan.targetId}-deliveries-failing`, {
        compositeAlarmName: `skjemaflyt-${deployment}-${plan.targetId}-deliveries-failing`,
        alarmDescription:
          `Deliveries to ${plan.targetId} are failing: they wait longer than ${aws.oldestMessageAgeSeconds / 60} ` +
          `minutes, or have given up after ${plan.settings.maxAttempts} attempts (FAILED). See the console (status ` +
          'FAILED or RETRYING) for the reason in plain words, fix the cause, retry.',
        alarmRule: cloudwatch.AlarmRule.anyOf(
          cloudwatch.AlarmRule.fromAlarm(deadLetters, cloudwatch.AlarmState.ALARM),
          cloudwatch.AlarmRule.fromAlarm(oldest, cloudwatch.AlarmState.ALARM),
        ),
      });
      failing.addAlarmAction(notify);
      failing.addOkAction(notify);
      this.compositeAlarms.push(failing);
    }
    for (const [name, fn] of props.functions) {
      alarm(
        `${name}-errors`,
        `The ${name} function failed (crash or timeout); see its log group.`,
        fn.metricErrors({ period: PERIOD, statistic: 'Sum' }),
        1,
      );
      alarm(
        `${name}-throttles`,
        `The ${name} function was throttled: the account's Lambda concurrency is exhausted.`,
        fn.metricThrottles({ period: PERIOD, statistic: 'Sum' }),
        1,
      );
    }
    if (props.receiptOverdueLogs) {
      // A delivery left in SENT past its receipt deadline is sent again and logged so (shared/delivery/process.ts).
      const overdue = new logs.MetricFilter(this, 'ReceiptOverdue', {
        logGroup: props.receiptOverdueLogs,
        filterPattern: logs.FilterPattern.stringValue('$.message', '=', 'No receipt by the deadline; sending again'),
        // One namespace per stack: several deployments may share an account.
        metricNamespace: `Skjemaflyt/${deployment}`,
        metricName: 'ReceiptOverdue',
        metricValue: '1',
      });
      alarm(
        'receipt-overdue',
        'Deliveries sent over Fiks IO got no receipt from the archive by their deadline (stuck in SENT) and are ' +
          'being sent again: is the archive system reading its Fiks IO account, and is the fiks-io-receiver running?',
        overdue.metric({ period: PERIOD, statistic: 'Sum' }),
        1,
      );
    }
    // Handlers answer their own failures with a 500 problem, which Lambda does not count as an error.
    alarm(
      'api-server-errors',
      "The API answered with a server error (5xx); see the access log and the functions' logs.",
      props.api.metricServerError({ period: PERIOD, statistic: 'Sum' }),
      1,
    );

    this.dashboard = this.buildDashboard(props);
  }

  private buildDashboard(props: MonitoringProps): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `skjemaflyt-${props.deployment}`,
      defaultInterval: Duration.hours(6),
    });
    const graph = (title: string, left: cloudwatch.IMetric[], right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width: 8, height: 6 });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Alarms',
        alarms: [...this.compositeAlarms, ...this.alarms],
        width: 24,
        height: 4,
      }),
    );
    dashboard.addWidgets(
      graph('API requests', [props.api.metricCount({ period: PERIOD })]),
      graph('API errors', [
        props.api.metricClientError({ period: PERIOD }),
        props.api.metricServerError({ period: PERIOD }),
      ]),
      graph('API latency (p95)', [props.api.metricLatency({ period: PERIOD, statistic: 'p95' })]),
    );
    dashboard.addWidgets(
      ...props.queues.map(({ plan, queue, deadLetterQueue }) =>
        graph(
          `Deliveries: ${plan.targetId}`,
          [
            queue.metricApproximateNumberOfMessagesVisible({ label: 'waiting', period: PERIOD }),
            queue.metricApproximateNumberOfMessagesNotVisible({ label: 'in progress or backing off', period: PERIOD }),
            deadLetterQueue.metricNumberOfMessagesReceived({ label: 'dead letters', period: PERIOD, statistic: 'Sum' }),
          ],
          [queue.metricApproximateAgeOfOldestMessage({ label: 'oldest (s)', period: PERIOD })],
        ),
      ),
    );
    dashboard.addWidgets(
      ...[...props.functions].map(([name, fn]) =>
        graph(
          `Function: ${name}`,
          [
            fn.metricInvocations({ period: PERIOD }),
            fn.metricErrors({ period: PERIOD }),
            fn.metricThrottles({ period: PERIOD }),
          ],
          [fn.metricDuration({ period: PERIOD, statistic: 'p95' })],
        ),
      ),
    );
    return dashboard;
  }
}
