// #/payments — every order payment record (newest first), linking to the order's timeline.

import { h, fill, table, alertBox, loading, empty, badge, orderLink, show, fmtStamp } from '../dom.js';
import { listPages } from '../api.js';

const PAGE = 1000;

export function render(main) {
  document.title = 'Payments · ecomm console';
  let alive = true;
  let loads = 0; // numbers each read: after Refresh clicks, only the newest read's answer is shown
  let pages = 1; // pages of PAGE payments read; "Show older payments" adds one
  const refresh = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'payments-refresh' } }, 'Refresh');
  const listBox = h('div', { dataset: { testid: 'payments-list' } }, loading('Loading payments…'));

  async function load() {
    const mine = ++loads;
    try {
      const read = await listPages('payments/listOrderPayments', { limit: PAGE, sortDirection: 'desc' }, 'orderPayments',
        pages, () => !alive || mine !== loads);
      if (read === null) return;
      const payments = read.items;
      const older = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'payments-older' } },
        `Show ${PAGE} older payments`);
      older.addEventListener('click', () => {
        pages += 1;
        load();
      });
      fill(listBox, payments.length === 0
        ? empty('No payments yet — an order gets one once its stock is allocated.')
        : [h('p', { class: 'muted' }, `The ${payments.length} newest payment record${payments.length === 1 ? '' : 's'}`
            + `${read.more ? '; there are older ones' : ''}. Retries are the failed gateway attempts before the recorded one.`),
          table(['Order', 'Status', 'Retries', 'Payment id', 'SKU', 'Units', 'Price', 'User', 'Created', 'Updated'],
            payments.map((p) => h('tr', { dataset: { testid: 'payment-row', orderId: show(p.orderId) } },
              h('td', {}, typeof p.orderId === 'string' ? orderLink(p.orderId) : show(p.orderId)),
              h('td', { dataset: { testid: 'payment-row-status' } }, badge(show(p.paymentStatus))),
              h('td', { class: 'num' }, show(p.paymentRetries)), h('td', {}, h('code', {}, show(p.paymentId))),
              h('td', {}, show(p.sku)), h('td', { class: 'num' }, show(p.units)), h('td', { class: 'num' }, show(p.price)),
              h('td', {}, show(p.userId)), h('td', { class: 'nowrap' }, fmtStamp(p.createdAt)),
              h('td', { class: 'nowrap' }, fmtStamp(p.updatedAt)))),
            { dataset: { testid: 'payments-table' } }),
          read.more ? h('p', {}, older) : null]);
    } catch (error) {
      if (alive && mine === loads) fill(listBox, alertBox(error, 'payments-alert'));
    }
  }

  refresh.addEventListener('click', load);
  fill(main, h('div', { class: 'section-head' }, h('h1', {}, 'Payments'), refresh), listBox);
  load();
  return () => {
    alive = false;
  };
}
