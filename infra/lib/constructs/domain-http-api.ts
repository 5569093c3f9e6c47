import { RemovalPolicy, SecretValue, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { ApiSlice } from '../catalogue';
import type { DeploymentConfig } from '../config';
import type { Domain } from '../routing';
import { grantApiTableAccess } from '../table-access';
import { SliceFunction } from './slice-function';

/**
 * CORS preflight as docs/contract.md §11.5 (no credentials, no max-age), plus
 * `X-Amz-Security-Token`: a SigV4-signed request made with temporary credentials carries it next
 * to `Authorization` and `X-Amz-Date`. API Gateway answers the OPTIONS preflights of an HTTP API
 * with a CORS configuration itself, before any authorization, so they need no route and no
 * signature.
 */
export const CORS_PREFLIGHT: apigwv2.CorsPreflightOptions = {
  allowOrigins: ['*'],
  allowMethods: [apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.OPTIONS],
  allowHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Correlation-Id', 'X-Amz-Security-Token'],
  exposeHeaders: ['*'],
};

/** What the routes require: IAM (SigV4) by default, nothing with `publicApis`. */
export function routeAuthorizationType(config: Pick<DeploymentConfig, 'publicApis'>): 'AWS_IAM' | 'NONE' {
  return config.publicApis ? 'NONE' : 'AWS_IAM';
}

/** One JSON line per request, HTTP API `$context` variables only. */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    sourceIp: '$context.identity.sourceIp',
    userAgent: '$context.identity.userAgent',
    routeKey: '$context.routeKey',
    status: '$context.status',
    protocol: '$context.protocol',
    responseLength: '$context.responseLength',
    responseLatency: '$context.responseLatency',
    integrationStatus: '$context.integrationStatus',
    integrationLatency: '$context.integrationLatency',
    integrationError: '$context.integrationErrorMessage',
    error: '$context.error.message',
  }),
);

export interface DomainHttpApiProps {
  readonly domain: Domain;
  readonly slices: readonly ApiSlice[];
  readonly config: DeploymentConfig;
  readonly table: dynamodb.ITable;
  /** Signs the list APIs' `nextToken`s (`PAGE_TOKEN_SECRET` of every query slice). */
  readonly pageTokenSecret: secretsmanager.ISecret;
}

/**
 * The environment of an API slice's function: the table, and for a list API the page token
 * secret. The secret is a dynamic reference that CloudFormation resolves at deploy time, so the
 * template holds no secret; it resolves again only when the reference changes, hence the
 * optional version id (`pageTokenSecretVersion`) that a rotation deploys.
 */
export function apiEnvironment(
  slice: Pick<ApiSlice, 'tableAccess'>,
  tableName: string,
  pageTokenSecret: secretsmanager.ISecret,
  config: Pick<DeploymentConfig, 'pageTokenSecretVersion'>,
): Record<string, string> {
  if (slice.tableAccess.kind !== 'query') return { TABLE_NAME: tableName };
  const secret = SecretValue.secretsManager(pageTokenSecret.secretArn, { versionId: config.pageTokenSecretVersion });
  return { TABLE_NAME: tableName, PAGE_TOKEN_SECRET: secret.unsafeUnwrap() };
}

/**
 * One HTTP API per domain: `$default` stage with auto-deploy and access logs, one `POST` route
 * per API slice, Lambda proxy integrations with payload format 2.0. Anything else is API
 * Gateway's 404. Every route requires IAM authorization (a SigV4-signed request by a principal
 * allowed `execute-api:Invoke`; API Gateway answers 403 otherwise), through the API's default
 * authorizer, so a route added later is protected too. Only a stage configured with `publicApis`
 * has open routes, as the original contract had (docs/contract.md §11.5).
 */
export class DomainHttpApi extends Construct {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly functions: lambda.Function[] = [];

  constructor(scope: Construct, id: string, props: DomainHttpApiProps) {
    super(scope, id);
    const { domain, config, table } = props;

    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: config.naming.httpApi(domain),
      description: `${domain} API (${config.naming.qualifier})`,
      corsPreflight: CORS_PREFLIGHT,
      defaultAuthorizer: config.publicApis ? undefined : new HttpIamAuthorizer(),
      // The default stage is declared below so that it can carry access-log settings.
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
    });

    for (const slice of props.slices) {
      const sliceFunction = new SliceFunction(this, slice.slice, {
        domain,
        slice: slice.slice,
        config,
        environment: apiEnvironment(slice, table.tableName, props.pageTokenSecret, config),
      });
      grantApiTableAccess(sliceFunction.role, table, slice.tableAccess);
      const routes = this.api.addRoutes({
        path: slice.path,
        methods: [apigwv2.HttpMethod.POST],
        integration: new HttpLambdaIntegration(`${slice.slice}Integration`, sliceFunction.function, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        }),
      });
      // Unauthenticated routes exist only where the stage opted in, so only there is the finding acknowledged.
      for (const route of config.publicApis ? routes : []) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'This stage was deployed with publicApis (context publicApis / PUBLIC_APIS): its routes are open on ' +
            'purpose, as in the original contract (docs/contract.md §11.5). Every other stage requires IAM authorization.' +
            (domain === 'Testing'
              ? ' The Testing API is only deployed where ENABLE_TESTING_API allows it (never on prod by default).'
              : ''),
        });
      }
      this.functions.push(sliceFunction.function);
    }
  }

  /** `https://<api-id>.execute-api.<region>.amazonaws.com/` (trailing slash, as the original). */
  get url(): string {
    return this.stage.url;
  }

  /**
   * `arn:<partition>:execute-api:<region>:<account>:<api-id>/<stage>/<method>/<path>` with a
   * wildcard for stage, method and path (every route of this API): the resource of a caller's
   * `execute-api:Invoke` permission.
   */
  get invokeArn(): string {
    return this.api.arnForExecuteApi();
  }
}
