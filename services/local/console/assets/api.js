// Calls to the six APIs and to the console's own JSON endpoints, and the poller of the pages that
// re-read on a timer. A failure becomes an ApiError carrying the HTTP status and the server's
// `message`, shown verbatim by the pages.

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function request(method, url, body) {
  const init = { method, headers: { accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    throw new ApiError(0, `The server cannot be reached (${error.message})`);
  }
  const text = await response.text();
  let data = text;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // Not JSON (e.g. the 413 of the HTTP layer is plain text): keep the text.
  }
  if (!response.ok) {
    const message = data && typeof data.message === 'string' ? data.message : text || response.statusText;
    throw new ApiError(response.status, message);
  }
  return { status: response.status, data };
}

/** POST /api/v1/<path> with a JSON body. */
export const callApi = (path, body = {}) => request('POST', `/api/v1/${path}`, body);

/**
 * Up to `pages` pages of a list API (`body` plus each page's `nextToken`): `{ items, more }`, the
 * items of `key` in order and whether a `nextToken` promised more. `stale()` is asked after each
 * page; when it says true the reading stops and `null` is returned.
 */
export async function listPages(path, body, key, pages, stale = () => false) {
  let items = [];
  let nextToken;
  for (let page = 0; page < pages; page += 1) {
    const { data } = await callApi(path, nextToken === undefined ? body : { ...body, nextToken });
    if (stale()) return null;
    items = items.concat(data[key]);
    nextToken = data.nextToken;
    if (nextToken === undefined) return { items, more: false };
  }
  return { items, more: true };
}

/** GET /console/api/<path>. */
export const getConsole = (path) => request('GET', `/console/api/${path}`).then((r) => r.data);

/** POST /console/api/<path> with a JSON body (`{}` when none is given): the server refuses a POST
 * that is not `content-type: application/json`, which another website cannot send with a form or
 * a no-cors fetch, so it cannot make a visitor's browser redrive or run a chaos recipe. */
export const postConsole = (path, body = {}) => request('POST', `/console/api/${path}`, body).then((r) => r.data);

/**
 * Repeats `read` (an async function that handles its own errors) while the page shows: it
 * returns the milliseconds to wait before the next read, or null to stop. One read at a time:
 * `now()` during a read (a Refresh, a redrive) runs another right after it rather than beside it.
 */
export function poller(read) {
  let timer = null;
  let busy = false;
  let again = false;
  let stopped = false;
  async function now() {
    if (stopped) return;
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    clearTimeout(timer);
    let delay = null;
    try {
      delay = await read();
    } finally {
      busy = false;
    }
    if (stopped) return;
    if (again) {
      again = false;
      now();
    } else if (delay !== null) {
      timer = setTimeout(now, delay);
    }
  }
  return {
    now,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
