// DOM and formatting helpers. Everything is built with createElement/textContent, so a server
// string can never become markup.

/** h('a', {href: '#/', class: 'x', dataset: {testid: 'y'}}, 'text', child, [more]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'text') el.textContent = value;
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

const TONES = {
  ORDER_PAYMENT_ACCEPTED_STATUS: 'ok', PAYMENT_ACCEPTED: 'ok', succeeded: 'ok',
  ORDER_PAYMENT_REJECTED_STATUS: 'bad', ORDER_STOCK_DEPLETED_STATUS: 'bad', PAYMENT_REJECTED: 'bad',
  dropped: 'bad', ORDER_CANCELED_STATUS: 'off',
  ORDER_CREATED_STATUS: 'wait', ORDER_STOCK_ALLOCATED_STATUS: 'wait', PAYMENT_FAILED: 'wait', retried: 'wait',
};

/** A coloured label; the text is always the raw value. */
export const badge = (value, attrs = {}) =>
  h('span', { ...attrs, class: `badge ${TONES[value] || 'info'}` }, value ?? '—');

export const TERMINAL_STATUSES = [
  'ORDER_STOCK_DEPLETED_STATUS', 'ORDER_PAYMENT_ACCEPTED_STATUS', 'ORDER_PAYMENT_REJECTED_STATUS',
];
export const ORDER_STATUSES = [
  'ORDER_CREATED_STATUS', 'ORDER_STOCK_ALLOCATED_STATUS', ...TERMINAL_STATUSES,
  'ORDER_SHIPPED_STATUS', 'ORDER_DELIVERED_STATUS', 'ORDER_CANCELED_STATUS',
];

export const orderHref = (orderId) => `#/orders/${encodeURIComponent(orderId)}`;
export const orderLink = (orderId, attrs = {}) => h('a', { href: orderHref(orderId), ...attrs }, orderId);

export function fmtNumber(value, digits = 0) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return value === undefined ? '—' : String(value);
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

export function fmtSeconds(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

export const fmtTime = (ms) => (typeof ms === 'number' ? new Date(ms).toLocaleString() : '—');

/** Stored timestamps are shown as stored (they are never parsed server side either). */
export const fmtStamp = (value) => (typeof value === 'string' ? value.replace('T', ' ') : value ?? '—');

/** A printable value of any JSON type (records are shown as stored, whatever the type). */
export const show = (value) =>
  value === undefined || value === null ? '—' : typeof value === 'object' ? JSON.stringify(value) : String(value);

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
