// #/dead-letters[/<source>] — every dead-letter queue (the six workers' and the pipe's) with its
// messages (the first 200 of each), and a Redrive button per queue. Re-read every few seconds;
// each queue's section is kept and updated in place, so its button keeps focus, its result region
// announces the redrive's answer and open message bodies stay open.

import { h, fill, alertBox, loading, empty, fmtTime, fmtNumber } from '../dom.js';
import { getConsole, postConsole, poller } from '../api.js';

const REFRESH_MS = 3000;

const bodyText = (body) => (typeof body === 'string' ? body : JSON.stringify(body, null, 2));
/** The queue's real message count; `messages` lists only the first ones. */
const depthOf = (q) => (typeof q.depth === 'number' ? q.depth : q.messages.length);

function messageItem(m, open) {
  return h('li', { class: 'message', dataset: { testid: 'dlq-message', messageId: m.messageId } },
    h('div', { class: 'message-head' },
      h('strong', {}, m.eventName ?? 'no event name'),
      m.subject && h('code', { dataset: { testid: 'dlq-subject' } }, m.subject),
      // The store resets a message's receive count when it moves it here (as redrive does).
      h('span', { class: 'muted' }, `received ${m.receiveCount}× since dead-lettered`),
      h('span', { class: 'muted' }, `sent ${fmtTime(m.sentAtMs)}`)),
    h('div', { class: 'muted small' }, 'message id ', h('code', {}, m.messageId)),
    h('details', { open, dataset: { messageId: m.messageId } },
      h('summary', {}, 'Body'), h('pre', {}, bodyText(m.body))));
}

export function render(main, focusSource) {
  document.title = 'Dead letters · ecomm console';
  let alive = true;
  let lastJson = '';
  let shownSources = null; // the sources whose sections `body` holds, in order
  let firstDraw = true;
  const views = new Map(); // source → its section, kept across reads
  const summary = h('p', { class: 'muted', dataset: { testid: 'dlq-summary' } });
  const refresh = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'dlq-refresh' } }, 'Refresh');
  const problem = h('div'); // a failed read, shown above the last queues read
  const body = h('div', {}, loading('Loading dead letters…'));
  fill(main, h('div', { class: 'section-head' }, h('h1', {}, 'Dead letters'), refresh), summary, problem, body);

  function queueView(source) {
    const nameId = `dlq-name-${source}`;
    const name = h('span', { id: nameId });
    const count = h('span', { class: 'count' });
    // aria-disabled rather than disabled: a disabled button drops the keyboard focus, and after a
    // redrive empties the queue the focus should stay where the user left it.
    // Every queue's button says "Redrive": the queue's name, as its description, tells which.
    const button = h('button', { type: 'button', 'aria-describedby': nameId, dataset: { testid: `redrive-${source}` } },
      'Redrive');
    const result = h('div', { class: 'result', 'aria-live': 'polite', dataset: { testid: `redrive-result-${source}` } });
    const where = h('p', { class: 'muted small' });
    const list = h('div');
    const section = h('section', { class: 'panel dlq', id: `dlq-${source}`, dataset: { testid: `dlq-${source}` } },
      h('div', { class: 'section-head' }, h('h2', { tabindex: '-1' }, name, ' ', count), button),
      where, result, list);
    button.addEventListener('click', () => {
      if (button.getAttribute('aria-disabled') !== 'true') redrive(source, button, result);
    });

    function update(q) {
      const depth = depthOf(q);
      name.textContent = q.worker;
      count.textContent = q.messages.length < depth
        ? `${fmtNumber(q.messages.length)} of ${fmtNumber(depth)}` : fmtNumber(depth);
      section.dataset.count = String(depth);
      button.setAttribute('aria-disabled', String(depth === 0));
      fill(where, 'queue ', h('code', {}, q.queue), q.source === 'Pipe' ? ' (stream records the pipe set aside)' : '',
        q.messages.length < depth ? ` · the first ${fmtNumber(q.messages.length)} listed` : '');
      const open = new Set([...list.querySelectorAll('details[open]')].map((d) => d.dataset.messageId));
      fill(list, q.messages.length === 0 ? h('p', { class: 'muted small' }, 'Empty.')
        : h('ul', { class: 'messages' }, q.messages.map((m) => messageItem(m, open.has(m.messageId)))));
    }
    return { section, update };
  }

  async function redrive(source, button, result) {
    button.setAttribute('aria-disabled', 'true'); // until the next read says what is left
    fill(result, loading('Redriving…'));
    try {
      const answer = await postConsole(`dead-letters/${encodeURIComponent(source)}/redrive`, {});
      if (!alive) return;
      const kept = answer.kept || [];
      fill(result, h('div', { class: 'success' },
        `Redrive: moved ${answer.moved} message${answer.moved === 1 ? '' : 's'}`,
        kept.length ? `, kept ${kept.length}:` : '.',
        kept.length ? h('ul', {}, kept.map((reason) => h('li', {}, reason))) : ''));
    } catch (error) {
      if (!alive) return;
      fill(result, alertBox(error, `redrive-alert-${source}`));
    }
    lastJson = ''; // redraw even if the queues look the same, to enable the button again
    poll.now();
  }

  function draw(data) {
    const total = data.queues.reduce((sum, q) => sum + depthOf(q), 0);
    summary.textContent = total === 0 ? 'No dead letters: every message was handled or is still being retried.'
      : `${fmtNumber(total)} dead letter${total === 1 ? '' : 's'}. Redrive moves a queue's messages back to be handled again.`;
    for (const q of data.queues) {
      if (!views.has(q.source)) views.set(q.source, queueView(q.source));
      views.get(q.source).update(q);
    }
    const sources = data.queues.map((q) => q.source);
    if (shownSources === null || sources.join('\n') !== shownSources.join('\n')) {
      // The set of queues changed (or this is the first draw): place the sections, putting the
      // focus back if it was in one of them (moving a node drops its focus).
      for (const source of views.keys()) if (!sources.includes(source)) views.delete(source);
      const focused = document.activeElement;
      fill(body, sources.length === 0 ? empty('No dead-letter queue.') : sources.map((source) => views.get(source).section));
      if (focused && focused !== document.activeElement && focused.isConnected) focused.focus({ preventScroll: true });
      shownSources = sources;
    }
    if (firstDraw && focusSource) {
      const target = document.getElementById(`dlq-${focusSource}`);
      if (target) {
        target.scrollIntoView();
        target.querySelector('h2').focus({ preventScroll: true });
      }
    }
    firstDraw = false;
  }

  const poll = poller(async () => {
    try {
      const data = await getConsole('dead-letters');
      if (!alive) return null;
      fill(problem);
      const json = JSON.stringify(data);
      if (json !== lastJson) {
        lastJson = json;
        draw(data);
      }
    } catch (error) {
      if (!alive) return null;
      fill(problem, alertBox(error, 'dlq-alert'));
      if (shownSources === null) fill(body); // nothing read yet: no more "Loading…"
    }
    return REFRESH_MS;
  });

  refresh.addEventListener('click', poll.now);
  poll.now();
  return () => {
    alive = false;
    poll.stop();
  };
}
