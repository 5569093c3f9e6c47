import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CancelReplayCommand, DescribeReplayCommand, StartReplayCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { Naming } from '../lib/naming';
import { REPLAY_OUTPUT_KEYS, ruleArnOutputKey } from '../lib/outputs';
import { INFRA_DIR } from '../lib/paths';
import { outputsFileName, UsageError } from '../lib/runner/arguments';
import {
  buildStartReplayRequest,
  CtrlC,
  defaultReplayName,
  eventBridgeReplayApi,
  followReplay,
  loadOutputsFile,
  parseIsoTime,
  parseReplayInvocation,
  progressLine,
  regionOfArn,
  ReplayError,
  replayTargetsFromOutputs,
  runReplay,
  selectWorkers,
  type ReplayApi,
  type ReplayStatus,
} from '../lib/runner/replay';
import { LONG_ODD_STAGE, routing } from './support';

const NOW = new Date('2025-06-01T12:00:00Z');
const parse = (args: string[], env: NodeJS.ProcessEnv = {}) => parseReplayInvocation(args, env, NOW);
const WINDOW = ['--from', '2025-05-01T10:00:00Z', '--to', '2025-05-01T11:00:00Z'];

// What `cdk deploy --outputs-file outputs.qa.json` writes for stage qa (values as CloudFormation resolves them).
const ACCOUNT_REGION = 'eu-west-1:123456789012';
const BUS_ARN = `arn:aws:events:${ACCOUNT_REGION}:event-bus/ecommRs-qa-Common-EventBus-Bus`;
const ARCHIVE_ARN = `arn:aws:events:${ACCOUNT_REGION}:archive/ecommRs-qa-Common-EventBus-Archive`;
const ruleArn = (slice: string) => `arn:aws:events:${ACCOUNT_REGION}:rule/ecommRs-qa-Common-EventBus-Bus/ecommRs-qa-${slice}Rule-ABC123`;
const SAMPLE_OUTPUTS = {
  'ecommRs-qa': {
    InventoryApiUrl: 'https://inv.execute-api.eu-west-1.amazonaws.com/',
    OrdersApiUrl: 'https://ord.execute-api.eu-west-1.amazonaws.com/',
    PaymentsApiUrl: 'https://pay.execute-api.eu-west-1.amazonaws.com/',
    TableName: 'ecommRs-qa-Common-DynamoDb-Table',
    EventBusName: 'ecommRs-qa-Common-EventBus-Bus',
    EventBusArn: BUS_ARN,
    EventArchiveName: 'ecommRs-qa-Common-EventBus-Archive',
    EventArchiveArn: ARCHIVE_ARN,
    ...Object.fromEntries(routing.workers.map((w) => [ruleArnOutputKey(w), ruleArn(w.slice)])),
  },
};
const STACK = new Naming('ecommRs', 'qa').stackName;

describe('parseReplayInvocation', () => {
  it('reads the stage, the window and defaults (all rules, generated name, no dry run)', () => {
    const invocation = parse(['qa', ...WINDOW]);
    expect(invocation).toMatchObject({
      requestedStage: 'qa',
      stage: 'qa',
      from: new Date('2025-05-01T10:00:00Z'),
      to: new Date('2025-05-01T11:00:00Z'),
      name: 'qa-replay-20250601T120000Z',
      rules: 'all',
      dryRun: false,
      warnings: [],
    });
  });

  it('takes the stage from DEPLOYMENT_STAGE, then dev, and sanitises it', () => {
    expect(parse(WINDOW, { DEPLOYMENT_STAGE: 'x' }).stage).toBe('x');
    expect(parse(WINDOW).stage).toBe('dev');
    expect(parse([LONG_ODD_STAGE, ...WINDOW]).stage).toBe('Feature-Branch-With-A-Very-Long-Name-123');
  });

  it('ignores the "--" npm passes through and accepts --option=value', () => {
    const invocation = parse(['qa', '--', '--from=2025-05-01', '--to=2025-05-02', '--name=fix.42_a-b', '--dry-run']);
    expect(invocation).toMatchObject({ stage: 'qa', name: 'fix.42_a-b', dryRun: true });
    expect(invocation.from.toISOString()).toBe('2025-05-01T00:00:00.000Z');
  });

  it('collects worker names after --rules (space or comma separated, repeatable)', () => {
    expect(parse([...WINDOW, '--rules', 'SyncOrderWorker', 'Inventory/RestockSkuWorker', '--dry-run']).rules).toEqual([
      'SyncOrderWorker',
      'Inventory/RestockSkuWorker',
    ]);
    expect(parse([...WINDOW, '--rules', 'a,b', '--rules=c']).rules).toEqual(['a', 'b', 'c']);
    expect(parse([...WINDOW, '--rules', 'all']).rules).toBe('all');
    expect(parse([...WINDOW, '--rules', 'ALL']).rules).toBe('all');
  });

  it.each([
    [['qa', '--to', '2025-05-01T11:00:00Z'], /--from is required/],
    [['qa', '--from', '2025-05-01T11:00:00Z'], /--to is required/],
    [['qa', '--from', '2025-05-01T12:00:00Z', '--to', '2025-05-01T11:00:00Z'], /--from \(2025-05-01T12:00:00.000Z\) must be before --to/],
    [['qa', '--from', '2025-05-01T11:00:00Z', '--to', '2025-05-01T12:00:00+01:00'], /must be before/],
    [['qa', '--from', 'yesterday', '--to', '2025-05-01T11:00:00Z'], /--from "yesterday" is not an ISO 8601 time/],
    [['qa', '--from', '2025-05-01T10:00:00', '--to', '2025-05-01T11:00:00Z'], /needs Z or an offset/],
    [['qa', '--from', '2025-02-30', '--to', '2025-05-01T11:00:00Z'], /no such date/],
    [['qa', ...WINDOW, '--name', 'has space'], /--name must be 1-64 characters/],
    [['qa', ...WINDOW, '--name', 'x'.repeat(65)], /--name must be 1-64 characters/],
    [['qa', ...WINDOW, '--name', 'slash/no'], /--name must be/],
    [['qa', ...WINDOW, '--name'], /--name needs a value/],
    [['qa', '--from', '--to', '2025-05-01T11:00:00Z'], /--from needs a value/],
    [['qa', ...WINDOW, '--rules'], /--rules needs/],
    [['qa', ...WINDOW, '--rules', 'all', 'SyncOrderWorker'], /cannot be combined/],
    [['qa', ...WINDOW, '--from', '2025-05-01T10:00:00Z'], /--from given twice/],
    [['qa', ...WINDOW, '--force'], /Unknown option --force/],
    [['qa', 'prod', ...WINDOW], /Unexpected argument "prod"/],
    [['qa', ...WINDOW, '--dry-run=yes'], /takes no value/],
    [['___', ...WINDOW], /no letters or digits/],
  ])('rejects %j', (args, message) => {
    expect(() => parse(args)).toThrow(UsageError);
    expect(() => parse(args)).toThrow(message);
  });

  it('warns when the window ends less than 10 minutes ago or in the future (archiving lags)', () => {
    expect(parse(['--from', '2025-06-01T11:00:00Z', '--to', '2025-06-01T11:55:00Z']).warnings).toEqual([
      expect.stringMatching(/less than 10 minutes ago.*10 minutes/),
    ]);
    expect(parse(['--from', '2025-06-01T11:00:00Z', '--to', '2025-06-02T00:00:00Z']).warnings).toEqual([
      expect.stringMatching(/in the future/),
    ]);
  });
});

describe('parseIsoTime', () => {
  it.each([
    ['2025-05-01T10:00:00Z', '2025-05-01T10:00:00.000Z'],
    ['2025-05-01T10:00Z', '2025-05-01T10:00:00.000Z'],
    ['2025-05-01t10:00:00.123456z', '2025-05-01T10:00:00.123Z'],
    ['2025-05-01T12:00:00+02:00', '2025-05-01T10:00:00.000Z'],
    ['2025-05-01T05:30:00-0430', '2025-05-01T10:00:00.000Z'],
    ['2025-05-01 11:00+01', '2025-05-01T10:00:00.000Z'],
    ['2024-02-29', '2024-02-29T00:00:00.000Z'],
    [' 2025-05-01 ', '2025-05-01T00:00:00.000Z'],
  ])('%j = %s', (value, iso) => {
    expect(parseIsoTime('--from', value).toISOString()).toBe(iso);
  });

  it.each(['2025-5-1', '2025-13-01', '2023-02-29', '2025-05-01T24:00Z', '2025-05-01T10:60Z', '2025-05-01T10:00+25:00', '1714557600', ''])(
    'rejects %j',
    (value) => {
      expect(() => parseIsoTime('--to', value)).toThrow(/--to .* is not an ISO 8601 time/);
    },
  );
});

describe('defaultReplayName', () => {
  it('is <stage>-replay-<UTC time>, valid for EventBridge even for very long stages', () => {
    expect(defaultReplayName('dev', new Date('2025-01-02T03:04:05.678Z'))).toBe('dev-replay-20250102T030405Z');
    const long = defaultReplayName('S'.repeat(200), NOW);
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^S+-[0-9a-f]{8}-replay-20250601T120000Z$/);
  });
});

describe('selectWorkers', () => {
  it('is undefined (no FilterArns) for all', () => {
    expect(selectWorkers('all', routing.workers)).toBeUndefined();
  });

  it('finds workers by slice or Domain/Slice, case-insensitively, once each', () => {
    const selected = selectWorkers(['syncorderworker', 'Inventory/RestockSkuWorker', 'Orders/SyncOrderWorker'], routing.workers);
    expect(selected?.map((w) => `${w.domain}/${w.slice}`)).toEqual(['Orders/SyncOrderWorker', 'Inventory/RestockSkuWorker']);
  });

  it('rejects unknown and ambiguous names, listing the known workers', () => {
    expect(() => selectWorkers(['ShipOrderWorker'], routing.workers)).toThrow(/no worker "ShipOrderWorker".*Orders\/SyncOrderWorker/);
    const twins = [
      { domain: 'Orders' as const, slice: 'XWorker', eventNames: ['A'] },
      { domain: 'Payments' as const, slice: 'XWorker', eventNames: ['A'] },
    ];
    expect(() => selectWorkers(['XWorker'], twins)).toThrow(/ambiguous/);
    expect(selectWorkers(['payments/xworker'], twins)).toEqual([twins[1]]);
  });
});

describe('outputs.<stage>.json', () => {
  it('gives the archive, bus and rule ARNs of the stage stack', () => {
    const targets = replayTargetsFromOutputs(SAMPLE_OUTPUTS, STACK, 'qa');
    expect(targets).toMatchObject({ stackName: 'ecommRs-qa', eventBusArn: BUS_ARN, archiveArn: ARCHIVE_ARN });
    expect(targets.archiveName).toBe('ecommRs-qa-Common-EventBus-Archive');
    expect(Object.keys(targets.ruleArns)).toHaveLength(routing.workers.length);
  });

  it('tells the user to deploy when the stack or the archive outputs are missing', () => {
    expect(() => replayTargetsFromOutputs(SAMPLE_OUTPUTS, 'ecommRs-dev', 'dev')).toThrow(/No outputs for stack ecommRs-dev.*npm run deploy dev/);
    const { EventArchiveArn: _arn, ...beforeArchive } = SAMPLE_OUTPUTS['ecommRs-qa'];
    expect(() => replayTargetsFromOutputs({ [STACK]: beforeArchive }, STACK, 'qa')).toThrow(
      new RegExp(`Output ${REPLAY_OUTPUT_KEYS.archiveArn} missing.*npm run deploy qa`),
    );
    expect(() => replayTargetsFromOutputs({ [STACK]: { ...SAMPLE_OUTPUTS['ecommRs-qa'], EventBusArn: 'bus' } }, STACK, 'qa')).toThrow(
      /not an EventBridge ARN/,
    );
  });

  it('reports a missing file as "deploy first", and a broken one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecomm-replay-test-'));
    try {
      const missing = path.join(dir, 'outputs.qa.json');
      expect(() => loadOutputsFile(missing, 'qa')).toThrow(ReplayError);
      expect(() => loadOutputsFile(missing, 'qa')).toThrow(/outputs\.qa\.json not found.*deploy the stage first \(npm run deploy qa\)/);
      fs.writeFileSync(missing, '{ "ecommRs-qa": ');
      expect(() => loadOutputsFile(missing, 'qa')).toThrow(/not valid JSON/);
      fs.writeFileSync(missing, JSON.stringify(SAMPLE_OUTPUTS));
      expect(loadOutputsFile(missing, 'qa')).toEqual(SAMPLE_OUTPUTS);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('extracts the region from an ARN', () => {
    expect(regionOfArn(BUS_ARN)).toBe('eu-west-1');
    expect(() => regionOfArn('arn:aws:sqs:eu-west-1:123456789012:q')).toThrow(ReplayError);
  });
});

describe('buildStartReplayRequest', () => {
  const targets = replayTargetsFromOutputs(SAMPLE_OUTPUTS, STACK, 'qa');

  it('replays the archive into its bus for the window, to every rule when no worker is chosen', () => {
    const invocation = parse(['qa', ...WINDOW, '--name', 'fix-1']);
    expect(buildStartReplayRequest(invocation, targets, selectWorkers(invocation.rules, routing.workers))).toEqual({
      ReplayName: 'fix-1',
      Description: 'npm run replay qa: 2025-05-01T10:00:00.000Z to 2025-05-01T11:00:00.000Z, all rules',
      EventSourceArn: ARCHIVE_ARN,
      EventStartTime: new Date('2025-05-01T10:00:00Z'),
      EventEndTime: new Date('2025-05-01T11:00:00Z'),
      Destination: { Arn: BUS_ARN },
    });
  });

  it('sets FilterArns to the chosen workers\' rules', () => {
    const invocation = parse(['qa', ...WINDOW, '--rules', 'RestockSkuWorker', 'Orders/SyncOrderWorker']);
    const request = buildStartReplayRequest(invocation, targets, selectWorkers(invocation.rules, routing.workers));
    expect(request.Destination).toEqual({ Arn: BUS_ARN, FilterArns: [ruleArn('RestockSkuWorker'), ruleArn('SyncOrderWorker')] });
    expect(request.Description).toMatch(/Inventory\/RestockSkuWorker, Orders\/SyncOrderWorker$/);
  });

  it('asks for a redeploy when a chosen worker has no rule output', () => {
    const workers = selectWorkers(['SyncOrderWorker'], routing.workers);
    const noRules = { ...targets, ruleArns: {} };
    expect(() => buildStartReplayRequest(parse(WINDOW), noRules, workers)).toThrow(/OrdersSyncOrderWorkerRuleArn missing.*npm run deploy dev/);
  });
});

/** A hand-written EventBridge: DescribeReplay answers from a script, calls are recorded. */
class FakeReplayApi implements ReplayApi {
  readonly calls: string[] = [];
  readonly started: unknown[] = [];

  constructor(
    private readonly script: (ReplayStatus | Error)[],
    private readonly startError?: Error,
  ) {}

  async startReplay(request: Parameters<ReplayApi['startReplay']>[0]) {
    this.calls.push(`StartReplay ${request.ReplayName}`);
    this.started.push(request);
    if (this.startError) throw this.startError;
    return { ReplayArn: `arn:aws:events:eu-west-1:123456789012:replay/${request.ReplayName}`, State: 'STARTING' as const };
  }

  async describeReplay(name: string): Promise<ReplayStatus> {
    this.calls.push(`DescribeReplay ${name}`);
    const next = this.script.length > 1 ? this.script.shift()! : this.script[0];
    if (next instanceof Error) throw next;
    return next;
  }

  async cancelReplay(name: string): Promise<void> {
    this.calls.push(`CancelReplay ${name}`);
    this.script.unshift({ State: 'CANCELLING' });
  }
}

const FROM = new Date('2025-05-01T10:00:00Z');
const TO = new Date('2025-05-01T11:00:00Z');
const at = (minutes: number) => new Date(FROM.getTime() + minutes * 60_000);

function follow(api: ReplayApi, cancelAfterPolls = Number.POSITIVE_INFINITY) {
  const lines: string[] = [];
  const sleeps: number[] = [];
  let polls = 0;
  const result = followReplay(api, {
    name: 'fix-1',
    from: FROM,
    to: TO,
    intervalMs: 5000,
    sleep: async (ms) => {
      sleeps.push(ms);
      polls++;
    },
    log: (line) => lines.push(line),
    cancelRequested: () => polls >= cancelAfterPolls,
  });
  return { result, lines, sleeps };
}

describe('followReplay', () => {
  it('prints state and progress changes and exits 0 once COMPLETED', async () => {
    const api = new FakeReplayApi([
      { State: 'STARTING' },
      { State: 'RUNNING', EventLastReplayedTime: at(15) },
      { State: 'RUNNING', EventLastReplayedTime: at(15) },
      { State: 'RUNNING', EventLastReplayedTime: at(45) },
      { State: 'COMPLETED', EventLastReplayedTime: TO, ReplayStartTime: at(100), ReplayEndTime: at(101.5) },
    ]);
    const { result, lines, sleeps } = follow(api);
    expect(await result).toBe(0);
    expect(lines).toEqual([
      'STARTING',
      'RUNNING: replayed up to 2025-05-01T10:15:00.000Z (25% of the window)',
      'RUNNING: replayed up to 2025-05-01T10:45:00.000Z (75% of the window)',
      'COMPLETED: 100% of the window',
      'Replay fix-1 completed in 90 s.',
    ]);
    expect(api.calls.filter((c) => c === 'DescribeReplay fix-1')).toHaveLength(5);
    expect(sleeps).toEqual([5000, 5000, 5000, 5000]);
  });

  it('exits non-zero with the reason when the replay FAILED', async () => {
    const api = new FakeReplayApi([
      { State: 'RUNNING', EventLastReplayedTime: at(6) },
      { State: 'FAILED', StateReason: 'Archive is being deleted', EventLastReplayedTime: at(6) },
    ]);
    const { result, lines } = follow(api);
    expect(await result).toBe(1);
    expect(lines).toEqual([
      'RUNNING: replayed up to 2025-05-01T10:06:00.000Z (10% of the window)',
      'FAILED: replayed up to 2025-05-01T10:06:00.000Z (10% of the window) (Archive is being deleted)',
      'Replay fix-1 failed: Archive is being deleted.',
    ]);
  });

  it('sends CancelReplay once on a cancel request (Ctrl-C), then exits non-zero when CANCELLED', async () => {
    const api = new FakeReplayApi([{ State: 'RUNNING' }, { State: 'CANCELLED' }]);
    const { result, lines } = follow(api, 1);
    expect(await result).toBe(1);
    expect(api.calls).toEqual(['DescribeReplay fix-1', 'CancelReplay fix-1', 'DescribeReplay fix-1', 'DescribeReplay fix-1']);
    expect(lines).toEqual([
      'RUNNING',
      'Cancelling replay fix-1 (CancelReplay)...',
      'CANCELLING',
      'CANCELLED',
      'Replay fix-1 was cancelled; events replayed before that were delivered.',
    ]);
  });

  it('rides out DescribeReplay errors, and gives up after five in a row (the replay goes on)', async () => {
    const flaky = new FakeReplayApi([new Error('Rate exceeded'), { State: 'COMPLETED' }]);
    const ok = follow(flaky);
    expect(await ok.result).toBe(0);
    expect(ok.lines[0]).toBe('DescribeReplay failed (1/5): Rate exceeded');

    const down = new FakeReplayApi([new Error('getaddrinfo ENOTFOUND')]);
    const gone = follow(down);
    expect(await gone.result).toBe(1);
    expect(gone.lines.at(-1)).toMatch(/Stopped following; the replay goes on.*describe-replay --replay-name fix-1/);
    expect(down.calls).toHaveLength(5);
  });
});

describe('CtrlC', () => {
  it('cancels on the first press, ignores its echo (npm forwards SIGINT), detaches on a real second press', () => {
    const ctrlC = new CtrlC(1000);
    expect(ctrlC.cancelRequested).toBe(false);
    expect(ctrlC.press(10_000)).toBe('cancel');
    expect(ctrlC.cancelRequested).toBe(true);
    expect(ctrlC.press(10_005)).toBe('repeat');
    expect(ctrlC.press(12_000)).toBe('detach');
  });
});

describe('progressLine', () => {
  it('clamps the progress into 0-100 %', () => {
    expect(progressLine({ State: 'RUNNING', EventLastReplayedTime: at(-5) }, FROM, TO)).toMatch(/\(0% of the window\)$/);
    expect(progressLine({ State: 'RUNNING', EventLastReplayedTime: at(90) }, FROM, TO)).toMatch(/\(100% of the window\)$/);
  });
});

describe('runReplay', () => {
  const targets = replayTargetsFromOutputs(SAMPLE_OUTPUTS, STACK, 'qa');
  const request = buildStartReplayRequest(parse(['qa', ...WINDOW, '--name', 'fix-1']), targets, undefined);
  const base = { intervalMs: 1, sleep: async () => {}, cancelRequested: () => false };

  it('--dry-run prints the StartReplay request and calls nothing', async () => {
    const lines: string[] = [];
    const untouchable = new Proxy({} as ReplayApi, {
      get: () => {
        throw new Error('a dry run must not call EventBridge');
      },
    });
    expect(await runReplay(untouchable, { ...base, request, dryRun: true, log: (l) => lines.push(l) })).toBe(0);
    expect(lines[0]).toMatch(/dry run, nothing sent/);
    expect(JSON.parse(lines[1])).toEqual({
      ReplayName: 'fix-1',
      Description: expect.any(String),
      EventSourceArn: ARCHIVE_ARN,
      EventStartTime: '2025-05-01T10:00:00.000Z',
      EventEndTime: '2025-05-01T11:00:00.000Z',
      Destination: { Arn: BUS_ARN },
    });
  });

  it('starts exactly the built request, then follows it', async () => {
    const api = new FakeReplayApi([{ State: 'RUNNING', EventLastReplayedTime: at(30) }, { State: 'COMPLETED' }]);
    const lines: string[] = [];
    expect(await runReplay(api, { ...base, request, dryRun: false, log: (l) => lines.push(l) })).toBe(0);
    expect(api.started).toEqual([request]);
    expect(api.calls[0]).toBe('StartReplay fix-1');
    expect(lines).toContain('arn:aws:events:eu-west-1:123456789012:replay/fix-1: STARTING');
    expect(lines).toContain('RUNNING: replayed up to 2025-05-01T10:30:00.000Z (50% of the window)');
  });

  it('explains a refused StartReplay', async () => {
    const exists = Object.assign(new Error('Replay fix-1 already exists.'), { name: 'ResourceAlreadyExistsException' });
    const api = new FakeReplayApi([{ State: 'COMPLETED' }], exists);
    await expect(runReplay(api, { ...base, request, dryRun: false, log: () => {} })).rejects.toThrow(
      /StartReplay failed: Replay fix-1 already exists\. \(a replay with this name exists; pass another --name\)/,
    );
    expect(api.calls).toEqual(['StartReplay fix-1']);
  });
});

describe('eventBridgeReplayApi', () => {
  it('maps the three calls onto the SDK commands (fake client, nothing leaves the process)', async () => {
    const sent: unknown[] = [];
    const client = {
      send: async (command: unknown) => {
        sent.push(command);
        return { State: 'RUNNING' };
      },
    } as unknown as Pick<EventBridgeClient, 'send'>;
    const api = eventBridgeReplayApi(client);
    const request = { ReplayName: 'r', EventSourceArn: ARCHIVE_ARN, EventStartTime: FROM, EventEndTime: TO, Destination: { Arn: BUS_ARN } };
    await api.startReplay(request);
    expect(await api.describeReplay('r')).toEqual({ State: 'RUNNING' });
    await api.cancelReplay('r');
    expect(sent[0]).toBeInstanceOf(StartReplayCommand);
    expect((sent[0] as StartReplayCommand).input).toEqual(request);
    expect(sent[1]).toBeInstanceOf(DescribeReplayCommand);
    expect((sent[1] as DescribeReplayCommand).input).toEqual({ ReplayName: 'r' });
    expect(sent[2]).toBeInstanceOf(CancelReplayCommand);
    expect((sent[2] as CancelReplayCommand).input).toEqual({ ReplayName: 'r' });
  });
});

describe('npm run replay (bin/replay.ts, end to end without AWS)', () => {
  const stage = `jest-replay-${process.pid}`;
  const outputsFile = path.join(INFRA_DIR, outputsFileName(stage));
  const run = (...args: string[]) =>
    spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(INFRA_DIR, 'bin', 'replay.ts'), ...args], {
      cwd: INFRA_DIR,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: process.env.HOME, TS_NODE_PROJECT: path.join(INFRA_DIR, 'tsconfig.json') },
    });

  afterAll(() => fs.rmSync(outputsFile, { force: true }));

  it('tells the user to deploy first when outputs.<stage>.json is missing', () => {
    const result = run(stage, '--', ...WINDOW);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`${outputsFileName(stage)} not found`);
    expect(result.stderr).toContain(`npm run deploy ${stage}`);
  });

  it('--dry-run prints the StartReplay request built from the outputs file', () => {
    const stackName = new Naming('ecommRs', stage).stackName;
    fs.writeFileSync(outputsFile, JSON.stringify({ [stackName]: SAMPLE_OUTPUTS['ecommRs-qa'] }));
    const result = run(stage, '--', ...WINDOW, '--name', 'e2e', '--rules', 'SyncOrderWorker', '--dry-run');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const json = result.stdout.slice(result.stdout.indexOf('{'));
    expect(JSON.parse(json)).toMatchObject({
      ReplayName: 'e2e',
      EventSourceArn: ARCHIVE_ARN,
      EventStartTime: '2025-05-01T10:00:00.000Z',
      EventEndTime: '2025-05-01T11:00:00.000Z',
      Destination: { Arn: BUS_ARN, FilterArns: [ruleArn('SyncOrderWorker')] },
    });
    expect(result.stdout).toContain('Region eu-west-1');
  });

  it('exits 1 with the usage on bad arguments', () => {
    const result = run(stage, '--', '--from', '2025-05-01T12:00:00Z', '--to', '2025-05-01T11:00:00Z');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/must be before --to[\s\S]*usage: npm run replay/);
  });
});
