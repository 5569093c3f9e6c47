import * as path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { binaryName } from '../catalogue';
import type { DeploymentConfig } from '../config';
import type { Domain } from '../routing';

/** Lambda settings shared by all twelve functions. */
export const LAMBDA_TIMEOUT = Duration.seconds(10);
export const LAMBDA_MEMORY_MB = 256;

export interface SliceFunctionProps {
  readonly domain: Domain;
  readonly slice: string;
  readonly config: DeploymentConfig;
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * One slice = one cargo-lambda binary on provided.al2023, with its own log group (deleted with the
 * stack, unlike the original's) and its own role. The role starts empty: no AWS managed policy;
 * it may only write to its log group, and callers add exactly the table actions the slice needs.
 */
export class SliceFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;
  readonly binary: string;

  constructor(scope: Construct, id: string, props: SliceFunctionProps) {
    super(scope, id);
    const { domain, slice, config } = props;
    this.binary = binaryName({ domain, slice });

    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${domain}/${slice} Lambda (${config.naming.qualifier})`,
    });
    logGroup.grantWrite(this.role);

    this.function = new lambda.Function(this, 'Function', {
      functionName: config.naming.lambdaFunction(domain, slice),
      description: `${domain}/${slice} (binary ${this.binary})`,
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.X86_64,
      handler: 'bootstrap',
      code: lambda.Code.fromAsset(path.join(config.lambdaAssetsDir, this.binary)),
      timeout: LAMBDA_TIMEOUT,
      memorySize: LAMBDA_MEMORY_MB,
      role: this.role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel[config.logLevel],
      systemLogLevelV2: lambda.SystemLogLevel.INFO,
      // Where the Rust kernel's Embedded Metric Format recorder puts its metrics (the dashboard reads them there).
      environment: { ...props.environment, METRICS_NAMESPACE: config.naming.metricsNamespace },
    });
    // lambda.Function makes the function depend on its whole role construct: the role's
    // DefaultPolicy (needed: the permissions must exist before the function runs or its SQS event
    // source mapping is created) and the role itself, already ordered by the Role GetAtt. cfn-lint
    // reports the latter as W3005 (obsolete DependsOn); CDK offers no way to drop it alone
    // (aws/aws-cdk#24578), so W3005 is ignored on the functions only (infra/README.md).
    (this.function.node.defaultChild as lambda.CfnFunction).addMetadata('cfn-lint', {
      config: { ignore_checks: ['W3005'] },
    });
  }
}
