import * as fs from 'node:fs';
import { ROUTING_FILE } from './paths';

export const DOMAINS = ['Inventory', 'Orders', 'Payments', 'Testing'] as const;
export type Domain = (typeof DOMAINS)[number];

/** One worker's subscription: the event names its queue receives. */
export interface RoutedWorker {
  readonly domain: Domain;
  readonly slice: string;
  readonly eventNames: readonly string[];
}

/** How the pipe treats a stream record it cannot deliver (the embedded pipe reads the same). */
export interface PipeSettings {
  /** Retries before the record goes to the pipe's dead-letter queue (AWS allows 0–185). */
  readonly maximumRetryAttempts: number;
}

/** services/routing.json, validated. */
export interface RoutingTable {
  readonly source: string;
  readonly detailType: string;
  readonly pipe: PipeSettings;
  readonly workers: readonly RoutedWorker[];
}

const SLICE_PATTERN = /^[A-Z][A-Za-z0-9]*Worker$/;
const EVENT_NAME_PATTERN = /^[A-Z][A-Z0-9_]*$/;

export function loadRoutingTable(file: string = ROUTING_FILE): RoutingTable {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`Cannot read the routing table ${file}`, { cause: error });
  }
  return parseRoutingTable(raw, file);
}

/** Rejects anything the CDK rules could not express faithfully; a bad table must fail synth. */
export function parseRoutingTable(raw: unknown, origin = 'routing table'): RoutingTable {
  const fail = (message: string): never => {
    throw new Error(`${origin}: ${message}`);
  };
  if (!isRecord(raw)) return fail('expected a JSON object');
  const { source, detailType, pipe, workers } = raw;
  if (typeof source !== 'string' || source.length === 0) return fail('"source" must be a string');
  if (typeof detailType !== 'string' || detailType.length === 0) {
    return fail('"detailType" must be a string');
  }
  if (!isRecord(pipe)) return fail('"pipe" must be an object');
  const { maximumRetryAttempts } = pipe;
  if (
    typeof maximumRetryAttempts !== 'number' ||
    !Number.isInteger(maximumRetryAttempts) ||
    maximumRetryAttempts < 0 ||
    maximumRetryAttempts > 185
  ) {
    return fail('"pipe.maximumRetryAttempts" must be an integer from 0 to 185');
  }
  if (!Array.isArray(workers) || workers.length === 0) return fail('"workers" must be a non-empty array');

  const seen = new Set<string>();
  const parsed = workers.map((worker: unknown, index): RoutedWorker => {
    if (!isRecord(worker)) return fail(`workers[${index}] must be an object`);
    const { domain, slice, eventNames } = worker;
    if (typeof domain !== 'string' || !isDomain(domain)) {
      return fail(`workers[${index}].domain must be one of ${DOMAINS.join(', ')}`);
    }
    if (typeof slice !== 'string' || !SLICE_PATTERN.test(slice)) {
      return fail(`workers[${index}].slice must be PascalCase ending in "Worker"`);
    }
    const key = `${domain}/${slice}`;
    if (seen.has(key)) return fail(`duplicate worker ${key}`);
    seen.add(key);
    if (!Array.isArray(eventNames) || eventNames.length === 0) {
      return fail(`${key}: eventNames must be a non-empty array`);
    }
    for (const name of eventNames) {
      if (typeof name !== 'string' || !EVENT_NAME_PATTERN.test(name)) {
        return fail(`${key}: invalid event name ${JSON.stringify(name)}`);
      }
    }
    if (new Set(eventNames).size !== eventNames.length) return fail(`${key}: duplicate event names`);
    return { domain, slice, eventNames: [...(eventNames as string[])] };
  });
  return { source, detailType, pipe: { maximumRetryAttempts }, workers: parsed };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDomain(value: string): value is Domain {
  return (DOMAINS as readonly string[]).includes(value);
}
