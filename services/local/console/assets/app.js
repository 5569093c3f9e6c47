// The console's entry point: hash router, top navigation and the live-stream indicator.
// Each page module exports render(main, params) and may return a cleanup function, called
// when the route changes (to stop timers and charts).

import { h, fill, alertBox, setText } from './dom.js';
import { connect, deadLetterTotal, live, subscribe } from './live.js';
import * as overview from './pages/overview.js';
import * as orders from './pages/orders.js';
import * as order from './pages/order.js';
import * as inventory from './pages/inventory.js';
import * as payments from './pages/payments.js';
import * as deadLetters from './pages/dead-letters.js';
import * as chaos from './pages/chaos.js';

const ROUTES = [
  [/^\/?$/, 'overview', overview],
  [/^\/orders\/?$/, 'orders', orders],
  [/^\/orders\/(.+)$/, 'orders', order],
  [/^\/inventory\/?$/, 'inventory', inventory],
  [/^\/payments\/?$/, 'payments', payments],
  [/^\/dead-letters(?:\/(.+))?$/, 'dead-letters', deadLetters],
  [/^\/chaos\/?$/, 'chaos', chaos],
];

const main = document.getElementById('main');
let cleanup = null;
let firstRoute = true;

function route() {
  const path = location.hash.replace(/^#/, '') || '/';
  if (typeof cleanup === 'function') cleanup();
  cleanup = null;
  main.replaceChildren();

  const match = ROUTES.map(([pattern, nav, page]) => [path.match(pattern), nav, page]).find(([m]) => m);
  for (const link of document.querySelectorAll('nav a[data-route]')) {
    if (match && link.dataset.route === match[1]) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (!match) {
    document.title = 'Not found · ecomm console';
    fill(main, h('h1', { tabindex: '-1' }, 'Page not found'),
      h('p', {}, 'Nothing lives at ', h('code', {}, path), '. ', h('a', { href: '#/' }, 'Back to the overview')));
  } else {
    const [m, , page] = match;
    let params;
    try {
      params = m.slice(1).map((part) => (part === undefined ? undefined : decodeURIComponent(part)));
    } catch {
      params = m.slice(1); // a malformed %-escape: use it as typed
    }
    try {
      cleanup = page.render(main, ...params);
    } catch (error) {
      // A bug in a page: say so where the page would be rather than leave it blank. Logged too,
      // so that it is not missed (the browser test fails on console errors).
      console.error(error);
      main.append(alertBox(new Error(`This page failed to draw: ${error && error.message ? error.message : error}`),
        'page-alert'));
    }
  }
  // After an in-app navigation, move focus to the new page's heading (screen readers, keyboard).
  if (!firstRoute) {
    const heading = main.querySelector('h1');
    if (heading) {
      heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }
  firstRoute = false;
}

const STATE_TEXT = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…', disconnected: 'Disconnected' };
const stateText = () => (live.state === 'stale' ? `Stale: ${live.failure}` : STATE_TEXT[live.state] || live.state);
const indicator = document.querySelector('[data-testid="live-status"]');
const dlqCount = document.querySelector('[data-testid="nav-dlq-count"]');
let shownTotal = null;

// Runs on every stream event (each second): texts are assigned only when they change, as the
// indicator is a role="status" region, announced on every assignment.
function updateChrome() {
  if (indicator.dataset.state !== live.state) indicator.dataset.state = live.state;
  setText(indicator, stateText());
  if (live.overview) {
    const total = deadLetterTotal(live.overview);
    if (total === shownTotal) return;
    shownTotal = total;
    dlqCount.hidden = total === 0;
    // The badge shows the number; the link's accessible name gets words (an aria-label on a
    // plain span is ignored).
    fill(dlqCount, h('span', { 'aria-hidden': 'true' }, String(total)),
      h('span', { class: 'visually-hidden' }, `(${total} waiting)`));
  }
}

// The skip link must not change the hash (the router owns it).
document.querySelector('[data-skip-link]').addEventListener('click', (event) => {
  event.preventDefault();
  main.focus();
});

subscribe(updateChrome);
addEventListener('hashchange', route);
connect();
updateChrome();
route();
