import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { DeploymentConfig } from './config';
import { EcommStack } from './ecomm-stack';
import { lambdaBinaries } from './catalogue';
import { missingLambdaAssets } from './lambda-assets';
import type { RoutingTable } from './routing';

/**
 * Adds the stack (id = stack name) to `app` and registers cdk-nag's AWS Solutions checks as a
 * validation plugin, so every synth fails on an unacknowledged finding. Shared by bin/app.ts and the tests.
 */
export function buildEcommApp(app: App, config: DeploymentConfig, routing: RoutingTable): EcommStack {
  const missing = missingLambdaAssets(config.lambdaAssetsDir, lambdaBinaries(routing, config.enableTestingApi));
  if (missing.length > 0) {
    throw new Error(
      `Lambda assets missing in ${config.lambdaAssetsDir}: ${missing.join(', ')}. ` +
        'Build them with `cargo lambda build --profile lambda --x86-64 --package lambdas` at the repository root ' +
        '(`npm run synth|deploy` does this for you), or point LAMBDA_ASSETS_DIR elsewhere.',
    );
  }
  const stack = new EcommStack(app, config.naming.stackName, { config, routing });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return stack;
}
