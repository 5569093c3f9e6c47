import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_STAGE } from '../config';
import { sanitizeStage } from '../naming';

export const CDK_COMMANDS = ['bootstrap', 'synth', 'deploy', 'destroy'] as const;
export type CdkCommand = (typeof CDK_COMMANDS)[number];

const APPROVAL_LEVELS = ['never', 'any-change', 'broadening'] as const;

export class UsageError extends Error {}

export interface RunnerInvocation {
  readonly command: CdkCommand;
  /** As typed (argv or DEPLOYMENT_STAGE), for messages. */
  readonly requestedStage: string;
  /** Sanitised to `[A-Za-z0-9-]`; what names, outputs file and context use. */
  readonly stage: string;
}

export const USAGE = `usage: npm run <${CDK_COMMANDS.join('|')}> [stage]   (stage default: ${DEFAULT_STAGE})`;

/** `args` = argv after the script: `<command> [stage]`; the stage falls back to DEPLOYMENT_STAGE. */
export function parseInvocation(args: readonly string[], env: NodeJS.ProcessEnv): RunnerInvocation {
  const [command, stageArgument, ...rest] = args;
  if (command === undefined || !isCdkCommand(command)) {
    throw new UsageError(`Unknown command ${JSON.stringify(command ?? '')}. ${USAGE}`);
  }
  if (rest.length > 0) {
    throw new UsageError(`Unexpected arguments: ${rest.join(' ')}. ${USAGE}`);
  }
  const requestedStage = stageArgument ?? (env.DEPLOYMENT_STAGE || DEFAULT_STAGE);
  try {
    return { command, requestedStage, stage: sanitizeStage(requestedStage) };
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/**
 * The arguments of a runner script with options (`npm run replay|smoke [stage] [--option ...]`):
 * a stray `--` (from `npm run x -- …`) dropped, and the leading stage argument, if any, apart.
 */
export function splitStageArgument(args: readonly string[]): { stageArgument?: string; options: string[] } {
  const tokens = args.filter((arg) => arg !== '--');
  if (tokens[0] !== undefined && !tokens[0].startsWith('-')) {
    return { stageArgument: tokens[0], options: tokens.slice(1) };
  }
  return { options: tokens };
}

/** An option token split at its first `=` (`--option=value`); other tokens are their own name. */
export function splitOption(token: string): { option: string; inline?: string } {
  const equals = token.startsWith('--') ? token.indexOf('=') : -1;
  return equals > 0 ? { option: token.slice(0, equals), inline: token.slice(equals + 1) } : { option: token };
}

/**
 * The value of the single-valued `option` found at `tokens[index]`: its inline value, or the next
 * token (which then is consumed: `next` is the index of the last token read). `fail`s when the
 * value is missing, empty, or (not inline) another option.
 */
export function optionValue(
  tokens: readonly string[],
  index: number,
  option: string,
  inline: string | undefined,
  fail: (message: string) => never,
): { value: string; next: number } {
  const value = inline ?? tokens[index + 1];
  if (value === undefined || value === '' || (inline === undefined && value.startsWith('--'))) {
    fail(`${option} needs a value`);
  }
  return { value, next: inline === undefined ? index + 1 : index };
}

export function outputsFileName(stage: string): string {
  return `outputs.${stage}.json`;
}

/**
 * Reads the `cdk deploy --outputs-file` document of `stage`. A missing file means the stage was
 * not deployed from here (`orElse` names what else the caller accepts); a missing or unreadable
 * file is reported through an error made by `fail`.
 */
export function readStageOutputs(
  file: string,
  stage: string,
  fail: (message: string) => Error,
  orElse?: string,
): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw fail(
        `${path.basename(file)} not found in ${path.dirname(file)}: deploy the stage first (npm run deploy ${stage}), ` +
          `which writes it${orElse === undefined ? '' : `, ${orElse}`}.`,
      );
    }
    throw error;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw fail(
      `${path.basename(file)} is not valid JSON (${error instanceof Error ? error.message : String(error)}); ` +
        `redeploy with npm run deploy ${stage} to rewrite it.`,
    );
  }
}

/**
 * CLI arguments after `cdk`. The stack is selected by name so that `destroy` can only ever touch
 * this stage's stack; the stage also goes in as context, so bin/app.ts needs no other input.
 * - deploy: `--require-approval never` unless CDK_REQUIRE_APPROVAL names another level;
 *   `--outputs-file outputs.<stage>.json` (read afterwards for the .env files);
 * - destroy: `--force` only when CDK_FORCE_DESTROY=true (otherwise the CLI asks);
 * - `--profile` only when CDK_PROFILE is set (otherwise the default credential chain).
 */
export function cdkArguments(invocation: RunnerInvocation, stackName: string, env: NodeJS.ProcessEnv): string[] {
  const args: string[] = [invocation.command];
  if (invocation.command !== 'bootstrap') {
    args.push(stackName);
  }
  args.push('--context', `stage=${invocation.stage}`);
  if (invocation.command === 'deploy') {
    const approval = env.CDK_REQUIRE_APPROVAL || 'never';
    if (!(APPROVAL_LEVELS as readonly string[]).includes(approval)) {
      throw new UsageError(`CDK_REQUIRE_APPROVAL must be one of ${APPROVAL_LEVELS.join(', ')}, got "${approval}"`);
    }
    args.push('--require-approval', approval, '--outputs-file', outputsFileName(invocation.stage));
  }
  if (invocation.command === 'destroy' && env.CDK_FORCE_DESTROY === 'true') {
    args.push('--force');
  }
  if (env.CDK_PROFILE) {
    args.push('--profile', env.CDK_PROFILE);
  }
  return args;
}

function isCdkCommand(value: string): value is CdkCommand {
  return (CDK_COMMANDS as readonly string[]).includes(value);
}
