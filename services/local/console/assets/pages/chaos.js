// #/chaos — the README's chaos recipes, one card each, run on the order id typed at the top
// (shared by the cards, so recipes can be chained on one order).

import { h, fill, field, alertBox, loading, empty, orderHref, randomId } from '../dom.js';
import { getConsole, postConsole } from '../api.js';

function stepsView(answer) {
  return h('div', { class: 'success' },
    h('p', {}, `Ran ${answer.recipe} on order ${answer.orderId}: `,
      h('a', { href: orderHref(answer.orderId), dataset: { testid: 'chaos-timeline-link' } }, 'open its timeline'), ' · ',
      h('a', { href: '#/dead-letters', dataset: { testid: 'chaos-dlq-link' } }, 'dead letters')),
    h('ol', { class: 'steps' }, answer.steps.map((step) => h('li', { dataset: { testid: 'chaos-step', status: String(step.status) } },
      h('span', { class: `badge ${step.status >= 200 && step.status < 300 ? 'ok' : 'bad'}` }, `HTTP ${step.status}`), ' ',
      h('code', {}, step.action),
      h('details', {}, h('summary', {}, 'Response'),
        h('pre', {}, typeof step.response === 'string' ? step.response : JSON.stringify(step.response, null, 2)))))));
}

export function render(main) {
  document.title = 'Chaos · ecomm console';
  let alive = true;
  const idField = field('chaos-order-id', 'Order id for the recipes', { value: randomId('CHAOS'), dataset: { testid: 'chaos-order-id' } });
  const idInput = idField.querySelector('input');
  const newId = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'chaos-new-id' } }, 'New order id');
  newId.addEventListener('click', () => {
    idInput.value = randomId('CHAOS');
  });
  const list = h('div', { class: 'recipes' }, loading('Loading recipes…'));

  function card(recipe) {
    // Every card's button says "Run": the card's title, as its description, tells which recipe.
    const titleId = `chaos-title-${recipe.id}`;
    const run = h('button', { type: 'button', 'aria-describedby': titleId, dataset: { testid: `chaos-run-${recipe.id}` } }, 'Run');
    const result = h('div', { class: 'result', 'aria-live': 'polite', dataset: { testid: `chaos-result-${recipe.id}` } });
    run.addEventListener('click', async () => {
      run.disabled = true;
      fill(result, loading('Running…'));
      try {
        const answer = await postConsole(`chaos/${encodeURIComponent(recipe.id)}`, { orderId: idInput.value });
        if (alive) fill(result, stepsView(answer));
      } catch (error) {
        if (alive) fill(result, alertBox(error, `chaos-alert-${recipe.id}`));
      } finally {
        run.disabled = false;
      }
    });
    return h('article', { class: 'panel recipe', dataset: { testid: `chaos-recipe-${recipe.id}` } },
      h('h2', { id: titleId }, recipe.title),
      h('dl', { class: 'kv' }, h('dt', {}, 'Sends'), h('dd', {}, recipe.what), h('dt', {}, 'Watch'), h('dd', {}, recipe.watch)),
      h('div', { class: 'actions' }, run), result);
  }

  fill(main,
    h('h1', {}, 'Chaos'),
    h('p', { class: 'muted' }, 'Each recipe sends raw events through simulateRawEvent. Run several on the same order id '
      + 'to chain them, then follow the order\'s timeline and the dead-letter queues.'),
    h('div', { class: 'inline-form' }, idField, newId),
    list);

  getConsole('chaos').then((data) => {
    if (alive) fill(list, data.recipes.length === 0 ? empty('No recipes.') : data.recipes.map(card));
  }, (error) => {
    if (alive) fill(list, alertBox(error, 'chaos-alert'));
  });
  return () => {
    alive = false;
  };
}
