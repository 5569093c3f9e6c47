import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CdkCommand } from './arguments';

/** What the runner does about Lambda assets before calling the CDK CLI. */
export type AssetPlan =
  /** Use the assets as they are (a custom LAMBDA_ASSETS_DIR that is complete). */
  | { readonly kind: 'ready' }
  /** Default directory, synth/deploy: run cargo-lambda at the repository root (incremental). */
  | { readonly kind: 'build' }
  /**
   * bootstrap/destroy synthesize the app but never upload code: stand-in files avoid a
   * pointless Rust build (e.g. destroying a stack from a fresh checkout).
   */
  | { readonly kind: 'placeholders' }
  | { readonly kind: 'fail'; readonly message: string };

export function planLambdaAssets(input: {
  readonly command: CdkCommand;
  readonly missing: readonly string[];
  readonly assetsDir: string;
  readonly usingDefaultDir: boolean;
}): AssetPlan {
  switch (input.command) {
    case 'bootstrap':
    case 'destroy':
      return input.missing.length === 0 ? { kind: 'ready' } : { kind: 'placeholders' };
    case 'synth':
    case 'deploy':
      // Always (re)build into the default directory: cargo is incremental, so an up-to-date tree
      // costs seconds, and a stale binary is never synthesized or deployed.
      if (input.usingDefaultDir) return { kind: 'build' };
      return input.missing.length === 0
        ? { kind: 'ready' }
        : {
            kind: 'fail',
            message:
              `LAMBDA_ASSETS_DIR=${input.assetsDir} lacks ${input.missing.join(', ')}. ` +
              'Unset it to let the runner build into target/lambda, or fill the directory yourself.',
          };
  }
}

/**
 * The cargo-lambda build of the twelve binaries (x86_64, provided.al2023 compatible) into
 * `target/lambda/<binary>/bootstrap`. `--profile lambda` is the workspace's release profile tuned
 * for Lambda (opt-level "s", fat LTO, stripped; root Cargo.toml), so the runner shares the cache
 * of a manual `cargo lambda build --profile lambda`.
 */
export const CARGO_LAMBDA_BUILD = ['lambda', 'build', '--profile', 'lambda', '--x86-64', '--package', 'lambdas'] as const;

export const CARGO_LAMBDA_MISSING =
  'cargo-lambda is not installed (needed to build the Lambda binaries). Install it with ' +
  '`pip install cargo-lambda` (or see https://www.cargo-lambda.info/guide/installation.html), ' +
  'or build elsewhere and set LAMBDA_ASSETS_DIR.';

/** Creates `<dir>/<binary>/bootstrap` stand-ins; never deployed (see AssetPlan). */
export function writePlaceholderAssets(dir: string, binaries: readonly string[]): void {
  for (const binary of binaries) {
    fs.mkdirSync(path.join(dir, binary), { recursive: true });
    fs.writeFileSync(path.join(dir, binary, 'bootstrap'), `placeholder for ${binary}; never deployed\n`);
  }
}
