import { NAME_LIMITS, Naming, boundedName, sanitizeStage, validatePrefix } from '../lib/naming';
import { LONG_ODD_STAGE, routing } from './support';

const SQS_OR_LAMBDA_NAME = /^[A-Za-z0-9_-]+$/;

describe('sanitizeStage', () => {
  it.each([
    ['dev', 'dev'],
    ['my-test', 'my-test'],
    [LONG_ODD_STAGE, 'Feature-Branch-With-A-Very-Long-Name-123'],
    ['  feature/ABC__12 ', 'feature-ABC-12'],
    ['--x..y--', 'x-y'],
    ['ünïcode-stage', 'n-code-stage'],
  ])('%j → %j', (raw, expected) => {
    expect(sanitizeStage(raw)).toBe(expected);
  });

  it.each(['', '---', '...', '✓'])('rejects %j (nothing left)', (raw) => {
    expect(() => sanitizeStage(raw)).toThrow(/no letters or digits/);
  });
});

describe('validatePrefix', () => {
  it('accepts the package.json prefix', () => {
    expect(validatePrefix('ecommRs')).toBe('ecommRs');
  });
  it.each(['', '1abc', 'with-dash', 'a'.repeat(21)])('rejects %j', (prefix) => {
    expect(() => validatePrefix(prefix)).toThrow(/Deployment prefix/);
  });
});

describe('boundedName', () => {
  it('keeps names that fit untouched', () => {
    expect(boundedName(['ecommRs-dev', 'Orders', 'SyncOrderWorker'], 64)).toBe('ecommRs-dev-Orders-SyncOrderWorker');
  });

  it('truncates to exactly the limit and appends an 8-hex hash', () => {
    const name = boundedName(['a'.repeat(50), 'b'.repeat(50)], 64);
    expect(name).toHaveLength(64);
    expect(name).toMatch(/^a{50}-b{4}-[0-9a-f]{8}$/);
  });

  it('never leaves a dash before the hash separator', () => {
    // The 55-character head would end with the dash between the parts.
    const name = boundedName(['a'.repeat(54), 'b'.repeat(20)], 64);
    expect(name).toMatch(/^a{54}-[0-9a-f]{8}$/);
  });

  it('is deterministic and distinguishes names that share the truncated head', () => {
    const head = 'x'.repeat(70);
    const one = boundedName([head, 'DeallocateOrderPaymentRejectedWorker'], 64);
    const two = boundedName([head, 'CompleteOrderPaymentAcceptedWorker'], 64);
    expect(one).toBe(boundedName([head, 'DeallocateOrderPaymentRejectedWorker'], 64));
    expect(one).not.toBe(two);
  });

  it('refuses limits without room for the hash', () => {
    expect(() => boundedName(['abc'], 9)).toThrow(/no room/);
  });
});

describe('Naming', () => {
  const stages = ['dev', 'prod', 'my-test', sanitizeStage(LONG_ODD_STAGE), 'S'.repeat(200)];

  it.each(stages)('keeps every physical name of stage %j within its service limit, valid and unique', (stage) => {
    const naming = new Naming('ecommRs', stage);
    const slices = [
      ...routing.workers,
      { domain: 'Inventory', slice: 'RestockSkuApi' },
      { domain: 'Testing', slice: 'SimulateRawEventApi' },
    ];
    const lambdas = slices.map((s) => naming.lambdaFunction(s.domain, s.slice));
    const queues = routing.workers.flatMap((w) => [naming.queue(w.domain, w.slice), naming.deadLetterQueue(w.domain, w.slice)]);

    for (const name of lambdas) {
      expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.lambdaFunction);
      expect(name).toMatch(SQS_OR_LAMBDA_NAME);
    }
    for (const name of queues) {
      expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.sqsQueue);
      expect(name).toMatch(SQS_OR_LAMBDA_NAME);
    }
    expect(new Set(lambdas).size).toBe(lambdas.length);
    expect(new Set(queues).size).toBe(queues.length);
    expect(naming.stackName.length).toBeLessThanOrEqual(NAME_LIMITS.stack);
    expect(naming.stackName).toMatch(/^[A-Za-z][A-Za-z0-9-]*$/);
    expect(naming.table().length).toBeLessThanOrEqual(NAME_LIMITS.dynamoDbTable);
    expect(naming.eventBus().length).toBeLessThanOrEqual(NAME_LIMITS.eventBus);
    expect(naming.httpApi('Inventory').length).toBeLessThanOrEqual(NAME_LIMITS.httpApi);
  });

  it.each(stages)('keeps the archive name of stage %j within EventBridge\'s 48 characters and pattern', (stage) => {
    const name = new Naming('ecommRs', stage).eventArchive();
    expect(name.length).toBeLessThanOrEqual(NAME_LIMITS.eventArchive);
    expect(name).toMatch(/^[.\-_A-Za-z0-9]+$/);
  });

  it.each([...stages, 'S'.repeat(300)])(
    'keeps the dashboard name and metrics namespace of stage %j within CloudWatch\'s limits',
    (stage) => {
      const naming = new Naming('ecommRs', stage);
      // The region is appended whole, after the (possibly hashed) qualifier.
      const dashboard = naming.dashboard('ap-southeast-5');
      expect(dashboard.length).toBeLessThanOrEqual(NAME_LIMITS.dashboard);
      expect(dashboard).toMatch(/^[A-Za-z0-9_-]+-ap-southeast-5$/);
      expect(naming.metricsNamespace.length).toBeLessThanOrEqual(NAME_LIMITS.metricsNamespace);
      expect(naming.metricsNamespace).toMatch(/^Ecomm\/[A-Za-z0-9-]+$/);
    },
  );

  it('uses readable, unhashed names for the dev stage', () => {
    const naming = new Naming('ecommRs', 'dev');
    expect(naming.stackName).toBe('ecommRs-dev');
    expect(naming.lambdaFunction('Inventory', 'DeallocateOrderPaymentRejectedWorker')).toBe(
      'ecommRs-dev-Inventory-DeallocateOrderPaymentRejectedWorker',
    );
    expect(naming.deadLetterQueue('Inventory', 'DeallocateOrderPaymentRejectedWorker')).toBe(
      'ecommRs-dev-Inventory-DeallocateOrderPaymentRejectedWorker-Dlq',
    );
    expect(naming.table()).toBe('ecommRs-dev-Common-DynamoDb-Table');
    expect(naming.dashboard('eu-west-1')).toBe('ecommRs-dev-eu-west-1');
    expect(naming.metricsNamespace).toBe('Ecomm/dev');
  });

  it('refuses an unsanitised stage', () => {
    expect(() => new Naming('ecommRs', 'a_b')).toThrow(/not sanitized/);
  });
});
