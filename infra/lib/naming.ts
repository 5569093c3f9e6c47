import { createHash } from 'node:crypto';

/**
 * Physical-name limits of the services whose names we set ourselves (docs/contract.md §14 #14: the
 * original overflowed Lambda's 64 and SQS's 80 characters as soon as the stage was a little long).
 * Everything else (roles, rules, pipe, log groups, alarms) is named by CloudFormation.
 */
export const NAME_LIMITS = {
  stack: 128,
  lambdaFunction: 64,
  sqsQueue: 80,
  dynamoDbTable: 255,
  eventBus: 256,
  /** EventBridge archive names: 1–48 of `[.\-_A-Za-z0-9]`. */
  eventArchive: 48,
  httpApi: 128,
  dashboard: 255,
  /** CloudWatch namespaces of custom metrics. */
  metricsNamespace: 255,
} as const;

/** Room kept for the region in dashboard names (the longest region codes have 14 characters). */
const MAX_REGION_LENGTH = 20;

/** Length of the hash suffix that keeps truncated names unique. */
const HASH_LENGTH = 8;

/** `[A-Za-z][A-Za-z0-9]*`: the prefix starts every name, so it must be valid for all of them. */
const PREFIX_PATTERN = /^[A-Za-z][A-Za-z0-9]{0,19}$/;

/**
 * Reduces a stage name to `[A-Za-z0-9-]`: every run of other characters becomes one `-`, and
 * leading/trailing dashes are dropped. `Feature_Branch-With.A-Name` → `Feature-Branch-With-A-Name`.
 */
export function sanitizeStage(raw: string): string {
  const stage = raw
    .replace(/[^A-Za-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '');
  if (stage.length === 0) {
    throw new Error(`Stage "${raw}" contains no letters or digits.`);
  }
  return stage;
}

export function validatePrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new Error(
      `Deployment prefix "${prefix}" must be 1–20 letters/digits starting with a letter ` +
        '(package.json config.deployment_prefix).',
    );
  }
  return prefix;
}

/**
 * Joins `parts` with `-`. When the result exceeds `limit`, keeps the longest head that fits and
 * appends `-<8 hex chars of sha256(full name)>`, so distinct long names stay distinct and the
 * same input always yields the same name.
 */
export function boundedName(parts: readonly string[], limit: number): string {
  if (limit <= HASH_LENGTH + 1) {
    throw new Error(`Name limit ${limit} leaves no room for a hashed name.`);
  }
  const full = parts.join('-');
  if (full.length <= limit) {
    return full;
  }
  const hash = createHash('sha256').update(full).digest('hex').slice(0, HASH_LENGTH);
  const head = full.slice(0, limit - HASH_LENGTH - 1).replace(/-+$/, '');
  return `${head}-${hash}`;
}

/** Names every resource of one deployment: `<prefix>-<stage>-<Domain>-<Part>…`, bounded. */
export class Naming {
  readonly qualifier: string;

  constructor(
    readonly prefix: string,
    readonly stage: string,
  ) {
    validatePrefix(prefix);
    if (sanitizeStage(stage) !== stage) {
      throw new Error(`Stage "${stage}" is not sanitized; use sanitizeStage() first.`);
    }
    this.qualifier = `${prefix}-${stage}`;
  }

  get stackName(): string {
    return boundedName([this.qualifier], NAME_LIMITS.stack);
  }

  lambdaFunction(domain: string, slice: string): string {
    return boundedName([this.qualifier, domain, slice], NAME_LIMITS.lambdaFunction);
  }

  queue(domain: string, slice: string): string {
    return boundedName([this.qualifier, domain, slice, 'Queue'], NAME_LIMITS.sqsQueue);
  }

  deadLetterQueue(domain: string, slice: string): string {
    return boundedName([this.qualifier, domain, slice, 'Dlq'], NAME_LIMITS.sqsQueue);
  }

  table(): string {
    return boundedName([this.qualifier, 'Common', 'DynamoDb', 'Table'], NAME_LIMITS.dynamoDbTable);
  }

  eventBus(): string {
    return boundedName([this.qualifier, 'Common', 'EventBus', 'Bus'], NAME_LIMITS.eventBus);
  }

  /** The bus archive (48 characters at most, so long stages get the hash suffix soon). */
  eventArchive(): string {
    return boundedName([this.qualifier, 'Common', 'EventBus', 'Archive'], NAME_LIMITS.eventArchive);
  }

  httpApi(domain: string): string {
    return boundedName([this.qualifier, domain, 'Api', 'HttpApi'], NAME_LIMITS.httpApi);
  }

  /**
   * The stage's dashboard, `<prefix>-<stage>-<region>`. Dashboard names are global to the account
   * while the stack is regional, so the region keeps two regions' deployments of a stage apart.
   * `region` may be a token (`Aws.REGION`): it is appended, never cut.
   */
  dashboard(region: string): string {
    return `${boundedName([this.qualifier], NAME_LIMITS.dashboard - MAX_REGION_LENGTH - 1)}-${region}`;
  }

  /**
   * `Ecomm/<stage>`: the CloudWatch namespace the Lambdas put their Embedded Metric Format metrics
   * in (env `METRICS_NAMESPACE`) and the dashboard reads them from.
   */
  get metricsNamespace(): string {
    return boundedName([`Ecomm/${this.stage}`], NAME_LIMITS.metricsNamespace);
  }
}
