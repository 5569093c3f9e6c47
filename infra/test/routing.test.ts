import { API_SLICES, binaryName, kebabCase, lambdaBinaries } from '../lib/catalogue';
import { parseRoutingTable } from '../lib/routing';
import { EXPECTED_BINARIES, routing } from './support';

describe('routing table (services/routing.json)', () => {
  it('lists the six workers of docs/contract.md §10.3', () => {
    expect(routing.source).toBe('event-store.dynamodb.stream');
    expect(routing.detailType).toBe('DynamoDBStreamRecord');
    expect(routing.workers.map((w) => `${w.domain}/${w.slice}`).sort()).toEqual([
      'Inventory/AllocateOrderStockWorker',
      'Inventory/CompleteOrderPaymentAcceptedWorker',
      'Inventory/DeallocateOrderPaymentRejectedWorker',
      'Inventory/RestockSkuWorker',
      'Orders/SyncOrderWorker',
      'Payments/ProcessOrderPaymentWorker',
    ]);
  });

  it('sets the pipe retries before a record is dead-lettered', () => {
    expect(routing.pipe.maximumRetryAttempts).toBe(10);
  });

  const valid = { source: 's', detailType: 'd', pipe: { maximumRetryAttempts: 3 }, workers: [{ domain: 'Orders', slice: 'XWorker', eventNames: ['A_EVENT'] }] };

  it('accepts a minimal table', () => {
    expect(parseRoutingTable(valid).workers).toHaveLength(1);
  });

  it.each([
    ['not an object', []],
    ['no source', { ...valid, source: '' }],
    ['no workers', { ...valid, workers: [] }],
    ['no pipe settings', { ...valid, pipe: undefined }],
    ['negative pipe retries', { ...valid, pipe: { maximumRetryAttempts: -1 } }],
    ['too many pipe retries', { ...valid, pipe: { maximumRetryAttempts: 186 } }],
    ['unknown domain', { ...valid, workers: [{ ...valid.workers[0], domain: 'Shipping' }] }],
    ['slice not a worker', { ...valid, workers: [{ ...valid.workers[0], slice: 'XApi' }] }],
    ['empty eventNames', { ...valid, workers: [{ ...valid.workers[0], eventNames: [] }] }],
    ['bad event name', { ...valid, workers: [{ ...valid.workers[0], eventNames: ['a b'] }] }],
    ['duplicate event', { ...valid, workers: [{ ...valid.workers[0], eventNames: ['A_EVENT', 'A_EVENT'] }] }],
    ['duplicate worker', { ...valid, workers: [valid.workers[0], valid.workers[0]] }],
  ])('rejects %s', (_case, raw) => {
    expect(() => parseRoutingTable(raw)).toThrow();
  });
});

describe('Lambda binaries', () => {
  it('kebab-cases PascalCase slices', () => {
    expect(kebabCase('CompleteOrderPaymentAcceptedWorker')).toBe('complete-order-payment-accepted-worker');
    expect(binaryName({ domain: 'Orders', slice: 'SyncOrderWorker' })).toBe('orders-sync-order-worker');
  });

  it('are exactly the twelve binaries of the lambdas crate', () => {
    expect(lambdaBinaries(routing, true).sort()).toEqual([...EXPECTED_BINARIES].sort());
  });

  it('drop the testing binary when the Testing API is disabled', () => {
    expect(lambdaBinaries(routing, false)).not.toContain('testing-simulate-raw-event-api');
    expect(lambdaBinaries(routing, false)).toHaveLength(11);
  });

  it('the six API routes are those of docs/contract.md', () => {
    expect(API_SLICES.map((api) => api.path).sort()).toEqual([
      '/api/v1/inventory/listSkus',
      '/api/v1/inventory/restockSku',
      '/api/v1/orders/listOrders',
      '/api/v1/orders/placeOrder',
      '/api/v1/payments/listOrderPayments',
      '/api/v1/testing/simulateRawEvent',
    ]);
  });
});
