import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../lib/runner/arguments';
import { sigV4Signer } from '../lib/runner/sigv4';
import {
  ACCEPTED,
  buildSmokePlan,
  checkSmoke,
  DEPLETED,
  fetchPost,
  formatReport,
  newRunId,
  parseSmokeInvocation,
  readOutputsFile,
  REJECTED,
  requestSigningFromOutputs,
  restockedUnits,
  runSmoke,
  SmokeConfigError,
  summaryLine,
  targetsFromBaseUrl,
  targetsFromOutputs,
  type CallRecord,
  type Check,
  type HttpReply,
  type PlaceOrderBody,
  type Post,
  type SmokeAnswers,
  type SmokePlan,
} from '../lib/runner/smoke';

// This file touches neither the CDK app nor the Lambda assets: no synth, no Rust build.

const RUN_ID = 'SMOKE20250601120000ABC123';
const PLAN = buildSmokePlan(RUN_ID);
const [O1, O2, O3, O4, O5] = PLAN.orders.map((order) => order.body.orderId);

const reply = (status: number | null, body: unknown): HttpReply => ({
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

/** The calls a healthy run makes: every event call echoed, every list call 200. */
function healthyCalls(plan: SmokePlan = PLAN): CallRecord[] {
  const calls: CallRecord[] = [];
  for (const [index, lot] of [...plan.lots, plan.resentLot].entries()) {
    const label = `restockSku ${lot.lotId}${index >= plan.lots.length ? ' (re-sent)' : ''}`;
    calls.push({ api: 'restockSku', label, request: lot, reply: reply(202, lot) });
  }
  for (const { body } of plan.orders) {
    calls.push({ api: 'placeOrder', label: `placeOrder ${body.orderId}`, request: body, reply: reply(202, body) });
  }
  const duplicate = plan.duplicate;
  calls.push({ api: 'placeOrder', label: `placeOrder ${duplicate.orderId} (duplicate)`, request: duplicate, reply: reply(202, duplicate) });
  calls.push({ api: 'listSkus', label: 'listSkus', request: { sku: plan.sku }, reply: reply(200, { skus: [] }) });
  calls.push({ api: 'listOrders', label: 'listOrders', request: { orderId: O1 }, reply: reply(200, { orders: [] }) });
  calls.push({ api: 'listOrderPayments', label: 'listOrderPayments', request: { orderId: O1 }, reply: reply(200, { orderPayments: [] }) });
  return calls;
}

const order = (body: PlaceOrderBody, orderStatus: string, changes: Record<string, unknown> = {}) => ({
  orderId: body.orderId,
  orderStatus,
  sku: body.sku,
  units: body.units,
  price: body.price,
  userId: body.userId,
  createdAt: '2025-06-01T12:00:01.000Z',
  updatedAt: '2025-06-01T12:00:02.000Z',
  ...changes,
});

const payment = (body: PlaceOrderBody, paymentStatus: string, paymentRetries = 0) => ({
  orderId: body.orderId,
  sku: body.sku,
  units: body.units,
  price: body.price,
  userId: body.userId,
  createdAt: '2025-06-01T12:00:01.000Z',
  updatedAt: '2025-06-01T12:00:02.000Z',
  paymentId: 'A1B2C3',
  paymentStatus,
  paymentRetries,
});

/**
 * What the APIs answer after a consistent run: O1 and O3 accepted, O2 rejected after the gateway
 * gave up (4 retries), O4 force-rejected, O5 depleted; 100 − 3 − 7 = 90 units left.
 */
interface Answers {
  orders: Record<string, unknown[]>;
  payments: Record<string, unknown[] | undefined>;
  skus: unknown[];
  unitsAfterRestocks: number;
}

function consistentAnswers(): Answers {
  const [b1, b2, b3, b4, b5] = PLAN.orders.map((o) => o.body);
  return {
    unitsAfterRestocks: 100,
    orders: {
      [O1]: [order(b1, ACCEPTED)],
      [O2]: [order(b2, REJECTED)],
      [O3]: [order(b3, ACCEPTED)],
      [O4]: [order(b4, REJECTED)],
      [O5]: [order(b5, DEPLETED)],
    },
    payments: {
      [O1]: [payment(b1, 'PAYMENT_ACCEPTED', 2)],
      [O2]: [payment(b2, 'PAYMENT_REJECTED', 4)],
      [O3]: [payment(b3, 'PAYMENT_ACCEPTED', 0)],
      [O4]: [payment(b4, 'PAYMENT_REJECTED', 0)],
      [O5]: [],
    },
    skus: [{ sku: PLAN.sku, units: 90, createdAt: '2025-06-01T12:00:00.000Z', updatedAt: '2025-06-01T12:00:03.000Z' }],
  };
}

const failures = (checks: Check[]) => checks.filter((check) => !check.passed);
const failed = (answers: SmokeAnswers, calls = healthyCalls()) =>
  failures(checkSmoke(PLAN, calls, answers)).map(({ kind, subject }) => `${kind} ${subject}`);

describe('the plan', () => {
  it('makes a unique run id of SMOKE, the UTC time and 6 random characters', () => {
    const id = newRunId(new Date('2025-06-01T12:00:00.123Z'), () => 0.5);
    expect(id).toBe('SMOKE20250601120000IIIIII');
    expect(newRunId(new Date(), Math.random)).toMatch(/^SMOKE\d{14}[0-9A-Z]{6}$/);
    expect(newRunId(new Date(), () => 0.9999999)).toMatch(/Z{6}$/);
  });

  it('keeps every order but the beyond-stock one within stock, and the beyond-stock one beyond any', () => {
    const stock = restockedUnits(PLAN);
    expect(stock).toBe(100);
    const within = PLAN.orders.filter((o) => o.kind !== 'beyond-stock').reduce((sum, o) => sum + o.body.units, 0);
    expect(within).toBeLessThanOrEqual(stock);
    const beyond = PLAN.orders.filter((o) => o.kind === 'beyond-stock');
    expect(beyond).toHaveLength(1);
    expect(beyond[0].body.units).toBeGreaterThan(2 * stock); // even with the re-sent lot counted twice
    expect(PLAN.orders.filter((o) => o.kind === 'forced-rejection').map((o) => o.body.price)).toEqual([100000]);
  });

  it('uses unique valid ids, re-sends a planned lot and duplicates a normal order with other units', () => {
    const ids = [...PLAN.lots.map((lot) => lot.lotId), ...PLAN.orders.map((o) => o.body.orderId)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of [...ids, PLAN.sku]) expect(id).toMatch(/^[A-Za-z0-9-]{4,128}$/);
    expect(PLAN.lots).toContain(PLAN.resentLot);
    const first = PLAN.orders.find((o) => o.body.orderId === PLAN.duplicate.orderId)!;
    expect(first.kind).toBe('normal');
    expect(PLAN.duplicate.units).not.toBe(first.body.units);
  });
});

describe('checkSmoke', () => {
  it('passes a consistent set of answers, one check per call, order aspect and the stock', () => {
    const checks = checkSmoke(PLAN, healthyCalls(), consistentAnswers());
    expect(failures(checks)).toEqual([]);
    // 9 event calls + 3 list APIs + restock + 5 orders × (terminal, order, payment, outcome) + stock
    expect(checks).toHaveLength(9 + 3 + 1 + 5 * 4 + 1);
    expect(summaryLine(checks)).toBe('smoke: 34 passed, 0 failed');
    expect(checks.find((c) => c.kind === 'stock')!.expected).toBe('90 units = 100 restocked − 10 in 2 accepted order(s) (3 + 7)');
  });

  it('reports an event call that did not answer 202 with the echo', () => {
    const calls = healthyCalls();
    calls[0] = { ...calls[0], reply: reply(500, { message: 'Internal Server Error' }) };
    calls[3] = { ...calls[3], reply: reply(202, { ...PLAN.orders[0].body, units: 99 }) };
    calls[4] = { ...calls[4], reply: reply(null, 'TypeError: fetch failed: ECONNREFUSED') };
    const checks = failures(checkSmoke(PLAN, calls, consistentAnswers()));
    expect(checks.map((c) => c.subject)).toEqual([`restockSku ${RUN_ID}-L1`, `placeOrder ${O1}`, `placeOrder ${O2}`]);
    expect(checks[0]).toMatchObject({ expected: '202 echoing the request', found: 'HTTP 500 {"message":"Internal Server Error"}' });
    expect(checks[2].found).toBe('no answer (TypeError: fetch failed: ECONNREFUSED)');
  });

  it('reports a list API that answered anything but 200 with its list, even once among many calls', () => {
    const calls = healthyCalls();
    calls.push({ api: 'listOrders', label: 'listOrders', request: { orderId: O2 }, reply: reply(503, { message: 'Service Unavailable' }) });
    calls.push({ api: 'listSkus', label: 'listSkus', request: { sku: PLAN.sku }, reply: reply(200, { items: [] }) });
    const checks = failures(checkSmoke(PLAN, calls, consistentAnswers()));
    expect(checks.map((c) => c.subject)).toEqual(['listSkus', 'listOrders']);
    expect(checks[1].found).toBe(`1 of 2 calls not: first {"orderId":"${O2}"} → HTTP 503 {"message":"Service Unavailable"}`);
  });

  it('reports a re-sent lot counted twice', () => {
    const checks = failures(checkSmoke(PLAN, healthyCalls(), { ...consistentAnswers(), unitsAfterRestocks: 140 }));
    expect(checks).toEqual([
      expect.objectContaining({
        kind: 'restock',
        subject: PLAN.sku,
        found: '140 units',
        expected: expect.stringMatching(/^100 units = 40 \+ 60/),
      }),
    ]);
  });

  it('reports an order that is not terminal, and leaves its payment and the stock undecided', () => {
    const answers = consistentAnswers();
    answers.orders[O1] = [order(PLAN.orders[0].body, 'ORDER_STOCK_ALLOCATED_STATUS')];
    answers.payments[O1] = [payment(PLAN.orders[0].body, 'PAYMENT_FAILED', 2)];
    const checks = failures(checkSmoke(PLAN, healthyCalls(), answers));
    expect(checks.map((c) => `${c.kind} ${c.subject}`)).toEqual([`terminal ${O1}`, `payment ${O1}`, `outcome ${O1}`, `stock ${PLAN.sku}`]);
    expect(checks[0].found).toBe('ORDER_STOCK_ALLOCATED_STATUS');
    expect(checks[1].found).toBe('undecided: order ORDER_STOCK_ALLOCATED_STATUS; payment: paymentStatus PAYMENT_FAILED, paymentRetries 2');
    expect(checks[3].found).toBe(`undecided: ${O1} not terminal; 90 units`);
  });

  it('reports an order that is not listed or has no valid answer', () => {
    const answers: SmokeAnswers = { ...consistentAnswers(), orders: { ...consistentAnswers().orders, [O2]: [], [O3]: undefined } };
    expect(failed(answers)).toEqual([
      `terminal ${O2}`, `order ${O2}`, `payment ${O2}`, `outcome ${O2}`,
      `terminal ${O3}`, `order ${O3}`, `payment ${O3}`, `outcome ${O3}`,
      `stock ${PLAN.sku}`,
    ]);
    const checks = failures(checkSmoke(PLAN, healthyCalls(), answers));
    expect(checks.find((c) => c.kind === 'order' && c.subject === O2)!.found).toBe('not listed');
    expect(checks.find((c) => c.kind === 'terminal' && c.subject === O2)!.found).toBe('not listed');
    expect(checks.find((c) => c.kind === 'outcome' && c.subject === O2)!.found).toBe('not listed');
    expect(checks.find((c) => c.kind === 'terminal' && c.subject === O3)!.found).toBe('no valid listOrders answer');
  });

  it('reports a duplicate placeOrder that replaced the first (and the stock it took)', () => {
    const answers = consistentAnswers();
    answers.orders[O1] = [order(PLAN.orders[0].body, ACCEPTED, { units: PLAN.duplicate.units })];
    answers.skus = [{ sku: PLAN.sku, units: 89 }];
    const checks = failures(checkSmoke(PLAN, healthyCalls(), answers));
    expect(checks).toEqual([
      expect.objectContaining({ kind: 'order', subject: O1, found: 'units 4', expected: expect.stringContaining('units 3') }),
      expect.objectContaining({ kind: 'stock', subject: PLAN.sku, found: '89 units', expected: expect.stringMatching(/^90 units/) }),
    ]);
  });

  it('reports one order listed twice', () => {
    const answers = consistentAnswers();
    answers.orders[O3] = [order(PLAN.orders[2].body, ACCEPTED), order(PLAN.orders[2].body, ACCEPTED)];
    expect(failed(answers)).toEqual([`terminal ${O3}`, `order ${O3}`, `payment ${O3}`, `outcome ${O3}`, `stock ${PLAN.sku}`]);
  });

  it.each([
    ['accepted order, rejected payment', O1, ACCEPTED, 'PAYMENT_REJECTED', 'paymentStatus PAYMENT_ACCEPTED'],
    ['accepted order, failed payment', O3, ACCEPTED, 'PAYMENT_FAILED', 'paymentStatus PAYMENT_ACCEPTED'],
    ['rejected order, accepted payment', O2, REJECTED, 'PAYMENT_ACCEPTED', 'paymentStatus PAYMENT_REJECTED'],
    ['depleted order with a payment', O5, DEPLETED, 'PAYMENT_REJECTED', 'no payment record'],
  ])('reports a status that disagrees with the payment: %s', (_name, id, status, paymentStatus, expected) => {
    const answers = consistentAnswers();
    const body = PLAN.orders.find((o) => o.body.orderId === id)!.body;
    answers.payments[id] = [payment(body, paymentStatus, 1)];
    const checks = failures(checkSmoke(PLAN, healthyCalls(), answers));
    expect(checks).toEqual([
      expect.objectContaining({
        kind: 'payment',
        subject: id,
        expected: expect.stringContaining(`${expected}`),
        found: `paymentStatus ${paymentStatus}, paymentRetries 1`,
      }),
    ]);
    expect(checks[0].expected).toContain(`(order ${status})`);
  });

  it('reports a terminal order without its payment, with two payments, and a forced rejection that was retried', () => {
    const answers = consistentAnswers();
    answers.payments[O1] = [];
    answers.payments[O2] = [payment(PLAN.orders[1].body, 'PAYMENT_REJECTED', 4), payment(PLAN.orders[1].body, 'PAYMENT_REJECTED', 4)];
    answers.payments[O4] = [payment(PLAN.orders[3].body, 'PAYMENT_REJECTED', 2)];
    answers.payments[O3] = undefined;
    const checks = failures(checkSmoke(PLAN, healthyCalls(), answers));
    expect(checks.map((c) => [c.subject, c.found])).toEqual([
      [O1, 'no payment record'],
      [O2, '2 items listed for one id'],
      [O3, 'no valid listOrderPayments answer'],
      [O4, 'paymentStatus PAYMENT_REJECTED, paymentRetries 2'],
    ]);
    expect(checks[3].expected).toContain('paymentRetries 0');
  });

  it.each([
    ['the forced rejection accepted', 3, ACCEPTED, 'PAYMENT_ACCEPTED', `${REJECTED} (price ≥ 100000 is always rejected)`],
    ['the beyond-stock order accepted', 4, ACCEPTED, 'PAYMENT_ACCEPTED', `${DEPLETED} (more units than restocked)`],
    ['an order within stock depleted', 1, DEPLETED, undefined, `${ACCEPTED} or ${REJECTED} (within stock)`],
  ])('reports an outcome that does not fit the order: %s', (_name, index, status, paymentStatus, expected) => {
    const answers = consistentAnswers();
    const body = PLAN.orders[index].body;
    answers.orders[body.orderId] = [order(body, status)];
    answers.payments[body.orderId] = paymentStatus === undefined ? [] : [payment(body, paymentStatus)];
    // keep the stock consistent with the new statuses, so only the outcome is wrong
    const accepted = Object.values(answers.orders).filter((list) => (list[0] as { orderStatus: string }).orderStatus === ACCEPTED);
    const taken = accepted.reduce((sum, list) => sum + (list[0] as { units: number }).units, 0);
    answers.skus = [{ sku: PLAN.sku, units: 100 - taken }];
    const checks = failures(checkSmoke(PLAN, healthyCalls(), answers));
    expect(checks).toEqual([expect.objectContaining({ kind: 'outcome', subject: body.orderId, expected, found: status })]);
  });

  it('reports stock that is not conserved, and a SKU that is not listed', () => {
    const answers = consistentAnswers();
    answers.skus = [{ sku: PLAN.sku, units: 93 }]; // a rejected order's 3 units... or a lost deallocation
    expect(failures(checkSmoke(PLAN, healthyCalls(), answers))).toEqual([
      expect.objectContaining({ kind: 'stock', subject: PLAN.sku, expected: expect.stringMatching(/^90 units/), found: '93 units' }),
    ]);
    answers.skus = [];
    expect(failures(checkSmoke(PLAN, healthyCalls(), answers))[0].found).toBe('the SKU not listed');
  });

  it('lists every violation with subject, expected and found, and counts passes and failures', () => {
    const answers = consistentAnswers();
    answers.payments[O1] = [];
    answers.skus = [{ sku: PLAN.sku, units: 1 }];
    const checks = checkSmoke(PLAN, healthyCalls(), answers);
    const lines = formatReport(checks);
    expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([
      `FAIL  [payment] ${O1}: expected paymentStatus PAYMENT_ACCEPTED (order ${ACCEPTED}), found no payment record`,
      `FAIL  [stock] ${PLAN.sku}: expected 90 units = 100 restocked − 10 in 2 accepted order(s) (3 + 7), found 1 units`,
    ]);
    expect(lines.filter((line) => line.startsWith('ok    '))).toHaveLength(32);
    expect(lines.slice(-2).every((line) => line.startsWith('FAIL'))).toBe(true); // violations last
    expect(summaryLine(checks)).toBe('smoke: 32 passed, 2 failed');
  });

  it('checks only the calls and the restocks when no order was placed', () => {
    const calls = healthyCalls().filter((call) => call.api === 'restockSku');
    const checks = checkSmoke(PLAN, calls, { orders: {}, payments: {}, unitsAfterRestocks: null }, false);
    expect(checks.map((c) => `${c.kind} ${c.passed}`)).toEqual(['http true', 'http true', 'http true', 'restock false']);
    expect(checks[3].found).toBe('the SKU not listed');
  });
});

/**
 * An engine in memory that answers like the real one and moves every order one step per tick
 * (created → allocated or depleted → paid), with faults to switch on.
 */
class FakeEngine {
  readonly lots = new Map<string, number>();
  readonly skus = new Map<string, number>();
  readonly orders = new Map<string, { body: PlaceOrderBody; status: string }>();
  readonly payments = new Map<string, { paymentStatus: string; paymentRetries: number }>();
  unanswered = false;
  /** Every call answered 403, as API Gateway answers an unsigned call to an IAM-authorized route. */
  refused = false;

  constructor(private readonly faults: { countEveryLot?: boolean; neverPay?: boolean; dropPayments?: boolean } = {}) {}

  readonly post: Post = async (url, body) => {
    if (this.unanswered) return { status: null, body: 'TypeError: fetch failed: ECONNREFUSED' };
    if (this.refused) return { status: 403, body: '{"message":"Forbidden"}' };
    const request = body as Record<string, unknown>;
    const ok = (status: number, answer: unknown): HttpReply => ({ status, body: JSON.stringify(answer) });
    switch (new URL(url).pathname) {
      case '/api/v1/inventory/restockSku': {
        const lot = body as { sku: string; units: number; lotId: string };
        if (!this.lots.has(lot.lotId) || this.faults.countEveryLot) {
          this.lots.set(lot.lotId, lot.units);
          this.skus.set(lot.sku, (this.skus.get(lot.sku) ?? 0) + lot.units);
        }
        return ok(202, body);
      }
      case '/api/v1/orders/placeOrder': {
        const placed = body as PlaceOrderBody;
        if (!this.orders.has(placed.orderId)) this.orders.set(placed.orderId, { body: placed, status: 'ORDER_CREATED_STATUS' });
        return ok(202, body);
      }
      case '/api/v1/inventory/listSkus': {
        const units = this.skus.get(request.sku as string);
        return ok(200, { skus: units === undefined ? [] : [{ sku: request.sku, units, createdAt: 'x', updatedAt: 'y' }] });
      }
      case '/api/v1/orders/listOrders': {
        const found = this.orders.get(request.orderId as string);
        return ok(200, { orders: found === undefined ? [] : [{ ...found.body, orderStatus: found.status }] });
      }
      case '/api/v1/payments/listOrderPayments': {
        const found = this.payments.get(request.orderId as string);
        const placed = this.orders.get(request.orderId as string);
        const listed = found === undefined || placed === undefined ? [] : [{ ...placed.body, paymentId: 'ABCDEF', ...found }];
        return ok(200, { orderPayments: listed });
      }
      default:
        return ok(404, { message: 'Not Found' });
    }
  };

  tick(): void {
    for (const [id, order] of this.orders) {
      const { sku, units, price } = order.body;
      if (order.status === 'ORDER_CREATED_STATUS') {
        const stock = this.skus.get(sku) ?? 0;
        if (units <= stock) {
          this.skus.set(sku, stock - units);
          order.status = 'ORDER_STOCK_ALLOCATED_STATUS';
        } else {
          order.status = DEPLETED;
        }
      } else if (order.status === 'ORDER_STOCK_ALLOCATED_STATUS' && !this.faults.neverPay) {
        const rejected = price <= 0 || price >= 100000;
        const paymentStatus = rejected ? 'PAYMENT_REJECTED' : 'PAYMENT_ACCEPTED';
        if (!this.faults.dropPayments) this.payments.set(id, { paymentStatus, paymentRetries: 0 });
        order.status = rejected ? REJECTED : ACCEPTED;
        if (rejected) this.skus.set(sku, (this.skus.get(sku) ?? 0) + units);
      }
    }
  }
}

async function runAgainst(engine: FakeEngine, timeoutMs = 60_000) {
  let clock = 0;
  const lines: string[] = [];
  const result = await runSmoke({
    targets: targetsFromBaseUrl('http://127.0.0.1:3000'),
    plan: PLAN,
    post: engine.post,
    timeoutMs,
    pollIntervalMs: 1000,
    now: () => clock,
    sleep: async (ms) => {
      clock += ms;
      engine.tick();
    },
    log: (line) => lines.push(line),
  });
  return { ...result, lines, clock };
}

describe('runSmoke', () => {
  it('passes against a consistent engine: each lot applied once, the first placeOrder kept', async () => {
    const engine = new FakeEngine();
    const { failed, lines, checks } = await runAgainst(engine);
    expect(lines.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(failed).toBe(0);
    expect(lines[lines.length - 1]).toBe(`smoke: ${checks.length} passed, 0 failed`);
    expect(lines.some((line) => line.includes('all 5 orders terminal'))).toBe(true);
    expect(engine.orders.get(O1)!.body.units).toBe(3);
    expect(engine.skus.get(PLAN.sku)).toBe(100 - 3 - 5 - 7);
  });

  it('fails against an engine that counts a re-sent lot again', async () => {
    const { failed, lines } = await runAgainst(new FakeEngine({ countEveryLot: true }));
    expect(failed).toBe(2);
    const failLines = lines.filter((line) => line.startsWith('FAIL'));
    expect(failLines).toHaveLength(2);
    expect(failLines[0]).toMatch(new RegExp(`^FAIL  \\[restock\\] ${PLAN.sku}: expected 100 units .*, found 140 units$`));
    expect(failLines[1]).toMatch(new RegExp(`^FAIL  \\[stock\\] ${PLAN.sku}: expected 85 units .*, found 125 units$`));
  });

  it('waits for settling invariants until the timeout, then reports them', async () => {
    const { failed, lines, clock } = await runAgainst(new FakeEngine({ dropPayments: true }), 20_000);
    expect(clock).toBeGreaterThanOrEqual(20_000);
    expect(failed).toBe(4); // O1-O4 terminal without a payment record
    expect(lines.some((line) => line.includes('waiting for [payment]'))).toBe(true);
    expect(lines.filter((line) => line.startsWith('FAIL')).every((line) => line.includes('found no payment record'))).toBe(true);
  });

  it('times out on orders that never finish, says why, and reports them', async () => {
    const { failed, lines, checks } = await runAgainst(new FakeEngine({ neverPay: true }), 10_000);
    expect(lines.some((line) => line.includes('timed out after 10 s; 1/5 orders terminal'))).toBe(true);
    expect(lines.some((line) => line.includes('rerun with a longer --timeout'))).toBe(true);
    expect(checks.filter((c) => !c.passed && c.kind === 'terminal').map((c) => c.subject)).toEqual([O1, O2, O3, O4]);
    expect(failed).toBeGreaterThan(4);
  });

  it('stops at once when nothing answers', async () => {
    const engine = new FakeEngine();
    engine.unanswered = true;
    const { failed, lines } = await runAgainst(engine);
    expect(failed).toBe(1);
    expect(lines).toContain('smoke: nothing answers at http://127.0.0.1:3000 (TypeError: fetch failed: ECONNREFUSED)');
    expect(lines[lines.length - 1]).toBe('smoke: 0 passed, 1 failed');
  });

  it('stops at once, saying why, when the stage refuses the call (403: unsigned or not allowed)', async () => {
    const engine = new FakeEngine();
    engine.refused = true;
    const { failed, lines } = await runAgainst(engine);
    expect(failed).toBe(1);
    expect(lines.some((line) => /refused restockSku with 403 .*SigV4-signed requests only.*execute-api:Invoke/.test(line))).toBe(true);
    expect(lines[lines.length - 1]).toBe('smoke: 0 passed, 1 failed');
  });
});

describe('parseSmokeInvocation', () => {
  it('takes the stage from the argument, DEPLOYMENT_STAGE, then dev, with the default timings', () => {
    expect(parseSmokeInvocation(['qa'], {})).toEqual({
      requestedStage: 'qa',
      stage: 'qa',
      baseUrl: undefined,
      timeoutMs: 300_000,
      pollIntervalMs: 2_000,
      requestTimeoutMs: 30_000,
    });
    expect(parseSmokeInvocation([], { DEPLOYMENT_STAGE: 'x' }).stage).toBe('x');
    expect(parseSmokeInvocation([], {}).stage).toBe('dev');
    expect(parseSmokeInvocation(['Feature_Branch.A'], {}).stage).toBe('Feature-Branch-A');
  });

  it('ignores the "--" npm passes through and accepts --option=value', () => {
    const invocation = parseSmokeInvocation(['--', '--base-url=http://127.0.0.1:3000/', '--timeout', '30', '--poll-interval=0.5'], {});
    expect(invocation).toMatchObject({ baseUrl: 'http://127.0.0.1:3000', timeoutMs: 30_000, pollIntervalMs: 500 });
    expect(parseSmokeInvocation(['qa', '--', '--timeout=300'], {})).toMatchObject({ stage: 'qa', timeoutMs: 300_000 });
  });

  it.each([
    [['qa', '--base-url', 'http://x'], /stage \(qa\) or --base-url, not both/],
    [['--base-url', 'localhost:3000'], /must be http:\/\/ or https:\/\//],
    [['--base-url', 'not a url'], /is not a URL/],
    [['--base-url'], /--base-url needs a value/],
    [['--timeout', '0'], /--timeout must be a number of seconds > 0/],
    [['--timeout', 'soon'], /--timeout must be a number of seconds > 0/],
    [['--timeout', '5', '--timeout', '6'], /--timeout given twice/],
    [['--dry-run'], /Unknown option --dry-run/],
    [['qa', 'extra'], /Unexpected argument "extra"/],
  ])('refuses %j', (args, message) => {
    expect(() => parseSmokeInvocation(args, {})).toThrow(UsageError);
    expect(() => parseSmokeInvocation(args, {})).toThrow(message);
  });
});

describe('targets', () => {
  const OUTPUTS = {
    'ecommRs-qa': {
      InventoryApiUrl: 'https://inv.execute-api.eu-west-1.amazonaws.com/',
      OrdersApiUrl: 'https://ord.execute-api.eu-west-1.amazonaws.com/',
      PaymentsApiUrl: 'https://pay.execute-api.eu-west-1.amazonaws.com/',
      TableName: 'ecommRs-qa-Common-DynamoDb-Table',
    },
  };

  it('reads the stage outputs by the stable keys, one trailing / stripped, as the .env files get them', () => {
    expect(targetsFromOutputs(OUTPUTS, 'ecommRs-qa', 'qa', 'infra/outputs.qa.json')).toEqual({
      inventory: 'https://inv.execute-api.eu-west-1.amazonaws.com',
      orders: 'https://ord.execute-api.eu-west-1.amazonaws.com',
      payments: 'https://pay.execute-api.eu-west-1.amazonaws.com',
      source: 'infra/outputs.qa.json (stack ecommRs-qa)',
    });
  });

  it('says to deploy when the outputs file, the stack or an output is missing', () => {
    expect(() => targetsFromOutputs(OUTPUTS, 'ecommRs-dev', 'dev', 'infra/outputs.dev.json')).toThrow(SmokeConfigError);
    expect(() => targetsFromOutputs({ 'ecommRs-qa': { InventoryApiUrl: 'https://x/' } }, 'ecommRs-qa', 'qa', 'f')).toThrow(
      /OrdersApiUrl missing.*npm run deploy qa/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-test-'));
    try {
      expect(() => readOutputsFile(path.join(dir, 'outputs.qa.json'), 'qa')).toThrow(/not found.*npm run deploy qa.*--base-url/);
      fs.writeFileSync(path.join(dir, 'outputs.qa.json'), '{');
      expect(() => readOutputsFile(path.join(dir, 'outputs.qa.json'), 'qa')).toThrow(SmokeConfigError);
      fs.writeFileSync(path.join(dir, 'outputs.qa.json'), JSON.stringify(OUTPUTS));
      expect(readOutputsFile(path.join(dir, 'outputs.qa.json'), 'qa')).toEqual(OUTPUTS);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('puts all three APIs under one --base-url', () => {
    expect(targetsFromBaseUrl('http://127.0.0.1:3000')).toEqual({
      inventory: 'http://127.0.0.1:3000',
      orders: 'http://127.0.0.1:3000',
      payments: 'http://127.0.0.1:3000',
      source: '--base-url http://127.0.0.1:3000',
    });
  });
});

describe('signing the calls to a deployed stage', () => {
  const SUITE_CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const SUITE_TIME = () => new Date('2015-08-30T12:36:00Z');

  it('reproduces AWS\'s SigV4 test-suite vectors (get-vanilla, post-x-www-form-urlencoded)', async () => {
    const sign = sigV4Signer({ region: 'us-east-1', service: 'service', credentials: SUITE_CREDENTIALS, now: SUITE_TIME });
    const get = await sign({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {}, body: '' });
    expect(get['x-amz-date']).toBe('20150830T123600Z');
    expect(get.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, ' +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    const post = await sign({
      method: 'POST',
      url: 'https://example.amazonaws.com/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1',
    });
    expect(post.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=content-type;host;x-amz-date, Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    );
    expect(post.host).toBeUndefined(); // fetch sends Host from the URL
    expect(post['x-amz-content-sha256']).toBeUndefined();
  });

  it('sends signed calls (execute-api, the stage\'s region, the session token) only when given a signer', async () => {
    const seen: http.IncomingHttpHeaders[] = [];
    const server = http.createServer((request, response) => {
      seen.push(request.headers);
      request.resume();
      request.on('end', () => response.writeHead(202, { 'content-type': 'application/json' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/inventory/restockSku`;
      const sign = sigV4Signer({ region: 'eu-west-1', credentials: { ...SUITE_CREDENTIALS, sessionToken: 'SESSION' } });
      expect((await fetchPost(5_000, sign)(url, { sku: 'X' })).status).toBe(202);
      expect((await fetchPost(5_000)(url, { sku: 'X' })).status).toBe(202);
    } finally {
      server.closeAllConnections(); // fetch keeps connections alive
      await new Promise((resolve) => server.close(resolve));
    }
    const [signed, unsigned] = seen;
    expect(signed.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
    expect(signed['x-amz-security-token']).toBe('SESSION');
    expect(unsigned.authorization).toBeUndefined();
    expect(Object.keys(unsigned).filter((name) => name.startsWith('x-amz-'))).toEqual([]);
  });

  it('signs unless the stage says its routes are open, in the region of its outputs or URLs', () => {
    const urls = {
      InventoryApiUrl: 'https://inv.execute-api.eu-west-1.amazonaws.com/',
      OrdersApiUrl: 'https://ord.execute-api.eu-west-1.amazonaws.com/',
      PaymentsApiUrl: 'https://pay.execute-api.eu-west-1.amazonaws.com/',
    };
    const at = (outputs: Record<string, string>) => requestSigningFromOutputs({ s: outputs }, 's', 'f');
    expect(at({ ...urls, Region: 'eu-west-1', ApiAuthorization: 'AWS_IAM' })).toEqual({ region: 'eu-west-1' });
    expect(at(urls)).toEqual({ region: 'eu-west-1' }); // deployed before these outputs existed
    expect(at({ ...urls, ApiAuthorization: 'NONE' })).toBeUndefined();
    expect(() => at({ InventoryApiUrl: 'https://shop.example.com/' })).toThrow(SmokeConfigError);
  });
});
