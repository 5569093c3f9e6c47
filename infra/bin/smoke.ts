#!/usr/bin/env node
/**
 * `npm run smoke [stage] -- [--timeout S]` or `npm run smoke -- --base-url URL`: a post-deploy smoke
 * test through the HTTP APIs only (lib/runner/smoke.ts). Reads the stage's `outputs.<stage>.json`,
 * which `npm run deploy <stage>` writes (the same document and output keys the .env files come
 * from); --base-url instead puts all four APIs under one URL, as the local engine serves them.
 * Calls to a stage are SigV4-signed (its routes require IAM authorization unless its
 * `ApiAuthorization` output is NONE) with the AWS SDK's default credentials (CDK_PROFILE is
 * honoured as for deploy); calls to --base-url never are.
 * Exit status: 0 every check passed, 1 a check failed, 2 bad usage or configuration.
 */
import * as path from 'node:path';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { deploymentPrefix } from '../lib/config';
import { Naming } from '../lib/naming';
import { INFRA_DIR } from '../lib/paths';
import { outputsFileName, UsageError } from '../lib/runner/arguments';
import {
  buildSmokePlan,
  fetchPost,
  newRunId,
  parseSmokeInvocation,
  readOutputsFile,
  requestSigningFromOutputs,
  runSmoke,
  SMOKE_USAGE,
  SmokeConfigError,
  targetsFromBaseUrl,
  targetsFromOutputs,
  type SmokeTargets,
} from '../lib/runner/smoke';
import { EXECUTE_API_SERVICE, sigV4Signer, type SignRequest } from '../lib/runner/sigv4';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(SMOKE_USAGE);
    return 0;
  }
  const invocation = parseSmokeInvocation(args, process.env);
  let targets: SmokeTargets;
  let sign: SignRequest | undefined;
  if (invocation.baseUrl !== undefined) {
    targets = targetsFromBaseUrl(invocation.baseUrl);
  } else {
    if (invocation.stage !== invocation.requestedStage) {
      console.log(`Stage "${invocation.requestedStage}" sanitised to "${invocation.stage}".`);
    }
    const naming = new Naming(deploymentPrefix(), invocation.stage);
    const fileName = outputsFileName(invocation.stage);
    const outputs = readOutputsFile(path.join(INFRA_DIR, fileName), invocation.stage);
    targets = targetsFromOutputs(outputs, naming.stackName, invocation.stage, `infra/${fileName}`);
    const signing = requestSigningFromOutputs(outputs, naming.stackName, `infra/${fileName}`);
    if (signing !== undefined) sign = await signerWithCredentials(signing.region);
  }
  const result = await runSmoke({
    targets,
    plan: buildSmokePlan(newRunId(new Date())),
    post: fetchPost(invocation.requestTimeoutMs, sign),
    timeoutMs: invocation.timeoutMs,
    pollIntervalMs: invocation.pollIntervalMs,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: (line) => console.log(line),
  });
  return result.failed === 0 ? 0 : 1;
}

/** A signer with the SDK's default credentials, resolved once here so that their absence is a clear error. */
async function signerWithCredentials(region: string): Promise<SignRequest> {
  const profile = process.env.CDK_PROFILE;
  const credentials = defaultProvider(profile ? { profile } : {});
  try {
    await credentials();
  } catch (error) {
    throw new SmokeConfigError(
      `The stage's routes require SigV4-signed calls, but no AWS credentials were found ` +
        `(${error instanceof Error ? error.message : String(error)}). Configure them as for deploy ` +
        '(AWS_PROFILE, CDK_PROFILE, aws sso login, AWS_ACCESS_KEY_ID…); the caller needs execute-api:Invoke on the ' +
        "stage's APIs (infra/README.md, \"Calling the APIs\").",
    );
  }
  console.log(`smoke: signing the calls (SigV4, ${EXECUTE_API_SERVICE}, ${region})${profile ? ` with profile ${profile}` : ''}`);
  return sigV4Signer({ region, credentials });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof SmokeConfigError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 2;
  },
);
