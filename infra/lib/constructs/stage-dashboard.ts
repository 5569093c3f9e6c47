import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { Naming } from '../naming';
import { DOMAINS, type Domain } from '../routing';
import type { DomainHttpApi } from './domain-http-api';
import { PIPE_FAILURE_METRICS, type EventStorePipe } from './event-store-pipe';
import type { QueueWorker } from './queue-worker';
import { LAMBDA_TIMEOUT } from './slice-function';

/** A custom metric the Lambdas emit in Embedded Metric Format, with its one dimension set. */
export interface CustomMetric {
  readonly name: string;
  readonly dimensions: readonly string[];
}

/** The custom metrics the dashboard graphs (names and labels as in services/kernel/src/metrics.rs). */
export const CUSTOM_METRICS = {
  /** Messages by how they ended: `outcome` = succeeded | retried | dropped. */
  workerMessages: { name: 'ecomm_worker_messages_total', dimensions: ['worker', 'outcome'] },
  /** Retried and dropped messages by failure kind. */
  workerFailures: { name: 'ecomm_worker_failures_total', dimensions: ['worker', 'outcome', 'failure_kind'] },
  /** Orders reaching a terminal status (stock depleted, payment accepted or rejected). */
  ordersSettled: { name: 'ecomm_orders_settled_total', dimensions: ['status'] },
  /** Seconds from placeOrder to the settled status. */
  orderSettleSeconds: { name: 'ecomm_order_settle_seconds', dimensions: [] },
} as const satisfies Record<string, CustomMetric>;

/** Logs Insights query listing one request's or order's log lines, oldest first. */
export const FOLLOW_ONE_ORDER_QUERY =
  'fields @timestamp, @log, @message | filter @message like "<correlation id>" | sort @timestamp asc';

/** AWS metrics arrive every minute; the dashboard widens the period itself for long time ranges. */
const PERIOD = Duration.minutes(1);
const SUM = cloudwatch.Stats.SUM;
const MAX = cloudwatch.Stats.MAXIMUM;
const P50 = cloudwatch.Stats.p(50);
const P99 = cloudwatch.Stats.p(99);

/**
 * `SEARCH` over one dimension set of the stage namespace: EMF creates one metric per combination
 * of dimension values (each worker × outcome …), which no fixed metric list can name in advance.
 * The schema names are quoted because `/`, `-` and `_` are special characters there.
 */
function searchCustomMetric(namespace: string, metric: CustomMetric, statistic: string, label: string) {
  const schema = [namespace, ...metric.dimensions].map((name) => `"${name}"`).join(',');
  return new cloudwatch.SearchExpression({
    expression: `SEARCH('{${schema}} MetricName="${metric.name}"', '${statistic}', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
  });
}

/** A CloudWatch dynamic label: the value of dimension `name` for each series a search returns. */
function dimensionLabel(...names: string[]): string {
  return names.map((name) => "${PROP('Dim." + name + "')}").join(' ');
}

/** A quarter-width graph at the dashboard's one-minute period. */
function graph(title: string, left: cloudwatch.IMetric[], options: Partial<cloudwatch.GraphWidgetProps> = {}) {
  return new cloudwatch.GraphWidget({ title, left, width: 6, height: 6, period: PERIOD, ...options });
}

export interface StageDashboardProps {
  readonly naming: Naming;
  /** Region the stack deploys to (usually the `Aws.REGION` token): dashboard names are global. */
  readonly region: string;
  readonly apis: Partial<Record<Domain, DomainHttpApi>>;
  readonly pipe: EventStorePipe;
  readonly workers: readonly QueueWorker[];
}

/**
 * The stage's one dashboard: alarms, then the HTTP APIs, the pipe, the custom metrics, one row per
 * worker, and how to follow an order through the logs.
 */
export class StageDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: StageDashboardProps) {
    super(scope, id);
    const { naming, pipe, workers } = props;
    const namespace = naming.metricsNamespace;
    const apis = DOMAINS.flatMap((domain) => {
      const api = props.apis[domain];
      return api === undefined ? [] : [{ domain, api: api.api }];
    });
    const functions: lambda.Function[] = [
      ...DOMAINS.flatMap((domain) => props.apis[domain]?.functions ?? []),
      ...workers.map((worker) => worker.function),
    ];
    const alarms = [
      ...workers.flatMap((worker) => [worker.oldestMessageAgeAlarm, worker.deadLetterQueue.alarm]),
      pipe.deadLetterQueue.alarm,
    ];

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: naming.dashboard(props.region),
      defaultInterval: Duration.hours(3),
    });

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown:
          `# ${naming.qualifier}\n` +
          `Custom metrics: namespace \`${namespace}\` (Embedded Metric Format in the Lambda logs). ` +
          'The alarms have no actions; subscribe your own. Follow one order through the logs: see the bottom.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms, width: 24, height: 4 }),
    );

    this.dashboard.addWidgets(
      graph('APIs: requests (Count, Sum)', apis.map(({ domain, api }) => api.metricCount({ statistic: SUM, label: domain }))),
      graph(
        'APIs: latency p50 / p99 (ms)',
        apis.flatMap(({ domain, api }) => [
          api.metricLatency({ statistic: P50, label: `${domain} p50` }),
          api.metricLatency({ statistic: P99, label: `${domain} p99` }),
        ]),
      ),
      graph('APIs: 4xx (Sum)', apis.map(({ domain, api }) => api.metricClientError({ statistic: SUM, label: domain }))),
      graph('APIs: 5xx (Sum)', apis.map(({ domain, api }) => api.metricServerError({ statistic: SUM, label: domain }))),
    );

    this.dashboard.addWidgets(
      graph(
        'Pipe: failures (Sum; retried, then the DLQ)',
        PIPE_FAILURE_METRICS.map((metricName) => pipe.metric(metricName, { statistic: SUM, label: metricName })),
        { width: 12 },
      ),
      graph('Pipe: events processed (EventCount, Sum)', [pipe.metric('EventCount', { statistic: SUM, label: 'events' })]),
      graph('Pipe: dead-letter queue (messages visible, Max)', [
        pipe.deadLetterQueue.queue.metricApproximateNumberOfMessagesVisible({ statistic: MAX, label: 'pipe DLQ' }),
      ]),
    );

    const { workerMessages, workerFailures, ordersSettled, orderSettleSeconds } = CUSTOM_METRICS;
    this.dashboard.addWidgets(
      graph('Workers: messages by outcome (Sum)', [
        searchCustomMetric(namespace, workerMessages, 'Sum', dimensionLabel('worker', 'outcome')),
      ]),
      graph('Workers: failures by kind (Sum)', [
        searchCustomMetric(namespace, workerFailures, 'Sum', dimensionLabel('worker', 'outcome', 'failure_kind')),
      ]),
      graph('Orders settled by status (Sum)', [searchCustomMetric(namespace, ordersSettled, 'Sum', dimensionLabel('status'))]),
      graph('Orders: place → settled (s)', [
        searchCustomMetric(namespace, orderSettleSeconds, 'p50', 'p50'),
        searchCustomMetric(namespace, orderSettleSeconds, 'p99', 'p99'),
      ]),
    );

    for (const worker of workers) {
      const name = `${worker.routedWorker.domain}/${worker.routedWorker.slice}`;
      this.dashboard.addWidgets(
        graph(`${name}: messages visible (Max)`, [
          worker.queue.metricApproximateNumberOfMessagesVisible({ statistic: MAX, label: 'queue' }),
          worker.deadLetterQueue.queue.metricApproximateNumberOfMessagesVisible({ statistic: MAX, label: 'DLQ' }),
        ]),
        graph(
          `${name}: oldest message age (s, Max)`,
          [worker.queue.metricApproximateAgeOfOldestMessage({ statistic: MAX, label: 'queue' })],
          { leftAnnotations: [worker.oldestMessageAgeAlarm.toAnnotation()] },
        ),
        graph(`${name}: Lambda errors / throttles (Sum)`, [
          worker.function.metricErrors({ statistic: SUM, label: 'errors' }),
          worker.function.metricThrottles({ statistic: SUM, label: 'throttles' }),
        ]),
        graph(
          `${name}: Lambda duration p99 (ms)`,
          [worker.function.metricDuration({ statistic: P99, label: 'p99' })],
          { leftAnnotations: [{ value: LAMBDA_TIMEOUT.toMilliseconds(), label: 'timeout' }] },
        ),
      );
    }

    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        markdown: [
          '## Follow one order through the logs',
          'Every log line of an API request or of a worker record carries the `correlation_id` of its span ' +
            '(the Lambdas log JSON). An order keeps the id of its placeOrder request, which returns it in the ' +
            '`x-correlation-id` response header. In CloudWatch Logs Insights, select the log groups below and ' +
            'run this query with the id in place of `<correlation id>`:',
          '```',
          FOLLOW_ONE_ORDER_QUERY,
          '```',
          `The stage's ${functions.length} Lambda log groups:`,
          ...functions.map((fn) => `- \`${fn.logGroup.logGroupName}\``),
        ].join('\n'),
        width: 24,
        height: 10,
      }),
    );
  }
}
