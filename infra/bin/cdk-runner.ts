#!/usr/bin/env node
/**
 * `npm run <bootstrap|synth|deploy|destroy> [stage]` (docs/contract.md §11.6, with §14 #14 fixed):
 * validates the command, sanitises the stage, makes sure the Lambda assets exist, runs the CDK
 * CLI on this stage's stack, and after a deploy writes the .env files the REST-client
 * collections and scripts read.
 */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lambdaBinaries } from '../lib/catalogue';
import { deploymentPrefix, lambdaAssetsDirectory } from '../lib/config';
import { missingLambdaAssets } from '../lib/lambda-assets';
import { Naming } from '../lib/naming';
import { INFRA_DIR, REPO_ROOT } from '../lib/paths';
import { loadRoutingTable } from '../lib/routing';
import { cdkArguments, outputsFileName, parseInvocation, UsageError } from '../lib/runner/arguments';
import { CARGO_LAMBDA_BUILD, CARGO_LAMBDA_MISSING, planLambdaAssets, writePlaceholderAssets } from '../lib/runner/assets';
import { apiBaseUrlsFromOutputs, apiRegionFromOutputs, envFiles, writeEnvFiles } from '../lib/runner/env-files';

class RunnerError extends Error {}

function run(command: string, args: readonly string[], options: SpawnSyncOptions): number {
  const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32', ...options });
  if (result.error) throw new RunnerError(`Cannot run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function main(): number {
  const invocation = parseInvocation(process.argv.slice(2), process.env);
  const naming = new Naming(deploymentPrefix(), invocation.stage);
  if (invocation.stage !== invocation.requestedStage) {
    console.log(`Stage "${invocation.requestedStage}" sanitised to "${invocation.stage}".`);
  }
  const childEnv: NodeJS.ProcessEnv = {
    ...process.env,
    DEPLOYMENT_PREFIX: naming.prefix,
    DEPLOYMENT_STAGE: invocation.stage,
  };

  // Lambda assets: all twelve binaries (cargo builds them together; the Testing one is harmless).
  const binaries = lambdaBinaries(loadRoutingTable(), true);
  const { dir: assetsDir, isDefault: usingDefaultDir } = lambdaAssetsDirectory(process.env);
  const plan = planLambdaAssets({
    command: invocation.command,
    missing: missingLambdaAssets(assetsDir, binaries),
    assetsDir,
    usingDefaultDir,
  });
  let placeholderDir: string | undefined;
  switch (plan.kind) {
    case 'ready':
      break;
    case 'fail':
      throw new RunnerError(plan.message);
    case 'placeholders': {
      placeholderDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecomm-lambda-placeholders-'));
      writePlaceholderAssets(placeholderDir, binaries);
      childEnv.LAMBDA_ASSETS_DIR = placeholderDir;
      console.log(`Lambda assets not built; '${invocation.command}' uploads no code, using placeholders.`);
      break;
    }
    case 'build': {
      const probe = spawnSync('cargo', ['lambda', '--version'], { stdio: 'ignore', shell: process.platform === 'win32' });
      if (probe.error || probe.status !== 0) throw new RunnerError(CARGO_LAMBDA_MISSING);
      console.log(`Building the Lambda assets into ${assetsDir}: cargo ${CARGO_LAMBDA_BUILD.join(' ')}`);
      if (run('cargo', CARGO_LAMBDA_BUILD, { cwd: REPO_ROOT }) !== 0) {
        throw new RunnerError('cargo lambda build failed');
      }
      const stillMissing = missingLambdaAssets(assetsDir, binaries);
      if (stillMissing.length > 0) {
        throw new RunnerError(`cargo lambda build did not produce: ${stillMissing.join(', ')}`);
      }
      break;
    }
  }

  const args = cdkArguments(invocation, naming.stackName, process.env);
  console.log(`> cdk ${args.join(' ')}`);
  let status: number;
  try {
    status = run('npx', ['cdk', ...args], { cwd: INFRA_DIR, env: childEnv });
  } finally {
    if (placeholderDir !== undefined) fs.rmSync(placeholderDir, { recursive: true, force: true });
  }
  if (status !== 0 || invocation.command !== 'deploy') return status;

  const outputsFile = path.join(INFRA_DIR, outputsFileName(invocation.stage));
  const outputs: unknown = JSON.parse(fs.readFileSync(outputsFile, 'utf8'));
  const files = envFiles(
    REPO_ROOT,
    apiBaseUrlsFromOutputs(outputs, naming.stackName),
    apiRegionFromOutputs(outputs, naming.stackName),
  );
  writeEnvFiles(files);
  for (const { file } of files) console.log(`wrote ${path.relative(REPO_ROOT, file)}`);
  return 0;
}

try {
  process.exitCode = main();
} catch (error) {
  if (error instanceof UsageError || error instanceof RunnerError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exitCode = 1;
}
