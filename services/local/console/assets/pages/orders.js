// #/orders — place an order, list orders (newest first, kept current) with a status filter and an
// id search, and open any order's timeline by id.

import { h, fill, field, table, alertBox, loading, empty, badge, orderLink, orderHref, show, fmtNumber, fmtStamp,
  randomId, numberOf, ORDER_STATUSES } from '../dom.js';
import { callApi, listPages } from '../api.js';

const FOLLOW_MS = 2000;
const PAGE = 1000;

export function render(main) {
  document.title = 'Orders · ecomm console';
  let alive = true;

  // Place an order. The form does no validation of its own (novalidate): the API's verdict is shown.
  const placeResult = h('div', { class: 'result', 'aria-live': 'polite', dataset: { testid: 'place-order-result' } });
  const placeButton = h('button', { type: 'submit', dataset: { testid: 'place-order-submit' } }, 'Place order');
  const placeForm = h('form', { class: 'form-grid', novalidate: true, dataset: { testid: 'place-order-form' } },
    field('order-id', 'Order id', { value: randomId('WEB'), required: true }),
    field('order-sku', 'SKU', { value: 'APPLES', required: true }),
    field('order-units', 'Units', { type: 'number', value: '1', min: '1', step: '1', inputmode: 'numeric' }),
    field('order-price', 'Price', { type: 'number', value: '9.99', min: '0', step: 'any', inputmode: 'decimal' }),
    field('order-user', 'User id', { value: 'WEBUSER1', required: true }),
    h('div', { class: 'actions' }, placeButton));
  const input = (id) => placeForm.querySelector(`#${id}`);

  placeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = {
      orderId: input('order-id').value, sku: input('order-sku').value, units: numberOf(input('order-units')),
      price: numberOf(input('order-price')), userId: input('order-user').value,
    };
    placeButton.disabled = true;
    fill(placeResult, loading('Placing the order…'));
    try {
      const { status, data } = await callApi('orders/placeOrder', body);
      if (!alive) return;
      fill(placeResult, h('p', { class: 'success' }, `Order ${data.orderId} accepted (HTTP ${status}). `,
        h('a', { href: orderHref(data.orderId), dataset: { testid: 'place-order-timeline-link' } }, 'Follow its timeline')));
      input('order-id').value = randomId('WEB');
      loadOrders();
    } catch (error) {
      if (alive) fill(placeResult, alertBox(error, 'place-order-alert'));
    } finally {
      placeButton.disabled = false;
    }
  });

  // Open any order, listed or not.
  const gotoForm = h('form', { class: 'inline-form', dataset: { testid: 'goto-order-form' } },
    field('goto-order-id', 'Go to order', { placeholder: 'e.g. ORD001', required: true }),
    h('button', { type: 'submit', dataset: { testid: 'goto-order-submit' } }, 'Open'));
  gotoForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const id = gotoForm.querySelector('input').value.trim();
    if (id) location.hash = orderHref(id);
  });

  // The list, filtered in the page.
  const statusFilter = h('select', { id: 'orders-status', dataset: { testid: 'orders-status-filter' } },
    h('option', { value: '' }, 'All statuses'), ORDER_STATUSES.map((s) => h('option', { value: s }, s)));
  const search = h('input', { id: 'orders-search', type: 'search', autocomplete: 'off', placeholder: 'part of an order id',
    dataset: { testid: 'orders-search' } });
  const refresh = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'orders-refresh' } }, 'Refresh');
  const listBox = h('div', { dataset: { testid: 'orders-list' } }, loading('Loading orders…'));
  let orders = null;
  let more = false; // a nextToken promised older orders than the pages read
  let pages = 1; // pages of PAGE orders the list reads and follows; "Show older orders" adds one
  let shownJson = '';
  let loads = 0; // numbers each read of the list: only the newest one's answer is shown

  function showOrders() {
    if (!orders) return;
    const wanted = statusFilter.value;
    const needle = search.value.trim().toLowerCase();
    const shown = orders.filter((o) => (!wanted || o.orderStatus === wanted)
      && (!needle || String(o.orderId).toLowerCase().includes(needle)));
    if (orders.length === 0) return fill(listBox, empty('No orders yet — place one above.'));
    const older = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'orders-older' } },
      `Show ${PAGE} older orders`);
    older.addEventListener('click', () => {
      pages += 1;
      loadOrders();
    });
    fill(listBox,
      h('p', { class: 'muted', dataset: { testid: 'orders-count' } },
        `Showing ${shown.length} of the ${orders.length} newest order${orders.length === 1 ? '' : 's'}`
          + `${more ? '; there are older ones' : ''}.`),
      shown.length === 0 ? empty('No order matches the filter.') : table(
        ['Order', 'Status', 'SKU', 'Units', 'Price', 'User', 'Created', 'Updated'],
        shown.map((o) => h('tr', { dataset: { testid: 'order-row', orderId: show(o.orderId) } },
          h('td', {}, typeof o.orderId === 'string' ? orderLink(o.orderId) : show(o.orderId)),
          h('td', { dataset: { testid: 'order-row-status' } }, badge(o.orderStatus)),
          h('td', {}, show(o.sku)), h('td', { class: 'num' }, fmtNumber(o.units)), h('td', { class: 'num' }, show(o.price)),
          h('td', {}, show(o.userId)), h('td', { class: 'nowrap' }, fmtStamp(o.createdAt)),
          h('td', { class: 'nowrap' }, fmtStamp(o.updatedAt)))),
        { dataset: { testid: 'orders-table' } }),
      more ? h('p', {}, older) : null);
  }

  // Reads overlap (Refresh clicks, a placed order): an older answer arriving after a newer one
  // would show a stale list, so each answer is used only if no read started after it.
  async function loadOrders() {
    const mine = ++loads;
    try {
      const read = await listPages('orders/listOrders', { limit: PAGE, sortDirection: 'desc' }, 'orders', pages,
        () => !alive || mine !== loads);
      if (read === null) return;
      // An unchanged list is not redrawn, so following it does not take the focus away.
      const json = JSON.stringify(read);
      if (json === shownJson) return;
      shownJson = json;
      orders = read.items;
      more = read.more;
      showOrders();
    } catch (error) {
      if (alive && mine === loads) {
        shownJson = '';
        fill(listBox, alertBox(error, 'orders-alert'));
      }
    }
  }

  statusFilter.addEventListener('change', showOrders);
  search.addEventListener('input', showOrders);
  refresh.addEventListener('click', loadOrders);

  fill(main,
    h('h1', {}, 'Orders'),
    h('section', {}, h('h2', {}, 'Place an order'), placeForm, placeResult),
    h('section', {}, h('h2', {}, 'Find an order'), gotoForm),
    h('section', {},
      h('div', { class: 'section-head' }, h('h2', {}, 'Orders'), refresh),
      h('div', { class: 'filters' },
        h('div', { class: 'field' }, h('label', { for: 'orders-status' }, 'Status'), statusFilter),
        h('div', { class: 'field' }, h('label', { for: 'orders-search' }, 'Search by order id'), search)),
      listBox));
  loadOrders();
  // Placed orders appear (SyncOrder creates them a moment after the 202) and move through their
  // statuses while the page is open: re-read the list every few seconds.
  const following = setInterval(loadOrders, FOLLOW_MS);
  return () => {
    alive = false;
    clearInterval(following);
  };
}
