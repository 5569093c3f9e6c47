#!/usr/bin/env node
/**
 * `npm run smoke [stage] -- [--timeout S]` or `npm run smoke -- --base-url URL`: a post-deploy smoke
 * test through the HTTP APIs only (lib/runner/smoke.ts). Reads the stage's `outputs.<stage>.json`,
 * which `npm run deploy <stage>` writes (the same document and output keys the .env files come
 * from); --base-url instead puts all four APIs under one URL, as the local engine serves them.
 * Exit status: 0 every check passed, 1 a check failed, 2 bad usage or configuration.
 */
import * as path from 'node:path';
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
  runSmoke,
  SMOKE_USAGE,
  SmokeConfigError,
  targetsFromBaseUrl,
  targetsFromOutputs,
  type SmokeTargets,
} from '../lib/runner/smoke';

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(SMOKE_USAGE);
    return 0;
  }
  const invocation = parseSmokeInvocation(args, process.env);
  let targets: SmokeTargets;
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
  }
  const result = await runSmoke({
    targets,
    plan: buildSmokePlan(newRunId(new Date())),
    post: fetchPost(invocation.requestTimeoutMs),
    timeoutMs: invocation.timeoutMs,
    pollIntervalMs: invocation.pollIntervalMs,
    now: () => Date.now(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    log: (line) => console.log(line),
  });
  return result.failed === 0 ? 0 : 1;
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
