import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import type { RoutedWorker, RoutingTable } from '../routing';
import { grantWorkerTableAccess } from '../table-access';
import { MonitoredDeadLetterQueue } from './monitored-dead-letter-queue';
import { LAMBDA_TIMEOUT, SliceFunction } from './slice-function';

/**
 * AWS guidance for SQS event sources: visibility ≥ 6 × function timeout. A batch of 10 is handled
 * sequentially inside one invocation, so a 10 s visibility (the original's) let a slow batch be
 * redelivered while still running (docs/contract.md §14 #16).
 */
export const QUEUE_VISIBILITY_TIMEOUT = Duration.seconds(6 * LAMBDA_TIMEOUT.toSeconds());

/**
 * Deliveries before a message is parked in the DLQ. Bounds poison-but-transient messages to ~10
 * minutes (the original's 360 cycled them for an hour) while leaving room for the payment worker,
 * which needs at most 5 deliveries to reach a terminal outcome (docs/contract.md §9).
 */
export const MAX_RECEIVE_COUNT = 10;

/** Identical for the six workers (docs/contract.md §11.4). */
export const EVENT_SOURCE_SETTINGS = {
  batchSize: 10,
  maxBatchingWindow: Duration.seconds(0),
  maxConcurrency: 2,
  reportBatchItemFailures: true,
} as const;

/**
 * A healthy worker drains its queue in seconds, so an oldest message this old for
 * `evaluationPeriods` consecutive minutes means a backlog: the worker is failing, throttled (max
 * concurrency 2) or cannot keep up. Single poison messages are the DLQ alarm's job.
 */
export const OLDEST_MESSAGE_AGE_ALARM = { thresholdSeconds: 300, evaluationPeriods: 3 } as const;

export interface QueueWorkerProps {
  readonly worker: RoutedWorker;
  readonly routing: RoutingTable;
  readonly config: DeploymentConfig;
  readonly table: dynamodb.ITable;
  readonly bus: events.IEventBus;
  readonly extraEnvironment?: Readonly<Record<string, string>>;
}

/** Rule → queue (+DLQ) → Lambda for one routing.json worker, with alarms on both queues. */
export class QueueWorker extends Construct {
  /** The routing.json entry this worker serves. */
  readonly routedWorker: RoutedWorker;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: MonitoredDeadLetterQueue;
  /** Messages wait in the queue: the worker fails (retries), is throttled or cannot keep up. */
  readonly oldestMessageAgeAlarm: cloudwatch.Alarm;
  readonly rule: events.Rule;
  readonly function: lambda.Function;

  constructor(scope: Construct, id: string, props: QueueWorkerProps) {
    super(scope, id);
    const { worker, routing, config, table } = props;
    this.routedWorker = worker;
    const { naming } = config;

    this.deadLetterQueue = new MonitoredDeadLetterQueue(this, 'DeadLetterQueue', {
      queueName: naming.deadLetterQueue(worker.domain, worker.slice),
      holds: `${worker.domain}/${worker.slice} messages that failed ${MAX_RECEIVE_COUNT} deliveries, or events the rule could not deliver`,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      queueName: naming.queue(worker.domain, worker.slice),
      visibilityTimeout: QUEUE_VISIBILITY_TIMEOUT,
      receiveMessageWaitTime: Duration.seconds(20),
      deadLetterQueue: { queue: this.deadLetterQueue.queue, maxReceiveCount: MAX_RECEIVE_COUNT },
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    const { thresholdSeconds, evaluationPeriods } = OLDEST_MESSAGE_AGE_ALARM;
    this.oldestMessageAgeAlarm = new cloudwatch.Alarm(this, 'OldestMessageAgeAlarm', {
      alarmDescription:
        `Messages are waiting in the ${worker.domain}/${worker.slice} queue: the oldest has been there ` +
        `${thresholdSeconds} s or more for ${evaluationPeriods} minutes in a row. The worker is failing ` +
        '(messages are retried), throttled or cannot keep up; see its errors and throttles on the dashboard. ' +
        `Messages that keep failing reach the DLQ after ${MAX_RECEIVE_COUNT} deliveries.`,
      metric: this.queue.metricApproximateAgeOfOldestMessage({
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: thresholdSeconds,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      // No data means an idle queue, not a stuck one.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    this.rule = new events.Rule(this, 'Rule', {
      eventBus: props.bus,
      description: `Routes ${worker.eventNames.join(', ')} to ${worker.domain}/${worker.slice}`,
      eventPattern: {
        source: [routing.source],
        detailType: [routing.detailType],
        detail: {
          eventSourceARN: [table.tableStreamArn],
          eventSource: ['aws:dynamodb'],
          eventName: ['INSERT'],
          dynamodb: { NewImage: { eventName: { S: [...worker.eventNames] } } },
        },
      },
    });
    // The whole event is the message. Events the bus cannot deliver go to the worker's own DLQ:
    // they have the same body as a normal message, so one alarm and one redrive cover both.
    this.rule.addTarget(new targets.SqsQueue(this.queue, { deadLetterQueue: this.deadLetterQueue.queue }));

    const sliceFunction = new SliceFunction(this, 'Lambda', {
      domain: worker.domain,
      slice: worker.slice,
      config,
      environment: { TABLE_NAME: table.tableName, ...props.extraEnvironment },
    });
    this.function = sliceFunction.function;
    grantWorkerTableAccess(sliceFunction.role, table);
    this.function.addEventSource(new SqsEventSource(this.queue, { ...EVENT_SOURCE_SETTINGS }));
  }
}
