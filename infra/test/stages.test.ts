import { NAME_LIMITS } from '../lib/naming';
import { LONG_ODD_STAGE, resourcesOfType, synthesize, unacknowledgedNagFindings } from './support';

describe('prod stage', () => {
  const { app, template, config } = synthesize('prod');

  it('passes cdk-nag', () => {
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it('deploys no Testing API, route, Lambda or output', () => {
    expect(config.enableTestingApi).toBe(false);
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 3);
    const routeKeys = Object.values(resourcesOfType(template, 'AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routeKeys).toHaveLength(5);
    expect(routeKeys).not.toContain('POST /api/v1/testing/simulateRawEvent');
    const descriptions = Object.values(resourcesOfType(template, 'AWS::Lambda::Function')).map((f) => f.Properties.Description);
    expect(descriptions).toHaveLength(11);
    expect(descriptions.some((d: string) => d.startsWith('Testing/'))).toBe(false);
    expect(template.findOutputs('TestingApiUrl')).toEqual({});
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['InventoryApiUrl', 'OrdersApiUrl', 'PaymentsApiUrl']),
    );
  });

});

describe(`long odd stage ${JSON.stringify(LONG_ODD_STAGE)}`, () => {
  const { app, template, stack } = synthesize(LONG_ODD_STAGE);

  it('passes cdk-nag', () => {
    expect(unacknowledgedNagFindings(app)).toEqual([]);
  });

  it('sanitises the stage into the stack name', () => {
    expect(stack.stackName).toBe('ecommRs-Feature-Branch-With-A-Very-Long-Name-123');
    expect(stack.stackName.length).toBeLessThanOrEqual(NAME_LIMITS.stack);
  });

  it('keeps every physical name within its service limit', () => {
    const names = (type: string, property: string) =>
      Object.values(resourcesOfType(template, type)).map((r) => r.Properties[property] as string);

    const lambdaNames = names('AWS::Lambda::Function', 'FunctionName');
    const queueNames = names('AWS::SQS::Queue', 'QueueName').filter((n) => n !== undefined);
    expect(lambdaNames).toHaveLength(12);
    expect(queueNames).toHaveLength(12);
    for (const name of lambdaNames) expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.lambdaFunction);
    for (const name of queueNames) expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.sqsQueue);
    expect(new Set(lambdaNames).size).toBe(12);
    expect(new Set(queueNames).size).toBe(12);
    // The two names the original overflowed first (§11.1) are now bounded, hashed and distinct.
    expect(lambdaNames.filter((n) => /-[0-9a-f]{8}$/.test(n)).length).toBeGreaterThan(0);
    for (const name of names('AWS::DynamoDB::Table', 'TableName')) {
      expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.dynamoDbTable);
    }
    for (const name of names('AWS::Events::EventBus', 'Name')) {
      expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.eventBus);
    }
    for (const name of names('AWS::ApiGatewayV2::Api', 'Name')) {
      expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.httpApi);
    }
  });

  it('keeps the stable API output keys', () => {
    expect(Object.keys(template.findOutputs('*'))).toEqual(
      expect.arrayContaining(['InventoryApiUrl', 'OrdersApiUrl', 'PaymentsApiUrl', 'TestingApiUrl']),
    );
  });
});
