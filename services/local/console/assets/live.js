// The one Server-Sent Events connection of the page, kept across routes: the latest overview,
// the throughput history (at most 300 one-second points) and the connection state:
// connecting, live, stale (connected, but the server could not read the overview: `failure`
// holds its message), reconnecting or disconnected.

const STREAM_URL = '/console/api/stream';
const MAX_POINTS = 300;
const SILENCE_MS = 5000; // the server sends an event every second; silence this long means trouble
const RETRY_AFTER_MS = 3000;

export const live = { state: 'connecting', failure: null, overview: null, throughput: [], lastEventAt: 0 };

const listeners = new Set();
let source = null;
let firstEventOfConnection = true;

/** Calls `listener(live)` on every change; returns the unsubscribe function. */
export function subscribe(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function notify() {
  for (const listener of listeners) listener(live);
}

function setState(state) {
  if (live.state === state) return;
  live.state = state;
  notify();
}

function onOverview(event) {
  let data;
  try {
    data = JSON.parse(event.data);
  } catch {
    return;
  }
  const points = Array.isArray(data.throughput) ? data.throughput : [];
  if (firstEventOfConnection) {
    // The first event of a connection holds the whole history: replace, don't append.
    live.throughput = points.slice(-MAX_POINTS);
    firstEventOfConnection = false;
  } else {
    const newest = live.throughput.length ? live.throughput[live.throughput.length - 1].atMs : -Infinity;
    live.throughput.push(...points.filter((point) => point.atMs > newest));
    live.throughput.splice(0, Math.max(0, live.throughput.length - MAX_POINTS));
  }
  live.overview = data;
  live.lastEventAt = Date.now();
  live.state = 'live';
  live.failure = null;
  notify();
}

// The server could not read the overview this second; the connection itself is fine, so this is
// not a reason to reconnect. The last overview stays shown, marked stale until the next one.
function onFailure(event) {
  live.lastEventAt = Date.now();
  const failure = event.data || 'the server could not read the overview';
  if (live.state === 'stale' && live.failure === failure) return;
  live.state = 'stale';
  live.failure = failure;
  notify();
}

/** Every dead letter the overview counts: the six workers' queues and the pipe's. */
export function deadLetterTotal(overview) {
  return overview.queues.reduce((sum, q) => sum + q.deadLetters, 0) + overview.pipe.deadLetters;
}

export function connect() {
  if (source) return;
  firstEventOfConnection = true;
  source = new EventSource(STREAM_URL);
  source.addEventListener('open', () => {
    firstEventOfConnection = true;
  });
  source.addEventListener('overview', onOverview);
  source.addEventListener('failure', onFailure);
  source.addEventListener('error', () => {
    if (source.readyState === EventSource.CLOSED) {
      // The browser gives up for good on a non-stream answer; try again ourselves.
      setState('disconnected');
      source = null;
      setTimeout(connect, RETRY_AFTER_MS);
    } else {
      // The browser reconnects by itself (e.g. after the server shut down and ended the stream).
      setState('reconnecting');
    }
  });
}

setInterval(() => {
  const connected = live.state === 'live' || live.state === 'stale';
  if (connected && Date.now() - live.lastEventAt > SILENCE_MS) setState('reconnecting');
}, 1000);

// Closing the stream ourselves keeps the browser from reporting it as a failed request.
addEventListener('pagehide', () => {
  if (source) source.close();
  source = null;
});
addEventListener('pageshow', (event) => {
  if (event.persisted) connect(); // back from the back/forward cache
});
