// #/orders/<id> — one order's records and timeline: every event raised, by whom, and each
// delivery to each worker. Refreshed every second while the order is still moving.

import { h, fill, alertBox, loading, empty, badge, show, setText, fmtNumber, FINAL_STATUSES } from '../dom.js';
import { getConsole, poller } from '../api.js';

const REFRESH_MS = 1000;
const REFRESHING = 'Auto-refreshing every second…';
// A raw event routed nowhere never gets a delivery and a dead-lettered message never finishes:
// stop polling once nothing has changed for this long (the Refresh button starts it again).
const QUIET_STOP_MS = 60000;

const plus = (ms) => `+${fmtNumber(Math.max(0, ms))} ms`;

function raisedBy(by) {
  if (!by || by.kind === 'unknown') return 'raised by an unknown cause';
  if (by.kind === 'request') return `raised by request ${by.requestId}`;
  if (by.kind === 'worker') return `raised by ${by.worker} handling ${by.handling}`;
  return `raised by ${show(by)}`;
}

/** True while some delivery may still come: an event without any, or a worker whose last receive was retried. */
function deliveriesPending(timeline) {
  return timeline.events.some((event) => {
    if (event.deliveries.length === 0) return true;
    const last = new Map();
    for (const d of event.deliveries) last.set(d.worker, d);
    return [...last.values()].some((d) => d.outcome === 'retried');
  });
}

function record(title, data, statusKey, testid) {
  if (!data) return h('section', { class: 'panel', dataset: { testid } }, h('h2', {}, title), empty(`No ${title.toLowerCase()} yet.`));
  const rows = Object.entries(data).filter(([key]) => key !== statusKey);
  return h('section', { class: 'panel', dataset: { testid } },
    h('h2', {}, title),
    statusKey && h('p', { class: 'big-status' }, badge(data[statusKey], { dataset: { testid: `${testid}-status` } })),
    statusKey === 'paymentStatus' && typeof data.paymentRetries === 'number'
      && h('p', { class: 'muted' }, `${data.paymentRetries + 1} payment attempt${data.paymentRetries === 0 ? '' : 's'} `
        + `(paymentRetries ${data.paymentRetries})`),
    h('dl', { class: 'kv' }, rows.map(([key, value]) => [h('dt', {}, key), h('dd', {}, show(value))])));
}

function timelineView(timeline) {
  if (timeline.events.length === 0) return empty('No event of this order is recorded.');
  const start = timeline.events[0].raisedAtMs;
  return h('ol', { class: 'timeline', dataset: { testid: 'timeline' } }, timeline.events.map((event) =>
    h('li', { class: 'event', dataset: { testid: 'timeline-event', eventName: event.eventName } },
      h('div', { class: 'event-head' },
        h('span', { class: 'offset' }, plus(event.raisedAtMs - start)),
        h('strong', { class: 'event-name' }, event.eventName),
        h('span', { class: 'muted' }, raisedBy(event.raisedBy))),
      h('div', { class: 'event-meta muted' }, `${event.raisedAt} · id ${event.eventId}`,
        event.causationId ? ` · caused by ${event.causationId}` : ''),
      event.deliveries.length === 0
        ? h('p', { class: 'muted delivery-none' }, 'No delivery (yet): still in the pipe, or no worker is routed this event.')
        : h('ul', { class: 'deliveries' }, event.deliveries.map((d) =>
          h('li', { class: 'delivery', dataset: { testid: 'delivery', outcome: d.outcome, worker: d.worker } },
            h('span', { class: 'offset' }, plus(d.receivedAtMs - start)),
            h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
            h('strong', {}, d.worker),
            h('span', {}, `receive ${d.receiveCount}`),
            h('span', {}, `forwarded ${plus(d.forwardedAtMs - start)}`),
            h('span', {}, `handled in ${fmtNumber(d.finishedAtMs - d.receivedAtMs)} ms`),
            badge(d.outcome, { dataset: { testid: 'delivery-outcome' } }),
            d.failureKind && h('code', { class: 'failure' }, d.failureKind)))))));
}

export function render(main, orderId) {
  document.title = `Order ${orderId} · ecomm console`;
  let alive = true;
  let lastJson = '';
  let lastChangeAt = Date.now();
  const refreshState = h('span', { class: 'muted', role: 'status', dataset: { testid: 'refresh-state' } });
  const refreshButton = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'order-refresh' } }, 'Refresh');
  const body = h('div', {}, loading('Loading the order…'));
  fill(main,
    h('p', { class: 'crumbs' }, h('a', { href: '#/orders' }, '← Orders')),
    h('div', { class: 'section-head' }, h('h1', {}, 'Order ', h('span', { dataset: { testid: 'order-id' } }, orderId)),
      h('div', { class: 'head-actions' }, refreshState, refreshButton)),
    body);

  // Returns the delay to the next read, or null to stop refreshing. The state is a role="status"
  // region read every second: setText assigns it only when the words change.
  async function load() {
    let data;
    try {
      data = await getConsole(`orders/${encodeURIComponent(orderId)}`);
    } catch (error) {
      if (!alive) return null;
      fill(body, alertBox(error, 'order-alert'));
      lastJson = ''; // the next good answer redraws (and so removes this alert), even if unchanged
      // A 4xx is the server's verdict on this order id (none such, malformed): asking again gets
      // the same. Anything else (a restart, a network blip) is worth another try.
      if (error.status >= 400 && error.status < 500) {
        setText(refreshState, '');
        return null;
      }
      setText(refreshState, REFRESHING);
      return REFRESH_MS;
    }
    if (!alive) return null;
    data.timeline = data.timeline || { correlationIds: [], events: [] };
    const json = JSON.stringify(data);
    if (json !== lastJson) {
      lastJson = json;
      lastChangeAt = Date.now();
      draw(data);
    }
    const status = data.order && data.order.orderStatus;
    const moving = !FINAL_STATUSES.includes(status) || deliveriesPending(data.timeline);
    if (moving && Date.now() - lastChangeAt < QUIET_STOP_MS) {
      setText(refreshState, REFRESHING);
      return REFRESH_MS;
    }
    setText(refreshState, moving ? 'Auto-refresh paused: nothing changed for a minute' : 'Final: auto-refresh stopped');
    return null;
  }
  const poll = poller(load);

  function draw(data) {
    const status = data.order && data.order.orderStatus;
    fill(body,
      h('p', { class: 'big-status' }, 'Status ',
        badge(status ?? 'NO ORDER RECORD', { dataset: { testid: 'order-status' } }),
        FINAL_STATUSES.includes(status) ? h('span', { class: 'muted' }, ' (final)') : ''),
      h('p', { dataset: { testid: 'correlation-ids' } },
        data.timeline.correlationIds.length === 1 ? 'Correlation id ' : 'Correlation ids ',
        data.timeline.correlationIds.length === 0 ? h('span', { class: 'muted' }, 'none recorded')
          : data.timeline.correlationIds.map((id, i) => [i ? ', ' : '', h('code', {}, id)])),
      h('div', { class: 'columns' },
        record('Order record', data.order, 'orderStatus', 'order-record'),
        record('Payment record', data.payment, 'paymentStatus', 'payment-record')),
      h('section', {}, h('h2', {}, 'Timeline'), timelineView(data.timeline)));
  }

  refreshButton.addEventListener('click', () => {
    lastChangeAt = Date.now();
    poll.now();
  });
  poll.now();
  return () => {
    alive = false;
    poll.stop();
  };
}
