import { CORS_PREFLIGHT } from '../lib/constructs/domain-http-api';
import { API_INVOKE_ARN_OUTPUT_KEYS } from '../lib/outputs';
import {
  asArray,
  nagAcknowledgements,
  referencedId,
  renderedText,
  resourcesOfType,
  routing,
  synthesize,
  unacknowledgedNagFindings,
  type Resource,
} from './support';

const { app, template } = synthesize('dev');
const resources = (type: string): Record<string, Resource> => resourcesOfType(template, type);

const functions = resources('AWS::Lambda::Function');
const queues = resources('AWS::SQS::Queue');
const rules = resources('AWS::Events::Rule');
const mappings = resources('AWS::Lambda::EventSourceMapping');
const tableId = Object.keys(resources('AWS::DynamoDB::Table'))[0];

/** Binary name recorded in the function description: `<Domain>/<Slice> (binary <name>)`. */
function binaryOf(functionId: string): string {
  const match = /\(binary ([a-z0-9-]+)\)$/.exec(functions[functionId].Properties.Description);
  if (!match) throw new Error(`no binary in ${functionId}`);
  return match[1];
}

describe('event store table', () => {
  it('is keyed pk/sk, on-demand, NEW_IMAGE stream, GSI, TTL on expiresAt, PITR, deleted with the stack', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: {
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
        GlobalSecondaryIndexes: [
          {
            IndexName: 'gsi1pk-gsi1sk-index',
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
    });
  });
});

describe('pipe', () => {
  it('forwards only INSERTs of event items from the stream to the bus, with the §10.1 envelope', () => {
    template.resourceCountIs('AWS::Pipes::Pipe', 1);
    const [pipe] = Object.values(resources('AWS::Pipes::Pipe'));
    const props = pipe.Properties;
    expect(referencedId(props.Source)).toBe(tableId);
    expect(props.Source['Fn::GetAtt'][1]).toBe('StreamArn');
    expect(referencedId(props.Target)).toBe(Object.keys(resources('AWS::Events::EventBus'))[0]);
    expect(props.TargetParameters).toEqual({
      EventBridgeEventBusParameters: { DetailType: 'DynamoDBStreamRecord', Source: 'event-store.dynamodb.stream' },
    });
    const filters = props.SourceParameters.FilterCriteria.Filters;
    expect(filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT'], dynamodb: { NewImage: { _tn: { S: ['EVENTS#EVENT'] } } } },
    ]);
    const stream = props.SourceParameters.DynamoDBStreamParameters;
    expect(stream.StartingPosition).toBe('TRIM_HORIZON');
    expect(stream.MaximumRetryAttempts).toBe(routing.pipe.maximumRetryAttempts);
    expect(stream.MaximumRetryAttempts).toBeGreaterThan(0);
    expect(queues[referencedId(stream.DeadLetterConfig.Arn)!]).toBeDefined();
    // The role's policy must exist before Pipes validates the role; the role itself is ordered by
    // RoleArn (a DependsOn on it is cfn-lint's W3005).
    expect(pipe.DependsOn?.map((id) => resources('AWS::IAM::Policy')[id] !== undefined)).toEqual([true]);
  });
});

describe('routing: one rule → queue → Lambda per routing.json worker', () => {
  it('has six rules, six worker queues with DLQs, six event source mappings', () => {
    expect(Object.keys(rules)).toHaveLength(routing.workers.length);
    expect(Object.keys(mappings)).toHaveLength(routing.workers.length);
    // 6 queues + 6 DLQs + the pipe DLQ.
    expect(Object.keys(queues)).toHaveLength(2 * routing.workers.length + 1);
  });

  it.each(routing.workers.map((w) => [`${w.domain}/${w.slice}`, w] as const))(
    '%s: pattern = its eventNames + INSERT/source/detail-type/stream, target = its queue → its Lambda',
    (_name, worker) => {
      const binary = `${worker.domain.toLowerCase()}-${worker.slice.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase()}`;
      const candidates = Object.values(rules).filter((rule) =>
        rule.Properties.Description.endsWith(` to ${worker.domain}/${worker.slice}`),
      );
      expect(candidates).toHaveLength(1);
      const rule = candidates[0].Properties;

      expect(rule.EventPattern).toEqual({
        source: [routing.source],
        'detail-type': [routing.detailType],
        detail: {
          eventSourceARN: [{ 'Fn::GetAtt': [tableId, 'StreamArn'] }],
          eventSource: ['aws:dynamodb'],
          eventName: ['INSERT'],
          dynamodb: { NewImage: { eventName: { S: [...worker.eventNames] } } },
        },
      });
      expect(referencedId(rule.EventBusName)).toBe(Object.keys(resources('AWS::Events::EventBus'))[0]);

      // Whole event as the message: no input transformation.
      expect(rule.Targets).toHaveLength(1);
      const [target] = rule.Targets;
      expect(target.Input).toBeUndefined();
      expect(target.InputPath).toBeUndefined();
      expect(target.InputTransformer).toBeUndefined();

      const queueId = referencedId(target.Arn)!;
      const queue = queues[queueId].Properties;
      const dlqId = referencedId(queue.RedrivePolicy.deadLetterTargetArn)!;
      expect(queue.RedrivePolicy.maxReceiveCount).toBe(10);
      // Undeliverable events land in the same DLQ.
      expect(referencedId(target.DeadLetterConfig.Arn)).toBe(dlqId);

      const mapping = Object.values(mappings).find((m) => referencedId(m.Properties.EventSourceArn) === queueId);
      expect(mapping).toBeDefined();
      expect(binaryOf(referencedId(mapping!.Properties.FunctionName)!)).toBe(binary);
    },
  );

  it('gives each worker queue its own DLQ', () => {
    const workerQueues = Object.values(queues).filter((q) => q.Properties.RedrivePolicy !== undefined);
    const dlqs = workerQueues.map((q) => referencedId(q.Properties.RedrivePolicy.deadLetterTargetArn));
    expect(workerQueues).toHaveLength(6);
    expect(new Set(dlqs).size).toBe(6);
    for (const dlq of dlqs) {
      expect(queues[dlq!].Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
      expect(queues[dlq!].Properties.RedrivePolicy).toBeUndefined();
    }
  });

  it('sizes visibility to 6 × the Lambda timeout and long-polls', () => {
    for (const queue of Object.values(queues).filter((q) => q.Properties.RedrivePolicy !== undefined)) {
      expect(queue.Properties.VisibilityTimeout).toBe(60);
      expect(queue.Properties.ReceiveMessageWaitTimeSeconds).toBe(20);
    }
  });

  it('encrypts every queue with SQS-managed keys and denies non-TLS access', () => {
    for (const queue of Object.values(queues)) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
    const policies = Object.values(resources('AWS::SQS::QueuePolicy'));
    const protectedQueues = policies
      .filter((p) =>
        p.Properties.PolicyDocument.Statement.some(
          (s: any) => s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false',
        ),
      )
      .flatMap((p) => p.Properties.Queues.map(referencedId));
    expect(new Set(protectedQueues)).toEqual(new Set(Object.keys(queues)));
  });

  it('configures every event source mapping: batch 10, no window, concurrency 2, partial failures', () => {
    for (const mapping of Object.values(mappings)) {
      expect(mapping.Properties).toMatchObject({
        BatchSize: 10,
        MaximumBatchingWindowInSeconds: 0,
        ScalingConfig: { MaximumConcurrency: 2 },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });
});

describe('Lambdas', () => {
  it('runs twelve cargo-lambda binaries on provided.al2023 x86_64, 10 s, 256 MB, JSON logs', () => {
    expect(Object.keys(functions)).toHaveLength(12);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'provided.al2023',
        Handler: 'bootstrap',
        Architectures: ['x86_64'],
        Timeout: 10,
        MemorySize: 256,
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO' },
      });
      expect(fn.Properties.Environment.Variables.TABLE_NAME).toEqual({ Ref: tableId });
      expect(fn.Properties.LoggingConfig.LogGroup).toBeDefined();
    }
  });

  it('gives only the payment worker PAYMENT_GATEWAY_MODE', () => {
    const withMode = Object.keys(functions).filter(
      (id) => functions[id].Properties.Environment.Variables.PAYMENT_GATEWAY_MODE !== undefined,
    );
    expect(withMode.map(binaryOf)).toEqual(['payments-process-order-payment-worker']);
    expect(functions[withMode[0]].Properties.Environment.Variables.PAYMENT_GATEWAY_MODE).toBe('random');
  });

  it('gives only the three list APIs the page token secret, as a deploy-time dynamic reference', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    expect(Object.keys(secrets)).toHaveLength(1);
    const [secretId] = Object.keys(secrets);
    expect(secrets[secretId].Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    const withSecret = Object.keys(functions).filter(
      (id) => functions[id].Properties.Environment.Variables.PAGE_TOKEN_SECRET !== undefined,
    );
    expect(withSecret.map(binaryOf).sort()).toEqual([
      'inventory-list-skus-api',
      'orders-list-orders-api',
      'payments-list-order-payments-api',
    ]);
    for (const id of withSecret) {
      expect(renderedText(functions[id].Properties.Environment.Variables.PAGE_TOKEN_SECRET)).toBe(
        `{{resolve:secretsmanager:\${${secretId}}:SecretString:::}}`,
      );
    }
  });

  it('pins the secret version a rotation deploys, which changes the reference and so re-resolves it', () => {
    const version = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';
    const rotated = synthesize('dev', {}, { pageTokenSecretVersion: version }).template;
    const [secretId] = Object.keys(rotated.findResources('AWS::SecretsManager::Secret'));
    const listOrders = Object.values(rotated.findResources('AWS::Lambda::Function')).find(
      (fn) => fn.Properties.Environment.Variables.PAGE_TOKEN_SECRET !== undefined,
    );
    expect(renderedText(listOrders!.Properties.Environment.Variables.PAGE_TOKEN_SECRET)).toBe(
      `{{resolve:secretsmanager:\${${secretId}}:SecretString:::${version}}}`,
    );
  });

  it('takes log level and gateway mode from the deployment settings', () => {
    const { template: custom } = synthesize('dev', { LOG_LEVEL: 'DEBUG', PAYMENT_GATEWAY_MODE: 'always-accept' });
    const fns = Object.values(resourcesOfType(custom, 'AWS::Lambda::Function'));
    expect(fns.every((fn) => fn.Properties.LoggingConfig.ApplicationLogLevel === 'DEBUG')).toBe(true);
    expect(fns.filter((fn) => fn.Properties.Environment.Variables.PAYMENT_GATEWAY_MODE === 'always-accept')).toHaveLength(1);
  });
});

describe('HTTP APIs', () => {
  const apis = resources('AWS::ApiGatewayV2::Api');
  const routes = resources('AWS::ApiGatewayV2::Route');

  it('exposes exactly the six POST routes of docs/contract.md, each to its own Lambda with payload 2.0', () => {
    expect(Object.values(routes).map((r) => r.Properties.RouteKey).sort()).toEqual([
      'POST /api/v1/inventory/listSkus',
      'POST /api/v1/inventory/restockSku',
      'POST /api/v1/orders/listOrders',
      'POST /api/v1/orders/placeOrder',
      'POST /api/v1/payments/listOrderPayments',
      'POST /api/v1/testing/simulateRawEvent',
    ]);
    const integrations = resources('AWS::ApiGatewayV2::Integration');
    for (const integration of Object.values(integrations)) {
      expect(integration.Properties).toMatchObject({ IntegrationType: 'AWS_PROXY', PayloadFormatVersion: '2.0' });
    }
    const expected: Record<string, string> = {
      'POST /api/v1/inventory/restockSku': 'inventory-restock-sku-api',
      'POST /api/v1/inventory/listSkus': 'inventory-list-skus-api',
      'POST /api/v1/orders/placeOrder': 'orders-place-order-api',
      'POST /api/v1/orders/listOrders': 'orders-list-orders-api',
      'POST /api/v1/payments/listOrderPayments': 'payments-list-order-payments-api',
      'POST /api/v1/testing/simulateRawEvent': 'testing-simulate-raw-event-api',
    };
    for (const route of Object.values(routes)) {
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref;
      const uri = integrations[integrationId].Properties.IntegrationUri;
      expect(binaryOf(referencedId(uri)!)).toBe(expected[route.Properties.RouteKey]);
    }
  });

  it('has four APIs with the CORS preflight of §11.5, plus the session-token header of signed requests', () => {
    expect(Object.keys(apis)).toHaveLength(4);
    for (const api of Object.values(apis)) {
      expect(api.Properties.CorsConfiguration).toEqual({
        AllowOrigins: ['*'],
        AllowMethods: ['POST', 'OPTIONS'],
        AllowHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Correlation-Id', 'X-Amz-Security-Token'],
        ExposeHeaders: ['*'],
      });
      expect(api.Properties.CorsConfiguration.AllowCredentials).toBeUndefined();
      expect(api.Properties.CorsConfiguration.MaxAge).toBeUndefined();
    }
    expect(CORS_PREFLIGHT.allowCredentials).toBeUndefined();
  });

  it('deploys a $default auto-deploy stage with access logs per API', () => {
    const stages = Object.values(resources('AWS::ApiGatewayV2::Stage'));
    expect(stages).toHaveLength(4);
    for (const stage of stages) {
      expect(stage.Properties).toMatchObject({ StageName: '$default', AutoDeploy: true });
      expect(resources('AWS::Logs::LogGroup')[referencedId(stage.Properties.AccessLogSettings.DestinationArn)!]).toBeDefined();
      expect(stage.Properties.AccessLogSettings.Format).toContain('$context.requestId');
    }
  });

  it('outputs the four base URLs under stable keys, plus table name and DLQ URLs', () => {
    const outputs = template.findOutputs('*');
    for (const key of ['InventoryApiUrl', 'OrdersApiUrl', 'PaymentsApiUrl', 'TestingApiUrl', 'TableName', 'EventStorePipeDlqUrl']) {
      expect(outputs[key]).toBeDefined();
    }
    expect(Object.keys(outputs).filter((key) => key.endsWith('DlqUrl'))).toHaveLength(7);
    const url = JSON.stringify(outputs.OrdersApiUrl.Value);
    expect(url).toContain('.execute-api.');
    expect(url).toMatch(/"\/"\]\]\}$/);
  });
});

describe('least-privilege IAM', () => {
  type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
  const policies = resources('AWS::IAM::Policy');
  const statementsOf = (policyId: string): Statement[] => policies[policyId].Properties.PolicyDocument.Statement;
  const dynamoActions = (s: Statement) => asArray(s.Action).filter((a) => a.startsWith('dynamodb:'));

  /** Every DynamoDB action granted to the function, per binary. */
  function tableActionsByBinary(): Record<string, string[]> {
    const byBinary: Record<string, string[]> = {};
    for (const [id, fn] of Object.entries(functions)) {
      const roleId = referencedId(fn.Properties.Role);
      const policyIds = Object.keys(policies).filter((p) => policies[p].Properties.Roles.some((r: unknown) => referencedId(r) === roleId));
      byBinary[binaryOf(id)] = policyIds.flatMap(statementsOf).flatMap(dynamoActions).sort();
    }
    return byBinary;
  }

  it('never grants dynamodb:* nor any DynamoDB action on Resource "*"', () => {
    for (const id of Object.keys(policies)) {
      for (const statement of statementsOf(id)) {
        const actions = asArray(statement.Action);
        expect(actions.filter((a) => a === '*' || a === 'dynamodb:*' || /^dynamodb:.*\*/.test(a))).toEqual([]);
        if (dynamoActions(statement).length > 0) {
          expect(asArray(statement.Resource)).not.toContain('*');
        }
      }
    }
  });

  it('lets each function do only what its slice needs', () => {
    const worker = ['dynamodb:ConditionCheckItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];
    expect(tableActionsByBinary()).toEqual({
      'inventory-restock-sku-api': ['dynamodb:PutItem'],
      'orders-place-order-api': ['dynamodb:PutItem'],
      'testing-simulate-raw-event-api': ['dynamodb:PutItem'],
      'inventory-list-skus-api': ['dynamodb:Query'],
      'orders-list-orders-api': ['dynamodb:Query'],
      'payments-list-order-payments-api': ['dynamodb:Query'],
      'inventory-restock-sku-worker': worker,
      'inventory-allocate-order-stock-worker': worker,
      'inventory-complete-order-payment-accepted-worker': worker,
      'inventory-deallocate-order-payment-rejected-worker': worker,
      'orders-sync-order-worker': worker,
      'payments-process-order-payment-worker': worker,
    });
  });

  it('restricts the event-raising APIs to event partition keys (except the raw-event simulator)', () => {
    const putStatements = Object.keys(policies)
      .flatMap(statementsOf)
      .filter((s) => asArray(s.Action).length === 1 && asArray(s.Action)[0] === 'dynamodb:PutItem');
    const prefixes = putStatements.map(
      (s) => (s.Condition as any)?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? 'any key',
    );
    expect(prefixes).toEqual(expect.arrayContaining([['EVENTS#SKU#*'], ['EVENTS#ORDER_ID#*'], 'any key']));
    expect(prefixes).toHaveLength(3);
  });

  it('uses no AWS managed policies', () => {
    for (const role of Object.values(resources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('alarms', () => {
  it('alarms on the depth of every DLQ (six workers + the pipe)', () => {
    // The other alarms (queue age) are in observability.test.ts.
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm')).filter(
      (alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    const dlqIds = Object.keys(queues).filter((id) => queues[id].Properties.RedrivePolicy === undefined);
    expect(dlqIds).toHaveLength(7);
    const watched = alarms.map((alarm) => {
      expect(alarm.Properties).toMatchObject({
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Namespace: 'AWS/SQS',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
      });
      return referencedId(alarm.Properties.Dimensions[0].Value);
    });
    expect(new Set(watched)).toEqual(new Set(dlqIds));
  });
});

describe('authenticated by default', () => {
  const apis = resources('AWS::ApiGatewayV2::Api');
  const routes = resources('AWS::ApiGatewayV2::Route');
  const open = synthesize('dev', {}, { publicApis: true });
  const openRoutes = resourcesOfType(open.template, 'AWS::ApiGatewayV2::Route');

  it('requires IAM (SigV4) authorization on every route', () => {
    expect(Object.keys(routes)).toHaveLength(6);
    for (const route of Object.values(routes)) {
      expect(route.Properties.AuthorizationType).toBe('AWS_IAM');
      expect(route.Properties.AuthorizerId).toBeUndefined();
    }
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 0);
  });

  it('adds no OPTIONS route: API Gateway answers CORS preflights before authorization', () => {
    for (const template_ of [template, open.template]) {
      const keys = Object.values(resourcesOfType(template_, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
      expect(keys.filter((key: string) => !key.startsWith('POST '))).toEqual([]);
      for (const api of Object.values(resourcesOfType(template_, 'AWS::ApiGatewayV2::Api'))) {
        expect(api.Properties.CorsConfiguration.AllowMethods).toContain('OPTIONS');
        expect(api.Properties.CorsConfiguration.AllowHeaders).toEqual(
          expect.arrayContaining(['Authorization', 'X-Amz-Date', 'X-Amz-Security-Token']),
        );
      }
    }
  });

  it('opens every route only for a stage configured with publicApis', () => {
    expect(open.config.publicApis).toBe(true);
    expect(Object.values(openRoutes).map((r) => r.Properties.RouteKey).sort()).toEqual(
      Object.values(routes).map((r) => r.Properties.RouteKey).sort(),
    );
    for (const route of Object.values(openRoutes)) expect(route.Properties.AuthorizationType).toBe('NONE');
    expect(synthesize('dev', { PUBLIC_APIS: 'true' }).template.toJSON()).toEqual(open.template.toJSON());
  });

  it('outputs the region, the routes\' authorization and each API\'s invoke ARN', () => {
    const outputs = template.findOutputs('*');
    expect(outputs.Region.Value).toEqual({ Ref: 'AWS::Region' });
    expect(outputs.ApiAuthorization.Value).toBe('AWS_IAM');
    expect(open.template.findOutputs('ApiAuthorization').ApiAuthorization.Value).toBe('NONE');
    for (const [domain, key] of Object.entries(API_INVOKE_ARN_OUTPUT_KEYS)) {
      const arn = renderedText(outputs[key].Value);
      const apiId = Object.keys(apis).find((id) => apis[id].Properties.Name.includes(domain));
      expect(arn).toBe(`arn:\${AWS::Partition}:execute-api:\${AWS::Region}:\${AWS::AccountId}:\${${apiId}}/*/*/*`);
    }
  });
});

describe('cdk-nag AWS Solutions checks', () => {
  it('report no unacknowledged finding (errors or warnings), with or without publicApis', () => {
    expect(unacknowledgedNagFindings(app)).toEqual([]);
    expect(unacknowledgedNagFindings(synthesize('dev', {}, { publicApis: true }).app)).toEqual([]);
  });

  it('acknowledge only the pipe DLQ rule and the page token secret\'s rotation by default, each with a specific reason', () => {
    const acks = nagAcknowledgements(app);
    expect([...acks.keys()].sort()).toEqual(['AwsSolutions-SMG4', 'AwsSolutions-SQS3']);
    for (const reasons of acks.values()) {
      for (const reason of reasons) expect(reason.length).toBeGreaterThan(60);
    }
  });

  it('acknowledge unauthenticated routes (APIG4) only on a stage configured with publicApis', () => {
    const acks = nagAcknowledgements(synthesize('dev', {}, { publicApis: true }).app);
    expect([...acks.keys()].sort()).toEqual(['AwsSolutions-APIG4', 'AwsSolutions-SMG4', 'AwsSolutions-SQS3']);
    for (const reason of acks.get('AwsSolutions-APIG4')!) expect(reason).toMatch(/publicApis/);
  });
});
