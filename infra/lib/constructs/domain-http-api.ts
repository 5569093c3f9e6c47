import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ApiSlice } from '../catalogue';
import type { DeploymentConfig } from '../config';
import type { Domain } from '../routing';
import { grantApiTableAccess } from '../table-access';
import { SliceFunction } from './slice-function';

/** CORS preflight exactly as docs/contract.md §11.5 (no credentials, no max-age). */
export const CORS_PREFLIGHT: apigwv2.CorsPreflightOptions = {
  allowOrigins: ['*'],
  allowMethods: [apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.OPTIONS],
  allowHeaders: ['Content-Type', 'X-Amz-Date', 'Authorization', 'X-Api-Key', 'X-Correlation-Id'],
  exposeHeaders: ['*'],
};

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
}

/**
 * One HTTP API per domain: `$default` stage with auto-deploy and access logs, one `POST` route
 * per API slice, Lambda proxy integrations with payload format 2.0. Anything else is API
 * Gateway's 404. No authoriser, as in the contract (docs/contract.md §11.5).
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
        environment: { TABLE_NAME: table.tableName },
      });
      grantApiTableAccess(sliceFunction.role, table, slice.tableAccess);
      const routes = this.api.addRoutes({
        path: slice.path,
        methods: [apigwv2.HttpMethod.POST],
        integration: new HttpLambdaIntegration(`${slice.slice}Integration`, sliceFunction.function, {
          payloadFormatVersion: apigwv2.PayloadFormatVersion.VERSION_2_0,
        }),
      });
      for (const route of routes) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'The HTTP contract (docs/contract.md §11.5) has no authorisation: these are the open demo endpoints ' +
            'that the REST-client collections and scripts call. Adding an authoriser changes the contract.' +
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
}
