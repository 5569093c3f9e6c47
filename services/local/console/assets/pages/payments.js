// #/payments — every order payment record (newest first), linking to the order's timeline.

import { h, fill, table, alertBox, loading, empty, badge, orderLink, show, fmtStamp } from '../dom.js';
import { callApi } from '../api.js';

export function render(main) {
  document.title = 'Payments · ecomm console';
  let alive = true;
  let loads = 0; // numbers each read: after Refresh clicks, only the newest read's answer is shown
  const refresh = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'payments-refresh' } }, 'Refresh');
  const listBox = h('div', { dataset: { testid: 'payments-list' } }, loading('Loading payments…'));

  async function load() {
    const mine = ++loads;
    try {
      const { data } = await callApi('payments/listOrderPayments', { limit: 1000, sortDirection: 'desc' });
      if (!alive || mine !== loads) return;
      const payments = data.orderPayments;
      fill(listBox, payments.length === 0
        ? empty('No payments yet — an order gets one once its stock is allocated.')
        : [h('p', { class: 'muted' }, `${payments.length} payment record${payments.length === 1 ? '' : 's'} (newest first, at most 1000). `
            + 'Retries are the failed gateway attempts before the recorded one.'),
          table(['Order', 'Status', 'Retries', 'Payment id', 'SKU', 'Units', 'Price', 'User', 'Created', 'Updated'],
            payments.map((p) => h('tr', { dataset: { testid: 'payment-row', orderId: show(p.orderId) } },
              h('td', {}, typeof p.orderId === 'string' ? orderLink(p.orderId) : show(p.orderId)),
              h('td', { dataset: { testid: 'payment-row-status' } }, badge(show(p.paymentStatus))),
              h('td', { class: 'num' }, show(p.paymentRetries)), h('td', {}, h('code', {}, show(p.paymentId))),
              h('td', {}, show(p.sku)), h('td', { class: 'num' }, show(p.units)), h('td', { class: 'num' }, show(p.price)),
              h('td', {}, show(p.userId)), h('td', { class: 'nowrap' }, fmtStamp(p.createdAt)),
              h('td', { class: 'nowrap' }, fmtStamp(p.updatedAt)))),
            { dataset: { testid: 'payments-table' } })]);
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
