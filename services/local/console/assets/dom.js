// DOM and formatting helpers. Everything is built with createElement/textContent, so a server
// string can never become markup.

/** h('a', {href: '#/', class: 'x', dataset: {testid: 'y'}}, 'text', child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key in el && typeof value !== 'string') el[key] = value;
    else el.setAttribute(key, value === true ? '' : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** Sets `el`'s text only when it differs: a role="status" region is announced again on every
 * assignment, even of the same words, and some texts are recomputed every second. */
export function setText(el, text) {
  if (el.textContent !== text) el.textContent = text;
}

/** Replaces the content of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A table inside a horizontally scrolling wrapper (phones). `rows` are <tr> elements. */
export function table(headers, rows, attrs = {}) {
  return h('div', { class: 'table-wrap' },
    h('table', attrs,
      h('thead', {}, h('tr', {}, headers.map((label) => h('th', { scope: 'col' }, label)))),
      h('tbody', {}, rows)));
}

/** An error box; `error` is an ApiError (status + the API's message) or any Error. */
export function alertBox(error, testid) {
  const status = error && error.status ? ` (HTTP ${error.status})` : '';
  return h('div', { class: 'alert', role: 'alert', dataset: testid ? { testid } : undefined },
    `${error && error.message ? error.message : String(error)}${status}`);
}

export const loading = (what = 'Loading…') => h('p', { class: 'muted', 'aria-busy': 'true' }, what);
export const empty = (text) => h('p', { class: 'empty' }, text);

/** A printable value of any JSON type (records are shown as stored, whatever the type). */
export const show = (value) =>
  value === undefined || value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value);

const TONES = {
  ORDER_PAYMENT_ACCEPTED_STATUS: 'ok', PAYMENT_ACCEPTED: 'ok', succeeded: 'ok',
  ORDER_PAYMENT_REJECTED_STATUS: 'bad', ORDER_STOCK_DEPLETED_STATUS: 'bad', PAYMENT_REJECTED: 'bad',
  dropped: 'bad', ORDER_CANCELED_STATUS: 'off',
  ORDER_CREATED_STATUS: 'wait', ORDER_STOCK_ALLOCATED_STATUS: 'wait', PAYMENT_FAILED: 'wait', retried: 'wait',
};

/** A coloured label; the text is always the value itself, as show() prints it. */
export const badge = (value, attrs = {}) =>
  h('span', { ...attrs, class: `badge ${TONES[value] || 'info'}` }, show(value));

/** Where the order flow settles: the stock ran out, or the payment was accepted or rejected. */
export const SETTLED_STATUSES = [
  'ORDER_STOCK_DEPLETED_STATUS', 'ORDER_PAYMENT_ACCEPTED_STATUS', 'ORDER_PAYMENT_REJECTED_STATUS',
];
/** Statuses no event moves an order out of: the settled ones, and the ends a raw event can
 * jump an order to (the "forward jump" chaos recipe reaches DELIVERED). */
export const FINAL_STATUSES = [...SETTLED_STATUSES, 'ORDER_DELIVERED_STATUS', 'ORDER_CANCELED_STATUS'];
export const ORDER_STATUSES = [
  'ORDER_CREATED_STATUS', 'ORDER_STOCK_ALLOCATED_STATUS', ...SETTLED_STATUSES,
  'ORDER_SHIPPED_STATUS', 'ORDER_DELIVERED_STATUS', 'ORDER_CANCELED_STATUS',
];

export const orderHref = (orderId) => `#/orders/${encodeURIComponent(orderId)}`;
export const orderLink = (orderId, attrs = {}) => h('a', { href: orderHref(orderId), ...attrs }, orderId);

export function fmtNumber(value, digits = 0) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return show(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtSeconds(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export const fmtTime = (ms) => (typeof ms === 'number' ? new Date(ms).toLocaleString() : '—');

/** A stored timestamp is shown as stored, only with a space for the 'T': not parsed here, so one
 * that does not parse is still shown as it is rather than as an "Invalid Date". */
export const fmtStamp = (value) => (typeof value === 'string' ? value.replace('T', ' ') : show(value));

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export function randomId(prefix, length = 6) {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return prefix + Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}

/** A labelled form field; returns the wrapper, the input is reachable by its id. */
export function field(id, label, attrs = {}) {
  return h('div', { class: 'field' },
    h('label', { for: id }, label),
    h('input', { id, name: id, autocomplete: 'off', ...attrs }));
}

/** The number typed in an input, or null when blank, so the API (not the page) judges it. */
export function numberOf(input) {
  const text = input.value.trim();
  return text === '' ? null : Number(text);
}
