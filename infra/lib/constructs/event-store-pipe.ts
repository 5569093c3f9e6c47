import { Aws, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import { Construct } from 'constructs';
import type { RoutingTable } from '../routing';
import { MonitoredDeadLetterQueue } from './monitored-dead-letter-queue';

/** `_tn` of event items (docs/contract.md §4.2); every other item kind is transactional state. */
export const EVENT_ITEM_TYPE_NAME = 'EVENTS#EVENT';

/**
 * Only inserts of event items travel (docs/contract.md §14 #10): the original forwarded every write
 * of every item kind (~11–16 bus events per order where 4 are useful) and let the rules drop them.
 */
export const PIPE_FILTER_PATTERN = {
  eventName: ['INSERT'],
  dynamodb: { NewImage: { _tn: { S: [EVENT_ITEM_TYPE_NAME] } } },
};

/** Where EventBridge Pipes publishes per-pipe metrics (dimension `PipeName`). */
export const PIPES_METRICS_NAMESPACE = 'AWS/EventBridge/Pipes';

/**
 * The pipe's failure counters (Sum is the count), as EventBridge Pipes names them. A failed
 * execution is retried; only batches that exhaust the retries reach the dead-letter queue.
 */
export const PIPE_FAILURE_METRICS = [
  'ExecutionFailed',
  'ExecutionPartiallyFailed',
  'ExecutionThrottled',
  'ExecutionTimeout',
  'TargetStageFailed',
  'TargetStagePartiallyFailed',
] as const;

export interface EventStorePipeProps {
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  readonly routing: RoutingTable;
}

/** DynamoDB stream → filter → custom bus, with the envelope the workers expect (§10.1). */
export class EventStorePipe extends Construct {
  readonly pipe: pipes.CfnPipe;
  readonly deadLetterQueue: MonitoredDeadLetterQueue;

  constructor(scope: Construct, id: string, props: EventStorePipeProps) {
    super(scope, id);
    const { table, bus, routing } = props;
    const streamArn = table.tableStreamArn;
    if (streamArn === undefined) {
      throw new Error('The event store table must have a stream');
    }

    this.deadLetterQueue = new MonitoredDeadLetterQueue(this, 'DeadLetterQueue', {
      holds: 'stream batches the pipe could not put on the bus (shard and sequence numbers; replay from the table)',
    });
    Validations.of(this.deadLetterQueue.queue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        'This queue is itself a dead-letter queue: the pipe DeadLetterConfig targets it. cdk-nag only ' +
        'recognises DLQs referenced by an SQS redrive policy; a DLQ behind this DLQ would catch nothing.',
    });
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: 'Reads the event store stream and puts event inserts on the bus',
    });
    // The four stream actions Pipes documents for a DynamoDB source, on this stream only
    // (table.grantStreamRead() would add dynamodb:ListStreams on "*").
    const streamRead = role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadEventStoreStream',
        actions: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        resources: [streamArn],
      }),
    );
    const grants = [
      streamRead.policyDependable,
      bus.grantPutEventsTo(role),
      this.deadLetterQueue.queue.grantSendMessages(role),
      logGroup.grantWrite(role),
    ].filter((grant) => grant !== undefined);

    this.pipe = new pipes.CfnPipe(this, 'Pipe', {
      description: 'Event store stream → event bus (event-item INSERTs only)',
      roleArn: role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'TRIM_HORIZON',
          // Retries of a batch the bus rejects (throttling, outage), with exponential back-off,
          // before the batch's stream coordinates go to the DLQ. Unbounded retries (the service
          // default) would block the shard, and with it every later event, for up to the
          // stream's 24 h retention. Read from services/routing.json, like the embedded pipe.
          maximumRetryAttempts: routing.pipe.maximumRetryAttempts,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetterQueue.queue.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(PIPE_FILTER_PATTERN) }] },
      },
      target: bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: { detailType: routing.detailType, source: routing.source },
      },
      logConfiguration: {
        level: 'ERROR',
        cloudwatchLogsLogDestination: { logGroupArn: logGroup.logGroupArn },
      },
    });
    // Pipes validates its role on creation: the policy holding these grants must exist first. Not
    // the role itself: RoleArn already orders it (a DependsOn on it is cfn-lint's W3005).
    this.pipe.node.addDependency(...grants);
  }

  /** One of this pipe's `AWS/EventBridge/Pipes` metrics (`EventCount`, `ExecutionFailed`, …). */
  metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: PIPES_METRICS_NAMESPACE,
      metricName,
      // The pipe's Ref is its name (CloudFormation generates it).
      dimensionsMap: { PipeName: this.pipe.pipeRef.pipeName },
      ...props,
    });
  }
}
