import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { missingLambdaAssets } from '../lib/lambda-assets';
import { cdkArguments, parseInvocation, UsageError } from '../lib/runner/arguments';
import { planLambdaAssets, writePlaceholderAssets } from '../lib/runner/assets';
import { apiBaseUrlsFromOutputs, apiRegionFromOutputs, envFiles, executeApiRegion, writeEnvFiles } from '../lib/runner/env-files';
import { EXPECTED_BINARIES, LONG_ODD_STAGE } from './support';

describe('parseInvocation', () => {
  it('takes the stage from argv, then DEPLOYMENT_STAGE, then dev', () => {
    expect(parseInvocation(['deploy', 'qa'], { DEPLOYMENT_STAGE: 'x' }).stage).toBe('qa');
    expect(parseInvocation(['deploy'], { DEPLOYMENT_STAGE: 'x' }).stage).toBe('x');
    expect(parseInvocation(['synth'], {}).stage).toBe('dev');
  });

  it('sanitises the stage and keeps what was typed', () => {
    const invocation = parseInvocation(['synth', LONG_ODD_STAGE], {});
    expect(invocation).toEqual({
      command: 'synth',
      requestedStage: LONG_ODD_STAGE,
      stage: 'Feature-Branch-With-A-Very-Long-Name-123',
    });
  });

  it.each([[[]], [['list']], [['deploy', 'dev', 'extra']], [['deploy', '___']]])('rejects %j', (args) => {
    expect(() => parseInvocation(args, {})).toThrow(UsageError);
  });
});

describe('cdkArguments', () => {
  const deploy = parseInvocation(['deploy', 'my-test'], {});

  it('deploys this stage only, without approval prompts, writing outputs.<stage>.json', () => {
    expect(cdkArguments(deploy, 'ecommRs-my-test', {})).toEqual([
      'deploy',
      'ecommRs-my-test',
      '--context',
      'stage=my-test',
      '--require-approval',
      'never',
      '--outputs-file',
      'outputs.my-test.json',
    ]);
  });

  it('honours CDK_REQUIRE_APPROVAL and CDK_PROFILE', () => {
    const args = cdkArguments(deploy, 'ecommRs-my-test', { CDK_REQUIRE_APPROVAL: 'broadening', CDK_PROFILE: 'sandbox' });
    expect(args).toEqual(expect.arrayContaining(['broadening', '--profile', 'sandbox']));
    expect(args).not.toContain('never');
    expect(() => cdkArguments(deploy, 'ecommRs-my-test', { CDK_REQUIRE_APPROVAL: 'yes' })).toThrow(UsageError);
  });

  it('passes no profile, approval or outputs flags to synth', () => {
    const args = cdkArguments(parseInvocation(['synth'], {}), 'ecommRs-dev', {});
    expect(args).toEqual(['synth', 'ecommRs-dev', '--context', 'stage=dev']);
  });

  it('bootstraps the environment, not a stack; destroys with --force only on request', () => {
    expect(cdkArguments(parseInvocation(['bootstrap'], {}), 'ecommRs-dev', {})[1]).toBe('--context');
    expect(cdkArguments(parseInvocation(['destroy'], {}), 'ecommRs-dev', {})).not.toContain('--force');
    expect(cdkArguments(parseInvocation(['destroy'], {}), 'ecommRs-dev', { CDK_FORCE_DESTROY: 'true' })).toContain('--force');
  });
});

describe('Lambda assets', () => {
  const base = { assetsDir: '/x', missing: ['orders-sync-order-worker'] };

  it('always (re)builds for synth/deploy into the default directory, never with a custom one', () => {
    expect(planLambdaAssets({ ...base, command: 'deploy', usingDefaultDir: true })).toEqual({ kind: 'build' });
    expect(planLambdaAssets({ ...base, command: 'synth', usingDefaultDir: true })).toEqual({ kind: 'build' });
    expect(planLambdaAssets({ ...base, command: 'synth', usingDefaultDir: false }).kind).toBe('fail');
    expect(planLambdaAssets({ ...base, command: 'destroy', usingDefaultDir: true })).toEqual({ kind: 'placeholders' });
    expect(planLambdaAssets({ ...base, command: 'deploy', usingDefaultDir: true, missing: [] })).toEqual({ kind: 'build' });
    expect(planLambdaAssets({ ...base, command: 'deploy', usingDefaultDir: false, missing: [] })).toEqual({ kind: 'ready' });
    expect(planLambdaAssets({ ...base, command: 'destroy', usingDefaultDir: true, missing: [] })).toEqual({ kind: 'ready' });
  });

  it('detects missing bootstraps and fills them with placeholders', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecomm-runner-test-'));
    expect(missingLambdaAssets(dir, EXPECTED_BINARIES)).toEqual(EXPECTED_BINARIES);
    writePlaceholderAssets(dir, EXPECTED_BINARIES);
    expect(missingLambdaAssets(dir, EXPECTED_BINARIES)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('.env files after deploy', () => {
  const outputs = {
    'ecommRs-my-test': {
      InventoryApiUrl: 'https://inv.execute-api.eu-west-1.amazonaws.com/',
      OrdersApiUrl: 'https://ord.execute-api.eu-west-1.amazonaws.com/',
      PaymentsApiUrl: 'https://pay.execute-api.eu-west-1.amazonaws.com/',
      TestingApiUrl: 'https://tst.execute-api.eu-west-1.amazonaws.com/',
      TableName: 'ecommRs-my-test-Common-DynamoDb-Table',
    },
  };

  it('reads the URLs by stable keys, whatever the stage, and strips the trailing slash', () => {
    expect(apiBaseUrlsFromOutputs(outputs, 'ecommRs-my-test')).toEqual({
      Inventory: 'https://inv.execute-api.eu-west-1.amazonaws.com',
      Orders: 'https://ord.execute-api.eu-west-1.amazonaws.com',
      Payments: 'https://pay.execute-api.eu-west-1.amazonaws.com',
      Testing: 'https://tst.execute-api.eu-west-1.amazonaws.com',
    });
  });

  it('fails on a missing stack or API output, tolerates a missing Testing API', () => {
    expect(() => apiBaseUrlsFromOutputs(outputs, 'ecommRs-other')).toThrow(/No outputs/);
    const { OrdersApiUrl: _orders, ...noOrders } = outputs['ecommRs-my-test'];
    expect(() => apiBaseUrlsFromOutputs({ s: noOrders }, 's')).toThrow(/OrdersApiUrl/);
    const { TestingApiUrl: _testing, ...noTesting } = outputs['ecommRs-my-test'];
    expect(apiBaseUrlsFromOutputs({ s: noTesting }, 's').Testing).toBeUndefined();
  });

  it('writes one .env per REST-client domain and scripts/.env with all four', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ecomm-env-test-'));
    writeEnvFiles(envFiles(root, apiBaseUrlsFromOutputs(outputs, 'ecommRs-my-test')));
    const read = (...parts: string[]) => fs.readFileSync(path.join(root, ...parts), 'utf8');
    expect(read('_restclient', 'inventory', '.env')).toBe('INVENTORY_API_BASE_URL=https://inv.execute-api.eu-west-1.amazonaws.com\n');
    expect(read('_restclient', 'orders', '.env')).toBe('ORDERS_API_BASE_URL=https://ord.execute-api.eu-west-1.amazonaws.com\n');
    expect(read('_restclient', 'payments', '.env')).toBe('PAYMENTS_API_BASE_URL=https://pay.execute-api.eu-west-1.amazonaws.com\n');
    expect(read('_restclient', 'testing', '.env')).toBe('TESTING_API_BASE_URL=https://tst.execute-api.eu-west-1.amazonaws.com\n');
    expect(read('scripts', '.env')).toBe(
      [
        'INVENTORY_API_BASE_URL=https://inv.execute-api.eu-west-1.amazonaws.com',
        'ORDERS_API_BASE_URL=https://ord.execute-api.eu-west-1.amazonaws.com',
        'PAYMENTS_API_BASE_URL=https://pay.execute-api.eu-west-1.amazonaws.com',
        'TESTING_API_BASE_URL=https://tst.execute-api.eu-west-1.amazonaws.com',
        '',
      ].join('\n'),
    );
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('adds API_REGION, from the Region output or else the URLs, to every file', () => {
    expect(apiRegionFromOutputs({ s: { ...outputs['ecommRs-my-test'], Region: 'ap-south-1' } }, 's')).toBe('ap-south-1');
    expect(apiRegionFromOutputs(outputs, 'ecommRs-my-test')).toBe('eu-west-1');
    expect(apiRegionFromOutputs(outputs, 'ecommRs-other')).toBeUndefined();
    expect(executeApiRegion('https://a1b2.execute-api.us-east-2.amazonaws.com/api')).toBe('us-east-2');
    expect(executeApiRegion('http://127.0.0.1:3000')).toBeUndefined();
    const files = envFiles('/repo', { Inventory: 'i', Orders: 'o', Payments: 'p' }, 'eu-west-1');
    expect(files.find((f) => f.file.endsWith(path.join('inventory', '.env')))?.content).toBe(
      'INVENTORY_API_BASE_URL=i\nAPI_REGION=eu-west-1\n',
    );
    expect(files.find((f) => f.file.endsWith(path.join('scripts', '.env')))?.content).toBe(
      'INVENTORY_API_BASE_URL=i\nORDERS_API_BASE_URL=o\nPAYMENTS_API_BASE_URL=p\nAPI_REGION=eu-west-1\n',
    );
  });

  it('writes no testing .env when the stage has no Testing API', () => {
    const files = envFiles('/repo', { Inventory: 'i', Orders: 'o', Payments: 'p' });
    expect(files.map((f) => f.file)).not.toContain(path.join('/repo', '_restclient', 'testing', '.env'));
    expect(files.find((f) => f.file.endsWith(path.join('scripts', '.env')))?.content).toBe(
      'INVENTORY_API_BASE_URL=i\nORDERS_API_BASE_URL=o\nPAYMENTS_API_BASE_URL=p\n',
    );
  });
});
