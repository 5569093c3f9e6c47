// #/dead-letters[/<source>] — every dead-letter queue (the six workers' and the pipe's) with its
// messages, and a Redrive button per queue. Re-read every few seconds; redrawn only on change,
// keeping open message bodies open.

import { h, fill, alertBox, loading, empty, fmtTime, fmtNumber } from '../dom.js';
import { getConsole, postConsole } from '../api.js';

const REFRESH_MS = 3000;

const bodyText = (body) => (typeof body === 'string' ? body : JSON.stringify(body, null, 2));

function messageItem(m, open) {
  return h('li', { class: 'message', dataset: { testid: 'dlq-message', messageId: m.messageId } },
    h('div', { class: 'message-head' },
      h('strong', {}, m.eventName ?? 'no event name'),
      m.subject && h('code', { dataset: { testid: 'dlq-subject' } }, m.subject),
      h('span', { class: 'muted' }, `received ${m.receiveCount}×`),
      h('span', { class: 'muted' }, `sent ${fmtTime(m.sentAtMs)}`)),
    h('div', { class: 'muted small' }, 'message id ', h('code', {}, m.messageId)),
    h('details', { open, dataset: { messageId: m.messageId } },
      h('summary', {}, 'Body'), h('pre', {}, bodyText(m.body))));
}

export function render(main, focusSource) {
  document.title = 'Dead letters · ecomm console';
  let alive = true;
  let timer = null;
  let lastJson = '';
  let firstDraw = true;
  let busy = false;
  let again = false;
  const results = new Map(); // source → the last redrive's answer, kept across redraws
  const summary = h('p', { class: 'muted', dataset: { testid: 'dlq-summary' } });
  const refresh = h('button', { type: 'button', class: 'secondary', dataset: { testid: 'dlq-refresh' } }, 'Refresh');
  const body = h('div', {}, loading('Loading dead letters…'));
  fill(main, h('div', { class: 'section-head' }, h('h1', {}, 'Dead letters'), refresh), summary, body);

  function section(q) {
    const button = h('button', { type: 'button', disabled: q.messages.length === 0, dataset: { testid: `redrive-${q.source}` } },
      'Redrive');
    const result = h('div', { class: 'result', 'aria-live': 'polite', dataset: { testid: `redrive-result-${q.source}` } },
      results.get(q.source) || '');
    button.addEventListener('click', () => redrive(q.source, button, result));
    const open = new Set([...body.querySelectorAll('details[open]')].map((d) => d.dataset.messageId));
    return h('section', { class: 'panel dlq', id: `dlq-${q.source}`, dataset: { testid: `dlq-${q.source}`, count: String(q.messages.length) } },
      h('div', { class: 'section-head' },
        h('h2', { tabindex: '-1' }, q.worker, ' ', h('span', { class: 'count' }, fmtNumber(q.messages.length))),
        button),
      h('p', { class: 'muted small' }, 'queue ', h('code', {}, q.queue), q.source === 'Pipe' ? ' (stream records the pipe set aside)' : ''),
      result,
      q.messages.length === 0 ? h('p', { class: 'muted small' }, 'Empty.')
        : h('ul', { class: 'messages' }, q.messages.map((m) => messageItem(m, open.has(m.messageId)))));
  }

  async function redrive(source, button, result) {
    button.disabled = true;
    fill(result, loading('Redriving…'));
    try {
      const answer = await postConsole(`dead-letters/${encodeURIComponent(source)}/redrive`);
      const kept = answer.kept || [];
      results.set(source, h('div', { class: 'success', role: 'status' },
        `Redrive: moved ${answer.moved} message${answer.moved === 1 ? '' : 's'}`,
        kept.length ? `, kept ${kept.length}:` : '.',
        kept.length ? h('ul', {}, kept.map((reason) => h('li', {}, reason))) : ''));
    } catch (error) {
      results.set(source, alertBox(error, `redrive-alert-${source}`));
    }
    if (!alive) return;
    lastJson = ''; // redraw even if the queues look the same
    load();
  }

  // One read at a time; a request during a read (Refresh, a redrive) runs right after it.
  async function load() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    clearTimeout(timer);
    try {
      const data = await getConsole('dead-letters');
      if (!alive) return;
      const json = JSON.stringify(data);
      if (json !== lastJson) {
        lastJson = json;
        const total = data.queues.reduce((sum, q) => sum + q.messages.length, 0);
        summary.textContent = total === 0 ? 'No dead letters: every message was handled or is still being retried.'
          : `${fmtNumber(total)} dead letter${total === 1 ? '' : 's'}. Redrive moves a queue's messages back to be handled again.`;
        fill(body, data.queues.length === 0 ? empty('No dead-letter queue.') : data.queues.map(section));
        if (firstDraw && focusSource) {
          const target = document.getElementById(`dlq-${focusSource}`);
          if (target) {
            target.scrollIntoView();
            target.querySelector('h2').focus({ preventScroll: true });
          }
        }
        firstDraw = false;
      }
    } catch (error) {
      if (alive) fill(body, alertBox(error, 'dlq-alert'));
      lastJson = '';
    } finally {
      busy = false;
    }
    if (!alive) return;
    if (again) {
      again = false;
      load();
    } else {
      timer = setTimeout(load, REFRESH_MS);
    }
  }

  refresh.addEventListener('click', load);
  load();
  return () => {
    alive = false;
    clearTimeout(timer);
  };
}
