#!/usr/bin/env node
/**
 * `npm run replay [stage] -- --from <time> --to <time> [--name NAME] [--rules all|<worker>...]
 * [--dry-run]`: replays this stage's bus archive into its bus and follows the replay until it
 * ends (exit 0 only when it COMPLETED). Reads `outputs.<stage>.json`, which `npm run deploy`
 * writes. Credentials: the usual AWS chain (AWS_PROFILE, …) or CDK_PROFILE, as for deploy; the
 * region is the bus's (from its ARN).
 */
import * as path from 'node:path';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { deploymentPrefix } from '../lib/config';
import { Naming } from '../lib/naming';
import { INFRA_DIR } from '../lib/paths';
import { loadRoutingTable } from '../lib/routing';
import { outputsFileName, UsageError } from '../lib/runner/arguments';
import {
  buildStartReplayRequest,
  CtrlC,
  eventBridgeReplayApi,
  loadOutputsFile,
  parseReplayInvocation,
  regionOfArn,
  REPLAY_USAGE,
  ReplayError,
  replayTargetsFromOutputs,
  runReplay,
  selectWorkers,
} from '../lib/runner/replay';

const POLL_INTERVAL_MS = 5_000;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(REPLAY_USAGE);
    return 0;
  }
  const invocation = parseReplayInvocation(args, process.env, new Date());
  if (invocation.stage !== invocation.requestedStage) {
    console.log(`Stage "${invocation.requestedStage}" sanitised to "${invocation.stage}".`);
  }
  for (const warning of invocation.warnings) console.warn(`warning: ${warning}`);

  const workers = selectWorkers(invocation.rules, loadRoutingTable().workers);
  const naming = new Naming(deploymentPrefix(), invocation.stage);
  const outputsFile = path.join(INFRA_DIR, outputsFileName(invocation.stage));
  const targets = replayTargetsFromOutputs(loadOutputsFile(outputsFile, invocation.stage), naming.stackName, invocation.stage);
  const request = buildStartReplayRequest(invocation, targets, workers);
  const region = regionOfArn(targets.eventBusArn);
  const log = (line: string) => console.log(line);

  if (invocation.dryRun) {
    log(`Region ${region} (from the bus ARN); archive ${targets.archiveName}.`);
    return runReplay(undefined, { request, dryRun: true, log, intervalMs: 0, sleep: async () => {}, cancelRequested: () => false });
  }

  // First Ctrl-C: cancel the replay and keep following until EventBridge says CANCELLED.
  // Second Ctrl-C: stop following at once (a cancellation already sent goes on).
  const ctrlC = new CtrlC();
  let wake: (() => void) | undefined;
  process.on('SIGINT', () => {
    switch (ctrlC.press(Date.now())) {
      case 'cancel':
        console.error(`\nCtrl-C: cancelling replay ${request.ReplayName}; Ctrl-C again to stop following without waiting.`);
        wake?.();
        break;
      case 'repeat':
        break;
      case 'detach':
        console.error(`Stopped following. Check the replay with: aws events describe-replay --replay-name ${request.ReplayName}`);
        process.exit(130);
    }
  });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      wake = done;
    });

  const profile = process.env.CDK_PROFILE;
  const client = new EventBridgeClient({ region, ...(profile ? { profile } : {}) });
  try {
    return await runReplay(eventBridgeReplayApi(client), {
      request,
      dryRun: false,
      log,
      intervalMs: POLL_INTERVAL_MS,
      sleep,
      cancelRequested: () => ctrlC.cancelRequested,
    });
  } finally {
    client.destroy();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ReplayError) {
      console.error(error.message);
    } else {
      console.error(error);
    }
    process.exitCode = 1;
  },
);
