import type { Template } from 'aws-cdk-lib/assertions';
import { LONG_ODD_STAGE, referencedId, renderedText, resourcesOfType, routing, synthesize, type Resource } from './support';

const { template } = synthesize('dev');
const resources = (type: string): Record<string, Resource> => resourcesOfType(template, type);

const queues = resources('AWS::SQS::Queue');
const functions = resources('AWS::Lambda::Function');
const alarms = resources('AWS::CloudWatch::Alarm');
const [[pipeId, pipe]] = Object.entries(resources('AWS::Pipes::Pipe'));
const pipeDlqId = referencedId(pipe.Properties.SourceParameters.DynamoDBStreamParameters.DeadLetterConfig.Arn)!;

/** Each routing.json worker's queue, DLQ and function, as logical ids. */
const workers = Object.values(resources('AWS::Lambda::EventSourceMapping')).map((mapping) => {
  const queueId = referencedId(mapping.Properties.EventSourceArn)!;
  return {
    queueId,
    dlqId: referencedId(queues[queueId].Properties.RedrivePolicy.deadLetterTargetArn)!,
    functionId: referencedId(mapping.Properties.FunctionName)!,
  };
});

interface Widget {
  type: string;
  properties: { title?: string; markdown?: string; alarms?: string[]; metrics?: unknown[][]; annotations?: any };
}

/** One graphed line: a metric (namespace, name, dimensions, stat) or a math/search expression. */
interface Line {
  widget: string;
  namespace?: string;
  name?: string;
  dimensions: Record<string, string>;
  stat?: string;
  expression?: string;
}

/** The dashboard body as JSON, with references rendered as `${LogicalId}` / `${LogicalId.Attribute}`. */
function dashboardOf(t: Template): { name: string; widgets: Widget[] } {
  const dashboards = Object.values(resourcesOfType(t, 'AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  const props = dashboards[0].Properties;
  return { name: renderedText(props.DashboardName), widgets: JSON.parse(renderedText(props.DashboardBody)).widgets };
}

/** CloudWatch's metric array form: `[namespace, name, dim, value, …, { options }]` or `[{ expression }]`. */
function linesOf(widgets: Widget[]): Line[] {
  return widgets.flatMap((widget) =>
    (widget.properties.metrics ?? []).map((entry): Line => {
      const last = entry[entry.length - 1];
      const options = (typeof last === 'object' ? last : {}) as { stat?: string; expression?: string };
      const [namespace, name, ...dims] = entry.filter((part) => typeof part === 'string') as string[];
      const dimensions: Record<string, string> = {};
      for (let i = 0; i + 1 < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
      return { widget: widget.properties.title ?? '', namespace, name, dimensions, stat: options.stat, expression: options.expression };
    }),
  );
}

const dashboard = dashboardOf(template);
const lines = linesOf(dashboard.widgets);
const body = renderedText(Object.values(resources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody);

function expectLine(expected: Omit<Line, 'widget'>): void {
  expect(lines).toContainEqual(expect.objectContaining(expected));
}

describe('METRICS_NAMESPACE', () => {
  it('is Ecomm/<stage> on every Lambda', () => {
    expect(Object.keys(functions)).toHaveLength(12);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Environment.Variables.METRICS_NAMESPACE).toBe('Ecomm/dev');
    }
  });

  it.each([
    ['prod', 'Ecomm/prod', 11],
    [LONG_ODD_STAGE, 'Ecomm/Feature-Branch-With-A-Very-Long-Name-123', 12],
  ])('follows the sanitised stage (%j → %j)', (stage, namespace, count) => {
    const fns = Object.values(resourcesOfType(synthesize(stage).template, 'AWS::Lambda::Function'));
    expect(fns).toHaveLength(count);
    for (const fn of fns) expect(fn.Properties.Environment.Variables.METRICS_NAMESPACE).toBe(namespace);
  });
});

describe('dashboard', () => {
  it('is the only one, named <prefix>-<stage>-<region>, and its name is an output', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    expect(dashboard.name).toBe('ecommRs-dev-${AWS::Region}');
    expect(referencedId(template.findOutputs('DashboardName').DashboardName.Value)).toBe(
      Object.keys(resources('AWS::CloudWatch::Dashboard'))[0],
    );
  });

  it('graphs every HTTP API: Count (Sum), Latency p50 and p99, 4xx and 5xx (Sum), by ApiId', () => {
    const apiIds = Object.keys(resources('AWS::ApiGatewayV2::Api'));
    expect(apiIds).toHaveLength(4);
    for (const apiId of apiIds) {
      const dimensions = { ApiId: `\${${apiId}}` };
      for (const [name, stat] of [['Count', 'Sum'], ['Latency', 'p50'], ['Latency', 'p99'], ['4xx', 'Sum'], ['5xx', 'Sum']]) {
        expectLine({ namespace: 'AWS/ApiGateway', name, dimensions, stat });
      }
    }
    // HTTP APIs (v2) publish 4xx/5xx, not REST APIs' 4XXError/5XXError.
    expect(body).not.toMatch(/[45]XXError/);
  });

  it('graphs every worker: queue depth and oldest message age, DLQ depth, Lambda errors, throttles and p99 duration', () => {
    expect(workers).toHaveLength(routing.workers.length);
    for (const { queueId, dlqId, functionId } of workers) {
      // Every worker queue appears by its logical reference.
      expect(body).toContain(`\${${queueId}.QueueName}`);
      const queue = { QueueName: `\${${queueId}.QueueName}` };
      expectLine({ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: queue, stat: 'Maximum' });
      expectLine({ namespace: 'AWS/SQS', name: 'ApproximateAgeOfOldestMessage', dimensions: queue, stat: 'Maximum' });
      expectLine({
        namespace: 'AWS/SQS',
        name: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: `\${${dlqId}.QueueName}` },
        stat: 'Maximum',
      });
      const fn = { FunctionName: `\${${functionId}}` };
      expectLine({ namespace: 'AWS/Lambda', name: 'Errors', dimensions: fn, stat: 'Sum' });
      expectLine({ namespace: 'AWS/Lambda', name: 'Throttles', dimensions: fn, stat: 'Sum' });
      expectLine({ namespace: 'AWS/Lambda', name: 'Duration', dimensions: fn, stat: 'p99' });
    }
    for (const worker of routing.workers) {
      expect(dashboard.widgets.some((w) => w.properties.title?.startsWith(`${worker.domain}/${worker.slice}: `))).toBe(true);
    }
  });

  it('graphs the pipe failure metrics by PipeName, and the pipe DLQ depth', () => {
    for (const name of [
      'ExecutionFailed',
      'ExecutionPartiallyFailed',
      'ExecutionThrottled',
      'ExecutionTimeout',
      'TargetStageFailed',
      'TargetStagePartiallyFailed',
    ]) {
      expectLine({ namespace: 'AWS/EventBridge/Pipes', name, dimensions: { PipeName: `\${${pipeId}}` }, stat: 'Sum' });
    }
    expectLine({
      namespace: 'AWS/SQS',
      name: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: `\${${pipeDlqId}.QueueName}` },
      stat: 'Maximum',
    });
  });

  it('searches the custom EMF metrics in Ecomm/<stage>, one SEARCH per dimension set and statistic', () => {
    const expressions = lines.flatMap((line) => (line.expression === undefined ? [] : [line.expression]));
    expect(expressions.sort()).toEqual(
      [
        `SEARCH('{"Ecomm/dev","worker","outcome"} MetricName="ecomm_worker_messages_total"', 'Sum', 60)`,
        `SEARCH('{"Ecomm/dev","worker","outcome","failure_kind"} MetricName="ecomm_worker_failures_total"', 'Sum', 60)`,
        `SEARCH('{"Ecomm/dev","status"} MetricName="ecomm_orders_settled_total"', 'Sum', 60)`,
        `SEARCH('{"Ecomm/dev"} MetricName="ecomm_order_settle_seconds"', 'p50', 60)`,
        `SEARCH('{"Ecomm/dev"} MetricName="ecomm_order_settle_seconds"', 'p99', 60)`,
      ].sort(),
    );
  });

  it('searches the namespace of its own stage', () => {
    const odd = linesOf(dashboardOf(synthesize(LONG_ODD_STAGE).template).widgets);
    const expressions = odd.flatMap((line) => (line.expression === undefined ? [] : [line.expression]));
    expect(expressions).toHaveLength(5);
    for (const expression of expressions) {
      expect(expression).toContain(`{"Ecomm/Feature-Branch-With-A-Very-Long-Name-123"`);
    }
  });

  it('shows the state of every alarm of the stack', () => {
    const [alarmWidget] = dashboard.widgets.filter((w) => w.type === 'alarm');
    expect(new Set(alarmWidget.properties.alarms)).toEqual(new Set(Object.keys(alarms).map((id) => `\${${id}.Arn}`)));
  });

  it('explains how to follow one order by correlation id with Logs Insights over the 12 Lambda log groups', () => {
    const texts = dashboard.widgets.flatMap((w) => (w.type === 'text' ? [w.properties.markdown!] : []));
    const guide = texts.find((text) => text.includes('Logs Insights'));
    expect(guide).toBeDefined();
    expect(guide).toContain(
      'fields @timestamp, @log, @message | filter @message like "<correlation id>" | sort @timestamp asc',
    );
    expect(guide).toContain('x-correlation-id');
    expect(guide).toContain('correlation_id');
    for (const fn of Object.values(functions)) {
      expect(guide).toContain(`\${${referencedId(fn.Properties.LoggingConfig.LogGroup)}}`);
    }
  });
});

describe('alarms', () => {
  const ageAlarms = Object.values(alarms).filter((a) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage');
  const depthAlarms = Object.values(alarms).filter((a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible');
  const watchedQueue = (alarm: Resource) => referencedId(alarm.Properties.Dimensions[0].Value);

  it('watches the oldest message of every worker queue: ≥ 300 s for 3 consecutive 1-minute periods', () => {
    expect(ageAlarms).toHaveLength(6);
    expect(new Set(ageAlarms.map(watchedQueue))).toEqual(new Set(workers.map((w) => w.queueId)));
    for (const alarm of ageAlarms) {
      expect(alarm.Properties).toMatchObject({
        Namespace: 'AWS/SQS',
        Statistic: 'Maximum',
        Period: 60,
        Threshold: 300,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: 3,
        TreatMissingData: 'notBreaching',
      });
      // Every period must breach: no M-of-N.
      expect(alarm.Properties.DatapointsToAlarm ?? 3).toBe(3);
      expect(alarm.Properties.AlarmDescription).toMatch(/Messages are waiting.*failing.*throttled/);
    }
  });

  it('alarms on the pipe DLQ as soon as one message is visible', () => {
    const pipeDlqAlarms = depthAlarms.filter((alarm) => watchedQueue(alarm) === pipeDlqId);
    expect(pipeDlqAlarms).toHaveLength(1);
    expect(pipeDlqAlarms[0].Properties).toMatchObject({
      Namespace: 'AWS/SQS',
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('adds the 6 age alarms to the 7 DLQ alarms, and nothing else', () => {
    // One per worker DLQ, plus the pipe's.
    expect(depthAlarms).toHaveLength(routing.workers.length + 1);
    expect(Object.keys(alarms)).toHaveLength(depthAlarms.length + routing.workers.length);
    expect(Object.keys(alarms)).toHaveLength(13);
  });
});
