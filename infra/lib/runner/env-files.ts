import * as fs from 'node:fs';
import * as path from 'node:path';
import { API_ACCESS_OUTPUT_KEYS, API_URL_OUTPUT_KEYS } from '../outputs';
import type { Domain } from '../routing';

/** Order of the variables in scripts/.env (as the original's services/.env). */
const ENV_FILE_DOMAINS: readonly Domain[] = ['Inventory', 'Orders', 'Payments', 'Testing'];

export function envVariableName(domain: Domain): string {
  return `${domain.toUpperCase()}_API_BASE_URL`;
}

export type ApiBaseUrls = Partial<Record<Domain, string>>;

/** The .env variable holding the APIs' region, the SigV4 signing region of the REST clients. */
export const API_REGION_VARIABLE = 'API_REGION';

const EXECUTE_API_HOST = /^[a-z0-9]+\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** `eu-west-1` of `https://abc123.execute-api.eu-west-1.amazonaws.com/…`, else undefined. */
export function executeApiRegion(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
  return EXECUTE_API_HOST.exec(host)?.[1];
}

/**
 * The region of `stackName`'s APIs: its `Region` output, or (a stack deployed before that output
 * existed) the region in its Inventory API URL. Undefined when neither says.
 */
export function apiRegionFromOutputs(outputs: unknown, stackName: string): string | undefined {
  const stackOutputs = isRecord(outputs) ? outputs[stackName] : undefined;
  if (!isRecord(stackOutputs)) return undefined;
  const region = stackOutputs[API_ACCESS_OUTPUT_KEYS.region];
  if (typeof region === 'string' && region.length > 0) return region;
  const url = stackOutputs[API_URL_OUTPUT_KEYS.Inventory];
  return typeof url === 'string' ? executeApiRegion(url) : undefined;
}

/**
 * Reads the API base URLs of `stackName` from a `cdk deploy --outputs-file` document, by the
 * stable output keys (never derived from the stage, fix §14 #14), one trailing `/` stripped.
 * Inventory, Orders and Payments must be present; Testing only when the stage deploys it.
 */
export function apiBaseUrlsFromOutputs(outputs: unknown, stackName: string): ApiBaseUrls {
  const stackOutputs = isRecord(outputs) ? outputs[stackName] : undefined;
  if (!isRecord(stackOutputs)) {
    throw new Error(`No outputs for stack ${stackName} in the outputs file`);
  }
  const urls: ApiBaseUrls = {};
  for (const domain of ENV_FILE_DOMAINS) {
    const value = stackOutputs[API_URL_OUTPUT_KEYS[domain]];
    if (typeof value === 'string' && value.length > 0) {
      urls[domain] = value.replace(/\/$/, '');
    } else if (domain !== 'Testing') {
      throw new Error(`Output ${API_URL_OUTPUT_KEYS[domain]} missing for stack ${stackName}`);
    }
  }
  return urls;
}

export interface EnvFile {
  readonly file: string;
  readonly content: string;
}

/**
 * `_restclient/<domain>/.env` with that domain's variable, and `scripts/.env` with all of them,
 * relative to `repoRoot`, each followed by `API_REGION=<region>` when the region is known (the
 * httpyac `aws` environment signs for it). A domain without a URL (Testing on prod) gets no file.
 */
export function envFiles(repoRoot: string, urls: ApiBaseUrls, region?: string): EnvFile[] {
  const files: EnvFile[] = [];
  const allLines: string[] = [];
  const regionLines = region === undefined ? [] : [`${API_REGION_VARIABLE}=${region}`];
  for (const domain of ENV_FILE_DOMAINS) {
    const url = urls[domain];
    if (url === undefined) continue;
    const line = `${envVariableName(domain)}=${url}`;
    allLines.push(line);
    files.push({
      file: path.join(repoRoot, '_restclient', domain.toLowerCase(), '.env'),
      content: `${[line, ...regionLines].join('\n')}\n`,
    });
  }
  files.push({ file: path.join(repoRoot, 'scripts', '.env'), content: `${[...allLines, ...regionLines].join('\n')}\n` });
  return files;
}

export function writeEnvFiles(files: readonly EnvFile[]): void {
  for (const { file, content } of files) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
