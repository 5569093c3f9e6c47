import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { buildEcommApp } from '../lib/app-builder';
import { lambdaBinaries } from '../lib/catalogue';
import { resolveDeploymentConfig, type DeploymentConfig } from '../lib/config';
import type { EcommStack } from '../lib/ecomm-stack';
import { INFRA_DIR } from '../lib/paths';
import { loadRoutingTable, type RoutingTable } from '../lib/routing';

export const LONG_ODD_STAGE = 'Feature_Branch-With.A-Very-Long-Name-123';

/** The exact twelve binaries of the cargo `lambdas` crate. */
export const EXPECTED_BINARIES = [
  'inventory-restock-sku-api',
  'inventory-list-skus-api',
  'inventory-restock-sku-worker',
  'inventory-allocate-order-stock-worker',
  'inventory-complete-order-payment-accepted-worker',
  'inventory-deallocate-order-payment-rejected-worker',
  'orders-place-order-api',
  'orders-list-orders-api',
  'orders-sync-order-worker',
  'payments-process-order-payment-worker',
  'payments-list-order-payments-api',
  'testing-simulate-raw-event-api',
];

export const routing: RoutingTable = loadRoutingTable();

let assetsDir: string | undefined;

afterAll(() => {
  if (assetsDir !== undefined) fs.rmSync(assetsDir, { recursive: true, force: true });
});

/** A temp dir with `<binary>/bootstrap` stand-ins: the template does not depend on their bytes. */
export function placeholderAssetsDir(): string {
  if (assetsDir === undefined) {
    assetsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ecomm-infra-test-assets-'));
    for (const binary of lambdaBinaries(routing, true)) {
      fs.mkdirSync(path.join(assetsDir, binary));
      fs.writeFileSync(path.join(assetsDir, binary, 'bootstrap'), `#!/bin/sh\n# ${binary}\n`);
    }
  }
  return assetsDir;
}

/** The feature flags of cdk.json, so tests synthesize exactly what `cdk synth` does. */
function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(INFRA_DIR, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export interface Synthesized {
  readonly app: App;
  readonly config: DeploymentConfig;
  readonly stack: EcommStack;
  readonly template: Template;
}

const cache = new Map<string, Synthesized>();

/**
 * Synthesizes (once per argument set) the app as bin/app.ts does, for `stage`, with extra
 * environment variables and CDK context (`-c key=value`) if given.
 */
export function synthesize(stage: string, env: NodeJS.ProcessEnv = {}, context: Record<string, unknown> = {}): Synthesized {
  const key = JSON.stringify([stage, env, context]);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const app = new App({ context: { ...cdkJsonContext(), ...context, stage } });
  const config = resolveDeploymentConfig({
    context: (name) => app.node.tryGetContext(name),
    env: { LAMBDA_ASSETS_DIR: placeholderAssetsDir(), ...env },
  });
  const stack = buildEcommApp(app, config, routing);
  const result = { app, config, stack, template: Template.fromStack(stack) };
  cache.set(key, result);
  return result;
}

export type Resource = { Type: string; Properties: Record<string, any>; DependsOn?: string[] };

export function resourcesOfType(template: Template, type: string): Record<string, Resource> {
  return template.findResources(type) as Record<string, Resource>;
}

/** `{ Ref: id }` / `{ 'Fn::GetAtt': [id, …] }` → id. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const ref = (value as { Ref?: unknown }).Ref;
  if (typeof ref === 'string') return ref;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  return undefined;
}

/**
 * A template value as text: strings as they are, `{ Ref: X }` as `${X}`, `{ 'Fn::GetAtt': [X, A] }`
 * as `${X.A}`, `Fn::Join` joined. The placeholders hold no quote or backslash, so a rendered JSON
 * document (a dashboard body) still parses.
 */
export function renderedText(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  if (join !== undefined) return join[1].map(renderedText).join(join[0]);
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | null)?.['Fn::GetAtt'];
  if (Array.isArray(getAtt)) return `\${${getAtt.join('.')}}`;
  const ref = referencedId(value);
  if (ref !== undefined) return `\${${ref}}`;
  throw new Error(`cannot render ${JSON.stringify(value)} as text`);
}

export function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

/** cdk-nag AWS Solutions findings not acknowledged anywhere in the app, as readable strings. */
export function unacknowledgedNagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.map(
    (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
  );
}

/** Acknowledged rules recorded anywhere in the tree, as `ruleId → reasons`. */
export function nagAcknowledgements(root: IConstruct): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const node of root.node.findAll()) {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [qualifiedId, reason] of Object.entries(entry.data as Record<string, string>)) {
        const id = qualifiedId.replace(/^[A-Za-z]+::/, '');
        found.set(id, (found.get(id) ?? new Set()).add(reason));
      }
    }
  }
  return found;
}
