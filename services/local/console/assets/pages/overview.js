// #/ — live overview from the SSE stream: cards, orders by status, queues, throughput chart.
// The page updates cells in place (rather than rebuilding) so focus on a link survives updates.

import { h, fill, empty, alertBox, table, fmtNumber, fmtSeconds, fmtTime, badge } from '../dom.js';
import { deadLetterTotal, live, subscribe } from '../live.js';

const SERIES = [
  { key: 'placeOrderAcceptedPerSecond', label: 'placeOrder 202/s', stroke: '#2563eb' },
  { key: 'ordersSettledPerSecond', label: 'Orders settled/s', stroke: '#15803d' },
  { key: 'workerMessagesPerSecond', label: 'Worker messages/s', stroke: '#c2410c' },
];

function card(testid, title, href) {
  const value = h('div', { class: 'card-value', dataset: { testid } }, '—');
  const detail = h('div', { class: 'card-detail' });
  const heading = href ? h('a', { href }, title) : title;
  return { el: h('div', { class: 'card' }, h('h2', { class: 'card-title' }, heading), value, detail), value, detail };
}

function queueRow(q) {
  const cells = {
    visible: h('td', { class: 'num' }), inFlight: h('td', { class: 'num' }), oldest: h('td', { class: 'num' }),
    dlq: h('a', { href: `#/dead-letters/${encodeURIComponent(q.queue)}`, dataset: { testid: 'queue-dlq-link' } }),
    dlqAge: h('td', { class: 'num' }),
  };
  const tr = h('tr', { dataset: { testid: 'queue-row', worker: q.worker } },
    h('th', { scope: 'row' }, q.worker, h('div', { class: 'sub' }, q.queue)),
    cells.visible, cells.inFlight, cells.oldest, h('td', { class: 'num' }, cells.dlq), cells.dlqAge);
  const update = (next) => {
    cells.visible.textContent = fmtNumber(next.visible);
    cells.inFlight.textContent = fmtNumber(next.inFlight);
    cells.oldest.textContent = next.visible + next.inFlight > 0 ? fmtSeconds(next.oldestAgeSeconds) : '—';
    cells.dlq.textContent = fmtNumber(next.deadLetters);
    cells.dlq.classList.toggle('has-dead-letters', next.deadLetters > 0);
    cells.dlq.setAttribute('aria-label', `${next.deadLetters} dead letters in ${next.deadLetterQueue}`);
    cells.dlqAge.textContent = next.deadLetters > 0 ? fmtSeconds(next.oldestDeadLetterAgeSeconds) : '—';
  };
  update(q);
  return { tr, update };
}

// Set through the CSSOM: the server's Content-Security-Policy (style-src 'self') refuses style attributes.
function bar(fraction) {
  const el = h('span', { class: 'bar' });
  el.style.width = `${100 * fraction}%`;
  return el;
}

function createChart(container) {
  if (typeof uPlot !== 'function') return { error: new Error('The chart library (vendor/uPlot.iife.min.js) did not load') };
  const height = () => (container.clientWidth < 500 ? 200 : 260);
  const chart = new uPlot({
    width: container.clientWidth,
    height: height(),
    series: [{}, ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, value: (u, v) => (v == null ? '—' : v.toFixed(2)) }))],
    scales: { y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
    // One-line clock labels: uPlot's default two-line date labels collide on a phone.
    axes: [{ space: 90, values: (u, ticks) => ticks.map((t) => new Date(t * 1000).toLocaleTimeString()) },
      { label: 'per second', size: 56 }],
  }, [[], [], [], []], container);
  let width = container.clientWidth;
  // Resized in the next frame: resizing inside the observer's callback would report a loop error.
  const observer = new ResizeObserver(() => requestAnimationFrame(() => {
    if (!container.isConnected || container.clientWidth === width) return;
    width = container.clientWidth;
    chart.setSize({ width, height: height() });
  }));
  observer.observe(container);
  return {
    update(points) {
      chart.setData([points.map((p) => p.atMs / 1000), ...SERIES.map((s) => points.map((p) => p[s.key] ?? null))]);
    },
    destroy() {
      observer.disconnect();
      chart.destroy();
    },
  };
}

export function render(main) {
  document.title = 'Overview · ecomm console';
  const asOf = h('p', { class: 'muted' });
  const waiting = h('p', { class: 'muted', 'aria-busy': 'true', dataset: { testid: 'overview-loading' } }, 'Waiting for the live stream…');
  const cards = {
    total: card('card-orders-total', 'Orders', '#/orders'),
    placed: card('card-placed-rate', 'placeOrder 202 / s'),
    settled: card('card-settled-rate', 'Settled / s'),
    pipe: card('card-pipe-lag', 'Pipe lag'),
    dead: card('card-dead-letters', 'Dead letters', '#/dead-letters'),
  };
  const statusBody = h('div', { dataset: { testid: 'orders-by-status' } });
  const queueBody = h('tbody');
  const chartBox = h('div', { class: 'chart', dataset: { testid: 'throughput-chart' } });
  const counters = h('p', { class: 'muted', dataset: { testid: 'counters' } });
  const content = h('div', { hidden: true },
    h('div', { class: 'cards' }, Object.values(cards).map((c) => c.el)),
    h('section', {}, h('h2', {}, 'Throughput, last 5 minutes'), chartBox, counters),
    h('section', {}, h('h2', {}, 'Queues'),
      h('div', { class: 'table-wrap' }, h('table', { dataset: { testid: 'queues-table' } },
        h('thead', {}, h('tr', {}, ['Worker / queue', 'Visible', 'In flight', 'Oldest message', 'Dead letters', 'Oldest dead letter']
          .map((label, i) => h('th', { scope: 'col', class: i ? 'num' : undefined }, label)))),
        queueBody))),
    h('section', { class: 'narrow' }, h('h2', {}, 'Orders by status'), statusBody));
  fill(main, h('h1', {}, 'Overview'), asOf, waiting, content);

  let chart = null; // created once the content is visible, so it gets the container's width
  const queueRows = new Map();

  function update() {
    const o = live.overview;
    if (!o) return;
    waiting.hidden = true;
    content.hidden = false;
    if (!chart) {
      chart = createChart(chartBox);
      if (chart.error) fill(chartBox, alertBox(chart.error));
    }
    asOf.textContent = `As of ${fmtTime(o.atMs)} · counters since the server started`;

    const newest = live.throughput[live.throughput.length - 1] || {};
    cards.total.value.textContent = fmtNumber(o.orders.total);
    cards.placed.value.textContent = fmtNumber(newest.placeOrderAcceptedPerSecond ?? 0, 1);
    cards.placed.detail.textContent = `${fmtNumber(o.counters.placeOrderAccepted)} accepted in all`;
    cards.settled.value.textContent = fmtNumber(newest.ordersSettledPerSecond ?? 0, 1);
    cards.settled.detail.textContent = `${fmtNumber(o.counters.ordersSettled)} settled in all`;
    cards.pipe.value.textContent = `${fmtNumber(o.pipe.lagRecords)} records`;
    cards.pipe.detail.textContent = `oldest ${o.pipe.lagRecords > 0 ? fmtSeconds(o.pipe.lagSeconds) : '—'}`;
    const dead = deadLetterTotal(o);
    cards.dead.value.textContent = fmtNumber(dead);
    cards.dead.value.classList.toggle('alarm', dead > 0);
    cards.dead.detail.textContent = `${fmtNumber(o.pipe.deadLetters)} set aside by the pipe`;
    counters.textContent = `Since start: ${fmtNumber(o.counters.placeOrderAccepted)} placeOrder requests accepted, `
      + `${fmtNumber(o.counters.ordersSettled)} settled, ${fmtNumber(o.counters.workerMessages)} worker messages.`;

    // No focusable elements in the status table: rebuilt every time.
    const byStatus = o.orders.byStatus.filter((s) => s.count > 0);
    const max = Math.max(1, ...byStatus.map((s) => s.count));
    fill(statusBody, byStatus.length === 0
      ? empty('No orders yet — place one on the Orders page.')
      : table(['Status', 'Orders'], byStatus.map((s) => h('tr', { dataset: { testid: 'status-row', status: s.status } },
        h('td', {}, badge(s.status)),
        h('td', { class: 'bar-cell' }, bar(s.count / max), h('span', { class: 'num' }, fmtNumber(s.count)))))));

    const workers = o.queues.map((q) => q.worker).join();
    if ([...queueRows.keys()].join() !== workers) {
      queueRows.clear();
      for (const q of o.queues) queueRows.set(q.worker, queueRow(q));
      fill(queueBody, [...queueRows.values()].map((row) => row.tr));
    } else {
      for (const q of o.queues) queueRows.get(q.worker).update(q);
    }
    if (chart.update) chart.update(live.throughput);
  }

  const unsubscribe = subscribe(update);
  update();
  return () => {
    unsubscribe();
    if (chart && chart.destroy) chart.destroy();
  };
}
