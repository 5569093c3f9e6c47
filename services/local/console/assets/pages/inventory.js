// #/inventory — restock a SKU and list the SKUs. A restock is applied by a worker after the
// 202, so the list is re-read for a few seconds until the SKU shows the change.

import { h, fill, field, table, alertBox, loading, empty, show, fmtNumber, fmtStamp, randomId, numberOf } from '../dom.js';
import { callApi } from '../api.js';

const FOLLOW_MS = 500;
const FOLLOW_TRIES = 20;

export function render(main) {
  document.title = 'Inventory · ecomm console';
  let alive = true;
  let followTimer = null;
  let skus = null;
  let loads = 0; // numbers each read of the list: only the newest one's answer is shown

  const result = h('div', { class: 'result', 'aria-live': 'polite', dataset: { testid: 'restock-result' } });
  const submit = h('button', { type: 'submit', dataset: { testid: 'restock-submit' } }, 'Restock');
  const form = h('form', { class: 'form-grid', novalidate: true, dataset: { testid: 'restock-form' } },
    field('restock-sku', 'SKU', { value: 'APPLES', required: true }),
    field('restock-units', 'Units', { type: 'number', value: '100', min: '1', step: '1', inputmode: 'numeric' }),
    field('restock-lot', 'Lot id', { value: randomId('LOT'), required: true }),
    h('div', { class: 'actions' }, submit));
  const input = (id) => form.querySelector(`#${id}`);
  const refresh = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'skus-refresh' } }, 'Refresh');
  const listBox = h('div', { dataset: { testid: 'skus-list' } }, loading('Loading SKUs…'));

  // Reads overlap (Refresh clicks, the follow-up reads of a restock): an older answer arriving
  // after a newer one would show a stale list, so each is used only if no read started after it.
  // Returns the newest list shown.
  async function loadSkus() {
    const mine = ++loads;
    try {
      const { data } = await callApi('inventory/listSkus', { limit: 1000 });
      if (!alive || mine !== loads) return skus;
      skus = data.skus;
      fill(listBox, skus.length === 0 ? empty('No SKUs yet — restock one above.') : table(
        ['SKU', 'Units', 'Created', 'Updated'],
        skus.map((s) => h('tr', { dataset: { testid: 'sku-row', sku: show(s.sku) } },
          h('td', {}, show(s.sku)), h('td', { class: 'num', dataset: { testid: 'sku-units' } }, fmtNumber(s.units)),
          h('td', { class: 'nowrap' }, fmtStamp(s.createdAt)), h('td', { class: 'nowrap' }, fmtStamp(s.updatedAt)))),
        { dataset: { testid: 'skus-table' } }));
    } catch (error) {
      if (alive && mine === loads) fill(listBox, alertBox(error, 'skus-alert'));
    }
    return skus;
  }

  // Re-reads the list until `sku` appears or changes (a lot already applied changes nothing).
  function follow(sku, before, tries = FOLLOW_TRIES) {
    clearTimeout(followTimer);
    followTimer = setTimeout(async () => {
      const list = await loadSkus();
      const now = list && list.find((s) => s.sku === sku);
      if (alive && tries > 1 && (!now || (before && now.updatedAt === before.updatedAt))) follow(sku, before, tries - 1);
    }, FOLLOW_MS);
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { sku: input('restock-sku').value, units: numberOf(input('restock-units')), lotId: input('restock-lot').value };
    submit.disabled = true;
    fill(result, loading('Restocking…'));
    try {
      const { status, data } = await callApi('inventory/restockSku', body);
      if (!alive) return;
      fill(result, h('p', { class: 'success' },
        `Restock of ${fmtNumber(data.units)} ${data.sku} (lot ${data.lotId}) accepted (HTTP ${status}); the list follows in a moment.`));
      input('restock-lot').value = randomId('LOT');
      follow(data.sku, skus && skus.find((s) => s.sku === data.sku));
    } catch (error) {
      if (alive) fill(result, alertBox(error, 'restock-alert'));
    } finally {
      submit.disabled = false;
    }
  });
  refresh.addEventListener('click', loadSkus);

  fill(main,
    h('h1', {}, 'Inventory'),
    h('section', {}, h('h2', {}, 'Restock a SKU'),
      h('p', { class: 'muted' }, 'A lot is counted once: sending the same lot id again changes nothing.'), form, result),
    h('section', {}, h('div', { class: 'section-head' }, h('h2', {}, 'SKUs'), refresh), listBox));
  loadSkus();
  return () => {
    alive = false;
    clearTimeout(followTimer);
  };
}
