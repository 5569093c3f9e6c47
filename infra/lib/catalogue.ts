import type { Domain, RoutedWorker, RoutingTable } from './routing';

/**
 * What an API Lambda may do to the table (least privilege, docs/contract.md §1 rule 1: state-changing
 * APIs only raise events).
 * - `raiseEvent`: PutItem only; `keyPrefix` further restricts the partition keys it may write.
 * - `query`: Query on the table and the GSI only.
 */
export type ApiTableAccess =
  | { readonly kind: 'raiseEvent'; readonly keyPrefix?: string }
  | { readonly kind: 'query' };

export interface ApiSlice {
  readonly domain: Domain;
  readonly slice: string;
  /** The only route of this Lambda: `POST <path>`. */
  readonly path: string;
  readonly tableAccess: ApiTableAccess;
}

/** The six API slices of docs/contract.md §6–§8 (routes §11.5). Workers come from routing.json. */
export const API_SLICES: readonly ApiSlice[] = [
  {
    domain: 'Inventory',
    slice: 'RestockSkuApi',
    path: '/api/v1/inventory/restockSku',
    tableAccess: { kind: 'raiseEvent', keyPrefix: 'EVENTS#SKU#' },
  },
  { domain: 'Inventory', slice: 'ListSkusApi', path: '/api/v1/inventory/listSkus', tableAccess: { kind: 'query' } },
  {
    domain: 'Orders',
    slice: 'PlaceOrderApi',
    path: '/api/v1/orders/placeOrder',
    tableAccess: { kind: 'raiseEvent', keyPrefix: 'EVENTS#ORDER_ID#' },
  },
  { domain: 'Orders', slice: 'ListOrdersApi', path: '/api/v1/orders/listOrders', tableAccess: { kind: 'query' } },
  {
    domain: 'Payments',
    slice: 'ListOrderPaymentsApi',
    path: '/api/v1/payments/listOrderPayments',
    tableAccess: { kind: 'query' },
  },
  {
    // SimulateRawEvent writes caller-chosen pk/sk by design (§8.3), hence no key prefix.
    domain: 'Testing',
    slice: 'SimulateRawEventApi',
    path: '/api/v1/testing/simulateRawEvent',
    tableAccess: { kind: 'raiseEvent' },
  },
];

/** The testing domain is deployable only where the stage allows it (never in prod by default). */
export const TESTING_DOMAIN: Domain = 'Testing';

/**
 * Item-level actions the worker slices use: consistent reads (GetItem), conditional writes
 * (PutItem, UpdateItem) and TransactWriteItems, which IAM authorises per item through those same
 * actions plus ConditionCheckItem. No Query/Scan/DeleteItem/Batch*, no table administration.
 */
export const WORKER_TABLE_ACTIONS: readonly string[] = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:ConditionCheckItem',
];

/** `SyncOrderWorker` → `sync-order-worker`. */
export function kebabCase(pascal: string): string {
  return pascal.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** cargo-lambda binary of a slice: `<domain lower>-<slice kebab>` (e.g. `orders-sync-order-worker`). */
export function binaryName(slice: { readonly domain: Domain; readonly slice: string }): string {
  return `${slice.domain.toLowerCase()}-${kebabCase(slice.slice)}`;
}

/** Every binary the stack deploys, APIs first; `includeTesting` mirrors the stage switch. */
export function lambdaBinaries(routing: RoutingTable, includeTesting: boolean): string[] {
  const apis = API_SLICES.filter((api) => includeTesting || api.domain !== TESTING_DOMAIN);
  return [...apis.map(binaryName), ...routing.workers.map((worker: RoutedWorker) => binaryName(worker))];
}
