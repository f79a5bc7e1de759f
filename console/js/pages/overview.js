import { api } from '../api.js';
import { h } from '../dom.js';
import { formatCount, formatDuration, formatTime, STATUS_HELP, STATUS_LABEL } from '../format.js';

const OPEN = ['FAILED', 'RETRYING', 'SENT', 'QUEUED', 'PENDING'];
const DONE = ['DELIVERED', 'RESOLVED'];

/** What is stuck right now: counts per status and target, and the delivery that has waited longest. */
export async function overviewPage({ municipality }) {
  const data = await api('GET', '/overview', { query: { municipality: municipality.kommunenummer } });
  const listLink = (status, target) =>
    `#/feil?${new URLSearchParams({ status, ...(target ? { target } : {}) }).toString()}`;
  const linked = (status) => status === 'FAILED' || status === 'RETRYING';

  const cards = h(
    'ul',
    { class: 'tall' },
    [...OPEN, ...DONE].map((status) => {
      const count = data.counts[status] ?? 0;
      const label = DONE.includes(status) ? `${STATUS_LABEL[status]} siste døgn` : STATUS_LABEL[status];
      const body = [
        h('span', { class: 'tall-verdi' }, formatCount(count)),
        h('span', { class: 'tall-navn' }, label),
        h('span', { class: 'tall-hjelp' }, STATUS_HELP[status]),
      ];
      return h(
        'li',
        { class: `tall-kort status-${status}${status === 'FAILED' && count > 0 ? ' varsel' : ''}` },
        linked(status) && count > 0
          ? h('a', { class: 'tall-innhold', href: listLink(status) }, body)
          : h('div', { class: 'tall-innhold' }, body),
      );
    }),
  );

  const oldest = data.oldestWaiting;
  const waiting = oldest
    ? h(
        'p',
        {},
        h(
          'a',
          { href: `#/leveranse/${encodeURIComponent(oldest.id)}` },
          `${oldest.formTypeTitle} til ${oldest.targetName}`,
        ),
        ` har ventet i ${formatDuration(Date.parse(data.generatedAt) - Date.parse(oldest.since))} `,
        `(mottatt ${formatTime(oldest.since)}, status ${STATUS_LABEL[oldest.status]}).`,
      )
    : h('p', {}, 'Ingen leveranser venter. Alt er levert.');

  const statuses = [...OPEN, ...DONE];
  const table = h(
    'table',
    {},
    h('caption', {}, 'Leveranser per mål og status (levert og lukket: siste døgn)'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Mål'),
        statuses.map((s) => h('th', { scope: 'col', class: 'tall-kolonne' }, STATUS_LABEL[s])),
      ),
    ),
    h(
      'tbody',
      {},
      data.targets.map((target) =>
        h(
          'tr',
          {},
          h('th', { scope: 'row' }, target.name),
          statuses.map((s) => {
            const count = target.counts[s] ?? 0;
            return h(
              'td',
              { class: `tall-kolonne${s === 'FAILED' && count > 0 ? ' varsel' : ''}` },
              linked(s) && count > 0
                ? h(
                    'a',
                    {
                      href: listLink(s, target.id),
                      'aria-label': `${count} ${STATUS_LABEL[s].toLowerCase()} for ${target.name}`,
                    },
                    formatCount(count),
                  )
                : formatCount(count),
            );
          }),
        ),
      ),
    ),
  );

  return {
    title: `Oversikt – ${data.municipality.name}`,
    content: h(
      'div',
      {},
      h('h1', {}, `Oversikt – ${data.municipality.name}`),
      h('p', { class: 'ingress' }, `Slik står leveransene nå (${formatTime(data.generatedAt)}).`),
      data.complete ? null : h('p', { class: 'merknad' }, 'Svært mange leveranser: noen tall er minst så høye.'),
      h('section', { 'aria-labelledby': 'status-naa' }, h('h2', { id: 'status-naa' }, 'Status nå'), cards),
      h('section', { 'aria-labelledby': 'eldste' }, h('h2', { id: 'eldste' }, 'Eldste ventende leveranse'), waiting),
      h(
        'section',
        { 'aria-labelledby': 'per-maal' },
        h('h2', { id: 'per-maal' }, 'Per mål'),
        h('div', { class: 'tabell-ramme' }, table),
      ),
    ),
  };
}
