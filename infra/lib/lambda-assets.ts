import * as fs from 'node:fs';
import * as path from 'node:path';

/** Binaries of `binaries` without `<assetsDir>/<binary>/bootstrap`. */
export function missingLambdaAssets(assetsDir: string, binaries: readonly string[]): string[] {
  return binaries.filter((binary) => !fs.existsSync(path.join(assetsDir, binary, 'bootstrap')));
}
