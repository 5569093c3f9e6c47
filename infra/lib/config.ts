import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_LAMBDA_ASSETS_DIR, INFRA_DIR, REPO_ROOT } from './paths';
import { Naming, sanitizeStage, validatePrefix } from './naming';

export const DEFAULT_STAGE = 'dev';
export const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Days the bus archive keeps events when `archiveRetentionDays` is not set: a month on `prod`
 * (enough to notice a bug and replay after fixing it), a week elsewhere (cheap).
 */
export const DEFAULT_ARCHIVE_RETENTION_DAYS = { prod: 30, other: 7 } as const;

/** Everything one deployment depends on, resolved once from context, environment and defaults. */
export interface DeploymentConfig {
  readonly naming: Naming;
  /** Deploy the Testing API and its Lambda (SimulateRawEvent can write arbitrary items). */
  readonly enableTestingApi: boolean;
  /** Lambda advanced logging: application log level (JSON format). */
  readonly logLevel: LogLevel;
  /** `PAYMENT_GATEWAY_MODE` of the payment worker (the fake gateway, docs/contract.md §9). */
  readonly paymentGatewayMode: string;
  /** Absolute directory holding `<binary>/bootstrap` for every Lambda. */
  readonly lambdaAssetsDir: string;
  /** Days the event bus archive keeps events; 0 = indefinitely (EventBridge's meaning of 0). */
  readonly archiveRetentionDays: number;
  /**
   * Routes without authorization (anyone on the internet may call them). Off by default: every
   * route then requires IAM authorization, i.e. a SigV4-signed request from a principal allowed
   * `execute-api:Invoke` on the API.
   */
  readonly publicApis: boolean;
  /**
   * The version of the page token secret the list APIs sign with (a Secrets Manager version id),
   * or the latest one when the stack was first deployed. CloudFormation resolves the secret only
   * when this reference changes, so rotating means putting a new value and deploying its id.
   */
  readonly pageTokenSecretVersion: string | undefined;
}

export interface ConfigSources {
  /** CDK context lookup (`app.node.tryGetContext`). */
  readonly context: (key: string) => unknown;
  readonly env: NodeJS.ProcessEnv;
}

/** `config.deployment_prefix` of infra/package.json. */
export function deploymentPrefix(packageJsonFile = path.join(INFRA_DIR, 'package.json')): string {
  const pkg = JSON.parse(fs.readFileSync(packageJsonFile, 'utf8')) as { config?: { deployment_prefix?: unknown } };
  const prefix = pkg.config?.deployment_prefix;
  if (typeof prefix !== 'string') {
    throw new Error(`${packageJsonFile}: config.deployment_prefix must be a string`);
  }
  return validatePrefix(prefix);
}

/**
 * Context wins over environment, environment over defaults:
 * - `stage` / `DEPLOYMENT_STAGE` (default `dev`), sanitised to `[A-Za-z0-9-]`;
 * - `enableTestingApi` / `ENABLE_TESTING_API` (default: true unless the stage is `prod`);
 * - `logLevel` / `LOG_LEVEL` (default `INFO`);
 * - `paymentGatewayMode` / `PAYMENT_GATEWAY_MODE` (default `random`);
 * - `archiveRetentionDays` / `ARCHIVE_RETENTION_DAYS` (default 30 on `prod`, else 7; 0 = forever);
 * - `publicApis` / `PUBLIC_APIS` (default false: every route requires IAM authorization);
 * - `pageTokenSecretVersion` / `PAGE_TOKEN_SECRET_VERSION` (default: the secret's first version);
 * - `LAMBDA_ASSETS_DIR` (default `<repo>/target/lambda`, relative paths resolved from infra/).
 */
export function resolveDeploymentConfig(sources: ConfigSources, prefix = deploymentPrefix()): DeploymentConfig {
  const setting = (contextKey: string, envKey: string): string | undefined => {
    const fromContext = sources.context(contextKey);
    if (fromContext !== undefined && fromContext !== null) return String(fromContext);
    const fromEnv = sources.env[envKey];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };

  const stage = sanitizeStage(setting('stage', 'DEPLOYMENT_STAGE') ?? DEFAULT_STAGE);
  const enableTestingApi = parseBoolean(
    'enableTestingApi / ENABLE_TESTING_API',
    setting('enableTestingApi', 'ENABLE_TESTING_API'),
    stage.toLowerCase() !== 'prod',
  );
  const logLevel = parseLogLevel(setting('logLevel', 'LOG_LEVEL') ?? 'INFO');
  const paymentGatewayMode = setting('paymentGatewayMode', 'PAYMENT_GATEWAY_MODE') ?? 'random';
  if (!/^[a-z][a-z0-9-]*$/.test(paymentGatewayMode)) {
    throw new Error(`paymentGatewayMode "${paymentGatewayMode}" must be lower-case kebab-case`);
  }
  const { dir: lambdaAssetsDir } = lambdaAssetsDirectory(sources.env);
  const archiveRetentionDays = parseRetentionDays(
    setting('archiveRetentionDays', 'ARCHIVE_RETENTION_DAYS'),
    stage.toLowerCase() === 'prod' ? DEFAULT_ARCHIVE_RETENTION_DAYS.prod : DEFAULT_ARCHIVE_RETENTION_DAYS.other,
  );

  const publicApis = parseBoolean('publicApis / PUBLIC_APIS', setting('publicApis', 'PUBLIC_APIS'), false);
  const pageTokenSecretVersion = setting('pageTokenSecretVersion', 'PAGE_TOKEN_SECRET_VERSION')?.trim();
  if (pageTokenSecretVersion !== undefined && !/^[A-Za-z0-9-]{32,64}$/.test(pageTokenSecretVersion)) {
    throw new Error(
      `pageTokenSecretVersion / PAGE_TOKEN_SECRET_VERSION must be a Secrets Manager version id ` +
        `(32 to 64 letters, digits and hyphens), got "${pageTokenSecretVersion}"`,
    );
  }

  return {
    naming: new Naming(prefix, stage),
    enableTestingApi,
    logLevel,
    paymentGatewayMode,
    lambdaAssetsDir,
    archiveRetentionDays,
    publicApis,
    pageTokenSecretVersion,
  };
}

/**
 * `LAMBDA_ASSETS_DIR` (relative to infra/), or where cargo-lambda writes: `$CARGO_TARGET_DIR/lambda`
 * (relative to the repository root, where the runner runs cargo) or `<repo>/target/lambda`.
 */
export function lambdaAssetsDirectory(env: NodeJS.ProcessEnv): { readonly dir: string; readonly isDefault: boolean } {
  const configured = env.LAMBDA_ASSETS_DIR;
  if (configured !== undefined && configured !== '') {
    return { dir: path.resolve(INFRA_DIR, configured), isDefault: false };
  }
  const targetDir = env.CARGO_TARGET_DIR;
  return targetDir === undefined || targetDir === ''
    ? { dir: DEFAULT_LAMBDA_ASSETS_DIR, isDefault: true }
    : { dir: path.join(path.resolve(REPO_ROOT, targetDir), 'lambda'), isDefault: true };
}

function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  switch (value.trim().toLowerCase()) {
    case 'true':
    case '1':
    case 'yes':
      return true;
    case 'false':
    case '0':
    case 'no':
      return false;
    default:
      throw new Error(`${name} must be true or false, got "${value}"`);
  }
}

/** A whole number of days ≥ 0 (`"7"`, ` 30 `); anything else fails synth. */
function parseRetentionDays(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const trimmed = value.trim();
  const days = /^[0-9]+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isSafeInteger(days)) {
    throw new Error(
      `archiveRetentionDays / ARCHIVE_RETENTION_DAYS must be a non-negative integer number of days ` +
        `(0 = keep events indefinitely), got "${value}"`,
    );
  }
  return days;
}

function parseLogLevel(value: string): LogLevel {
  const upper = value.trim().toUpperCase();
  const level = LOG_LEVELS.find((candidate) => candidate === upper);
  if (level === undefined) {
    throw new Error(`logLevel must be one of ${LOG_LEVELS.join(', ')}, got "${value}"`);
  }
  return level;
}
