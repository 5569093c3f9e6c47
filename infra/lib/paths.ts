import * as path from 'node:path';

/** `infra/` — every relative path of the app is resolved from here, not from the cwd. */
export const INFRA_DIR = path.resolve(__dirname, '..');

/** The repository root (`infra/..`): cargo workspace, `_restclient/`, `scripts/`. */
export const REPO_ROOT = path.resolve(INFRA_DIR, '..');

/** THE routing table, shared with the embedded engine (services/local). */
export const ROUTING_FILE = path.join(REPO_ROOT, 'services', 'routing.json');

/** Where `cargo lambda build` puts `<binary>/bootstrap`. */
export const DEFAULT_LAMBDA_ASSETS_DIR = path.join(REPO_ROOT, 'target', 'lambda');
