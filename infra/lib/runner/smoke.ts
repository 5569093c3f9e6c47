/**
 * `npm run smoke [stage] -- [--base-url URL] [--timeout SECONDS]`: a post-deploy smoke test that
 * talks to the system only through its HTTP APIs. It restocks a fresh SKU (two lots, one of them
 * sent twice), places a small order mix (normal orders, a forced payment rejection, an order
 * beyond stock, a duplicate placeOrder), waits until every order is terminal and then checks the
 * saga's invariants on what the list APIs answer.
 *
 * Everything here is pure or talks HTTP only through {@link Post}, so the tests run it against
 * fabricated answers; bin/smoke.ts wires Node's fetch.
 */
import { isDeepStrictEqual } from 'node:util';
import { DEFAULT_STAGE } from '../config';
import { sanitizeStage } from '../naming';
import { API_ACCESS_OUTPUT_KEYS } from '../outputs';
import { UsageError, optionValue, readStageOutputs, splitOption, splitStageArgument } from './arguments';
import { apiBaseUrlsFromOutputs, apiRegionFromOutputs } from './env-files';
import type { SignRequest } from './sigv4';

export const DEFAULT_TIMEOUT_S = 300;
export const DEFAULT_POLL_INTERVAL_S = 2;
export const DEFAULT_REQUEST_TIMEOUT_S = 30;

export const SMOKE_USAGE = [
  'usage: npm run smoke [stage] -- [--timeout SECONDS] [--poll-interval SECONDS] [--request-timeout SECONDS]',
  '       npm run smoke -- --base-url URL [--timeout SECONDS] ...',
  `  stage             default: DEPLOYMENT_STAGE, else ${DEFAULT_STAGE}; its outputs.<stage>.json must exist (npm run deploy <stage>)`,
  '  --base-url URL    all four APIs under one URL, as the local engine serves them (e.g. http://127.0.0.1:3000);',
  '                    replaces the stage',
  `  --timeout S       how long the run may wait for the restocks, the orders and the invariants (default ${DEFAULT_TIMEOUT_S})`,
  `  --poll-interval S between two rounds of list calls (default ${DEFAULT_POLL_INTERVAL_S})`,
  `  --request-timeout S  one HTTP request (default ${DEFAULT_REQUEST_TIMEOUT_S})`,
  'Calls to a stage are SigV4-signed with the AWS SDK\'s default credentials (CDK_PROFILE honoured) unless its',
  'ApiAuthorization output is NONE; calls to --base-url never are.',
  'Exit status: 0 every check passed; 1 a check failed (the report lists each violation); 2 bad usage or configuration.',
].join('\n');

/** The deployment cannot be smoke-tested as asked (no outputs file, missing outputs). */
export class SmokeConfigError extends Error {}

export const ACCEPTED = 'ORDER_PAYMENT_ACCEPTED_STATUS';
export const REJECTED = 'ORDER_PAYMENT_REJECTED_STATUS';
export const DEPLETED = 'ORDER_STOCK_DEPLETED_STATUS';
const ALLOCATED = 'ORDER_STOCK_ALLOCATED_STATUS';
export const TERMINAL_STATUSES: readonly string[] = [DEPLETED, ACCEPTED, REJECTED];

// ---------------------------------------------------------------------------------------------
// Arguments and targets
// ---------------------------------------------------------------------------------------------

export interface SmokeInvocation {
  /** As typed (argv or DEPLOYMENT_STAGE), for messages; unused with --base-url. */
  readonly requestedStage: string;
  /** Sanitised, as the deploy runner names the stack and the outputs file. */
  readonly stage: string;
  /** --base-url without its trailing `/`; when set, the outputs file is not read. */
  readonly baseUrl: string | undefined;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly requestTimeoutMs: number;
}

/**
 * `args` = argv after the script: `[stage] [--base-url URL] [--timeout S] [--poll-interval S]
 * [--request-timeout S]`. Options also take `--option=value`; a stray `--` (from
 * `npm run smoke -- …`) is ignored. A stage argument and --base-url exclude each other.
 */
export function parseSmokeInvocation(args: readonly string[], env: NodeJS.ProcessEnv): SmokeInvocation {
  const fail = (message: string): never => {
    throw new UsageError(`${message}\n${SMOKE_USAGE}`);
  };
  const { stageArgument, options: tokens } = splitStageArgument(args);
  const values: Partial<Record<string, string>> = {};
  const OPTIONS = ['--base-url', '--timeout', '--poll-interval', '--request-timeout'];
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index];
    const { option, inline } = splitOption(token);
    if (!OPTIONS.includes(option)) {
      fail(option.startsWith('-') ? `Unknown option ${option}` : `Unexpected argument ${JSON.stringify(token)}`);
    }
    if (values[option] !== undefined) fail(`${option} given twice`);
    const { value, next } = optionValue(tokens, index, option, inline, fail);
    values[option] = value;
    index = next;
  }

  let baseUrl: string | undefined;
  if (values['--base-url'] !== undefined) {
    if (stageArgument !== undefined) {
      fail(`Give a stage (${stageArgument}) or --base-url, not both`);
    }
    baseUrl = parseBaseUrl(values['--base-url']!, fail);
  }
  const requestedStage = stageArgument ?? (env.DEPLOYMENT_STAGE || DEFAULT_STAGE);
  let stage = '';
  try {
    stage = sanitizeStage(requestedStage);
  } catch (error) {
    if (baseUrl === undefined) fail(error instanceof Error ? error.message : String(error));
  }
  const seconds = (option: string, fallback: number): number => {
    const raw = values[option];
    if (raw === undefined) return fallback * 1000;
    const value = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(value) || value <= 0) {
      fail(`${option} must be a number of seconds > 0, got ${JSON.stringify(raw)}`);
    }
    return Math.round(value * 1000);
  };
  return {
    requestedStage,
    stage,
    baseUrl,
    timeoutMs: seconds('--timeout', DEFAULT_TIMEOUT_S),
    pollIntervalMs: seconds('--poll-interval', DEFAULT_POLL_INTERVAL_S),
    requestTimeoutMs: seconds('--request-timeout', DEFAULT_REQUEST_TIMEOUT_S),
  };
}

function parseBaseUrl(raw: string, fail: (message: string) => never): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(`--base-url ${JSON.stringify(raw)} is not a URL (e.g. http://127.0.0.1:3000)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(`--base-url must be http:// or https://, got ${JSON.stringify(raw)}`);
  }
  return raw.replace(/\/+$/, '');
}

/** Where the three APIs the smoke test calls live (the Testing API is not used). */
export interface SmokeTargets {
  readonly inventory: string;
  readonly orders: string;
  readonly payments: string;
  /** For the first line of output: where the URLs came from. */
  readonly source: string;
}

export function targetsFromBaseUrl(baseUrl: string): SmokeTargets {
  return { inventory: baseUrl, orders: baseUrl, payments: baseUrl, source: `--base-url ${baseUrl}` };
}

/**
 * The stage's API base URLs from `cdk deploy --outputs-file` (what `npm run deploy <stage>` writes
 * and reads for the .env files), by the same stable output keys and with the same trailing `/`
 * stripped as the .env files get.
 */
export function targetsFromOutputs(outputs: unknown, stackName: string, stage: string, fileLabel: string): SmokeTargets {
  let urls: ReturnType<typeof apiBaseUrlsFromOutputs>;
  try {
    urls = apiBaseUrlsFromOutputs(outputs, stackName);
  } catch (error) {
    throw new SmokeConfigError(
      `${fileLabel}: ${error instanceof Error ? error.message : String(error)}; redeploy with npm run deploy ${stage}.`,
    );
  }
  return { inventory: urls.Inventory!, orders: urls.Orders!, payments: urls.Payments!, source: `${fileLabel} (stack ${stackName})` };
}

/**
 * Whether the stage's calls must be SigV4-signed, and for which region: yes unless its
 * `ApiAuthorization` output says `NONE` (a stage deployed with publicApis), in the region of its
 * `Region` output or else of its API URLs. `--base-url` (the local engine) is never signed.
 */
export function requestSigningFromOutputs(outputs: unknown, stackName: string, fileLabel: string): { readonly region: string } | undefined {
  const stackOutputs = (outputs as Record<string, Record<string, unknown> | undefined> | null)?.[stackName];
  if (stackOutputs?.[API_ACCESS_OUTPUT_KEYS.authorization] === 'NONE') return undefined;
  const region = apiRegionFromOutputs(outputs, stackName);
  if (region === undefined) {
    throw new SmokeConfigError(
      `${fileLabel}: no ${API_ACCESS_OUTPUT_KEYS.region} output and no region in the API URLs, so the calls cannot be signed.`,
    );
  }
  return { region };
}

/** Reads the outputs document; a missing file means the stage was not deployed from here. */
export function readOutputsFile(file: string, stage: string): unknown {
  return readStageOutputs(file, stage, (message) => new SmokeConfigError(message), 'or pass --base-url URL');
}

// ---------------------------------------------------------------------------------------------
// The plan: what the smoke test sends
// ---------------------------------------------------------------------------------------------

export interface RestockBody {
  readonly sku: string;
  readonly units: number;
  readonly lotId: string;
}

export interface PlaceOrderBody {
  readonly orderId: string;
  readonly sku: string;
  readonly units: number;
  readonly price: number;
  readonly userId: string;
}

/**
 * - `normal`: within stock, normal price → ACCEPTED or REJECTED (the random gateway may give up),
 *   never DEPLETED;
 * - `forced-rejection`: price 100000 → the gateway always rejects (docs/contract.md §9);
 * - `beyond-stock`: more units than were ever restocked → DEPLETED.
 */
export type OrderKind = 'normal' | 'forced-rejection' | 'beyond-stock';

export interface PlannedOrder {
  readonly kind: OrderKind;
  /** The first placeOrder of this id: the one that counts. */
  readonly body: PlaceOrderBody;
}

export interface SmokePlan {
  readonly sku: string;
  /** Each lot once, in the order sent. */
  readonly lots: readonly RestockBody[];
  /** One of `lots`, sent again after all of them: must count once. */
  readonly resentLot: RestockBody;
  readonly orders: readonly PlannedOrder[];
  /** placeOrder again with the id of a normal order but one more unit: the first must stay. */
  readonly duplicate: PlaceOrderBody;
}

/** `SMOKE<UTC yyyymmddhhmmss><6 random [0-9A-Z]>`, e.g. SMOKE20250601120000K3Q9ZD: 25 characters. */
export function newRunId(now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, '').replace(/[-:T]/g, '');
  let suffix = '';
  for (let i = 0; i < 6; i++) suffix += '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'[Math.floor(random() * 36) % 36];
  return `SMOKE${stamp}${suffix}`;
}

/**
 * One SKU (the run id), lots of 40 and 60 units, three normal orders (3 + 5 + 7 units), a forced
 * rejection (4 units at price 100000), an order of 10 × the stock, and the first order again with
 * 4 units. The first four orders together take at most 19 of the 100 units, so none of them can
 * run out of stock whatever the order of allocation.
 */
export function buildSmokePlan(runId: string): SmokePlan {
  const sku = runId;
  const userId = 'SMOKETEST';
  const lots: RestockBody[] = [
    { sku, units: 40, lotId: `${runId}-L1` },
    { sku, units: 60, lotId: `${runId}-L2` },
  ];
  const stock = lots.reduce((sum, lot) => sum + lot.units, 0);
  const order = (n: number, kind: OrderKind, units: number, price: number): PlannedOrder => ({
    kind,
    body: { orderId: `${runId}-O${n}`, sku, units, price, userId },
  });
  const orders = [
    order(1, 'normal', 3, 12.5),
    order(2, 'normal', 5, 21.99),
    order(3, 'normal', 7, 4.25),
    order(4, 'forced-rejection', 4, 100000),
    order(5, 'beyond-stock', stock * 10, 9.99),
  ];
  return { sku, lots, resentLot: lots[0], orders, duplicate: { ...orders[0].body, units: orders[0].body.units + 1 } };
}

export function restockedUnits(plan: Pick<SmokePlan, 'lots'>): number {
  return plan.lots.reduce((sum, lot) => sum + lot.units, 0);
}

// ---------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------

export interface HttpReply {
  /** null: no HTTP answer at all (connection refused, timeout…); `body` then says why. */
  readonly status: number | null;
  readonly body: string;
}

export type Post = (url: string, body: unknown) => Promise<HttpReply>;

/**
 * POST JSON with Node's fetch, SigV4-signed by `sign` when given (a deployed stage); never throws.
 * A signing failure (no credentials, say) is answered like a request that got no answer.
 */
export function fetchPost(requestTimeoutMs: number, sign?: SignRequest): Post {
  return async (url, body) => {
    try {
      const payload = JSON.stringify(body);
      const unsigned = { 'content-type': 'application/json' };
      const headers = sign === undefined ? unsigned : await sign({ method: 'POST', url, headers: unsigned, body: payload });
      const response = await fetch(url, {
        method: 'POST',
        headers,
        body: payload,
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      return { status: null, body: describeFetchError(error) };
    }
  };
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as Error & { cause?: unknown }).cause;
  const detail = cause instanceof Error ? `: ${(cause as NodeJS.ErrnoException).code ?? cause.message}` : '';
  return `${error.name}: ${error.message}${detail}`;
}

export type ListApi = 'listSkus' | 'listOrders' | 'listOrderPayments';
export type EventApi = 'restockSku' | 'placeOrder';

/** One API call and its answer, as the http checks judge it. */
export interface CallRecord {
  readonly api: EventApi | ListApi;
  /** Event APIs: one label per call (`restockSku <lotId>`); list APIs share their API name. */
  readonly label: string;
  readonly request: unknown;
  readonly reply: HttpReply;
}

const LIST_KEYS: Readonly<Record<ListApi, string>> = {
  listSkus: 'skus',
  listOrders: 'orders',
  listOrderPayments: 'orderPayments',
};

const API_PATHS: Readonly<Record<EventApi | ListApi, string>> = {
  restockSku: '/api/v1/inventory/restockSku',
  listSkus: '/api/v1/inventory/listSkus',
  placeOrder: '/api/v1/orders/placeOrder',
  listOrders: '/api/v1/orders/listOrders',
  listOrderPayments: '/api/v1/payments/listOrderPayments',
};

export function apiUrl(targets: SmokeTargets, api: EventApi | ListApi): string {
  const base =
    api === 'restockSku' || api === 'listSkus' ? targets.inventory : api === 'listOrderPayments' ? targets.payments : targets.orders;
  return `${base}${API_PATHS[api]}`;
}

/** The list of a 200 list answer, or undefined when the answer is not one. */
export function listOf(api: ListApi, reply: HttpReply): unknown[] | undefined {
  if (reply.status !== 200) return undefined;
  const parsed = parseJson(reply.body);
  const list = isRecord(parsed) ? parsed[LIST_KEYS[api]] : undefined;
  return Array.isArray(list) ? list : undefined;
}

// ---------------------------------------------------------------------------------------------
// The invariant checker (pure)
// ---------------------------------------------------------------------------------------------

/** What the list APIs last answered; `undefined` = never a valid 200 answer. */
export interface SmokeAnswers {
  /** SKU units once the restocks were applied (before any order); null = the SKU was not listed. */
  readonly unitsAfterRestocks?: number | null;
  /** listSkus `{"sku"}` → its `skus`. */
  readonly skus?: readonly unknown[];
  /** listOrders `{"orderId"}` → its `orders`, by order id. */
  readonly orders: Readonly<Record<string, readonly unknown[] | undefined>>;
  /** listOrderPayments `{"orderId"}` → its `orderPayments`, by order id. */
  readonly payments: Readonly<Record<string, readonly unknown[] | undefined>>;
}

/**
 * - `http`: every call answered as expected (202 echoing the request, 200 with the list);
 * - `restock`: the SKU holds each lot once after the restocks (the re-sent lot counted once);
 * - `terminal`: the order reached a terminal status;
 * - `order`: the listed order is the first placeOrder of its id (a duplicate changed nothing);
 * - `payment`: the order's status agrees with its payment record;
 * - `outcome`: the order ended as its kind must (forced rejection REJECTED, beyond stock DEPLETED,
 *   within stock not DEPLETED);
 * - `stock`: SKU units = restocked − units of the accepted orders.
 */
export type CheckKind = 'http' | 'restock' | 'terminal' | 'order' | 'payment' | 'outcome' | 'stock';

export interface Check {
  readonly kind: CheckKind;
  /** Order id, SKU, or call label. */
  readonly subject: string;
  readonly passed: boolean;
  readonly expected: string;
  readonly found: string;
}

/** Kinds that can still change once every order is terminal (eventual reads, trailing deallocation). */
export const SETTLING_KINDS: readonly CheckKind[] = ['terminal', 'payment', 'stock'];

/** Every check of the plan against the calls made and the answers seen. */
export function checkSmoke(plan: SmokePlan, calls: readonly CallRecord[], answers: SmokeAnswers, ordersPlaced = true): Check[] {
  const checks: Check[] = [...checkCalls(calls)];
  if (answers.unitsAfterRestocks !== undefined) {
    const expected = restockedUnits(plan);
    checks.push({
      kind: 'restock',
      subject: plan.sku,
      passed: answers.unitsAfterRestocks === expected,
      expected:
        `${expected} units = ${plan.lots.map((lot) => lot.units).join(' + ')}, ` +
        `lot ${plan.resentLot.lotId} re-sent and counted once`,
      found: answers.unitsAfterRestocks === null ? 'the SKU not listed' : `${answers.unitsAfterRestocks} units`,
    });
  }
  if (!ordersPlaced) return checks;

  const statuses = new Map<string, string | undefined>();
  for (const { kind, body } of plan.orders) {
    const id = body.orderId;
    const order = single(answers.orders[id], 'listOrders');
    const status = order.item === undefined ? undefined : stringField(order.item, 'orderStatus');
    statuses.set(id, status);
    const terminal = status !== undefined && TERMINAL_STATUSES.includes(status);
    checks.push({
      kind: 'terminal',
      subject: id,
      passed: terminal,
      expected: 'a terminal status',
      found: order.problem ?? status ?? (order.item === undefined ? 'not listed' : 'no orderStatus'),
    });
    checks.push(checkOrderData(id, body, order));
    checks.push(checkPayment(id, kind, status, order.problem, single(answers.payments[id], 'listOrderPayments')));
    checks.push(checkOutcome(id, kind, status, order.problem ?? status ?? 'not listed'));
  }
  checks.push(checkStock(plan, statuses, answers.skus));
  return checks;
}

const EXPECTED_OUTCOME: Readonly<Record<OrderKind, string>> = {
  normal: `${ACCEPTED} or ${REJECTED} (within stock)`,
  'forced-rejection': `${REJECTED} (price ≥ 100000 is always rejected)`,
  'beyond-stock': `${DEPLETED} (more units than restocked)`,
};

function checkOutcome(id: string, kind: OrderKind, status: string | undefined, found: string): Check {
  let passed: boolean;
  switch (kind) {
    case 'normal':
      passed = status === ACCEPTED || status === REJECTED;
      break;
    case 'forced-rejection':
      passed = status === REJECTED;
      break;
    case 'beyond-stock':
      passed = status === DEPLETED;
      break;
  }
  return { kind: 'outcome', subject: id, passed, expected: EXPECTED_OUTCOME[kind], found };
}

interface Single {
  readonly item?: Record<string, unknown>;
  /** Why there is no single well-formed item (not listed is not a problem for payments). */
  readonly problem?: string;
}

function single(list: readonly unknown[] | undefined, api: ListApi): Single {
  if (list === undefined) return { problem: `no valid ${api} answer` };
  if (list.length === 0) return {};
  if (list.length > 1) return { problem: `${list.length} items listed for one id` };
  const item = list[0];
  if (!isRecord(item)) return { problem: `a listed item that is not an object: ${compact(item)}` };
  return { item };
}

function checkOrderData(id: string, body: PlaceOrderBody, order: Single): Check {
  const expected = `sku ${body.sku}, units ${body.units}, price ${body.price}, userId ${body.userId} (the first placeOrder)`;
  if (order.item === undefined) {
    return { kind: 'order', subject: id, passed: false, expected, found: order.problem ?? 'not listed' };
  }
  const wrong = (['orderId', 'sku', 'units', 'price', 'userId'] as const).filter((field) => order.item![field] !== body[field]);
  return {
    kind: 'order',
    subject: id,
    passed: wrong.length === 0,
    expected,
    found: wrong.length === 0 ? 'as placed' : wrong.map((field) => `${field} ${compact(order.item![field])}`).join(', '),
  };
}

const PAYMENT_OF_STATUS: Readonly<Record<string, string | null>> = {
  [ACCEPTED]: 'PAYMENT_ACCEPTED',
  [REJECTED]: 'PAYMENT_REJECTED',
  [DEPLETED]: null,
};

function checkPayment(id: string, kind: OrderKind, status: string | undefined, orderProblem: string | undefined, payment: Single): Check {
  const describe = (): string => {
    if (payment.problem !== undefined) return payment.problem;
    if (payment.item === undefined) return 'no payment record';
    const retries = payment.item.paymentRetries;
    return `paymentStatus ${plain(payment.item.paymentStatus)}, paymentRetries ${plain(retries)}`;
  };
  if (orderProblem !== undefined || status === undefined || !TERMINAL_STATUSES.includes(status)) {
    return {
      kind: 'payment',
      subject: id,
      passed: false,
      expected: 'the payment of a terminal order',
      found: `undecided: order ${orderProblem ?? (status === undefined ? 'not listed' : status)}; payment: ${describe()}`,
    };
  }
  const wantStatus = PAYMENT_OF_STATUS[status];
  const forced = kind === 'forced-rejection' && status === REJECTED;
  const expected =
    wantStatus === null
      ? `no payment record (order ${status})`
      : `paymentStatus ${wantStatus}${forced ? ', paymentRetries 0 (a forced rejection needs no retry)' : ''} (order ${status})`;
  let passed: boolean;
  if (payment.problem !== undefined) {
    passed = false;
  } else if (wantStatus === null) {
    passed = payment.item === undefined;
  } else {
    passed =
      payment.item !== undefined &&
      payment.item.paymentStatus === wantStatus &&
      payment.item.orderId === id &&
      (!forced || payment.item.paymentRetries === 0);
  }
  return { kind: 'payment', subject: id, passed, expected, found: describe() };
}

function checkStock(plan: SmokePlan, statuses: ReadonlyMap<string, string | undefined>, skus: readonly unknown[] | undefined): Check {
  const restocked = restockedUnits(plan);
  const accepted = plan.orders.filter((order) => statuses.get(order.body.orderId) === ACCEPTED);
  const taken = accepted.reduce((sum, order) => sum + order.body.units, 0);
  const undecided = plan.orders.filter((order) => {
    const status = statuses.get(order.body.orderId);
    return status === undefined || !TERMINAL_STATUSES.includes(status);
  });
  const expectedUnits = restocked - taken;
  const acceptedText = accepted.length <= 1 ? '' : ` (${accepted.map((o) => o.body.units).join(' + ')})`;
  const expected = `${expectedUnits} units = ${restocked} restocked − ${taken} in ${accepted.length} accepted order(s)${acceptedText}`;
  const sku = single(skus, 'listSkus');
  const listedUnits = sku.item?.units;
  const foundUnits = sku.problem ?? (sku.item === undefined ? 'the SKU not listed' : `${compact(listedUnits)} units`);
  if (undecided.length > 0) {
    return {
      kind: 'stock',
      subject: plan.sku,
      passed: false,
      expected: 'units = restocked − accepted units, once every order is terminal',
      found: `undecided: ${undecided.map((o) => o.body.orderId).join(', ')} not terminal; ${foundUnits}`,
    };
  }
  return {
    kind: 'stock',
    subject: plan.sku,
    passed: sku.item !== undefined && sku.item.sku === plan.sku && listedUnits === expectedUnits,
    expected,
    found: foundUnits,
  };
}

/** One check per event-producing call, one per list API over all its calls. */
export function checkCalls(calls: readonly CallRecord[]): Check[] {
  const checks: Check[] = [];
  const lists = new Map<string, CallRecord[]>();
  for (const call of calls) {
    if (call.api === 'restockSku' || call.api === 'placeOrder') {
      const echoed = call.reply.status === 202 && isDeepStrictEqual(parseJson(call.reply.body), call.request);
      checks.push({
        kind: 'http',
        subject: call.label,
        passed: echoed,
        expected: '202 echoing the request',
        found: echoed ? '202, echoed' : describeReply(call.reply),
      });
    } else {
      const group = lists.get(call.api) ?? [];
      group.push(call);
      lists.set(call.api, group);
    }
  }
  for (const [api, group] of lists) {
    const bad = group.filter((call) => listOf(call.api as ListApi, call.reply) === undefined);
    const key = LIST_KEYS[api as ListApi];
    checks.push({
      kind: 'http',
      subject: api,
      passed: bad.length === 0,
      expected: `200 with a "${key}" list on every call`,
      found:
        bad.length === 0
          ? `${group.length} of ${group.length} calls 200`
          : `${bad.length} of ${group.length} calls not: first ${compact(bad[0].request)} → ${describeReply(bad[0].reply)}`,
    });
  }
  return checks;
}

function describeReply(reply: HttpReply): string {
  const body = reply.body.length > 200 ? `${reply.body.slice(0, 200)}…` : reply.body;
  return reply.status === null ? `no answer (${body})` : `HTTP ${reply.status} ${body}`;
}

/**
 * One line per check: the passed ones (`ok    [stock] SKU: 85 units`) first, then every violation
 * (`FAIL  [payment] ORD1: expected …, found …`), so the violations end up right above the summary.
 */
export function formatReport(checks: readonly Check[]): string[] {
  const lines: string[] = [];
  for (const check of [...checks.filter((c) => c.passed), ...checks.filter((c) => !c.passed)]) {
    const line = `[${check.kind}] ${check.subject}: `;
    const detail = check.kind === 'restock' || check.kind === 'stock' ? ` (expected ${check.expected})` : '';
    lines.push(check.passed ? `ok    ${line}${check.found}${detail}` : `FAIL  ${line}expected ${check.expected}, found ${check.found}`);
  }
  return lines;
}

export function summaryLine(checks: readonly Check[]): string {
  const failed = checks.filter((check) => !check.passed).length;
  return `smoke: ${checks.length - failed} passed, ${failed} failed`;
}

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

export interface RunSmokeOptions {
  readonly targets: SmokeTargets;
  readonly plan: SmokePlan;
  readonly post: Post;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly log: (line: string) => void;
  /** A progress line repeats at least this often while nothing changes. */
  readonly heartbeatMs?: number;
}

export interface SmokeResult {
  readonly checks: readonly Check[];
  readonly failed: number;
}

/**
 * Sends the plan, waits (polling the list APIs) until every order is terminal and the settling
 * checks hold or the time is up, then prints every check and the summary line.
 */
export async function runSmoke(options: RunSmokeOptions): Promise<SmokeResult> {
  const { targets, plan, post, log, now } = options;
  const started = now();
  const deadline = started + options.timeoutMs;
  const heartbeatMs = options.heartbeatMs ?? 10_000;
  const elapsed = () => `[${String(Math.round((now() - started) / 1000)).padStart(4)} s]`;
  const calls: CallRecord[] = [];
  const call = async (api: EventApi | ListApi, label: string, request: unknown): Promise<HttpReply> => {
    const reply = await post(apiUrl(targets, api), request);
    calls.push({ api, label, request, reply });
    return reply;
  };
  const answers: {
    unitsAfterRestocks?: number | null;
    skus?: readonly unknown[];
    orders: Record<string, readonly unknown[] | undefined>;
    payments: Record<string, readonly unknown[] | undefined>;
  } = { orders: {}, payments: {} };
  const finish = (ordersPlaced: boolean): SmokeResult => {
    const checks = checkSmoke(plan, calls, answers, ordersPlaced);
    log('');
    for (const line of formatReport(checks)) log(line);
    log(summaryLine(checks));
    return { checks, failed: checks.filter((check) => !check.passed).length };
  };

  log(`smoke: ${targets.source}`);
  log(`  inventory ${targets.inventory}`);
  log(`  orders    ${targets.orders}`);
  log(`  payments  ${targets.payments}`);
  const stock = restockedUnits(plan);
  log(
    `smoke: SKU ${plan.sku}: ${plan.lots.length} lots (${stock} units) and one of them again, ${plan.orders.length} orders ` +
      `and a duplicate placeOrder; timeout ${Math.round(options.timeoutMs / 1000)} s`,
  );

  // 1. Restocks: each lot, then one of them again.
  for (const [index, lot] of [...plan.lots, plan.resentLot].entries()) {
    const resent = index >= plan.lots.length;
    const reply = await call('restockSku', `restockSku ${lot.lotId}${resent ? ' (re-sent)' : ''}`, lot);
    log(`${elapsed()} restockSku ${lot.lotId} ${lot.units} units${resent ? ' (again)' : ''}: ${reply.status ?? 'no answer'}`);
    if (reply.status === null) {
      log(`smoke: nothing answers at ${targets.inventory} (${reply.body})`);
      return finish(false);
    }
    if (reply.status === 401 || reply.status === 403) {
      log(
        `smoke: ${targets.inventory} refused restockSku with ${reply.status} ${reply.body.slice(0, 200)}: the stage's ` +
          'routes take SigV4-signed requests only; are the AWS credentials missing, expired, or without ' +
          "execute-api:Invoke on the stage's APIs? (infra/README.md, \"Calling the APIs\")",
      );
      return finish(false);
    }
  }

  // 2. Wait until the restocks are applied, so no order within stock can find the SKU short.
  let lastLine = '';
  let lastLogged = -Infinity;
  const progress = (line: string) => {
    if (line !== lastLine || now() - lastLogged >= heartbeatMs) {
      log(`${elapsed()} ${line}`);
      lastLine = line;
      lastLogged = now();
    }
  };
  for (;;) {
    const list = listOf('listSkus', await call('listSkus', 'listSkus', { sku: plan.sku }));
    if (list !== undefined) {
      const item = list.find((sku) => isRecord(sku) && sku.sku === plan.sku);
      const units = isRecord(item) && typeof item.units === 'number' ? item.units : null;
      answers.unitsAfterRestocks = units;
      if (units !== null && units >= stock) {
        progress(`restocks applied: ${units} units`);
        break;
      }
      progress(`waiting for the restocks: ${units === null ? 'SKU not listed yet' : `${units}/${stock} units`}`);
    } else {
      progress('waiting for the restocks: listSkus did not answer 200');
    }
    if (now() >= deadline) {
      log(`${elapsed()} timed out waiting for the restocks; no order placed`);
      if (answers.unitsAfterRestocks === undefined) answers.unitsAfterRestocks = null;
      return finish(false);
    }
    await options.sleep(Math.max(0, Math.min(options.pollIntervalMs, deadline - now())));
  }

  // 3. Orders, then the duplicate.
  for (const { kind, body } of plan.orders) {
    const reply = await call('placeOrder', `placeOrder ${body.orderId}`, body);
    log(`${elapsed()} placeOrder ${body.orderId} (${kind}, ${body.units} × ${body.price}): ${reply.status ?? 'no answer'}`);
  }
  const duplicateReply = await call('placeOrder', `placeOrder ${plan.duplicate.orderId} (duplicate)`, plan.duplicate);
  const duplicateStatus = duplicateReply.status ?? 'no answer';
  log(`${elapsed()} placeOrder ${plan.duplicate.orderId} again with ${plan.duplicate.units} units (duplicate): ${duplicateStatus}`);

  // 4. Poll until every order is terminal and the settling checks hold, or the time is up.
  const ids = plan.orders.map((order) => order.body.orderId);
  for (;;) {
    for (const id of ids) {
      const list = listOf('listOrders', await call('listOrders', 'listOrders', { orderId: id }));
      if (list !== undefined) answers.orders[id] = list;
    }
    const statuses = ids.map((id) => orderStatusOf(answers.orders[id]));
    const terminal = statuses.filter((status) => status !== undefined && TERMINAL_STATUSES.includes(status)).length;
    const timedOut = now() >= deadline;
    if (terminal === ids.length || timedOut) {
      for (const id of ids) {
        const list = listOf('listOrderPayments', await call('listOrderPayments', 'listOrderPayments', { orderId: id }));
        if (list !== undefined) answers.payments[id] = list;
      }
      const skus = listOf('listSkus', await call('listSkus', 'listSkus', { sku: plan.sku }));
      if (skus !== undefined) answers.skus = skus;
    }
    const waitingFor = checkSmoke(plan, calls, answers).filter((check) => !check.passed && SETTLING_KINDS.includes(check.kind));
    if (terminal === ids.length && waitingFor.length === 0) {
      progress(`all ${ids.length} orders terminal (${tally(statuses)}); invariants hold`);
      break;
    }
    if (timedOut) {
      const timeoutS = Math.round(options.timeoutMs / 1000);
      log(`${elapsed()} timed out after ${timeoutS} s; ${terminal}/${ids.length} orders terminal (${tally(statuses)})`);
      if (statuses.includes(ALLOCATED)) {
        log(
          `smoke: an order is still ${ALLOCATED}: its payment is being retried, or its message went to a dead-letter ` +
            'queue. The random gateway gives no answer ~70 % of the time and the payment worker tries up to 4 times; ' +
            'on AWS each retry waits for the queue visibility timeout (60 s), so one order can take ~4 minutes: if no ' +
            'DLQ alarm fired, rerun with a longer --timeout.',
        );
      }
      break;
    }
    progress(
      terminal < ids.length
        ? `${terminal}/${ids.length} orders terminal (${tally(statuses)})`
        : `all ${ids.length} orders terminal; waiting for ` +
            waitingFor.map((c) => `[${c.kind}] ${c.subject}: expected ${c.expected}, found ${c.found}`).join('; '),
    );
    await options.sleep(Math.max(0, Math.min(options.pollIntervalMs, deadline - now())));
  }
  return finish(true);
}

function orderStatusOf(list: readonly unknown[] | undefined): string | undefined {
  if (list === undefined || list.length !== 1 || !isRecord(list[0])) return undefined;
  return stringField(list[0], 'orderStatus');
}

function tally(statuses: readonly (string | undefined)[]): string {
  const counts = new Map<string, number>();
  for (const status of statuses) counts.set(status ?? 'not listed', (counts.get(status ?? 'not listed') ?? 0) + 1);
  return [...counts.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, count]) => `${status} ${count}`)
    .join(', ');
}

function stringField(item: Record<string, unknown>, field: string): string | undefined {
  const value = item[field];
  return typeof value === 'string' ? value : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function compact(value: unknown): string {
  if (value === undefined) return 'absent';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}

/** Strings as they are, anything else as JSON. */
function plain(value: unknown): string {
  return typeof value === 'string' ? value : compact(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
