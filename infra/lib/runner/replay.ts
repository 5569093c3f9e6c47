/**
 * `npm run replay <stage> -- --from <time> --to <time> [--name NAME] [--rules all|<worker>...]
 * [--dry-run]`: replays the bus archive of a deployed stage into its bus (EventBridge StartReplay),
 * then follows the replay until it ends. Everything here is pure or talks to AWS only through
 * {@link ReplayApi}, so the tests run it against a fake; bin/replay.ts wires the real client.
 */
import {
  CancelReplayCommand,
  DescribeReplayCommand,
  StartReplayCommand,
  type DescribeReplayCommandOutput,
  type EventBridgeClient,
  type StartReplayCommandInput,
  type StartReplayCommandOutput,
} from '@aws-sdk/client-eventbridge';
import { DEFAULT_STAGE } from '../config';
import { boundedName, sanitizeStage } from '../naming';
import { REPLAY_OUTPUT_KEYS, ruleArnOutputKey } from '../outputs';
import type { RoutedWorker } from '../routing';
import { UsageError, optionValue, readStageOutputs, splitOption, splitStageArgument } from './arguments';

export const REPLAY_USAGE = [
  'usage: npm run replay [stage] -- --from <ISO 8601 time> --to <ISO 8601 time>',
  '                                 [--name NAME] [--rules all|<worker>...] [--dry-run]',
  `  stage      default: DEPLOYMENT_STAGE, else ${DEFAULT_STAGE}; its outputs.<stage>.json must exist (npm run deploy <stage>)`,
  '  --from/--to  the window of archived events, e.g. 2025-05-01T10:00:00Z or 2025-05-01T12:00+02:00',
  '               (a date alone means midnight UTC; a time needs Z or an offset)',
  '  --name     replay name, 1-64 of [.-_A-Za-z0-9]; default <stage>-replay-<now, UTC>',
  '  --rules    all (default: every rule on the bus) or workers by slice or Domain/Slice,',
  '             e.g. --rules SyncOrderWorker Inventory/RestockSkuWorker',
  '  --dry-run  print the StartReplay request and exit',
  'Ctrl-C while following cancels the replay (CancelReplay); a second Ctrl-C stops following.',
].join('\n');

/** Errors about the deployment (outputs file) rather than the arguments. */
export class ReplayError extends Error {}

/** EventBridge's replay name constraint (StartReplay ReplayName). */
export const REPLAY_NAME_PATTERN = /^[.\-_A-Za-z0-9]{1,64}$/;

/** AWS: events can take a while to reach the archive; wait ~10 minutes before replaying them. */
export const ARCHIVE_DELAY_MS = 10 * 60 * 1000;

export interface ReplayInvocation {
  /** As typed (argv or DEPLOYMENT_STAGE), for messages. */
  readonly requestedStage: string;
  /** Sanitised, as the deploy runner names the stack and the outputs file. */
  readonly stage: string;
  readonly from: Date;
  readonly to: Date;
  readonly name: string;
  /** `'all'`: no FilterArns (every rule on the bus); otherwise the worker names as typed. */
  readonly rules: 'all' | readonly string[];
  readonly dryRun: boolean;
  /** Things worth saying before replaying (not errors). */
  readonly warnings: readonly string[];
}

/**
 * `args` = argv after the script: `[stage] --from T --to T [--name N] [--rules R...] [--dry-run]`.
 * Options also take `--option=value`; a stray `--` (from `npm run replay -- …`) is ignored.
 */
export function parseReplayInvocation(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  now: Date = new Date(),
): ReplayInvocation {
  const fail = (message: string): never => {
    throw new UsageError(`${message}\n${REPLAY_USAGE}`);
  };
  const { stageArgument, options: tokens } = splitStageArgument(args);

  const values: Partial<Record<'--from' | '--to' | '--name', string>> = {};
  const rules: string[] = [];
  let rulesGiven = false;
  let dryRun = false;
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    const { option, inline } = splitOption(token);
    switch (option) {
      case '--from':
      case '--to':
      case '--name': {
        if (values[option] !== undefined) fail(`${option} given twice`);
        const { value, next } = optionValue(tokens, index, option, inline, fail);
        values[option] = value;
        index = next;
        break;
      }
      case '--rules': {
        rulesGiven = true;
        const given: string[] = [];
        if (inline !== undefined) {
          given.push(inline);
        } else {
          while (tokens[index + 1] !== undefined && !tokens[index + 1].startsWith('--')) given.push(tokens[++index]);
        }
        const names = given.flatMap((value) => value.split(',')).map((name) => name.trim()).filter((name) => name !== '');
        if (names.length === 0) fail('--rules needs "all" or at least one worker');
        rules.push(...names);
        break;
      }
      case '--dry-run':
        if (inline !== undefined) fail('--dry-run takes no value');
        dryRun = true;
        break;
      default:
        fail(option.startsWith('-') ? `Unknown option ${option}` : `Unexpected argument ${JSON.stringify(token)}`);
    }
  }

  const requestedStage = stageArgument ?? (env.DEPLOYMENT_STAGE || DEFAULT_STAGE);
  let stage = '';
  try {
    stage = sanitizeStage(requestedStage);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }

  if (values['--from'] === undefined) fail('--from is required');
  if (values['--to'] === undefined) fail('--to is required');
  const from = parseIsoTime('--from', values['--from']!);
  const to = parseIsoTime('--to', values['--to']!);
  if (from.getTime() >= to.getTime()) {
    fail(`--from (${from.toISOString()}) must be before --to (${to.toISOString()})`);
  }

  const name = values['--name'] ?? defaultReplayName(stage, now);
  if (!REPLAY_NAME_PATTERN.test(name)) {
    fail(`--name must be 1-64 characters of letters, digits, ".", "-" and "_" (EventBridge replay names), got ${JSON.stringify(name)}`);
  }

  const wantsAll = rules.some((rule) => rule.toLowerCase() === 'all');
  if (wantsAll && rules.length > 1) fail('--rules all cannot be combined with worker names');

  const warnings: string[] = [];
  if (to.getTime() > now.getTime() - ARCHIVE_DELAY_MS) {
    warnings.push(
      `--to ${to.toISOString()} is ${to.getTime() > now.getTime() ? 'in the future' : 'less than 10 minutes ago'}: ` +
        'events reach the archive with a delay, so the newest ones may be missing (AWS recommends waiting 10 minutes).',
    );
  }

  return {
    requestedStage,
    stage,
    from,
    to,
    name,
    rules: !rulesGiven || wantsAll ? 'all' : rules,
    dryRun,
    warnings,
  };
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

/**
 * ISO 8601 / RFC 3339 date or date-time. A date alone is midnight UTC; a date-time must say its
 * offset (`Z`, `+02:00`, `-0530`, `+01`), because "local time" would depend on the machine.
 * Impossible dates (2025-02-30) are refused rather than rolled over.
 */
export function parseIsoTime(option: string, value: string): Date {
  const match = ISO_TIME.exec(value.trim());
  const invalid = (why: string): never => {
    throw new UsageError(
      `${option} ${JSON.stringify(value)} is not an ISO 8601 time (${why}); ` +
        'use e.g. 2025-05-01T10:00:00Z, 2025-05-01T12:00+02:00 or 2025-05-01 (midnight UTC)',
    );
  };
  if (match === null) return invalid('expected YYYY-MM-DD[Thh:mm[:ss[.fff]](Z|±hh:mm)]');
  const [, y, mo, d, h, mi, s, fraction, offset] = match;
  if (h !== undefined && offset === undefined) return invalid('a time needs Z or an offset');
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const millis = fraction === undefined ? 0 : Math.floor(Number(`0.${fraction}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return invalid('field out of range');
  }
  const utc = new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis));
  utc.setUTCFullYear(year); // Date.UTC maps years 0-99 to 1900-1999
  if (utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return invalid('no such date');
  let offsetMinutes = 0;
  if (offset !== undefined && offset.toUpperCase() !== 'Z') {
    const digits = offset.slice(1).replace(':', '');
    const offsetHours = Number(digits.slice(0, 2));
    const offsetMins = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (offsetHours > 23 || offsetMins > 59) return invalid('offset out of range');
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  return new Date(utc.getTime() - offsetMinutes * 60_000);
}

/** `<stage>-replay-<YYYYMMDDTHHMMSSZ>`; long stages are cut (with a hash) so it stays ≤ 64. */
export function defaultReplayName(stage: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `${boundedName([stage], 40)}-replay-${stamp}`;
}

/**
 * The workers whose rules a replay goes to: `undefined` for all (no FilterArns). A worker is
 * named by its slice (`SyncOrderWorker`) or `Domain/Slice`, case-insensitively.
 */
export function selectWorkers(
  rules: ReplayInvocation['rules'],
  workers: readonly RoutedWorker[],
): RoutedWorker[] | undefined {
  if (rules === 'all') return undefined;
  const selected: RoutedWorker[] = [];
  for (const rule of rules) {
    const wanted = rule.toLowerCase();
    const matches = workers.filter(
      (worker) => worker.slice.toLowerCase() === wanted || `${worker.domain}/${worker.slice}`.toLowerCase() === wanted,
    );
    if (matches.length !== 1) {
      const known = workers.map((worker) => `${worker.domain}/${worker.slice}`).join(', ');
      throw new UsageError(
        matches.length === 0
          ? `--rules: no worker ${JSON.stringify(rule)} in services/routing.json (known: ${known})`
          : `--rules: ${JSON.stringify(rule)} is ambiguous, use Domain/Slice (known: ${known})`,
      );
    }
    if (!selected.includes(matches[0])) selected.push(matches[0]);
  }
  return selected;
}

/** What a replay needs from `outputs.<stage>.json`. */
export interface ReplayTargets {
  readonly stackName: string;
  readonly eventBusArn: string;
  readonly archiveArn: string;
  readonly archiveName: string;
  /** `<Domain><Slice>RuleArn` outputs present in the file, by output key. */
  readonly ruleArns: Readonly<Record<string, string>>;
}

/** Reads the `cdk deploy --outputs-file` document; a missing file means the stage is not deployed. */
export function loadOutputsFile(file: string, stage: string): unknown {
  return readStageOutputs(file, stage, (message) => new ReplayError(message));
}

/** Picks the archive, bus and rule ARNs of `stackName` out of an outputs document. */
export function replayTargetsFromOutputs(
  outputs: unknown,
  stackName: string,
  stage: string,
  fileLabel = `outputs.${stage}.json`,
): ReplayTargets {
  const stackOutputs = isRecord(outputs) ? outputs[stackName] : undefined;
  if (!isRecord(stackOutputs)) {
    throw new ReplayError(`No outputs for stack ${stackName} in ${fileLabel}: deploy the stage first (npm run deploy ${stage}).`);
  }
  const required = (key: string): string => {
    const value = stackOutputs[key];
    if (typeof value !== 'string' || value.length === 0) {
      throw new ReplayError(
        `Output ${key} missing for stack ${stackName} in ${fileLabel}: the stack was deployed before the ` +
          `event archive existed; run npm run deploy ${stage} first.`,
      );
    }
    return value;
  };
  const ruleArns: Record<string, string> = {};
  for (const [key, value] of Object.entries(stackOutputs)) {
    if (key.endsWith('RuleArn') && typeof value === 'string' && value.length > 0) ruleArns[key] = value;
  }
  const targets = {
    stackName,
    eventBusArn: required(REPLAY_OUTPUT_KEYS.eventBusArn),
    archiveArn: required(REPLAY_OUTPUT_KEYS.archiveArn),
    archiveName: required(REPLAY_OUTPUT_KEYS.archiveName),
    ruleArns,
  };
  regionOfArn(targets.eventBusArn);
  regionOfArn(targets.archiveArn);
  return targets;
}

/** `arn:partition:service:region:account:resource` → region (the replay must run there). */
export function regionOfArn(arn: string): string {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'events' || parts[3] === '') {
    throw new ReplayError(`${JSON.stringify(arn)} is not an EventBridge ARN`);
  }
  return parts[3];
}

/**
 * The StartReplay request: archive → its bus, the window, and FilterArns only for chosen workers
 * (without FilterArns EventBridge sends the events to every rule on the bus; the archive's own
 * managed rule ignores replayed events).
 */
export function buildStartReplayRequest(
  invocation: Pick<ReplayInvocation, 'stage' | 'from' | 'to' | 'name'>,
  targets: ReplayTargets,
  workers: readonly RoutedWorker[] | undefined,
): StartReplayCommandInput {
  let filterArns: string[] | undefined;
  if (workers !== undefined) {
    filterArns = workers.map((worker) => {
      const key = ruleArnOutputKey(worker);
      const arn = targets.ruleArns[key];
      if (arn === undefined) {
        throw new ReplayError(
          `Output ${key} missing for stack ${targets.stackName}: redeploy (npm run deploy ${invocation.stage}) to replay to single workers.`,
        );
      }
      return arn;
    });
  }
  const ruleList = workers === undefined ? 'all rules' : workers.map((w) => `${w.domain}/${w.slice}`).join(', ');
  const description = `npm run replay ${invocation.stage}: ${invocation.from.toISOString()} to ${invocation.to.toISOString()}, ${ruleList}`;
  return {
    ReplayName: invocation.name,
    Description: description.length > 512 ? `${description.slice(0, 509)}...` : description,
    EventSourceArn: targets.archiveArn,
    EventStartTime: invocation.from,
    EventEndTime: invocation.to,
    Destination: filterArns === undefined ? { Arn: targets.eventBusArn } : { Arn: targets.eventBusArn, FilterArns: filterArns },
  };
}

/** The three EventBridge calls a replay makes; the tests implement it by hand. */
export interface ReplayApi {
  startReplay(request: StartReplayCommandInput): Promise<Pick<StartReplayCommandOutput, 'ReplayArn' | 'State' | 'StateReason'>>;
  describeReplay(name: string): Promise<ReplayStatus>;
  cancelReplay(name: string): Promise<void>;
}

export type ReplayStatus = Pick<
  DescribeReplayCommandOutput,
  'State' | 'StateReason' | 'EventLastReplayedTime' | 'ReplayStartTime' | 'ReplayEndTime'
>;

/** {@link ReplayApi} over the SDK client (credentials and profile are the client's business). */
export function eventBridgeReplayApi(client: Pick<EventBridgeClient, 'send'>): ReplayApi {
  return {
    startReplay: (request) => client.send(new StartReplayCommand(request)),
    describeReplay: (name) => client.send(new DescribeReplayCommand({ ReplayName: name })),
    cancelReplay: async (name) => {
      await client.send(new CancelReplayCommand({ ReplayName: name }));
    },
  };
}

const TERMINAL_STATES = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** One line of progress: state, and how far into the window the replay is. */
export function progressLine(status: ReplayStatus, from: Date, to: Date): string {
  const state = status.State ?? 'UNKNOWN';
  let line = state;
  const last = status.EventLastReplayedTime;
  if (last !== undefined && state !== 'COMPLETED') {
    const span = to.getTime() - from.getTime();
    const percent = Math.min(100, Math.max(0, Math.floor(((last.getTime() - from.getTime()) / span) * 100)));
    line += `: replayed up to ${last.toISOString()} (${percent}% of the window)`;
  }
  if (state === 'COMPLETED') line += ': 100% of the window';
  if (status.StateReason && state !== 'RUNNING' && state !== 'STARTING') line += ` (${status.StateReason})`;
  return line;
}

export interface FollowOptions {
  readonly name: string;
  readonly from: Date;
  readonly to: Date;
  /** Between two DescribeReplay calls. */
  readonly intervalMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
  /** True once the user asked to cancel (first Ctrl-C); checked before every poll. */
  readonly cancelRequested: () => boolean;
  /** DescribeReplay failures in a row before giving up following (the replay goes on). */
  readonly maxConsecutiveErrors?: number;
}

/**
 * Polls DescribeReplay, printing each change of state or progress, until COMPLETED (exit code 0),
 * FAILED or CANCELLED (1). A cancel request sends CancelReplay once, then waits for CANCELLED.
 */
export async function followReplay(api: ReplayApi, options: FollowOptions): Promise<number> {
  const { name, from, to, log } = options;
  const maxErrors = options.maxConsecutiveErrors ?? 5;
  let cancelSent = false;
  let lastLine: string | undefined;
  let errors = 0;
  for (;;) {
    if (!cancelSent && options.cancelRequested()) {
      cancelSent = true;
      log(`Cancelling replay ${name} (CancelReplay)...`);
      try {
        await api.cancelReplay(name);
      } catch (error) {
        log(`CancelReplay failed: ${errorMessage(error)}`);
      }
    }
    let status: ReplayStatus;
    try {
      status = await api.describeReplay(name);
      errors = 0;
    } catch (error) {
      errors++;
      log(`DescribeReplay failed (${errors}/${maxErrors}): ${errorMessage(error)}`);
      if (errors >= maxErrors) {
        log(`Stopped following; the replay goes on. Check it with: aws events describe-replay --replay-name ${name}`);
        return 1;
      }
      await options.sleep(options.intervalMs);
      continue;
    }
    const line = progressLine(status, from, to);
    if (line !== lastLine) {
      log(line);
      lastLine = line;
    }
    if (status.State !== undefined && TERMINAL_STATES.includes(status.State)) {
      return finish(name, status, log);
    }
    await options.sleep(options.intervalMs);
  }
}

function finish(name: string, status: ReplayStatus, log: (line: string) => void): number {
  const took =
    status.ReplayStartTime !== undefined && status.ReplayEndTime !== undefined
      ? ` in ${Math.round((status.ReplayEndTime.getTime() - status.ReplayStartTime.getTime()) / 1000)} s`
      : '';
  switch (status.State) {
    case 'COMPLETED':
      log(`Replay ${name} completed${took}.`);
      return 0;
    case 'CANCELLED':
      log(`Replay ${name} was cancelled${took}; events replayed before that were delivered.`);
      return 1;
    default:
      log(`Replay ${name} failed${status.StateReason ? `: ${status.StateReason}` : ''}.`);
      return 1;
  }
}

/**
 * Ctrl-C while following: the first press cancels the replay, a later one stops following.
 * One keypress can arrive twice within milliseconds (the terminal signals the whole process
 * group, and npm forwards its own SIGINT to the script), so signals within `sameKeypressMs` of
 * the first count as that first press.
 */
export class CtrlC {
  private firstAt: number | undefined;

  constructor(private readonly sameKeypressMs = 1000) {}

  /** What a SIGINT received at `nowMs` means. */
  press(nowMs: number): 'cancel' | 'repeat' | 'detach' {
    if (this.firstAt === undefined) {
      this.firstAt = nowMs;
      return 'cancel';
    }
    return nowMs - this.firstAt < this.sameKeypressMs ? 'repeat' : 'detach';
  }

  get cancelRequested(): boolean {
    return this.firstAt !== undefined;
  }
}

export interface RunReplayOptions extends Omit<FollowOptions, 'name' | 'from' | 'to'> {
  readonly request: StartReplayCommandInput;
  readonly dryRun: boolean;
}

/** Dry run: print the request. Otherwise StartReplay, then {@link followReplay}. */
export async function runReplay(api: ReplayApi | undefined, options: RunReplayOptions): Promise<number> {
  const { request, log } = options;
  if (options.dryRun) {
    log('StartReplay request (dry run, nothing sent):');
    log(formatStartReplayRequest(request));
    return 0;
  }
  if (api === undefined) throw new Error('runReplay needs an API unless it is a dry run');
  const name = request.ReplayName!;
  log(`Starting replay ${name}: ${request.Description ?? ''}`);
  let started: Awaited<ReturnType<ReplayApi['startReplay']>>;
  try {
    started = await api.startReplay(request);
  } catch (error) {
    throw new ReplayError(`StartReplay failed: ${explainStartReplayError(error)}`);
  }
  log(`${started.ReplayArn ?? name}: ${started.State ?? 'STARTING'}${started.StateReason ? ` (${started.StateReason})` : ''}`);
  return followReplay(api, {
    ...options,
    name,
    from: request.EventStartTime!,
    to: request.EventEndTime!,
  });
}

/** Pretty JSON with ISO times (what the SDK sends as epoch seconds). */
export function formatStartReplayRequest(request: StartReplayCommandInput): string {
  return JSON.stringify(request, null, 2);
}

/** The SDK error, plus what to do about the usual ones. */
export function explainStartReplayError(error: unknown): string {
  const name = error instanceof Error ? error.name : '';
  const message = errorMessage(error);
  switch (name) {
    case 'ResourceAlreadyExistsException':
      return `${message} (a replay with this name exists; pass another --name)`;
    case 'LimitExceededException':
      return `${message} (at most 10 replays may run at once per account and region; wait or cancel one)`;
    case 'ResourceNotFoundException':
      return `${message} (is outputs.<stage>.json from the current deployment? redeploy the stage)`;
    case 'CredentialsProviderError':
      return `${message} (configure AWS credentials: AWS_PROFILE, CDK_PROFILE or aws configure)`;
    default:
      return name && !message.startsWith(name) ? `${name}: ${message}` : message;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
