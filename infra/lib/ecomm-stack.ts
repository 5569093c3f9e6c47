import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, StackProps, Tags, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { API_SLICES, TESTING_DOMAIN } from './catalogue';
import type { DeploymentConfig } from './config';
import { DomainHttpApi, routeAuthorizationType } from './constructs/domain-http-api';
import { EventStorePipe } from './constructs/event-store-pipe';
import { QueueWorker } from './constructs/queue-worker';
import { StageDashboard } from './constructs/stage-dashboard';
import { DOMAINS, type Domain, type RoutingTable } from './routing';
import {
  API_ACCESS_OUTPUT_KEYS,
  API_INVOKE_ARN_OUTPUT_KEYS,
  API_URL_OUTPUT_KEYS,
  REPLAY_OUTPUT_KEYS,
  ruleArnOutputKey,
} from './outputs';
import { GSI_NAME } from './table-access';

/** Extra environment per worker binary, beyond TABLE_NAME. */
function workerEnvironment(config: DeploymentConfig, domain: Domain, slice: string): Record<string, string> {
  return domain === 'Payments' && slice === 'ProcessOrderPaymentWorker'
    ? { PAYMENT_GATEWAY_MODE: config.paymentGatewayMode }
    : {};
}

export interface EcommStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly routing: RoutingTable;
}

/**
 * The whole system in one environment-agnostic stack (account/region come from the CLI profile;
 * synth never looks anything up): event store table, stream pipe, bus, one rule/queue/DLQ/Lambda
 * per routed worker, one HTTP API per domain, one dashboard.
 */
export class EcommStack extends Stack {
  readonly table: dynamodb.Table;
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly pipe: EventStorePipe;
  readonly workers: QueueWorker[] = [];
  readonly apis: Partial<Record<Domain, DomainHttpApi>> = {};
  readonly dashboard: StageDashboard;
  readonly pageTokenSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: EcommStackProps) {
    const { config, routing, ...stackProps } = props;
    const { naming } = config;
    super(scope, id, {
      description: `Event-driven e-commerce backend, Rust rebuild (${naming.qualifier})`,
      ...stackProps,
      stackName: naming.stackName,
    });
    Tags.of(this).add('qualifier', naming.qualifier);
    Tags.of(this).add('deploymentPrefix', naming.prefix);
    Tags.of(this).add('stage', naming.stage);

    // Event store and transactional data share one table (docs/contract.md §4.1). DESTROY because this
    // is a proof of concept: `npm run destroy` must leave nothing behind, data included.
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: naming.table(),
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      stream: dynamodb.StreamViewType.NEW_IMAGE,
      // Fix §14 #11: the attribute exists so events can expire; writers decide whether to set it.
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI_NAME,
      partitionKey: { name: 'gsi1pk', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.bus = new events.EventBus(this, 'EventBus', { eventBusName: naming.eventBus() });
    this.pipe = new EventStorePipe(this, 'EventStorePipe', { table: this.table, bus: this.bus, routing });
    // Everything the pipe puts on the bus, for `npm run replay`. The pipe's role is the only
    // principal this stack lets put events on the bus, so its source alone selects exactly those
    // events. EventBridge's managed rule for the archive skips replayed events (no re-archiving).
    this.archive = new events.Archive(this, 'EventArchive', {
      sourceEventBus: this.bus,
      archiveName: naming.eventArchive(),
      description: `Events the event store pipe put on the bus (source ${routing.source}), kept for replays`,
      eventPattern: { source: [routing.source] },
      // undefined renders RetentionDays 0: keep forever, as EventBridge reads 0.
      retention: config.archiveRetentionDays === 0 ? undefined : Duration.days(config.archiveRetentionDays),
    });
    // Without a kmsKey the L2 renders `KmsKeyIdentifier: ""`, which some regions reject
    // (aws/aws-cdk#37847). Omitted, the archive uses its default AWS owned key.
    (this.archive.node.defaultChild as events.CfnArchive).addPropertyDeletionOverride('KmsKeyIdentifier');

    for (const worker of routing.workers) {
      this.workers.push(
        new QueueWorker(this, `${worker.domain}${worker.slice}`, {
          worker,
          routing,
          config,
          table: this.table,
          bus: this.bus,
          extraEnvironment: workerEnvironment(config, worker.domain, worker.slice),
        }),
      );
    }

    // Signs the list APIs' nextTokens (HMAC-SHA256), so a client cannot forge or alter one.
    this.pageTokenSecret = new secretsmanager.Secret(this, 'PageTokenSecret', {
      description: `Signs the list APIs' nextTokens (${naming.qualifier})`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Validations.of(this.pageTokenSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret only signs pagination tokens and is resolved into the list functions at deploy time. ' +
        'Rotating it means putting a new value and deploying its version id (pageTokenSecretVersion); ' +
        'outstanding nextTokens then get 400 and clients start their listing again.',
    });

    for (const domain of DOMAINS) {
      if (domain === TESTING_DOMAIN && !config.enableTestingApi) continue;
      const slices = API_SLICES.filter((slice) => slice.domain === domain);
      const api = new DomainHttpApi(this, `${domain}Api`, {
        domain,
        slices,
        config,
        table: this.table,
        pageTokenSecret: this.pageTokenSecret,
      });
      this.apis[domain] = api;
      new CfnOutput(this, API_URL_OUTPUT_KEYS[domain], {
        description: `${domain} API base URL`,
        value: api.url,
      });
      new CfnOutput(this, API_INVOKE_ARN_OUTPUT_KEYS[domain], {
        description: `${domain} API routes, for a caller's execute-api:Invoke permission`,
        value: api.invokeArn,
      });
    }
    new CfnOutput(this, API_ACCESS_OUTPUT_KEYS.region, {
      description: 'Region of the APIs (SigV4 signing region, service execute-api)',
      value: Aws.REGION,
    });
    new CfnOutput(this, API_ACCESS_OUTPUT_KEYS.authorization, {
      description: 'What the API routes require: AWS_IAM (SigV4-signed requests) or NONE (publicApis)',
      value: routeAuthorizationType(config),
    });

    this.dashboard = new StageDashboard(this, 'Dashboard', {
      naming,
      region: Aws.REGION,
      apis: this.apis,
      pipe: this.pipe,
      workers: this.workers,
    });
    new CfnOutput(this, 'DashboardName', {
      description: 'CloudWatch dashboard of this stage',
      value: this.dashboard.dashboard.dashboardName,
    });

    new CfnOutput(this, 'TableName', { description: 'Event store / transactional table', value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, REPLAY_OUTPUT_KEYS.eventBusArn, {
      description: 'Event bus ARN (replay destination)',
      value: this.bus.eventBusArn,
    });
    new CfnOutput(this, REPLAY_OUTPUT_KEYS.archiveName, {
      description: `Event bus archive (retention ${config.archiveRetentionDays === 0 ? 'indefinite' : `${config.archiveRetentionDays} days`})`,
      value: this.archive.archiveName,
    });
    new CfnOutput(this, REPLAY_OUTPUT_KEYS.archiveArn, {
      description: 'Event bus archive ARN (replay source)',
      value: this.archive.archiveArn,
    });
    new CfnOutput(this, 'EventStorePipeDlqUrl', {
      description: 'Pipe dead-letter queue',
      value: this.pipe.deadLetterQueue.queue.queueUrl,
    });
    for (const worker of this.workers) {
      new CfnOutput(this, `${worker.node.id}DlqUrl`, {
        description: `${worker.node.id} dead-letter queue`,
        value: worker.deadLetterQueue.queue.queueUrl,
      });
      new CfnOutput(this, ruleArnOutputKey(worker.routedWorker), {
        description: `${worker.node.id} rule (replay filter)`,
        value: worker.rule.ruleArn,
      });
    }
  }
}
