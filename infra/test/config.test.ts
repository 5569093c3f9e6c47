import * as path from 'node:path';
import { deploymentPrefix, resolveDeploymentConfig } from '../lib/config';
import { DEFAULT_LAMBDA_ASSETS_DIR, INFRA_DIR } from '../lib/paths';

function resolve(context: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  return resolveDeploymentConfig({ context: (key) => context[key], env }, 'ecommRs');
}

describe('resolveDeploymentConfig', () => {
  it('reads the prefix from package.json config.deployment_prefix', () => {
    expect(deploymentPrefix()).toBe('ecommRs');
  });

  it('defaults: stage dev, testing API on, INFO, random gateway, target/lambda', () => {
    const config = resolve({});
    expect(config.naming.qualifier).toBe('ecommRs-dev');
    expect(config.enableTestingApi).toBe(true);
    expect(config.logLevel).toBe('INFO');
    expect(config.paymentGatewayMode).toBe('random');
    expect(config.lambdaAssetsDir).toBe(DEFAULT_LAMBDA_ASSETS_DIR);
    expect(DEFAULT_LAMBDA_ASSETS_DIR).toBe(path.resolve(INFRA_DIR, '../target/lambda'));
  });

  it('disables the Testing API on prod unless explicitly enabled', () => {
    expect(resolve({ stage: 'prod' }).enableTestingApi).toBe(false);
    expect(resolve({ stage: 'prod' }, { ENABLE_TESTING_API: 'true' }).enableTestingApi).toBe(true);
    expect(resolve({ stage: 'qa' }, { ENABLE_TESTING_API: 'false' }).enableTestingApi).toBe(false);
  });

  it('prefers context over environment', () => {
    const config = resolve({ stage: 'ctx', logLevel: 'debug' }, { DEPLOYMENT_STAGE: 'env', LOG_LEVEL: 'ERROR' });
    expect(config.naming.stage).toBe('ctx');
    expect(config.logLevel).toBe('DEBUG');
  });

  it('follows CARGO_TARGET_DIR (relative to the repository root) when LAMBDA_ASSETS_DIR is unset', () => {
    expect(resolve({}, { CARGO_TARGET_DIR: '/cache/target' }).lambdaAssetsDir).toBe('/cache/target/lambda');
    expect(resolve({}, { CARGO_TARGET_DIR: 'out' }).lambdaAssetsDir).toBe(path.resolve(INFRA_DIR, '../out/lambda'));
    expect(resolve({}, { CARGO_TARGET_DIR: '/cache/target', LAMBDA_ASSETS_DIR: 'x' }).lambdaAssetsDir).toBe(
      path.join(INFRA_DIR, 'x'),
    );
  });

  it('sanitises the stage and resolves LAMBDA_ASSETS_DIR from infra/', () => {
    const config = resolve({}, { DEPLOYMENT_STAGE: 'feat/x_y', LAMBDA_ASSETS_DIR: 'build/lambdas' });
    expect(config.naming.stage).toBe('feat-x-y');
    expect(config.lambdaAssetsDir).toBe(path.join(INFRA_DIR, 'build', 'lambdas'));
  });

  it('keeps archived events 7 days, 30 on prod, unless archiveRetentionDays / ARCHIVE_RETENTION_DAYS says otherwise', () => {
    expect(resolve({}).archiveRetentionDays).toBe(7);
    expect(resolve({ stage: 'qa' }).archiveRetentionDays).toBe(7);
    expect(resolve({ stage: 'prod' }).archiveRetentionDays).toBe(30);
    expect(resolve({ stage: 'prod' }, { ARCHIVE_RETENTION_DAYS: '3' }).archiveRetentionDays).toBe(3);
    expect(resolve({ stage: 'prod', archiveRetentionDays: 0 }, { ARCHIVE_RETENTION_DAYS: '3' }).archiveRetentionDays).toBe(0);
    expect(resolve({ archiveRetentionDays: ' 365 ' }).archiveRetentionDays).toBe(365);
    expect(resolve({}, { ARCHIVE_RETENTION_DAYS: '' }).archiveRetentionDays).toBe(7);
  });

  it('requires IAM authorization unless publicApis / PUBLIC_APIS opens the routes', () => {
    expect(resolve({}).publicApis).toBe(false);
    expect(resolve({ stage: 'prod' }).publicApis).toBe(false);
    expect(resolve({ publicApis: true }).publicApis).toBe(true);
    expect(resolve({ publicApis: 'true' }).publicApis).toBe(true);
    expect(resolve({}, { PUBLIC_APIS: 'yes' }).publicApis).toBe(true);
    expect(resolve({ publicApis: false }, { PUBLIC_APIS: 'true' }).publicApis).toBe(false);
    expect(() => resolve({ publicApis: 'open' })).toThrow(/publicApis \/ PUBLIC_APIS must be true or false/);
  });

  it('pins the page token secret version only when pageTokenSecretVersion / PAGE_TOKEN_SECRET_VERSION is set', () => {
    const version = 'EXAMPLE1-90ab-cdef-fedc-ba987EXAMPLE';
    expect(resolve({}).pageTokenSecretVersion).toBeUndefined();
    expect(resolve({ pageTokenSecretVersion: version }).pageTokenSecretVersion).toBe(version);
    expect(resolve({}, { PAGE_TOKEN_SECRET_VERSION: ` ${version} ` }).pageTokenSecretVersion).toBe(version);
    for (const bad of ['latest', 'AWSCURRENT', `${version}:x`, 'a'.repeat(65)]) {
      expect(() => resolve({ pageTokenSecretVersion: bad })).toThrow(/must be a Secrets Manager version id/);
    }
  });

  it.each(['-1', '1.5', '7d', 'forever', '', '1e3'])('rejects archiveRetentionDays %j', (days) => {
    expect(() => resolve({ archiveRetentionDays: days })).toThrow(/archiveRetentionDays.*non-negative integer/);
    if (days !== '') expect(() => resolve({}, { ARCHIVE_RETENTION_DAYS: days })).toThrow(/non-negative integer/);
  });

  it.each([
    [{ enableTestingApi: 'maybe' }, /true or false/],
    [{ logLevel: 'VERBOSE' }, /logLevel/],
    [{ paymentGatewayMode: 'Always Accept' }, /kebab-case/],
  ])('rejects %j', (context, message) => {
    expect(() => resolve(context)).toThrow(message);
  });
});
